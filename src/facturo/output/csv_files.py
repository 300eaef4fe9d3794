"""CSV files of issued documents (net, VAT per rate, gross, paid, balance) and of their lines."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from facturo.reports.figures import is_service, read_figures
from facturo.reports.receipts_book import receipt_rows
from facturo.reports.table import money
from facturo.store.index import Entry, Ledger

DOCUMENT_COLUMNS = (
    "number", "kind", "issue_date", "due_date", "client", "client_name", "currency", "net",
)  # fmt: skip
DOCUMENT_TAIL = ("vat_total", "gross", "paid", "credited", "balance", "status")
LINE_COLUMNS = (
    "number", "kind", "issue_date", "client", "currency", "line", "description", "quantity",
    "unit", "unit_price", "discount_amount", "vat_category", "vat_rate", "net", "nature",
)  # fmt: skip
KINDS = ("invoice", "deposit", "credit_note")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write(columns: list[str], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(row.get(c)) for c in columns])
    return buffer.getvalue()


def _selected(ledger: Ledger, year: int | None) -> list[Entry]:
    kept = [
        e for e in ledger.entries()
        if e.kind in KINDS and e.issue_date is not None
        and (year is None or e.issue_date.year == year)
    ]  # fmt: skip
    return sorted(kept, key=lambda e: (e.issue_date, e.number))


def _rate_name(rate: Decimal) -> str:
    return "vat_" + format(rate.normalize(), "f").replace(".", "_")


Rows = tuple[list[str], list[dict[str, Any]]]
MONEY_COLUMNS = frozenset(
    {"net", "vat_total", "gross", "paid", "credited", "balance", "unit_price",
     "discount_amount", "amount"}
)  # fmt: skip


def is_money(column: str) -> bool:
    """Whether `column` holds an amount in the row's currency (VAT per rate included)."""
    return column in MONEY_COLUMNS or (column.startswith("vat_") and column[4].isdigit())


def document_rows(ledger: Ledger, today: dt.date, year: int | None = None) -> Rows:
    """The columns and typed rows (Decimal, date) of the documents file."""
    entries = _selected(ledger, year)
    figures = read_figures(ledger, {e.number for e in entries})
    rates = sorted(
        {g.rate for f in figures.values() for g in f.groups if g.taxed and g.rate}, reverse=True
    )
    columns = [*DOCUMENT_COLUMNS, *(_rate_name(r) for r in rates), *DOCUMENT_TAIL]
    rows = []
    for entry in entries:
        found = figures.get(entry.number)
        if found is None:
            continue
        row: dict[str, Any] = {
            "number": entry.number, "kind": entry.kind, "issue_date": entry.issue_date,
            "due_date": entry.due_date, "client": entry.client_id,
            "client_name": entry.client_name, "currency": entry.currency, "net": found.net,
            "vat_total": found.vat, "gross": found.gross,
        }  # fmt: skip
        for group in found.groups:
            if group.taxed and group.rate:
                name = _rate_name(group.rate)
                row[name] = row.get(name, Decimal(0)) + group.amount
        if entry.is_receivable:
            account = ledger.account_of(entry).until(today)
            row.update({
                "paid": account.paid, "credited": account.credited,
                "balance": money(account.balance, entry.currency),
                "status": account.status(today),
            })  # fmt: skip
        rows.append(row)
    return columns, rows


def documents_csv(ledger: Ledger, today: dt.date, year: int | None = None) -> str:
    """One row per invoice, deposit invoice and credit note, a VAT column per rate used."""
    return _write(*document_rows(ledger, today, year))


def line_rows(ledger: Ledger, year: int | None = None) -> Rows:
    """The columns and typed rows of the lines file."""
    rows = []
    for entry in _selected(ledger, year):
        document = ledger.document(entry.number)
        operation = str(document.get("operation") or "services")
        for index, line in enumerate(document.get("lines") or [], start=1):
            if not isinstance(line, dict):
                continue
            rows.append({
                "number": entry.number, "kind": entry.kind, "issue_date": entry.issue_date,
                "client": entry.client_id, "currency": entry.currency, "line": index,
                **{k: line.get(k) for k in LINE_COLUMNS[6:14]},
                "nature": "services" if is_service(line, operation) else "goods",
            })  # fmt: skip
    return list(LINE_COLUMNS), rows


def lines_csv(ledger: Ledger, year: int | None = None) -> str:
    """One row per line of every invoice, deposit invoice and credit note."""
    return _write(*line_rows(ledger, year))


RECEIPT_COLUMNS = (
    "date", "number", "client", "client_name", "nature", "amount", "currency", "method",
    "reference",
)  # fmt: skip


def receipts_book_csv(ledger: Ledger, year: int) -> str:
    """The receipts book (livre des recettes) of `year` as CSV."""
    return _write(list(RECEIPT_COLUMNS), receipt_rows(ledger, year))
