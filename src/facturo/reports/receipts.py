"""Receipts (quittances): proof of a payment received on an invoice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from facturo.errors import FacturoError
from facturo.store.index import Ledger

ZERO = Decimal(0)


def build_receipt(ledger: Ledger, number: str, index: int | None = None) -> dict[str, Any]:
    """The receipt of payment `index` (1-based; default: the latest) on invoice `number`."""
    entry = ledger.find(number)
    if not entry.is_receivable:
        raise FacturoError(f"{number} is not an invoice: receipts are for payments on invoices")
    document = ledger.document(number)
    payments = [
        p for p in (document.get("tracking") or {}).get("payments") or [] if isinstance(p, dict)
    ]
    if not payments:
        raise FacturoError(
            f"no payment is recorded on {number} (record one with: facturo pay {number})"
        )
    if index is None:  # the latest money received, not a correction
        received = [i for i, p in enumerate(payments, 1) if p["amount"] > 0]
        index = received[-1] if received else len(payments)
    if not 1 <= index <= len(payments):
        raise FacturoError(f"{number} has payments 1 to {len(payments)}, not {index}")
    payment = payments[index - 1]
    if payment["amount"] <= 0:
        raise FacturoError(f"payment {index} on {number} is a correction, not money received")
    paid_total = sum((p["amount"] for p in payments[:index]), ZERO)
    # As things stood that day: credit notes issued later are not on this receipt.
    credited = sum(
        (note.gross for note in ledger.credit_notes_of(number, until=payment["date"])),
        entry.due * 0,
    )
    balance = entry.due - paid_total - credited
    return {
        "kind": "receipt",
        "number": f"{number}-R{index}",
        "issue_date": payment["date"],
        "language": document.get("language", "fr"),
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
            "date": payment["date"],
            "amount": payment["amount"],
            "method": payment.get("method", "other"),
            "reference": payment.get("reference"),
        },
        "paid_total": paid_total,
        "credited": credited,
        "balance": balance,
    }
