"""VAT treatments: their EN 16931 category and exemption code, and which one a sale gets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from facturo.model.document import pick

EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)
STANDARD_CATEGORIES = ("S", "Z")  # VAT charged: standard rates and zero rate
EXEMPT_CATEGORIES = frozenset({"E", "AE", "K", "G", "O"})

# Treatment -> (category, UNCL5305; exemption code, VATEX). "standard" charges VAT per line.
TREATMENTS: dict[str, tuple[str, str]] = {
    "standard": ("S", ""),
    "franchise": ("E", "VATEX-FR-FRANCHISE"),
    "reverse-charge": ("AE", "VATEX-EU-AE"),
    "intra-eu-goods": ("K", "VATEX-EU-IC"),
    "export": ("G", "VATEX-EU-G"),
    "outside-scope": ("O", "VATEX-EU-O"),
    "exempt": ("E", ""),
}
TREATMENT_OF_CODE = {code: name for name, (_, code) in TREATMENTS.items() if code}


def vat_treatment(
    draft: Mapping[str, Any], client: Mapping[str, Any], seller: Mapping[str, Any]
) -> str:
    """The draft's treatment, else the client's, else the seller's regime."""
    regime = seller.get("vat_regime", "standard")
    default = "franchise" if regime == "franchise" else "standard"
    return str(pick("vat", draft, client) or default)


def treatment_of(document: Mapping[str, Any]) -> str:
    """The treatment an issued document was made under, from its exemption code."""
    exemption = document.get("vat_exemption")
    if not isinstance(exemption, Mapping):
        return "standard"
    return TREATMENT_OF_CODE.get(str(exemption.get("code") or ""), "exempt")
