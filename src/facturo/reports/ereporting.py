"""E-reporting: which sales go by e-invoice (domestic B2B) and the daily aggregates of the rest.

From September 2027 sales to French businesses are e-invoiced through an approved platform;
sales to consumers (B2C) and to businesses abroad (B2BInt) are e-reported instead: the
platform needs, per day, the amounts per VAT category and rate (credit notes netted). The
channel of a document follows from the parties it names (the processing rule of the AFNOR
Flow Service: B2B, B2BInt, B2C).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from facturo.model.document import is_business
from facturo.model.kinds import TAX_DOCUMENT_KINDS
from facturo.reports.figures import read_figures
from facturo.reports.periods import Period
from facturo.reports.table import Table, money
from facturo.store.index import Ledger

ZERO = Decimal(0)
E_INVOICE = "e-invoice"
E_REPORTING = "e-reporting"
AMOUNTS = ("net", "vat")
COLUMNS = ("date", "processing_rule", "currency", "category", "rate", "documents", *AMOUNTS)
DOCUMENT_COLUMNS = ("number", "date", "client", "processing_rule", "channel")


def processing_rule(document: dict[str, Any]) -> str:
    """B2B (e-invoiced), B2BInt or B2C (e-reported): from the parties the document names."""
    client = document.get("client") or {}
    seller_address = (document.get("seller") or {}).get("address") or {}
    seller_country = str(seller_address.get("country") or "FR").upper()
    country = str((client.get("address") or {}).get("country") or "FR").upper()
    if not is_business(client):
        return "B2C"
    return "B2B" if country == seller_country else "B2BInt"


def channel(rule: str) -> str:
    """How a sale reaches the tax administration: by e-invoice or by e-reporting."""
    return E_INVOICE if rule == "B2B" else E_REPORTING


def _documents(ledger: Ledger, period: Period) -> list[tuple[Any, dict[str, Any]]]:
    from facturo.files.yamlio import load_mapping

    found = []
    for entry in ledger.entries():
        if entry.kind not in TAX_DOCUMENT_KINDS or entry.issue_date not in period:
            continue
        data, problems = load_mapping(ledger.folder.root / entry.path, entry.path)
        if data is not None and not any(p.is_error for p in problems):
            found.append((entry, dict(data)))
    return found


def channels(ledger: Ledger, period: Period) -> Table:
    """Every invoice and credit note of the period with its processing rule and channel."""
    table = Table(DOCUMENT_COLUMNS)
    for entry, document in _documents(ledger, period):
        rule = processing_rule(document)
        table.rows.append({
            "number": entry.number, "date": entry.issue_date, "client": entry.client_id,
            "processing_rule": rule, "channel": channel(rule),
        })  # fmt: skip
    return table


def ereporting(ledger: Ledger, period: Period) -> Table:
    """The e-reported sales of the period per day, processing rule, VAT category and rate."""
    documents = [
        (entry, document) for entry, document in _documents(ledger, period)
        if channel(processing_rule(document)) == E_REPORTING
    ]  # fmt: skip
    figures = read_figures(ledger, {entry.number for entry, _ in documents})
    sums: dict[tuple[Any, ...], dict[str, Any]] = {}
    for entry, document in documents:
        found = figures.get(entry.number)
        if found is None:
            continue
        sign = -1 if entry.kind == "credit_note" else 1
        rule = processing_rule(document)
        for group in found.groups:
            key = (entry.issue_date, rule, entry.currency, group.category, group.rate)
            row = sums.setdefault(key, {"net": ZERO, "vat": ZERO, "documents": set()})
            row["net"] += sign * group.base
            row["vat"] += sign * group.amount
            row["documents"].add(entry.number)
    table = Table(COLUMNS, amounts=AMOUNTS)
    for key in sorted(sums, key=lambda k: (k[0], k[1], k[2], k[3], k[4])):
        day, rule, currency, category, rate = key
        values = sums[key]
        table.rows.append({
            "date": day, "processing_rule": rule, "currency": currency, "category": category,
            "rate": rate, "documents": len(values["documents"]),
            "net": money(values["net"], currency), "vat": money(values["vat"], currency),
        })  # fmt: skip
    return table
