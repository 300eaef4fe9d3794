"""Revenue: net, VAT and gross invoiced (credit notes netted) and collected, per period.

Invoiced amounts count on the issue date (invoices and deposit invoices add, credit notes
subtract); collected amounts count on the payment date, each payment split between net and
VAT in the proportion of its document's totals. Currencies are never added together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from facturo.reports.figures import Figures, read_figures
from facturo.reports.periods import label_of
from facturo.reports.table import Table, money, share
from facturo.store.index import Entry, Ledger

ZERO = Decimal(0)
AMOUNTS = (
    "invoiced_net", "invoiced_vat", "invoiced_gross",
    "collected_net", "collected_vat", "collected_gross",
)  # fmt: skip
COLUMNS = ("period", "currency", "documents", *AMOUNTS)
TOTAL = "total"


@dataclass(frozen=True)
class Filters:
    """What to count: dates from `start` to `end` included, one client."""

    start: dt.date | None = None
    end: dt.date | None = None
    client: str | None = None

    def keep_day(self, day: dt.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def collected_split(amount: Decimal, figures: Figures, currency: str) -> tuple[Decimal, Decimal]:
    """(net, VAT) of a payment, pro rata of its document's totals; they add up to `amount`."""
    vat = money(share(amount, figures.vat, figures.gross), currency)
    return amount - vat, vat


def revenue(ledger: Ledger, grouping: str, filters: Filters) -> Table:
    """Revenue per period (`month`, `quarter` or `year`) and currency, then a total per currency."""
    entries = [
        e for e in ledger.entries()
        if e.kind in ("invoice", "deposit", "credit_note") and e.issue_date is not None
        and (filters.client is None or e.client_id == filters.client)
    ]  # fmt: skip
    figures = read_figures(ledger, {e.number for e in entries})
    sums: dict[tuple[str, str], dict[str, Decimal]] = {}
    counts: dict[tuple[str, str], set[str]] = {}

    def add(day: dt.date, entry: Entry, values: dict[str, Decimal]) -> None:
        for label in (label_of(day, grouping), TOTAL):
            key = (entry.currency, label)
            row = sums.setdefault(key, {name: ZERO for name in AMOUNTS})
            for name, value in values.items():
                row[name] += value
            counts.setdefault(key, set()).add(entry.number)

    for entry in entries:
        found = figures.get(entry.number)
        if found is None:
            continue
        assert entry.issue_date is not None
        if filters.keep_day(entry.issue_date):
            sign = -1 if entry.kind == "credit_note" else 1
            add(entry.issue_date, entry, {
                "invoiced_net": sign * found.net,
                "invoiced_vat": sign * found.vat,
                "invoiced_gross": sign * found.gross,
            })  # fmt: skip
        if entry.kind == "credit_note":
            continue
        for payment in entry.payments:
            if not filters.keep_day(payment.date):
                continue
            net, vat = collected_split(payment.amount, found, entry.currency)
            add(payment.date, entry, {
                "collected_net": net, "collected_vat": vat, "collected_gross": payment.amount,
            })  # fmt: skip
    table = Table(COLUMNS, amounts=AMOUNTS)
    for currency, label in sorted(sums, key=lambda k: (k[0], k[1] == TOTAL, k[1])):
        values = sums[(currency, label)]
        row: dict[str, object] = {"period": label, "currency": currency}
        row["documents"] = len(counts[(currency, label)])
        row.update({name: money(value, currency) for name, value in values.items()})
        table.rows.append(row)
    return table
