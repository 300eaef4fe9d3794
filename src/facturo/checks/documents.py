"""One issued document on its own: keys, number, name and place, seal, totals, e-invoice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturo.errors import Problem
from facturo.files.yamlio import YMap, locate
from facturo.model.money import LineInput, compute_totals, is_currency, parse_discount, round_money
from facturo.model.numbering import (
    FOLDER_OF_SERIES,
    SERIES_OF_KIND,
    number_problem,
)
from facturo.store.seal import changed_fields, verify

REQUIRED = (
    "number",
    "kind",
    "issue_date",
    "currency",
    "seller",
    "client",
    "lines",
    "totals",
    "seal",
)
ZERO = Decimal(0)


def _line(data: YMap, key: str) -> tuple[int, int]:
    return data.mark(key)


def inspect_document(data: YMap, path: Path, entry: Any) -> None:
    """Fill `entry` (a ledger.Entry) from an issued document and record its problems."""
    display = entry.path

    def error(mark: tuple[int, int], message: str) -> None:
        entry.problems.append(Problem(display, mark[0], mark[1], message))

    for key in REQUIRED:
        if key not in data:
            error((1, 1), f"issued document without {key!r}: not written by facturo or damaged")
    number = data.get("number")
    if not isinstance(number, str):
        error(_line(data, "number"), "the number must be text")
        number = str(number)
    entry.number = number
    if (message := number_problem(number)) is not None:
        error(_line(data, "number"), message)
    if path.stem != number:
        error(_line(data, "number"), f"the file name does not match the number {number!r} inside")
    kind = data.get("kind")
    entry.kind = kind if isinstance(kind, str) else ""
    if kind not in SERIES_OF_KIND:
        error(_line(data, "kind"), f"unknown document kind {kind!r}")
    elif path.parent.parent.name != FOLDER_OF_SERIES[SERIES_OF_KIND[kind]]:
        expected = FOLDER_OF_SERIES[SERIES_OF_KIND[kind]]
        error(_line(data, "kind"), f"a document of kind {kind} belongs in {expected}/")
    issue_date = data.get("issue_date")
    if isinstance(issue_date, dt.date):
        entry.issue_date = issue_date
        if path.parent.name != str(issue_date.year):
            error(
                _line(data, "issue_date"),
                f"issued in {issue_date.year} but filed under {path.parent.name}/",
            )
    else:
        error(_line(data, "issue_date"), "the issue date must be a date")
    for key in ("due_date", "valid_until"):
        value = data.get(key)
        if isinstance(value, dt.date):
            setattr(entry, key, value)
    client = data.get("client")
    if isinstance(client, dict):
        entry.client_id = str(client.get("id") or "")
        entry.client_name = str(client.get("name") or "")
    entry.currency = str(data.get("currency") or "")
    totals = data.get("totals")
    if isinstance(totals, dict):
        entry.gross = _decimal(totals.get("gross"))
        entry.due = _decimal(totals.get("due"))
    paid = _payments(data)
    entry.paid = round_money(paid, entry.currency) if is_currency(entry.currency) else paid
    corrected = data.get("credit_note_of")
    if isinstance(corrected, dict):
        entry.credit_note_of = corrected.get("number")
    quote = data.get("quote")
    if isinstance(quote, dict):
        entry.quote = quote.get("number")
    for line in data.get("lines") or []:
        deposit = line.get("deposit") if isinstance(line, dict) else None
        if isinstance(deposit, dict) and deposit.get("number") not in entry.deducts:
            entry.deducts.append(str(deposit.get("number")))
    tracking = data.get("tracking")
    if isinstance(tracking, dict):
        for key in ("accepted", "declined"):
            event = tracking.get(key)
            if isinstance(event, dict) and isinstance(event.get("date"), dt.date):
                setattr(entry, key, event["date"])
        sendings = tracking.get("sendings")
        if isinstance(sendings, list) and sendings and isinstance(sendings[0], dict):
            first = sendings[0].get("date")
            entry.sent = first if isinstance(first, dt.date) else None
    source = data.get("source")
    if isinstance(source, dict):
        entry.source_sha256 = source.get("sha256")
    seal = data.get("seal")
    if isinstance(seal, YMap):
        entry.seal = seal.get("sha256")
        entry.previous = seal.get("previous")
        entry.previous_line = seal.mark("previous")[0]
        _check_seal(data, error)
    if not any(p.is_error for p in entry.problems):
        _check_totals(data, error)
    if kind != "quote" and not any(p.is_error for p in entry.problems):
        from facturo.checks.einvoice import missing_fields

        for key_path, message in missing_fields(data):
            line, col = locate(data, key_path)
            entry.problems.append(Problem(display, line, col, f"e-invoice: {message}", "warning"))


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return ZERO


def _payments(data: YMap) -> Decimal:
    tracking = data.get("tracking")
    if not isinstance(tracking, dict):
        return ZERO
    payments = tracking.get("payments")
    if not isinstance(payments, list):
        return ZERO
    return sum((_decimal(p.get("amount")) for p in payments if isinstance(p, dict)), ZERO)


def _check_seal(data: YMap, error: Any) -> None:
    if verify(data):
        return
    changes = changed_fields(data)
    if not changes:
        error(data.mark("seal"), "the seal does not match this document (was the seal edited?)")
        return
    for path in changes:
        where = locate(data, ".".join(str(step) for step in path))
        name = "".join(f"[{s + 1}]" if isinstance(s, int) else f".{s}" for s in path)[1:]
        error(
            where,
            f"sealed field {name!r} was changed after issue: an issued document is never edited "
            "(restore it, e.g. git checkout -- FILE, and correct it with a credit note)",
        )


def _check_totals(data: YMap, error: Any) -> None:
    lines = data.get("lines")
    totals = data.get("totals")
    currency = data.get("currency")
    if not isinstance(lines, list) or not isinstance(totals, YMap) or not isinstance(currency, str):
        return
    try:
        inputs = [
            LineInput(
                _decimal(line.get("quantity")),
                _decimal(line.get("unit_price")),
                str(line.get("vat_category")),
                _decimal(line.get("vat_rate")),
                parse_discount(line["discount"]) if "discount" in line else None,
            )
            for line in lines
        ]
        deductions = [i for i, line in zip(inputs, lines, strict=True) if "deposit" in line]
        regular = [i for i, line in zip(inputs, lines, strict=True) if "deposit" not in line]
        discount = parse_discount(data["discount"]) if "discount" in data else None
        prepaid = _decimal(totals.get("prepaid"))
        computed = compute_totals(regular, currency, discount, prepaid, deductions=deductions)
    except (ValueError, TypeError, AttributeError, KeyError):
        error(data.mark("lines"), "the lines cannot be read back to compute the totals")
        return
    for key in ("net", "vat_total", "gross", "due"):
        stored = _decimal(totals.get(key))
        expected: Decimal = getattr(computed, key)
        if stored != expected:
            error(
                totals.mark(key),
                f"totals.{key} is {stored} but the lines give {expected}",
            )
