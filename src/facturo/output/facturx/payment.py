"""How a CII invoice is paid: the payment means (BG-16), the terms (BT-20) and the payment notes.

EN 16931 allows one payment means code (BT-81) per invoice (CII-SR-467): the first method
the invoice can state in full gets it, and every accepted method is named in its text
(BT-82). SEPA credit transfer (58) is for euros; other currencies get credit transfer (30).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from facturo.checks.einvoice import as_decimal
from facturo.model.document import is_business
from facturo.output import words as labels
from facturo.output.facturx.elements import add_date, compact, sub

# UNTDID 4461 payment means for the methods facturo knows.
_PAYMENT_MEANS = {
    "card": "48",
    "cheque": "20",
    "cash": "10",
    "direct-debit": "49",
    "other": "1",
}
_SEPA_CREDIT_TRANSFER = "58"
_CREDIT_TRANSFER = "30"
_SEPA_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO CH MC SM VA AD GB GI JE GG IM".split()
)


def language_of(document: Mapping[str, Any]) -> str:
    return "en" if document.get("language") == "en" else "fr"


def payment_notes(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The BT-22 payment mentions (PMT, PMD, AAB), in the same words as the PDF.

    A credit note states the terms of the invoice it credits (BR-FR-05), recorded with it.
    """
    language = language_of(document)
    words = labels.labels_for(language)
    payment = document.get("payment")
    if payment is None and document.get("kind") == "credit_note":
        payment = (document.get("credit_note_of") or {}).get("payment")
    payment = payment or {}
    notes: list[tuple[str, str]] = []
    indemnity = payment.get("recovery_indemnity")
    # The fixed indemnity is owed by business clients only (Code de commerce L441-10).
    if indemnity not in (None, "") and is_business(document.get("client")):
        amount = labels.format_money(as_decimal(indemnity), "EUR", language)
        notes.append(("PMT", words["recovery_indemnity"].format(amount=amount)))
    rate = payment.get("late_penalty_rate_percent")
    if rate not in (None, ""):
        text = words["late_penalty"].format(rate=labels.format_rate(as_decimal(rate), language))
        notes.append(("PMD", text))
    early = payment.get("early_payment_discount")
    if early in (None, "", "none"):
        notes.append(("AAB", words["no_early_discount"]))
    else:
        notes.append(("AAB", words["early_discount"].format(terms=str(early).rstrip("."))))
    return notes


def add_payment_means(settlement: ET.Element, document: Mapping[str, Any]) -> None:
    """One BG-16: the first method stated in full, every accepted method in its text."""
    payment = document.get("payment") or {}
    methods = [str(method) for method in payment.get("methods") or []]
    iban, bic = _account(document, "iban"), _account(document, "bic")
    # BR-61: a credit transfer (30, 58) must name the account (BT-84).
    usable = [method for method in methods if method != "transfer" or iban]
    if not usable:
        return
    method = usable[0]
    means = sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    sub(means, "ram:TypeCode", _means_code(method, iban, str(document["currency"])))
    if len(methods) > 1:
        language = language_of(document)
        named = ", ".join(labels.describe_payment_method(m, language) for m in methods)
        sub(
            means,
            "ram:Information",
            labels.labels_for(language)["letter_methods"].format(methods=named),
        )
    if method == "transfer":
        sub(sub(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", iban)
        if bic:
            institution = sub(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            sub(institution, "ram:BICID", bic)


def _means_code(method: str, iban: str, currency: str) -> str:
    if method != "transfer":
        return _PAYMENT_MEANS.get(method, "1")
    if currency == "EUR" and iban[:2] in _SEPA_COUNTRIES:
        return _SEPA_CREDIT_TRANSFER  # SEPA credit transfers are in euros only
    return _CREDIT_TRANSFER


def add_payment_terms(settlement: ET.Element, document: Mapping[str, Any]) -> None:
    if not (document.get("payment_terms") or document.get("due_date")):
        return
    terms = sub(settlement, "ram:SpecifiedTradePaymentTerms")
    if document.get("payment_terms"):
        text = labels.describe_payment_terms(str(document["payment_terms"]), language_of(document))
        sub(terms, "ram:Description", text)
    if document.get("due_date"):
        add_date(sub(terms, "ram:DueDateDateTime"), document["due_date"])


def _account(document: Mapping[str, Any], key: str) -> str:
    payment = document.get("payment") or {}
    return compact(payment.get(key) or (document.get("seller") or {}).get(key) or "")
