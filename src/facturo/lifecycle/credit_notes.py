"""Credit notes: corrections of issued invoices, as documents of their own series.

A credit note is written as a draft from the invoice it corrects (the same client, VAT
treatment and rates), then issued like any draft, so it gets the same validation,
numbering and seal. It never exceeds what is left to credit on the invoice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError, InvalidData
from facturo.files.canonical import dump
from facturo.lifecycle.issuing import Issued, check_issue_date, issue_locked, prepare_draft
from facturo.lifecycle.phrases import credit_line
from facturo.model.document import language_of
from facturo.model.money import Discount, minor_units, parse_discount, round_money, split_discount
from facturo.model.vat import treatment_of
from facturo.store.index import Ledger

ZERO = Decimal(0)


def draft_from(document: dict[str, Any], kind: str) -> dict[str, Any]:
    """The head of a draft copying an issued document's client, currency, language and VAT."""
    draft: dict[str, Any] = {"kind": kind, "client": document["client"]["id"]}
    for key in ("currency", "language", "operation"):
        if key in document:
            draft[key] = document[key]
    if kind == "credit_note" and isinstance(document.get("exchange_rate"), dict):
        # The correction states its VAT in euros at the rate of the invoice it corrects.
        draft["exchange_rate"] = dict(document["exchange_rate"])
    treatment = treatment_of(document)
    if treatment != "standard":
        draft["vat"] = treatment
        if treatment == "exempt":
            draft["vat_exemption_reason"] = document["vat_exemption"]["reason"]
    return draft


def copy_line(
    line: dict[str, Any], quantity: Decimal | None = None, currency: str = "EUR"
) -> dict[str, Any]:
    """A draft line repeating an issued line (optionally for part of its quantity: an amount
    discount then shrinks in proportion)."""
    copied: dict[str, Any] = {"description": line["description"]}
    copied["quantity"] = line["quantity"] if quantity is None else quantity
    for key in ("unit", "unit_price"):
        if key in line:
            copied[key] = line[key]
    if line.get("vat_category") in ("S", "Z"):
        copied["vat_rate"] = line["vat_rate"]
    if "discount" in line:
        discount = parse_discount(line["discount"])
        if discount.amount is not None and quantity is not None:
            share = Decimal(quantity) / Decimal(line["quantity"])
            copied["discount"] = round_money(discount.amount * share, currency)
        else:
            copied["discount"] = line["discount"]
    if isinstance(line.get("deposit"), dict):
        # A deposit deducted by a final invoice stays a deduction on its credit note.
        copied["deposit"] = str(line["deposit"]["number"])
    return copied


