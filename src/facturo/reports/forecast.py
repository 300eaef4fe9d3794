"""Cash forecast: what open invoices and subscriptions should bring in per week.

Each open balance is expected on its due date moved by that client's average days late on
the invoices it settled (in that currency); what is already late is expected this week.
The invoices subscriptions will issue in the weeks ahead (lifecycle.recurring) count too,
on their due dates moved the same way.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from facturo.lifecycle.recurring import upcoming_invoices
from facturo.reports.analysis import habits
from facturo.reports.periods import week_start
from facturo.reports.table import Table, money
from facturo.store.index import Ledger

ZERO = Decimal(0)
COLUMNS = ("week", "currency", "expected", "invoices")
AMOUNTS = ("expected", "invoices")
LATER = "later"


def expected_date(due_date: dt.date, average_days_late: Decimal, today: dt.date) -> dt.date:
    """The due date moved by the client's average delay, never before today."""
    shifted = due_date + dt.timedelta(days=int(average_days_late.to_integral_value()))
    return max(shifted, today)


def forecast(ledger: Ledger, today: dt.date, weeks: int = 12) -> Table:
    """Expected cash in per week (Monday dates) and currency over `weeks` weeks from today's,
    then what is expected later, then a total per currency."""
    record = habits(ledger, today)
    first = week_start(today)
    horizon = first + dt.timedelta(weeks=weeks)
    sums: dict[tuple[str, str], list[Decimal]] = {}
    expected: list[tuple[str, str, dt.date, Decimal]] = []  # client, currency, due, amount
    for entry in ledger.entries():
        if not entry.is_receivable or entry.issue_date is None or entry.issue_date > today:
            continue
        balance = ledger.account_of(entry).until(today).balance
        if balance > 0:
            due = entry.due_date or today
            expected.append((entry.client_id, entry.currency, due, balance))
    for _, document in upcoming_invoices(ledger, today, horizon):
        due = document.get("due_date") or document["issue_date"]
        amount = document["totals"]["due"]
        expected.append((document["client"]["id"], document["currency"], due, amount))
    for client_id, currency, due, amount in expected:
        client = record.get((client_id, currency))
        delay = client.average_days_late if client else ZERO
        day = expected_date(due, delay, today)
        week = week_start(day).isoformat() if day < horizon else LATER
        for label in (week, "total"):
            cell = sums.setdefault((currency, label), [ZERO, ZERO])
            cell[0] += amount
            cell[1] += 1
    table = Table(COLUMNS, amounts=AMOUNTS)
    for currency in sorted({c for c, _ in sums}):
        labels = [(first + dt.timedelta(weeks=n)).isoformat() for n in range(weeks)]
        for label in [*labels, LATER, "total"]:
            amount, count = sums.get((currency, label), [ZERO, ZERO])
            if label in (LATER, "total") and not count:
                continue
            table.rows.append({
                "week": label, "currency": currency, "expected": money(amount, currency),
                "invoices": int(count),
            })  # fmt: skip
    return table
