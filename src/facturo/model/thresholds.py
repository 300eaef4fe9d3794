"""French ceilings of the VAT franchise (art. 293 B CGI) and of the micro regime, by year.

Data, with the year they apply to: a year after the last one listed uses the last one (the
report says which year's figures it used). Franchise: loi 2025-1044 du 3 novembre 2025
kept the thresholds of 2024 (the single 25 000 EUR threshold of the 2025 finance law never
applied). Micro regime (CGI art. 50-0 and 102 ter): set for 2023 to 2025 and unchanged since.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

NEAR_PERCENT = Decimal(90)  # warn from this share of a threshold


@dataclass(frozen=True)
class Thresholds:
    """Yearly turnover limits in euros, excluding VAT."""

    year: int
    franchise_goods: Decimal  # sales of goods, meals on the premises, lodging
    franchise_goods_majored: Decimal  # passing it ends the franchise at once
    franchise_services: Decimal
    franchise_services_majored: Decimal
    micro_goods: Decimal
    micro_services: Decimal


THRESHOLDS = (
    Thresholds(
        2024, Decimal(85000), Decimal(93500), Decimal(37500), Decimal(41250),
        Decimal(188700), Decimal(77700),
    ),
    Thresholds(
        2025, Decimal(85000), Decimal(93500), Decimal(37500), Decimal(41250),
        Decimal(188700), Decimal(77700),
    ),
    Thresholds(
        2026, Decimal(85000), Decimal(93500), Decimal(37500), Decimal(41250),
        Decimal(188700), Decimal(77700),
    ),
)  # fmt: skip


def thresholds_for(year: int) -> Thresholds:
    """The figures of `year`, or of the closest year listed."""
    listed = {t.year: t for t in THRESHOLDS}
    if year in listed:
        return listed[year]
    closest = max(listed) if year > max(listed) else min(listed)
    return listed[closest]
