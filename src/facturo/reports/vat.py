"""VAT collected for a return (CA3): per rate, on the basis the law sets, other bases apart.

Goods: VAT is due on the invoice date (credit notes take it back on theirs). Services: VAT is
due when paid (encaissements), each payment carrying the VAT of its invoice's rates pro rata,
unless the document records the option for debits (`vat_on_debits`): then on the invoice
date. Reverse-charge, intra-EU supplies of goods, exports and exempt sales charge no VAT:
their bases are listed apart, on the invoice date. A return is in euros: a document in
another currency counts in euros at the rate it states (`exchange_rate`), each movement
converted; one without a rate (issued before rates were required) is listed in its currency.
"""

from __future__ import annotations

from decimal import Decimal

from facturo.reports.figures import Figures, Group, read_figures
from facturo.reports.periods import Period
from facturo.reports.table import Table, money, share
from facturo.store.index import Entry, Ledger

ZERO = Decimal(0)
DEBITS = "debits"  # due on the invoice date: goods, or services with the option for debits
RECEIPTS = "receipts"  # due on payment: services (encaissements)
TAXABLE = "taxable"
# Lines of the CA3 (form 3310-CA3) for metropolitan France: tax per rate in section B, bases
# of non-taxed sales in section A; other rates (2.1 %) go on the 3310-A annex.
CA3_RATE_LINES = {Decimal("20"): "08", Decimal("10"): "9B", Decimal("5.5"): "09"}
CA3_BASE_LINES = {
    "export": "E1",
    "reverse-charge": "E2",
    "outside-scope": "E2",
    "exempt": "E2",
    "intra-eu-goods": "F2",
}
EUR = "EUR"
COLUMNS = ("currency", "section", "rate", "basis", "base", "vat", "ca3_line")
AMOUNTS = ("base", "vat")


def ca3_line(section: str, rate: Decimal | None) -> str:
    if section == TAXABLE:
        return CA3_RATE_LINES.get(rate or ZERO, "3310-A")
    return CA3_BASE_LINES.get(section, "")


class _Sums:
    """Bases and VAT added up per (currency, section, rate, basis), rounded per movement."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str, Decimal | None, str], list[Decimal]] = {}
        self.figures: dict[str, Figures] = {}

    def add(
        self, entry: Entry, section: str, rate: Decimal | None, basis: str, base: Decimal,
        vat: Decimal,
    ) -> None:  # fmt: skip
        """Add a movement, in euros at the document's stated rate when it is in another
        currency (art. 230 directive 2006/112: the VAT is declared in euros)."""
        base, vat = money(base, entry.currency), money(vat, entry.currency)
        currency = entry.currency
        found = self.figures.get(entry.number)
        if currency != EUR and found is not None and found.euro_rate is not None:
            base, vat = found.in_euros(base) or ZERO, found.in_euros(vat) or ZERO
            currency = EUR
        cell = self.cells.setdefault((currency, section, rate, basis), [ZERO, ZERO])
        cell[0] += base
        cell[1] += vat


def vat_report(ledger: Ledger, period: Period) -> Table:
    """The VAT due for `period` per currency, rate and basis, and the untaxed bases."""
    entries = [
        e for e in ledger.entries()
        if e.kind in ("invoice", "deposit", "credit_note") and e.issue_date is not None
    ]  # fmt: skip
    figures = read_figures(ledger, {e.number for e in entries})
    sums = _Sums()
    sums.figures = figures
    for entry in entries:
        found = figures.get(entry.number)
        if found is None:
            continue
        sign = -1 if entry.kind == "credit_note" else 1
        for group in found.groups:
            if group.taxed:
                _add_taxed(sums, entry, found, group, period, sign)
            elif entry.issue_date in period:
                sums.add(entry, found.treatment, None, DEBITS, sign * group.base, ZERO)
    return _table(sums)


def _add_taxed(
    sums: _Sums, entry: Entry, found: Figures, group: Group, period: Period, sign: int
) -> None:
    """One taxed rate of a document: goods (or all, on debits) on its date, services paid."""
    if entry.issue_date in period:
        if found.vat_on_debits:
            base, vat = group.base, group.amount
        else:
            base, vat = group.goods_base, group.goods_amount
        if base or vat:
            sums.add(entry, TAXABLE, group.rate, DEBITS, sign * base, sign * vat)
    if found.vat_on_debits or entry.kind == "credit_note":
        # Under cash accounting a credit note changes no VAT by itself: the refund does,
        # recorded as a negative payment on the invoice.
        return
    if not (group.services_base or group.services_amount):
        return
    for payment in entry.payments:
        if payment.date in period:
            base = share(group.services_base, payment.amount, found.gross)
            vat = share(group.services_amount, payment.amount, found.gross)
            sums.add(entry, TAXABLE, group.rate, RECEIPTS, base, vat)


def _table(sums: _Sums) -> Table:
    table = Table(COLUMNS, amounts=AMOUNTS)
    totals: dict[str, list[Decimal]] = {}
    cells = sums.cells
    for key in sorted(cells, key=lambda k: (k[0], k[1] != TAXABLE, k[1], -(k[2] or ZERO), k[3])):
        currency, section, rate, basis = key
        base, vat = cells[key]
        table.rows.append({
            "currency": currency, "section": section, "rate": rate, "basis": basis,
            "base": base, "vat": vat, "ca3_line": ca3_line(section, rate),
        })  # fmt: skip
        if section == TAXABLE:
            total = totals.setdefault(currency, [ZERO, ZERO])
            total[0] += base
            total[1] += vat
    for currency, (base, vat) in sorted(totals.items()):
        table.rows.append({
            "currency": currency, "section": "total", "rate": None, "basis": "",
            "base": base, "vat": vat, "ca3_line": "16",
        })  # fmt: skip
        if currency != "EUR":
            table.notices.append(("vat-foreign-currency", {"currency": currency}))
    return table
