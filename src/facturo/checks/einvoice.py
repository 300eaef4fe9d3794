"""What an issued document would lack for a valid EN 16931 e-invoice (Factur-X), as data.

`facturo check` reports these gaps; the Factur-X writer refuses to build the XML of a
document that has any. `rejections_foreseen` adds what the French rules (BR-FR) of approved
platforms would reject although EN 16931 accepts it, for warnings on drafts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from facturo.files.rules import no_electronic_address
from facturo.model.document import Party, is_business
from facturo.model.vat import EXEMPT_CATEGORIES

TYPE_CODES = {"invoice": "380", "credit_note": "381", "deposit": "386"}
TAX_CURRENCY = "EUR"


def missing_fields(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What an issued document lacks for a valid EN 16931 e-invoice.

    Each item is (key path, message); the path is dot-separated with list indices as numbers
    ("client.address.country", "lines.0.net"). Quotes need nothing: they have no e-invoice.
    """
    if document.get("kind") == "quote":
        return []
    missing: list[tuple[str, str]] = []

    def need(path: str, term: str) -> None:
        if _blank(_get(document, path)):
            missing.append((path, f"{term} is required for an EN 16931 e-invoice"))

    need("number", "the invoice number (BT-1)")
    need("issue_date", "the issue date (BT-2)")
    need("currency", "the currency (BT-5)")
    if str(document.get("type_code", "")) not in TYPE_CODES.values():
        missing.append(("type_code", "the type code (BT-3) must be 380, 381 or 386"))
    need("seller.name", "the seller name (BT-27)")
    need("seller.address", "the seller postal address (BG-5)")
    need("seller.address.country", "the seller country (BT-40)")
    need("client.name", "the buyer name (BT-44)")
    need("client.address", "the buyer postal address (BG-8)")
    need("client.address.country", "the buyer country (BT-55)")
    seller, client = document.get("seller") or {}, document.get("client") or {}
    if not (seller.get("siren") or seller.get("vat_number")):
        missing.append(
            (
                "seller.siren",
                "the seller SIREN (BT-30) or VAT number (BT-31) is required (BR-CO-26)",
            )
        )
    if document.get("kind") == "credit_note":
        need("credit_note_of.number", "the number of the credited invoice (BT-25)")
        need("credit_note_of.issue_date", "the date of the credited invoice (BT-26)")
    currency = document.get("currency")
    if currency and currency != TAX_CURRENCY:
        rate = document.get("exchange_rate") or {}
        if _blank(rate.get("rate")) or _blank(rate.get("date")):
            missing.append(
                (
                    "exchange_rate",
                    f"the exchange rate of {currency} to euros and its date are required to "
                    "state the VAT in euros (BT-6, BT-111; BR-FR-CO-12, art. 230 directive "
                    "2006/112): `facturo rate DRAFT` writes the ECB reference rate",
                )
            )
    lines = document.get("lines") or []
    if not lines:
        missing.append(("lines", "at least one invoice line (BG-25) is required"))
    for index, line in enumerate(lines):
        for key, term in (
            ("description", "the item name (BT-153)"),
            ("unit_price", "the item net price (BT-146)"),
            ("net", "the line net amount (BT-131)"),
            ("vat_category", "the line VAT category (BT-151)"),
        ):
            if _blank(line.get(key)):
                missing.append((f"lines.{index}.{key}", f"{term} is required"))
    categories = {line.get("vat_category") for line in lines}
    missing += _missing_for_categories(categories, seller, client, document)
    if not missing:
        missing += _inconsistent_totals(document)
    return missing


