"""VAT treatments: their EN 16931 category and exemption code, and which one a sale gets."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
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
# The VAT rates of France (CGI art. 278 to 281 nonies), and those of Guadeloupe, Martinique
# and La Réunion (art. 296); any other rate is most likely a typo.
FRENCH_RATES = tuple(Decimal(r) for r in ("20", "10", "5.5", "2.1", "0"))
OVERSEAS_RATES = tuple(Decimal(r) for r in ("8.5", "2.1", "1.75", "1.05", "0"))


def unknown_rate(rate: Decimal) -> str | None:
    """Why `rate` (in percent) is not a French VAT rate, with the valid ones; else None."""
    if rate in FRENCH_RATES or rate in OVERSEAS_RATES:
        return None
    france = ", ".join(f"{r}" for r in FRENCH_RATES)
    overseas = ", ".join(f"{r}" for r in OVERSEAS_RATES if r not in FRENCH_RATES)
    return f"{rate}% is not a VAT rate in France (rates: {france}; overseas: {overseas})"


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


def _country(party: Mapping[str, Any]) -> str:
    address = party.get("address")
    country = address.get("country") if isinstance(address, Mapping) else None
    return str(country or "FR").upper()


def expected_treatments(
    seller: Mapping[str, Any], client: Mapping[str, Any], operation: str
) -> tuple[str, ...]:
    """The treatments the parties allow for a sale of `operation` (goods, services, mixed),
    the one a new draft gets first; "exempt" (with its legal reference) is always allowed
    to a seller who charges VAT.

    A franchise seller charges no VAT (art. 293 B du CGI). A business elsewhere in the EU
    with a VAT number: reverse charge for services (art. 283-2 du CGI), exempt intra-EU
    supply for goods (art. 262 ter I). Outside the EU: goods are exported (art. 262 I),
    services to a business are outside the scope of French VAT (art. 259-1); services to
    a consumer outside the EU stay taxed in France in the general case (art. 259 B lists
    the exceptions, hence outside-scope is allowed too).
    """
    if pick("vat_regime", seller, default="standard") == "franchise":
        return ("franchise",)
    country = _country(client)
    business = pick("kind", client, default="business") == "business"
    goods = operation in ("goods", "mixed")
    services = operation in ("services", "mixed")
    if country == _country(seller):
        return ("standard", "exempt")
    found: list[str] = []
    if country in EU_COUNTRIES:
        if business and client.get("vat_number"):
            found += ["reverse-charge"] if services else []
            found += ["intra-eu-goods"] if goods else []
            found += ["outside-scope"]
        else:
            found += ["standard", "outside-scope"]
    else:
        found += ["export"] if goods else []
        if services:
            found += ["outside-scope"] if business else ["standard", "outside-scope"]
    return (*found, "exempt")
