"""Receipts (quittances): proof of a payment received on an invoice."""

from __future__ import annotations

from typing import Any

from facturo.errors import FacturoError
from facturo.model.document import IssuedDocument
from facturo.store.index import Ledger


def build_receipt(ledger: Ledger, number: str, index: int | None = None) -> dict[str, Any]:
    """The receipt of payment `index` (1-based; default: the latest) on invoice `number`."""
    entry = ledger.find(number)
    if not entry.is_receivable:
        raise FacturoError(f"{number} is not an invoice: receipts are for payments on invoices")
    document = ledger.document(number)
    issued = IssuedDocument(document)
    payments = issued.payments
    if not payments:
        raise FacturoError(
            f"no payment is recorded on {number} (record one with: facturo pay {number})"
        )
    if index is None:  # the latest money received, not a correction
        received = [p.index for p in payments if not p.is_correction and not p.is_write_off]
        index = received[-1] if received else len(payments)
    if not 1 <= index <= len(payments):
        raise FacturoError(f"{number} has payments 1 to {len(payments)}, not {index}")
    payment = payments[index - 1]
    if payment.is_correction:
        raise FacturoError(f"payment {index} on {number} is a correction, not money received")
    if payment.is_write_off:
        raise FacturoError(f"entry {index} on {number} is a write-off, not money received")
    # As things stood that day: credit notes issued later are not on this receipt.
    account = ledger.account_of(entry, issued).at_payment(index)
    return {
        "kind": "receipt",
        "number": f"{number}-R{index}",
        "issue_date": payment.date,
        "language": issued.language,
        "currency": document["currency"],
        "seller": document["seller"],
        "client": document["client"],
        "invoice": {
            "number": number,
            "kind": document["kind"],
            "issue_date": document["issue_date"],
            "due_date": document.get("due_date"),
            "gross": document["totals"]["gross"],
        },
        "payment": {
            "index": index,
            "date": payment.date,
            "amount": payment.amount,
            "method": payment.method,
            "reference": payment.reference,
        },
        "paid_total": account.paid,
        "credited": account.credited,
        "balance": account.balance,
    }