def rejections_foreseen(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What approved platforms would reject under the French rules (BR-FR) though the document
    is a valid EN 16931 invoice, as (key path, message): missing electronic addresses.

    Sales to private individuals are e-reported, not e-invoiced: their address is not needed.
    """
    if document.get("kind") == "quote":
        return []
    found: list[tuple[str, str]] = []
    if Party.of(document.get("seller")).endpoint is None:
        found.append(("seller.electronic_address", no_electronic_address("seller")))
    client = document.get("client")
    if is_business(client) and Party.of(client).endpoint is None:
        found.append(("client.electronic_address", no_electronic_address("client")))
    return found


def _missing_for_categories(
    categories: set[Any],
    seller: Mapping[str, Any],
    client: Mapping[str, Any],
    document: Mapping[str, Any],
) -> list[tuple[str, str]]:
    missing: list[tuple[str, str]] = []

    def need(condition: Any, path: str, term: str, rule: str) -> None:
        if not condition:
            missing.append((path, f"{term} is required for this VAT case ({rule})"))

    seller_vat = seller.get("vat_number")
    seller_tax_id = seller_vat or seller.get("siren")
    if categories & {"S", "Z"}:
        need(seller_vat, "seller.vat_number", "the seller VAT number (BT-31)", "BR-S-02")
    if "E" in categories:
        term = "the seller VAT number (BT-31) or SIREN as tax registration (BT-32)"
        need(seller_tax_id, "seller.siren", term, "BR-E-02")
    if "AE" in categories:
        need(seller_tax_id, "seller.vat_number", "the seller VAT number (BT-31)", "BR-AE-02")
        term = "the buyer VAT number (BT-48) or SIREN (BT-47)"
        need(client.get("vat_number") or client.get("siren"), "client.vat_number", term, "BR-AE-02")
    if "K" in categories:
        need(seller_vat, "seller.vat_number", "the seller VAT number (BT-31)", "BR-IC-02")
        need(
            client.get("vat_number"),
            "client.vat_number",
            "the buyer VAT number (BT-48)",
            "BR-IC-02",
        )
        term = "the delivery date (BT-72) or service period (BG-14)"
        delivered = document.get("service_date") or document.get("service_period")
        need(delivered, "service_date", term, "BR-IC-11")
    if "G" in categories:
        need(seller_vat, "seller.vat_number", "the seller VAT number (BT-31)", "BR-G-02")
    if "O" in categories and len(categories) > 1:
        missing.append(("lines", "outside-scope lines (O) cannot be mixed with others (BR-O-11)"))
    if categories & EXEMPT_CATEGORIES:
        exemption = document.get("vat_exemption") or {}
        term = "the VAT exemption reason (BT-120) or code (BT-121)"
        rules = ", ".join(
            f"BR-{'IC' if category == 'K' else category}-10"
            for category in sorted(categories & EXEMPT_CATEGORIES)
        )
        need(exemption.get("reason") or exemption.get("code"), "vat_exemption", term, rules)
    return missing


def _inconsistent_totals(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    try:
        allowances = document_allowances(document)
    except (KeyError, TypeError, ArithmeticError):
        return [("totals", "the totals are incomplete (BG-22, BG-23)")]
    totals = document["totals"]
    if any(amount < 0 for amount in allowances.values()):
        return [("totals.vat", "a VAT base (BT-116) exceeds the line nets at its rate (BR-S-08)")]
    if sum(allowances.values(), Decimal(0)) != as_decimal(totals.get("discount", 0)):
        return [("totals.discount", "the discount (BT-107) is not the line nets minus the bases")]
    return []


def document_allowances(document: Mapping[str, Any]) -> dict[tuple[str, Decimal], Decimal]:
    """The document discount per VAT category and rate, exactly as the stored bases imply."""
    nets: dict[tuple[str, Decimal], Decimal] = {}
    for line in document["lines"]:
        key = _tax_key(line["vat_category"], line.get("vat_rate"))
        nets[key] = nets.get(key, Decimal(0)) + as_decimal(line["net"])
    allowances: dict[tuple[str, Decimal], Decimal] = {}
    for entry in document["totals"]["vat"]:
        key = _tax_key(entry["category"], entry.get("rate"))
        allowances[key] = nets.pop(key) - as_decimal(entry["base"])
    if nets:
        raise KeyError(f"lines without a VAT breakdown: {sorted(nets)}")
    return allowances


def _tax_key(category: str, rate: Any) -> tuple[str, Decimal]:
    return category, tax_rate(category, rate)


def tax_rate(category: str, rate: Any) -> Decimal:
    """The VAT rate a category carries: its own under S, 0 under every other category."""
    if category in ("S",):
        return as_decimal(rate)
    return Decimal(0)


def as_decimal(value: Any) -> Decimal:
    """An amount of a document as a Decimal (a float by its shortest repr, never its binary)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


_SCALARS = frozenset((Decimal, int, bool, float, dt.date, dt.datetime))  # never blank


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, list, dict, tuple)):  # what documents hold: known at once
        return not value
    if type(value) in _SCALARS:
        return False
    return isinstance(value, Sequence | Mapping) and not value


_STEPS: dict[str, list[str]] = {}  # the few paths asked for, split once


def _get(document: Mapping[str, Any], path: str) -> Any:
    value: Any = document
    steps = _STEPS.get(path)
    if steps is None:
        steps = _STEPS.setdefault(path, path.split(".")) if len(_STEPS) < 1000 else path.split(".")
    for key in steps:
        if not isinstance(value, dict) and not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value