def credit_note_draft(
    document: dict[str, Any],
    *,
    reason: str,
    line: int | None = None,
    quantity: Decimal | None = None,
    amount: Decimal | None = None,
    credited: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The draft of a credit note on `document`: whole (default), one line, or an amount.

    A whole credit after earlier credit notes (`credited`) credits what is left, per rate.

    `line` is 1-based; `amount` excludes VAT and is shared across the invoice's VAT rates in
    proportion to their bases, so the VAT split follows the invoice's.
    """
    draft = draft_from(document, "credit_note")
    draft["credit_note_of"] = document["number"]
    draft["reason"] = reason
    lines: list[dict[str, Any]] = document["lines"]
    language = language_of(document)
    if amount is not None:
        if amount <= 0:
            raise FacturoError("the amount of a credit note must be positive")
        groups = document["totals"]["vat"]
        shares = split_discount(
            Discount(amount=amount), [g["base"] for g in groups], document["currency"]
        )
        draft["lines"] = [
            {
                "description": credit_line("credit_amount", document["number"], reason, language),
                "quantity": Decimal(1),
                "unit_price": share,
                **({"vat_rate": group["rate"]} if group["category"] in ("S", "Z") else {}),
            }
            for group, share in zip(groups, shares, strict=True)
            if share
        ]
        return draft
    if line is not None:
        if not 1 <= line <= len(lines):
            raise FacturoError(f"{document['number']} has lines 1 to {len(lines)}, not {line}")
        chosen = lines[line - 1]
        if quantity is not None and not 0 < quantity <= chosen["quantity"]:
            raise FacturoError(
                f"line {line} of {document['number']} has a quantity of {chosen['quantity']}: "
                f"credit between 0 and that, not {quantity}"
            )
        draft["lines"] = [copy_line(chosen, quantity, document["currency"])]
    elif credited:
        draft["lines"] = _remainder_lines(document, credited, reason)
        return draft
    else:
        draft["lines"] = [copy_line(item) for item in lines]
    discount = document.get("discount")
    if discount is not None:
        parsed = parse_discount(discount)
        if parsed.percent is not None or line is None:
            draft["discount"] = discount
        else:
            # An amount discount is credited in proportion to the part of the lines credited.
            share = _line_share(document, line - 1, quantity)
            draft["discount"] = round_money((parsed.amount or ZERO) * share, document["currency"])
    return draft


def _remainder_lines(
    document: dict[str, Any], credited: list[dict[str, Any]], reason: str
) -> list[dict[str, Any]]:
    """What is left to credit, one line per VAT rate: the invoice's base minus the bases of
    the credit notes already issued on it."""
    left: dict[tuple[str, Decimal], Decimal] = {}
    for group in document["totals"]["vat"]:
        key = (group["category"], Decimal(group["rate"]))
        left[key] = left.get(key, ZERO) + group["base"]
    for note in credited:
        for group in note["totals"]["vat"]:
            key = (group["category"], Decimal(group["rate"]))
            left[key] = left.get(key, ZERO) - group["base"]
    _fit_to_gross(left, document, credited)
    language = language_of(document)
    return [
        {
            "description": credit_line("credit_remainder", document["number"], reason, language),
            "quantity": Decimal(1),
            "unit_price": amount,
            **({"vat_rate": rate} if category in ("S", "Z") else {}),
        }
        for (category, rate), amount in left.items()
        if amount > 0
    ]


def _fit_to_gross(
    left: dict[tuple[str, Decimal], Decimal],
    document: dict[str, Any],
    credited: list[dict[str, Any]],
) -> None:
    """Nudge the largest base by cents so that the credit's total (VAT rounded per rate) is
    exactly what is left on the invoice, or the closest amount below it: never more."""
    if not left:
        return
    currency = document["currency"]
    target = document["totals"]["gross"] - sum((n["totals"]["gross"] for n in credited), ZERO)
    cent = Decimal(1).scaleb(-minor_units(currency))
    largest = max(left, key=lambda key: left[key])
    base = left[largest]

    def gross_with(candidate: Decimal) -> Decimal:
        left[largest] = candidate
        return sum(
            (b + round_money(b * rate / 100, currency) for (_, rate), b in left.items() if b > 0),
            ZERO,
        )

    below = base - cent * 6
    for step in range(-5, 6):
        candidate = base + cent * step
        total = gross_with(candidate)
        if total == target:
            return
        if total < target:
            below = candidate
    left[largest] = below


def _line_share(document: dict[str, Any], index: int, quantity: Decimal | None) -> Decimal:
    line = document["lines"][index]
    part = Decimal(quantity) if quantity is not None else Decimal(line["quantity"])
    net = line["net"] * (part / Decimal(line["quantity"]))
    total = document["totals"]["lines_net"]
    return (net / total).quantize(Decimal("0.000001")) if total else ZERO


def create_credit_note(
    ledger: Ledger,
    number: str,
    *,
    reason: str,
    issue_date: dt.date,
    today: dt.date | None = None,
    line: int | None = None,
    quantity: Decimal | None = None,
    amount: Decimal | None = None,
    draft_only: bool = False,
) -> Path | Issued:
    """Write the credit note's draft; issue it unless `draft_only`. On failure, no file stays."""
    check_issue_date(issue_date, today)
    with ledger.locked() as settled:
        _refuse_after_an_interrupted_credit(ledger, number, settled)
        entry = ledger.find(number)
        number = entry.number  # as issued, whatever case it was typed in
        if not entry.is_receivable:
            raise FacturoError(
                f"{number} is a {entry.kind.replace('_', ' ')}: only invoices are credited"
            )
        document = dict(ledger.document(number))
        credited = [dict(ledger.document(note.number)) for note in ledger.credit_notes_of(number)]
        draft = credit_note_draft(
            document, reason=reason, line=line, quantity=quantity, amount=amount, credited=credited
        )
        header = [
            f"Credit note on {number} ({reason}).",
            "Issue it with: facturo issue <this file>. It gets its number then.",
        ]
        folder = ledger.folder
        path = folder.drafts_dir / f"credit-{number}.yaml"
        suffix = 2
        while not folder.claim(path, dump(draft, header)):
            path = folder.drafts_dir / f"credit-{number}-{suffix}.yaml"
            suffix += 1
        if draft_only:
            # The draft must be one `issue` accepts: never more than is left to credit.
            _, problems = prepare_draft(ledger, path, issue_date)
            if errors := [p.message for p in problems if p.is_error]:
                folder.remove(path)
                raise FacturoError(f"no credit note draft written on {number}: {'; '.join(errors)}")
            return path
        # The draft is this command's own: whatever stops it, no credit draft is left
        # behind to be issued a second time (after a SIGKILL, the next command removes it).
        folder.mark_transient(path)
        try:
            return issue_locked(ledger, [path], issue_date, settled)[0]
        except InvalidData as error:
            reasons = "; ".join(p.message for p in error.problems if p.is_error) or error.message
            raise FacturoError(f"no credit note issued on {number}: {reasons}") from None
        finally:
            if path.exists():
                folder.remove(path)
            folder.clear_transient(path)


def _refuse_after_an_interrupted_credit(
    ledger: Ledger, number: str, settled: dict[Path, str]
) -> None:
    """A credit of `number` killed once its credit note was issued: the user, who never saw
    the number, is told rather than given a second credit note."""
    for path, issued in settled.items():
        if (
            path.name.startswith(f"credit-{number}")
            and ledger.find(issued).credit_note_of == number
        ):
            raise FacturoError(
                f"{issued} was issued on {number} by a credit that was interrupted: nothing "
                "more was issued (run the command again for another credit note)"
            )
