"""Who pays late: aging of open balances, days sales outstanding, payment habits per client.

Everything comes from the index and each receivable's `Account` (payments and credit notes):
an invoice is settled on the day its balance first reaches zero, and it was paid late by
the days between its due date and that day (0 when paid on time).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from facturo.model.account import AGING_BUCKETS, Account
from facturo.reports.table import Table, money
from facturo.store.index import Entry, Ledger

ZERO = Decimal(0)
DSO_WINDOW_DAYS = 90


def settled_on(account: Account) -> dt.date | None:
    """The day the balance first reached zero, or None while something is owed."""
    if account.balance > 0:
        return None
    balance = account.due
    for movement in sorted(account.payments + account.credit_notes, key=lambda m: m.date):
        balance -= movement.amount
        if balance <= 0:
            return movement.date
    return None


@dataclass
class Habits:
    """A client's record in one currency."""

    client: str
    name: str
    currency: str
    invoices: int = 0
    delays: list[int] = field(default_factory=list)  # days late of each settled invoice
    open_balance: Decimal = ZERO
    overdue: Decimal = ZERO
    most_days_late: int = 0  # of the invoices still open

    @property
    def average_days_late(self) -> Decimal:
        if not self.delays:
            return ZERO
        return (Decimal(sum(self.delays)) / len(self.delays)).quantize(Decimal("0.1"))

    @property
    def median_days_late(self) -> Decimal:
        if not self.delays:
            return ZERO
        return Decimal(str(statistics.median(self.delays))).quantize(Decimal("0.1"))

    @property
    def late_percent(self) -> Decimal:
        if not self.delays:
            return ZERO
        late = sum(1 for days in self.delays if days > 0)
        return (Decimal(100 * late) / len(self.delays)).quantize(Decimal("1"))


def _receivables(ledger: Ledger, today: dt.date) -> list[tuple[Entry, Account]]:
    return [
        (entry, ledger.account_of(entry))
        for entry in ledger.entries()
        if entry.is_receivable and entry.issue_date is not None and entry.issue_date <= today
    ]


def habits(ledger: Ledger, today: dt.date) -> dict[tuple[str, str], Habits]:
    """Each client's habits per currency, from every receivable issued by `today`."""
    found: dict[tuple[str, str], Habits] = {}
    for entry, account in _receivables(ledger, today):
        account = account.until(today)
        key = (entry.client_id, entry.currency)
        record = found.setdefault(key, Habits(entry.client_id, entry.client_name, entry.currency))
        record.invoices += 1
        settled = settled_on(account)
        if settled is not None:
            if account.due_date is not None and account.due > account.credited:
                record.delays.append(max(0, (settled - account.due_date).days))
            continue
        record.open_balance += account.balance
        if account.days_late(today) > 0:
            record.overdue += account.balance
            record.most_days_late = max(record.most_days_late, account.days_late(today))
    return found


CLIENT_COLUMNS = (
    "client", "name", "currency", "invoices", "settled", "average_days_late",
    "median_days_late", "late_percent", "open_balance", "overdue", "most_days_late",
)  # fmt: skip
CLIENT_AMOUNTS = (
    "invoices", "settled", "average_days_late", "median_days_late", "late_percent",
    "open_balance", "overdue", "most_days_late",
)  # fmt: skip


def clients(ledger: Ledger, today: dt.date, *, late_only: bool = False) -> Table:
    """Per client and currency: average and median days late, share paid late, open balance.

    With `late_only`, the clients who paid late or owe overdue money, the most overdue first.
    """
    table = Table(CLIENT_COLUMNS, amounts=CLIENT_AMOUNTS)
    records = sorted(habits(ledger, today).values(), key=lambda h: (h.client, h.currency))
    if late_only:
        records = [h for h in records if h.overdue > 0 or h.late_percent > 0]
        records.sort(key=lambda h: (-h.most_days_late, -h.average_days_late, h.client))
    for record in records:
        table.rows.append({
            "client": record.client, "name": record.name, "currency": record.currency,
            "invoices": record.invoices, "settled": len(record.delays),
            "average_days_late": record.average_days_late,
            "median_days_late": record.median_days_late,
            "late_percent": record.late_percent,
            "open_balance": money(record.open_balance, record.currency),
            "overdue": money(record.overdue, record.currency),
            "most_days_late": record.most_days_late,
        })  # fmt: skip
    return table


AGING_COLUMNS = ("client", "currency", *AGING_BUCKETS, "total")


def aging(ledger: Ledger, today: dt.date) -> Table:
    """Open balances per client and currency by lateness, then a total per currency."""
    table = Table(AGING_COLUMNS, amounts=(*AGING_BUCKETS, "total"))
    rows: dict[tuple[str, str], dict[str, Decimal]] = {}
    for entry, account in _receivables(ledger, today):
        account = account.until(today)
        if account.balance <= 0:
            continue
        for key in ((entry.currency, entry.client_id), (entry.currency, "")):
            row = rows.setdefault(key, {name: ZERO for name in (*AGING_BUCKETS, "total")})
            row[account.aging_bucket(today)] += account.balance
            row["total"] += account.balance
    for currency, client in sorted(rows, key=lambda k: (k[0], k[1] == "", k[1])):
        cells = rows[(currency, client)]
        amounts = {name: money(value, currency) for name, value in cells.items()}
        table.rows.append({"client": client or "total", "currency": currency, **amounts})
    return table


DSO_COLUMNS = ("currency", "receivables", "invoiced", "window_days", "dso_days")


def dso(ledger: Ledger, today: dt.date, window_days: int = DSO_WINDOW_DAYS) -> Table:
    """Days sales outstanding per currency: open receivables / gross invoiced in the last
    `window_days` days x `window_days` (credit notes netted)."""
    table = Table(DSO_COLUMNS, amounts=("receivables", "invoiced", "window_days", "dso_days"))
    start = today - dt.timedelta(days=window_days - 1)
    receivables: dict[str, Decimal] = {}
    invoiced: dict[str, Decimal] = {}
    for entry, account in _receivables(ledger, today):
        balance = account.until(today).balance
        receivables[entry.currency] = receivables.get(entry.currency, ZERO) + max(balance, ZERO)
    for entry in ledger.entries():
        day = entry.issue_date
        if day is None or not start <= day <= today:
            continue
        if entry.kind in ("invoice", "deposit"):
            invoiced[entry.currency] = invoiced.get(entry.currency, ZERO) + entry.gross
        elif entry.kind == "credit_note":
            invoiced[entry.currency] = invoiced.get(entry.currency, ZERO) - entry.gross
    for currency in sorted(set(receivables) | set(invoiced)):
        owed, sold = receivables.get(currency, ZERO), invoiced.get(currency, ZERO)
        days = (owed / sold * window_days).quantize(Decimal("0.1")) if sold > 0 else None
        table.rows.append({
            "currency": currency, "receivables": money(owed, currency),
            "invoiced": money(sold, currency),
            "window_days": window_days, "dso_days": days,
        })  # fmt: skip
    return table
