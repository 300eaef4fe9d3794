"""Account statements: what a client was invoiced, credited and paid, and what is still open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from facturo.errors import FacturoError
from facturo.lifecycle.drafting import CLIENT_KEYS, SELLER_KEYS
from facturo.model.account import AGING_BUCKETS, Account, aging_bucket
from facturo.model.money import round_money
from facturo.store.index import Entry, Ledger

ZERO = Decimal(0)


def build_statement(
    ledger: Ledger,
    client_id: str,
    *,
    end: dt.date,
    start: dt.date | None = None,
    currency: str | None = None,
) -> dict[str, Any]:
    """The statement of `client_id` from `start` (or the beginning) to `end`, in one currency."""
    if start is not None and start > end:
        raise FacturoError(f"the statement starts ({start}) after it ends ({end})")
    config = ledger.config()
    entries = [e for e in ledger.entries_of(client_id) if e.kind != "quote"]
    ledger.require_valid(entries, f"no statement for {client_id}: some documents are invalid")
    client = _client(ledger, client_id, entries)
    currencies = sorted({e.currency for e in entries})
    if currency is not None and currencies and currency not in currencies:
        raise FacturoError(
            f"{client_id} has no document in {currency}: theirs are in {', '.join(currencies)}"
        )
    currency = currency or _default_currency(client, currencies, config)
    entries = [e for e in entries if e.currency == currency]
    language = client.get("language") or (config.get("defaults") or {}).get("language") or "fr"
    events: list[tuple[dt.date, int, str, dict[str, Any], Decimal]] = []
    # (date, order, number, what happened, amount owed: + debit, - credit)
    accounts: dict[str, Account] = {}
    for entry in entries:
        assert entry.issue_date is not None
        if entry.kind == "credit_note":
            what: dict[str, Any] = {"kind": "credit_note", "credit_note_of": entry.credit_note_of}
            events.append((entry.issue_date, 1, entry.number, what, -entry.gross))
            continue
        events.append((entry.issue_date, 0, entry.number, {"kind": entry.kind}, entry.due))
        if not entry.is_receivable:
            continue
        accounts[entry.number] = ledger.account_of(entry)
        for payment in entry.payments:
            what = {
                "kind": "write_off" if payment.is_write_off else "payment",
                "method": payment.method,
                "reference": payment.reference,
                "reason": payment.reason,
                "correction": payment.amount < 0,
            }
            events.append((payment.date, 2, entry.number, what, -payment.amount))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    zero = round_money(ZERO, currency)  # 0.00 in EUR, 0 in JPY
    opening = sum((e[4] for e in events if start is not None and e[0] < start), zero)
    rows = []
    balance = opening
    for date, _, number, what, amount in events:
        if (start is not None and date < start) or date > end:
            continue
        balance += amount
        rows.append({
            "date": date, "number": number, **what,
            "debit": amount if amount > 0 else None,
            "credit": -amount if amount < 0 else None,
            "balance": balance,
        })  # fmt: skip
    open_invoices: list[dict[str, Any]] = []
    for entry in entries:
        if not entry.is_receivable or entry.issue_date is None or entry.issue_date > end:
            continue
        account = accounts[entry.number].until(end)
        left = account.balance
        if left > 0:
            late = account.days_late(end)
            open_invoices.append({
                "number": entry.number, "issue_date": entry.issue_date,
                "due_date": entry.due_date, "gross": entry.gross, "balance": left,
                "days_late": late,
            })  # fmt: skip
    aging = {name: zero for name in AGING_BUCKETS}
    for item in open_invoices:
        aging[aging_bucket(item["days_late"])] += item["balance"]
    seller = config.get("seller") or {}
    return {
        "kind": "statement",
        "issue_date": end,
        "language": language,
        "currency": currency,
        "seller": {k: seller[k] for k in SELLER_KEYS if k in seller},
        "client": client,
        "period": {"start": start, "end": end},
        "opening_balance": opening,
        "rows": rows,
        "closing_balance": balance,
        "open_invoices": open_invoices,
        "aging": [{"bucket": name, "amount": aging[name]} for name in AGING_BUCKETS],
    }


def _client(ledger: Ledger, client_id: str, entries: list[Entry]) -> dict[str, Any]:
    """The client as its file says today, or as its latest document recorded it."""
    clients = ledger.clients_with_problems()
    data, problems = clients.get(client_id, (None, []))
    if data is not None and not any(p.is_error for p in problems):
        return {"id": client_id, **{k: data[k] for k in (*CLIENT_KEYS, "language") if k in data}}
    if not entries:  # and no document recorded it: unknown (with a suggestion), or invalid
        valid = ledger.client(client_id)  # (its problems said): NotFound or InvalidData
        return {"id": client_id, **{k: valid[k] for k in (*CLIENT_KEYS, "language") if k in valid}}
    latest = max(entries, key=lambda e: (e.issue_date or dt.date.min, e.number))
    return dict(ledger.document(latest.number)["client"])


def _default_currency(client: dict[str, Any], currencies: list[str], config: Any) -> str:
    if len(currencies) == 1:
        return currencies[0]
    preferred = client.get("currency") or (config.get("defaults") or {}).get("currency") or "EUR"
    return str(preferred)
