"""Checks of one issued document on its own: keys, number, name and place, totals, e-invoice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from facturo.checks.einvoice import missing_fields
from facturo.errors import Problem
from facturo.files.marked import YMap, locate
from facturo.files.tracking import tracking_problems
from facturo.model.exchange import document_vat_in_euros
from facturo.model.money import LineInput, compute_totals, parse_discount
from facturo.model.numbering import FOLDER_OF_SERIES, SERIES_OF_KIND, number_problem
from facturo.store.folder import Folder
from facturo.store.index import Entry, Ledger, amount_or_zero

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
Mark = tuple[int, int]


def open_ledger(root: Path | Folder, *, use_cache: bool = True) -> Ledger:
    """The ledger of a billing folder whose issued documents are checked as `check` does (a command
    the cache serves imports no other check)."""
    folder = root if isinstance(root, Folder) else Folder(root)
    return Ledger(folder, use_cache=use_cache, check=check_document)


def check_document(data: YMap, path: Path, entry: Entry) -> list[Problem]:
    """The problems of an issued document on its own (the ledger's check for `check`).

    `entry` holds its summary and the problems found while reading it (syntax, the seal):
    totals are recomputed, and e-invoice gaps looked for, only in a document without errors.
    """
    problems: list[Problem] = []

    def error(mark: Mark, message: str) -> None:
        problems.append(Problem(entry.path, mark[0], mark[1], message))

    for key in REQUIRED:
        if key not in data:
            error((1, 1), f"issued document without {key!r}: not written by facturo or damaged")
    number = entry.number
    if not isinstance(data.get("number"), str):
        error(data.mark("number"), "the number must be text")
    if (message := number_problem(number)) is not None:
        error(data.mark("number"), message)
    if path.stem != number:
        error(data.mark("number"), f"the file name does not match the number {number!r} inside")
    kind = data.get("kind")
    parent = path.parent
    if not isinstance(kind, str) or kind not in SERIES_OF_KIND:
        error(data.mark("kind"), f"unknown document kind {kind!r}")
    elif parent.parent.name != FOLDER_OF_SERIES[SERIES_OF_KIND[kind]]:
        expected = FOLDER_OF_SERIES[SERIES_OF_KIND[kind]]
        error(data.mark("kind"), f"a document of kind {kind} belongs in {expected}/")
    issue_date = data.get("issue_date")
    if not isinstance(issue_date, dt.date):
        error(data.mark("issue_date"), "the issue date must be a date")
    elif parent.name != str(issue_date.year):
        error(
            data.mark("issue_date"),
            f"issued in {issue_date.year} but filed under {parent.name}/",
        )

    problems.extend(tracking_problems(data, entry.path))

    read_with_errors = any(p.is_error for p in entry.problems)

    def has_errors() -> bool:
        return read_with_errors or any(p.is_error for p in problems)

    if not has_errors():
        _check_totals(data, error)
    if kind != "quote" and not has_errors():
        for key_path, message in missing_fields(data):
            line, col = locate(data, key_path)
            problems.append(Problem(entry.path, line, col, f"e-invoice: {message}", "warning"))
    return problems


def _check_totals(data: YMap, error: Callable[[Mark, str], None]) -> None:
    lines = data.get("lines")
    totals = data.get("totals")
    currency = data.get("currency")
    if not isinstance(lines, list) or not isinstance(totals, YMap) or not isinstance(currency, str):
        return
    try:
        inputs = [
            LineInput(
                amount_or_zero(line.get("quantity")),
                amount_or_zero(line.get("unit_price")),
                str(line.get("vat_category")),
                amount_or_zero(line.get("vat_rate")),
                parse_discount(line["discount"]) if "discount" in line else None,
            )
            for line in lines
        ]
        deductions = [i for i, line in zip(inputs, lines, strict=True) if "deposit" in line]
        regular = [i for i, line in zip(inputs, lines, strict=True) if "deposit" not in line]
        discount = parse_discount(data["discount"]) if "discount" in data else None
        prepaid = amount_or_zero(totals.get("prepaid"))
        computed = compute_totals(regular, currency, discount, prepaid, deductions=deductions)
    except (ValueError, TypeError, AttributeError, KeyError):
        error(data.mark("lines"), "the lines cannot be read back to compute the totals")
        return
    for key in ("net", "vat_total", "gross", "due"):
        stored = amount_or_zero(totals.get(key))
        expected: Decimal = getattr(computed, key)
        if stored != expected:
            error(
                totals.mark(key),
                f"totals.{key} is {stored} but the lines give {expected}",
            )
    euros = document_vat_in_euros(data)
    if "vat_total_eur" in totals and (euros is None or totals["vat_total_eur"] != euros.total):
        expected_text = "no exchange rate" if euros is None else f"{euros.total}"
        error(
            totals.mark("vat_total_eur"),
            f"totals.vat_total_eur is {totals['vat_total_eur']} but the exchange rate gives "
            f"{expected_text}",
        )
