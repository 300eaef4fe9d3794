"""Exchange rates of non-EUR documents: the VAT in euros (directive 2006/112 art. 230).

A rate is stated as euros for one unit of the document's currency, with its date: the
document converts its VAT with the rate it prints, so what is printed reconciles. Each VAT
group is converted and rounded to the cent, and the total in euros is their sum, so the
rows in euros add up to the total in euros exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from facturo.model.money import ZERO, round_money

ACCOUNTING_CURRENCY = "EUR"
RATE_DIGITS = 6  # significant digits of a rate derived from the ECB's units per euro


@dataclass(frozen=True)
class ExchangeRate:
    """Euros for one unit of a document's currency on a date, and where it comes from."""

    rate: Decimal
    date: dt.date
    source: str = ""

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> ExchangeRate | None:
        """The rate stated in a document's `exchange_rate` section, if any."""
        if not isinstance(data, Mapping) or data.get("rate") is None:
            return None
        date = data.get("date")
        if isinstance(date, str):  # a JSON-ready copy of a document
            date = dt.date.fromisoformat(date)
        if not isinstance(date, dt.date):
            return None
        return cls(Decimal(data["rate"]), date, str(data.get("source") or ""))

    def written(self) -> dict[str, Any]:
        """The section as a document stores it."""
        section: dict[str, Any] = {"rate": self.rate, "date": self.date}
        if self.source:
            section["source"] = self.source
        return section


def euros_per_unit(units_per_euro: Decimal) -> Decimal:
    """The ECB quotes units of a currency for one euro; documents state the inverse."""
    if units_per_euro <= 0:
        raise ValueError(f"an exchange rate must be positive, got {units_per_euro}")
    context = Context(prec=RATE_DIGITS, rounding=ROUND_HALF_UP)
    return context.divide(Decimal(1), units_per_euro).normalize(context)


@dataclass(frozen=True)
class EuroVat:
    """The VAT of a document in euros: one amount per VAT rate and their total."""

    groups: list[tuple[Decimal, Decimal]]  # (VAT rate in percent, VAT amount in euros)
    total: Decimal


def to_euros(amount: Decimal, rate: ExchangeRate) -> Decimal:
    """An amount of the document's currency in euros, rounded half-up to the cent."""
    return round_money(amount * rate.rate, ACCOUNTING_CURRENCY)


def vat_in_euros(groups: Sequence[Mapping[str, Any]], rate: ExchangeRate) -> EuroVat:
    """The VAT breakdown (`totals.vat` rows: rate, amount) converted group by group."""
    rows = [
        (Decimal(group.get("rate", ZERO)), to_euros(Decimal(group.get("amount", ZERO)), rate))
        for group in groups
    ]
    total = sum((amount for _, amount in rows), ZERO)
    return EuroVat(rows, round_money(total, ACCOUNTING_CURRENCY))


def document_vat_in_euros(document: Mapping[str, Any]) -> EuroVat | None:
    """The VAT in euros of an issued document or draft build; None for EUR or without rate."""
    if document.get("currency", ACCOUNTING_CURRENCY) == ACCOUNTING_CURRENCY:
        return None
    rate = ExchangeRate.of(document.get("exchange_rate"))
    totals = document.get("totals")
    if rate is None or not isinstance(totals, Mapping):
        return None
    return vat_in_euros(list(totals.get("vat") or []), rate)
