"""The CII vocabulary: namespaces, elements, and amounts, dates and codes as CII writes them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from facturo.errors import FacturoError
from facturo.model.money import minor_units

NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

# What XML 1.0 cannot carry (C0 controls but tab and line ends) and controls nobody means.
# Validation refuses them in what users write; a document sealed before that still gets a
# well-formed XML, each such character shown as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")

# UN/ECE recommendation 20 codes for the free-text units people write.
_UNIT_WORDS = {
    "DAY": "day days jour jours j d",
    "HUR": "hour hours heure heures h hr hrs",
    "MIN": "minute minutes min",
    "WEE": "week weeks semaine semaines",
    "MON": "month months mois",
    "ANN": "year years an ans année années annee annees",
    "C62": "unit units unité unités unite unites u piece pieces pièce pièces pc pcs item items "
    "article articles page pages word words mot mots",
    "LS": "forfait forfaits lump-sum flat-fee",
    "SET": "set sets lot lots",
    "KGM": "kg kilogram kilograms kilogramme kilogrammes",
    "GRM": "g gram grams gramme grammes",
    "MTR": "m meter meters metre metres mètre mètres",
    "KMT": "km kilometer kilometers kilomètre kilomètres",
    "LTR": "l liter liters litre litres",
    "MTK": "m2 m² square-meter square-meters mètre-carré",
    "MTQ": "m3 m³ cubic-meter cubic-meters mètre-cube",
}
_UNIT_CODES = {word: code for code, words in _UNIT_WORDS.items() for word in words.split()}
_DEFAULT_UNIT_CODE = "C62"
_KNOWN_UNIT_CODES = frozenset(_UNIT_WORDS)


def to_unit_code(unit: str | None) -> str:
    """The UN/ECE recommendation 20 code of a free-text unit (C62, "one", by default)."""
    if not unit:
        return _DEFAULT_UNIT_CODE
    text = unit.strip()
    if text in _KNOWN_UNIT_CODES:
        return text
    word = "-".join(text.lower().removesuffix("(s)").split())
    return _UNIT_CODES.get(word, _DEFAULT_UNIT_CODE)


def element(tag: str) -> ET.Element:
    prefix, name = tag.split(":")
    return ET.Element(f"{{{NAMESPACES[prefix]}}}{name}")


def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """A child element; its text is always something XML 1.0 can carry."""
    prefix, name = tag.split(":")
    child = ET.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{name}", attributes)
    if text is not None:
        child.text = _NOT_XML.sub("\ufffd", text)
    return child


def add_date(parent: ET.Element, value: date) -> None:
    sub(parent, "udt:DateTimeString", date_text(value), format="102")


def add_period(parent: ET.Element, period: dict[str, Any]) -> None:
    specified = sub(parent, "ram:BillingSpecifiedPeriod")
    if period.get("start"):
        add_date(sub(specified, "ram:StartDateTime"), period["start"])
    if period.get("end"):
        add_date(sub(specified, "ram:EndDateTime"), period["end"])


def date_text(value: date) -> str:
    return value.strftime("%Y%m%d")


def compact(value: Any) -> str:
    """An identifier without spaces, in capitals (IBAN, VAT number, SIREN)."""
    return "".join(str(value).split()).upper()


def exponent(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def amount(value: Decimal, unit: Decimal) -> str:
    """An amount with the currency's decimals; refuses to round a stored amount."""
    quantized = value.quantize(unit, rounding=ROUND_HALF_UP)
    if quantized != value:
        raise FacturoError(f"amount {value} has more decimals than its currency allows")
    return f"{quantized:f}"


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros (quantities, prices, rates)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
