"""The receipts book (livre des recettes) of a micro-entrepreneur: payments received, by month.

Code de commerce L123-28: the receipts in date order with their amount, origin (the
client), nature, method and the document they settle. Amounts stay in the currency they
were paid in; totals per month and per year are kept per currency, never added together.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from facturo.lifecycle.drafting import SELLER_KEYS
from facturo.reports.figures import read_figures
from facturo.store.index import Ledger

ZERO = Decimal(0)


def receipt_rows(ledger: Ledger, year: int) -> list[dict[str, Any]]:
    """Every payment received in `year` in date order, with the client, the nature of the
    sale, the amount, the method and the invoice."""
    entries = [e for e in ledger.entries() if e.kind in ("invoice", "deposit")]
    figures = read_figures(ledger, {e.number for e in entries})
    rows = []
    for entry in entries:
        found = figures.get(entry.number)
        for payment in entry.payments:
            if payment.date.year != year or payment.is_write_off:
                continue  # a write-off settles the invoice, but no money came in
            rows.append({
                "date": payment.date, "number": entry.number, "client": entry.client_id,
                "client_name": entry.client_name,
                "nature": found.operation if found else "",
                "amount": payment.amount, "currency": entry.currency,
                "method": payment.method, "reference": payment.reference or payment.reason,
            })  # fmt: skip
    rows.sort(key=lambda r: (r["date"], r["number"]))
    return rows


def _totals(rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row["currency"]] = totals.get(row["currency"], ZERO) + row["amount"]
    return dict(sorted(totals.items()))


def receipts_book(ledger: Ledger, year: int, today: dt.date) -> dict[str, Any]:
    """The receipts book of `year` as a document to render: the seller, the months that
    had receipts with their rows and totals per currency, and the year's totals."""
    config = ledger.config()
    seller = config.get("seller") or {}
    rows = receipt_rows(ledger, year)
    months = []
    for month in sorted({r["date"].month for r in rows}):
        kept = [r for r in rows if r["date"].month == month]
        months.append({"month": dt.date(year, month, 1), "rows": kept, "totals": _totals(kept)})
    return {
        "kind": "receipts_book",
        "year": year,
        "issue_date": today,  # the day it is printed
        "language": (config.get("defaults") or {}).get("language") or "fr",
        "seller": {k: seller[k] for k in SELLER_KEYS if k in seller},
        "months": months,
        "totals": _totals(rows),
        "count": len(rows),
    }
