"""A report's result as rows of named cells: what the CLI prints as a table, JSON or CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from facturo.model.money import is_currency, round_money


@dataclass
class Table:
    """Rows of cells named by `columns`; `amounts` are the columns of figures."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    amounts: tuple[str, ...] = ()
    # Codes of what the reader should know (output/report_words.py says them), with values.
    notices: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def column(self, name: str) -> list[Any]:
        return [row.get(name) for row in self.rows]


def share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """`amount` x part / whole, unrounded (0 when whole is 0)."""
    if whole == 0:
        return Decimal(0)
    return amount * part / whole


def money(value: Decimal, currency: str) -> Decimal:
    """`value` rounded to the currency's minor unit (0 shows as 0.00 in euros)."""
    return round_money(value, currency) if is_currency(currency) else value
