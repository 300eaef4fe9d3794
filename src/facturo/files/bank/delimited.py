"""CSV statements read as transactions, with the column mapping of `bank.csv` in facturo.yaml.

Banks' CSV exports differ in everything: the separator, the decimal mark, the date format,
the encoding, lines above the header, one signed amount or debit and credit columns. The
mapping names the header of each column used; the defaults are those of French exports
(`;`, decimal comma, dates as 31/12/2026).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from facturo.errors import Problem
from facturo.files.bank import (
    Statement,
    StatementError,
    Transaction,
    parse_amount,
    problem,
    with_digest_ids,
)

DEFAULTS = {
    "separator": ";",
    "decimal": ",",
    "date_format": "%d/%m/%Y",
    "encoding": "utf-8",
    "currency": "EUR",
}


def read_csv(raw: bytes, display: str, settings: dict[str, Any] | None) -> Statement:
    """The rows of a CSV export as transactions; every bad row is reported with its line."""
    if not settings or not settings.get("columns"):
        raise StatementError(
            f"{display} looks like a CSV file: facturo.yaml needs a bank.csv section naming "
            "its columns (see docs/FORMAT.md)"
        )
    options = {**DEFAULTS, **{k: v for k, v in settings.items() if v is not None}}
    columns: dict[str, str] = dict(settings["columns"])
    encoding = str(options["encoding"])
    try:
        text = raw.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise StatementError(f"{display}: cannot be decoded as {encoding} ({exc})") from None
    skip = int(options.get("skip_lines") or 0)
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO("".join(lines[skip:])), delimiter=str(options["separator"]))
    rows = list(reader)
    if not rows:
        raise StatementError(f"{display} is empty")
    header = [cell.strip() for cell in rows[0]]
    missing = [name for name in columns.values() if name not in header]
    if missing:
        known = ", ".join(repr(h) for h in header)
        raise StatementError(
            f"{display} cannot be read",
            problems=[
                problem(display, skip + 1, f"no column {name!r} (the header has {known})")
                for name in missing
            ],
        )
    if "amount" not in columns and not ("debit" in columns or "credit" in columns):
        raise StatementError("bank.csv.columns needs amount, or debit and credit, in facturo.yaml")
    position = {key: header.index(name) for key, name in columns.items()}
    problems: list[Problem] = []
    found: list[Transaction] = []
    for number, row in enumerate(rows[1:], start=skip + 2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            found.append(_row(row, position, options, number))
        except ValueError as exc:
            problems.append(problem(display, number, str(exc)))
    if problems:
        raise StatementError(f"{display} cannot be read", problems=problems)
    return Statement(display, "csv", "", tuple(with_digest_ids(found, display)))


def _row(
    row: list[str], position: dict[str, int], options: dict[str, Any], line: int
) -> Transaction:
    def cell(key: str) -> str:
        index = position.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    date_format = str(options["date_format"])

    def day(key: str) -> dt.date | None:
        value = cell(key)
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, date_format).date()
        except ValueError:
            raise ValueError(f"{value!r} is not a date like {date_format}") from None

    mark = str(options["decimal"])

    def amount_of(key: str) -> Any:
        value = cell(key)
        if not value:
            return None
        amount = parse_amount(value, mark)
        if amount is None:
            raise ValueError(f"{value!r} is not an amount (decimal mark {mark!r})")
        return amount

    booking = day("date")
    if booking is None:
        raise ValueError("no date")
    if "amount" in position:
        signed = amount_of("amount")
    else:
        debit, credit = amount_of("debit"), amount_of("credit")
        signed = credit if credit else (-abs(debit) if debit else None)
    if signed is None:
        raise ValueError("no amount")
    label = cell("label")
    return Transaction(
        id=cell("id"), booking_date=booking, value_date=day("value_date"), amount=abs(signed),
        currency=cell("currency") or str(options["currency"]), credit=signed > 0,
        counterparty=cell("counterparty") or (label if "counterparty" not in position else ""),
        iban=cell("iban").replace(" ", "").upper(),
        remittance=label, bank_reference=cell("reference"), line=line,
    )  # fmt: skip
