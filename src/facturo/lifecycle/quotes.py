"""Quotes after they are issued: accepted (into invoice drafts, with deposits) or declined."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError, Remedy
from facturo.files.canonical import dump
from facturo.lifecycle.credit_notes import copy_line, draft_from
from facturo.lifecycle.phrases import deposit_line, on_receipt
from facturo.model.document import language_of, payment_terms_of
from facturo.model.money import Discount, parse_discount, split_discount
from facturo.store.index import Entry, Ledger
from facturo.store.tracking import load_for_update, set_event, write_tracking

HUNDRED = Decimal(100)


def _open_quote(ledger: Ledger, number: str, when: dt.date, force: bool) -> Entry:
    """The quote, if it can still be answered on `when`."""
    entry = ledger.find(number)
    if entry.kind != "quote":
        raise FacturoError(f"{number} is not a quote")
    if entry.accepted:
        raise FacturoError(f"{number} was already accepted on {entry.accepted}")
    if entry.declined:
        raise FacturoError(f"{number} was declined on {entry.declined}")
    if entry.valid_until and when > entry.valid_until and not force:
        raise FacturoError(f"{number} expired on {entry.valid_until}", remedy=Remedy.FORCE)
    return entry


def accept_quote(
    ledger: Ledger,
    number: str,
    *,
    date: dt.date,
    today: dt.date,
    deposit: str | None = None,
    force: bool = False,
) -> list[Path]:
    """Record the acceptance and write the invoice drafts; returns their paths.

    Without a deposit: one invoice draft repeating the quote. With a deposit ("30%" or an
    amount excluding VAT): a deposit invoice draft for that share of each VAT rate, and the
    final invoice draft, which deducts every deposit invoice of the quote when it is issued.
    """
    with ledger.locked():
        _open_quote(ledger, number, date, force)
        if date > today:
            raise FacturoError(f"the acceptance cannot be dated in the future ({date})")
        path, data, text = load_for_update(ledger, number)
        quote = dict(data)
        drafts = []
        if deposit is not None:
            drafts.append(("deposit", _deposit_draft(quote, deposit)))
        drafts.append(("invoice", _invoice_draft(quote)))
        written: list[Path] = []
        for suffix, draft in drafts:
            header = [
                f"{'Deposit invoice' if suffix == 'deposit' else 'Invoice'} for quote {number}, "
                f"accepted on {date}.",
                "Check it, then: facturo issue <this file>.",
            ]
            if suffix == "invoice" and deposit is not None:
                header.append("Issue the deposit invoice first: this one deducts it when issued.")
            target = ledger.folder.drafts_dir / f"{number}-{suffix}.yaml"
            if not ledger.folder.claim(target, dump(draft, header)):
                for done in written:
                    ledger.folder.remove(done)
                raise FacturoError(f"{ledger.folder.display(target)} already exists")
            written.append(target)
        set_event(data, "accepted", {"date": date, **({"deposit": deposit} if deposit else {})})
        write_tracking(ledger, path, data, text)
        return written


def decline_quote(
    ledger: Ledger, number: str, *, date: dt.date, today: dt.date, reason: str | None = None
) -> None:
    """Record that the client declined the quote."""
    with ledger.locked():
        _open_quote(ledger, number, date, force=True)
        path, data, text = load_for_update(ledger, number)
        set_event(data, "declined", {"date": date, **({"reason": reason} if reason else {})})
        write_tracking(ledger, path, data, text)


def _invoice_draft(quote: dict[str, Any]) -> dict[str, Any]:
    draft = draft_from(quote, "invoice")
    draft["quote"] = quote["number"]
    for key in ("order_reference", "service_date", "service_period"):
        if key in quote:
            draft[key] = quote[key]
    draft["payment_terms"] = payment_terms_of(quote)
    draft["lines"] = [copy_line(line) for line in quote["lines"]]
    if "discount" in quote:
        draft["discount"] = quote["discount"]
    if "notes" in quote:
        draft["notes"] = quote["notes"]
    return draft


def _deposit_draft(quote: dict[str, Any], deposit: str) -> dict[str, Any]:
    try:
        share = parse_discount(deposit)
    except ValueError:
        raise FacturoError(
            f'a deposit is a percentage like "30%" or an amount, not {deposit!r}'
        ) from None
    groups = quote["totals"]["vat"]
    bases = [group["base"] for group in groups]
    if share.percent is not None:
        if not 0 < share.percent < HUNDRED:
            raise FacturoError("a deposit is between 0% and 100% of the quote")
        amounts = [Discount(percent=share.percent).on(base, quote["currency"]) for base in bases]
    else:
        if not 0 < (share.amount or 0) < quote["totals"]["net"]:
            raise FacturoError(
                f"a deposit is less than the quote's total excluding VAT ({quote['totals']['net']})"
            )
        amounts = split_discount(share, bases, quote["currency"])
    if not any(amounts):
        raise FacturoError("this deposit rounds to 0: nothing to invoice")
    language = language_of(quote)
    text = deposit_line(share.percent, quote["number"], language)
    draft = draft_from(quote, "deposit")
    draft["quote"] = quote["number"]
    draft["payment_terms"] = on_receipt(language)
    draft["lines"] = [
        {
            "description": text,
            "quantity": Decimal(1),
            "unit_price": amount,
            **({"vat_rate": group["rate"]} if group["category"] in ("S", "Z") else {}),
        }
        for group, amount in zip(groups, amounts, strict=True)
        if amount
    ]
    return draft
