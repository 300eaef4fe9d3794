"""Turnover of a micro-entrepreneur: collected per month or quarter, goods and services,
and how close the year comes to the VAT franchise and micro regime ceilings.

The micro regime counts what was collected (encaissements) in the calendar year, excluding
VAT; each payment is split between goods and services in its document's proportions.
Thresholds are in euros: payments in another currency are left out, with a notice.
"""

from __future__ import annotations

from decimal import Decimal

from facturo.model.thresholds import NEAR_PERCENT, thresholds_for
from facturo.reports.figures import read_figures
from facturo.reports.periods import label_of
from facturo.reports.revenue import collected_split
from facturo.reports.table import Table, money, share
from facturo.store.index import Ledger

ZERO = Decimal(0)
COLUMNS = ("period", "goods", "services", "total")
AMOUNTS = ("goods", "services", "total")
EUR = "EUR"


def turnover(ledger: Ledger, year: int, grouping: str = "month") -> Table:
    """Collected turnover (net of VAT) of `year` per month or quarter, then the year's total,
    with notices when the year nears or passes a ceiling."""
    entries = [e for e in ledger.entries() if e.kind in ("invoice", "deposit")]
    figures = read_figures(ledger, {e.number for e in entries})
    sums: dict[str, list[Decimal]] = {}
    foreign: set[str] = set()
    for entry in entries:
        found = figures.get(entry.number)
        if found is None:
            continue
        services = sum((g.services_base for g in found.groups), ZERO)
        for payment in entry.payments:
            if payment.date.year != year:
                continue
            if entry.currency != EUR:
                foreign.add(entry.currency)
                continue
            net, _ = collected_split(payment.amount, found, entry.currency)
            service_part = money(share(net, services, found.net), EUR) if found.net else ZERO
            for label in (label_of(payment.date, grouping), "total"):
                cell = sums.setdefault(label, [ZERO, ZERO])
                cell[0] += net - service_part
                cell[1] += service_part
    table = Table(COLUMNS, amounts=AMOUNTS)
    for label in sorted(sums, key=lambda k: (k == "total", k)):
        goods, services = sums[label]
        table.rows.append({
            "period": label, "goods": money(goods, EUR), "services": money(services, EUR),
            "total": money(goods + services, EUR),
        })  # fmt: skip
    goods, services = sums.get("total", [ZERO, ZERO])
    table.notices += warnings(year, goods + services, services)
    table.notices += [("turnover-foreign-currency", {"currency": c}) for c in sorted(foreign)]
    return table


def warnings(year: int, total: Decimal, services: Decimal) -> list[tuple[str, dict[str, object]]]:
    """Notices for the ceilings the year's turnover nears or passes (goods: the total)."""
    limits = thresholds_for(year)
    found: list[tuple[str, dict[str, object]]] = []
    checks = (
        ("goods", total, limits.franchise_goods, limits.franchise_goods_majored,
         limits.micro_goods),
        ("services", services, limits.franchise_services, limits.franchise_services_majored,
         limits.micro_services),
    )  # fmt: skip
    for activity, amount, franchise, majored, micro in checks:
        values: dict[str, object] = {
            "activity": activity,
            "turnover": money(amount, EUR),
            "year": limits.year,
        }
        if amount > majored:
            found.append(("franchise-over-majored", {**values, "ceiling": majored}))
        elif amount > franchise:
            found.append(("franchise-over", {**values, "ceiling": franchise}))
        elif amount * 100 >= franchise * NEAR_PERCENT:
            found.append(("franchise-near", {**values, "ceiling": franchise}))
        if amount > micro:
            found.append(("micro-over", {**values, "ceiling": micro}))
        elif amount * 100 >= micro * NEAR_PERCENT:
            found.append(("micro-near", {**values, "ceiling": micro}))
    return found
