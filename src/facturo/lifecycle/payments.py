"""Payments received on invoices: recorded in tracking, never edited, undone by corrections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from facturo.errors import FacturoError, Remedy
from facturo.files.reading import suggest
from facturo.files.schema import PAYMENT_METHODS
from facturo.lifecycle.exchange_rates import euros_of, minimum_amount
from facturo.model.account import WRITE_OFF
from facturo.model.money import minor_units, round_money
from facturo.store.index import Entry, Ledger
from facturo.store.tracking import load_for_update, tracking_list, write_tracking

ZERO = Decimal(0)


@dataclass(frozen=True)
class Recorded:
    """A payment written to an invoice, and where the invoice stands after it."""

    number: str
    index: int  # 1-based position in tracking.payments
    payment: dict[str, Any]
    entry: Entry  # the invoice, re-read after the write

    @property
    def balance(self) -> Decimal:
        return self.entry.balance


def record_payment(
    ledger: Ledger,
    number: str,
    amount: Decimal | None,
    *,
    date: dt.date,
    today: dt.date,
    method: str = "transfer",
    reference: str | None = None,
    reason: str | None = None,
    force: bool = False,
    write_off: bool = False,
    transaction: str | None = None,
) -> Recorded:
    """Append a payment to an invoice; no amount means the whole balance.

    Refused (unless `force`): more than the balance, or a payment on a cancelled invoice.
    A negative amount is a correction of an earlier payment and needs a `reason`.
    With `write_off`, what is left after `amount` (all of the balance without one) is written
    off: recorded as settled, not paid. Refused (unless `force`) above the folder's
    `reminders.minimum_amount`, when one is set.
    `transaction` is the bank's id of the credit the payment came from (lifecycle/bank.py).
    """
    if method not in PAYMENT_METHODS:
        raise FacturoError(
            f"unknown payment method {method!r} ({suggest(method, PAYMENT_METHODS)})"
        )
    if date > today:
        raise FacturoError(f"a payment cannot be dated in the future ({date})")
    with ledger.locked():
        entry = ledger.find(number)
        number = entry.number  # as issued, whatever case it was typed in
        if not entry.is_receivable:
            what = "a quote" if entry.kind == "quote" else "a credit note"
            raise FacturoError(f"{number} is {what}: payments are recorded on invoices")
        balance = entry.balance
        if write_off:
            left = _check_write_off(ledger, entry, amount, balance, today, force)
        else:
            amount = balance if amount is None else amount
            _check_amount(entry, amount, balance, today, reason, force)
        if entry.issue_date and date < entry.issue_date:
            raise FacturoError(
                f"the payment date {date} is before the invoice date {entry.issue_date}"
            )
        path, data, text = load_for_update(ledger, number)
        payments = tracking_list(data, "payments")
        if amount is not None:
            amount = round_money(amount, entry.currency)  # 1000 is written 1000.00
            payment: dict[str, Any] = {"date": date, "amount": amount, "method": method}
            if reference:
                payment["reference"] = reference
            if reason and not write_off:
                payment["reason"] = reason
            if transaction:
                payment["transaction"] = transaction
            payments.append(payment)
        if write_off:
            payment = {"date": date, "amount": left, "method": WRITE_OFF}
            if reason:
                payment["reason"] = reason
            payments.append(payment)
        write_tracking(ledger, path, data, text)
        return Recorded(number, len(payments), payment, ledger.find(number))


def _check_write_off(
    ledger: Ledger,
    entry: Entry,
    amount: Decimal | None,
    balance: Decimal,
    today: dt.date,
    force: bool,
) -> Decimal:
    """What a write-off after a payment of `amount` gives up on; refused when it is nothing,
    or (unless `force`) more than the folder's minimum amount of reminders."""
    number = entry.number
    if balance <= 0:
        raise FacturoError(f"{number} has nothing left to write off ({entry.status(today)})")
    if amount is not None:
        if amount <= 0:
            raise FacturoError("with a write-off, the amount is the payment received: above 0")
        _check_amount(entry, amount, balance, today, None, force=False)
    left = round_money(balance - (amount or ZERO), entry.currency)
    if left <= 0:
        raise FacturoError(f"{amount} {entry.currency} settles {number}: nothing to write off")
    document = ledger.document(number)
    client_id = entry.client_id
    clients = ledger.clients_with_problems()
    client, _ = clients.get(client_id, (None, []))
    limit = minimum_amount(ledger.config(), client)
    if limit is None or force:
        return left
    euros = euros_of(left, document, today)
    if euros is None or euros > limit:
        shown = f"{left} {entry.currency}" + (
            f" ({euros} EUR)" if euros is not None and entry.currency != "EUR" else ""
        )
        raise FacturoError(
            f"writing off {shown} on {number} is more than reminders.minimum_amount "
            f"({limit} EUR) in facturo.yaml",
            remedy=Remedy.FORCE,
        )
    return left


def _check_amount(
    entry: Entry,
    amount: Decimal,
    balance: Decimal,
    today: dt.date,
    reason: str | None,
    force: bool,
) -> None:
    number = entry.number
    if amount != round_money(amount, entry.currency):
        places = minor_units(entry.currency)
        raise FacturoError(f"{amount} has more than {places} decimals for {entry.currency}")
    if amount == 0:
        if balance <= 0:
            raise FacturoError(f"{number} has nothing left to pay ({entry.status(today)})")
        raise FacturoError("a payment of 0 records nothing")
    if amount < 0:
        if not reason:
            raise FacturoError(
                "a negative amount corrects an earlier payment and needs a reason "
                '(e.g. "cheque returned unpaid")',
                remedy=Remedy.REASON,
            )
        if entry.paid + amount < 0:
            raise FacturoError(
                f"the correction {amount} exceeds what was paid on {number} ({entry.paid})"
            )
        return
    if force:
        return
    if entry.status(today) == "cancelled":
        raise FacturoError(
            f"{number} is cancelled by credit notes, so a payment on it becomes the client's "
            "credit",
            remedy=Remedy.FORCE,
        )
    if amount > balance:
        raise FacturoError(
            f"{amount} {entry.currency} is more than the balance of {number} "
            f"({balance} {entry.currency}), so the excess becomes the client's credit",
            remedy=Remedy.FORCE,
        )
