"""Excel workbooks (xlsx) of issued documents and of their lines: amounts as numbers, dates.

The same columns and rows as the CSV files (output.csv_files). Amounts are numeric cells
formatted to their row's currency's minor unit, so a spreadsheet sums them; dates are
date cells; the header row is frozen and filterable.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from facturo.model.money import is_currency, minor_units
from facturo.output.csv_files import Rows, is_money

DATE_FORMAT = "yyyy-mm-dd"
WIDEST = 60


def money_format(currency: str) -> str:
    """The number format of amounts in `currency`: thousands grouped, its minor unit."""
    places = minor_units(currency) if is_currency(currency) else 2
    return "#,##0." + "0" * places if places else "#,##0"


def _cell(value: Any) -> Any:
    """The value a cell holds: numbers and dates stay themselves, the rest is text (marked
    as text where written, so that "=..." in a client's name is never a formula)."""
    if value is None or isinstance(value, (Decimal, int, dt.date)):
        return value
    return str(value)


def workbook(rows: Rows, title: str) -> bytes:
    """An xlsx file of one sheet named `title` holding `rows` (columns, then row mappings)."""
    columns, found = rows
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(c) for c in columns]
    for number, row in enumerate(found, start=2):
        sheet.append([_cell(row.get(c)) for c in columns])
        amounts = money_format(str(row.get("currency") or ""))
        for index, column in enumerate(columns):
            # by its place: the sheet's last row (sheet.max_row) is found by looking at every cell
            cell = sheet.cell(number, index + 1)
            value = row.get(column)
            if isinstance(value, Decimal) and is_money(column):
                cell.number_format = amounts
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            elif cell.data_type == "f":
                cell.data_type = "s"  # "=..." in a name or a description stays text
            widths[index] = max(widths[index], len(_shown(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, WIDEST)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:,f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)
