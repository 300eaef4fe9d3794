"""French ceilings of the VAT franchise (art. 293 B CGI) and of the micro regime, by year.

Data, with the year they apply to: a year after the last one listed uses the last one (the
report says which year's figures it used). Where each figure comes from is noted beside it;
the official text wins over this file (CGI art. 293 B, 50-0 and 102 ter).
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


# Franchise 2023-2024: loi de finances pour 2023 art. 2 (triennial update): 91 900 EUR goods
#   (majored 101 000), 36 800 EUR services (majored 39 100).
# Franchise from 2025: loi de finances pour 2024 art. 82 (directive 2020/285), in force on
#   1 January 2025: 85 000 / 93 500 and 37 500 / 41 250, fixed (no triennial update). The
#   single 25 000 EUR threshold of loi de finances pour 2025 art. 32 was suspended, then
#   repealed by loi 2025-1044 du 3 novembre 2025 (never applied). For 2026 the Senate
#   rejected article 25 of the 2026 finance bill (37 500 / 25 000 for building works) on
#   2 December 2025; the 2025 figures still apply in 2026.
# Micro regime 2023-2025: loi de finances pour 2023 (triennial update): 188 700 goods and
#   lodging, 77 700 services. 2026-2028: triennial update of CGI art. 50-0 and 102 ter,
#   203 100 and 83 600 (URSSAF, 20 February 2026; service-public.fr Entreprendre,
#   26 February 2026).
THRESHOLDS = (
    Thresholds(
        2024, Decimal(91900), Decimal(101000), Decimal(36800), Decimal(39100),
        Decimal(188700), Decimal(77700),
    ),
    Thresholds(
        2025, Decimal(85000), Decimal(93500), Decimal(37500), Decimal(41250),
        Decimal(188700), Decimal(77700),
    ),
    Thresholds(
        2026, Decimal(85000), Decimal(93500), Decimal(37500), Decimal(41250),
        Decimal(203100), Decimal(83600),
    ),
)  # fmt: skip


def thresholds_for(year: int) -> Thresholds:
    """The figures of `year`, or of the closest year listed."""
    listed = {t.year: t for t in THRESHOLDS}
    if year in listed:
        return listed[year]
    closest = max(listed) if year > max(listed) else min(listed)
    return listed[closest]
