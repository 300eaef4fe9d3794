"""The CII XML (Factur-X profile EN 16931) of an issued invoice, deposit or credit note.

One function per part of the tree, in the order the XSD wants; the parties and the payment
have their own modules. The XML states the document as sealed at issue, never later payments.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from facturo.checks.einvoice import (
    as_decimal,
    document_allowances,
    missing_fields,
    tax_rate,
)
from facturo.errors import FacturoError
from facturo.model.exchange import document_vat_in_euros
from facturo.model.kinds import billing_framework
from facturo.model.vat import EXEMPT_CATEGORIES
from facturo.output import words as labels
from facturo.output.facturx.elements import (
    add_date,
    add_period,
    amount,
    date_text,
    element,
    exponent,
    plain,
    sub,
    to_unit_code,
)
from facturo.output.facturx.parties import add_agreement, add_delivery
from facturo.output.facturx.payment import (
    add_payment_means,
    add_payment_terms,
    language_of,
    payment_notes,
)

XML_FILENAME = "factur-x.xml"
GUIDELINE_ID = "urn:cen.eu:en16931:2017"
TAX_CURRENCY = "EUR"  # French VAT is declared in euros (BT-6, BR-FR-CO-12)

_DISCOUNT_REASON_CODE = "95"  # UNTDID 5189: Discount
_DISCOUNT_REASON = {"fr": "Remise", "en": "Discount"}
# Gaps an e-invoice can be built without: documents sealed before the exchange rate was
# recorded keep their XML (and PDF), without the VAT in euros.
_TOLERATED_GAPS = frozenset({"exchange_rate"})


def build_xml(document: Mapping[str, Any]) -> bytes:
    """The Factur-X CII XML (EN 16931, UTF-8) of an issued invoice, deposit or credit note."""
    require_tax_document(document)
    missing = [gap for gap in missing_fields(document) if gap[0] not in _TOLERATED_GAPS]
    if missing:
        details = "; ".join(f"{path}: {message}" for path, message in missing)
        raise FacturoError(f"cannot build the e-invoice of {document.get('number')}: {details}")
    root = element("rsm:CrossIndustryInvoice")
    _add_context(root, document)
    _add_header(root, document)
    transaction = sub(root, "rsm:SupplyChainTradeTransaction")
    unit = exponent(document["currency"])
    for index, line in enumerate(document["lines"], start=1):
        _add_line(transaction, index, line, document, unit)
    add_agreement(transaction, document)
    add_delivery(transaction, document)
    _add_settlement(transaction, document, unit)
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return xml + b"\n"


def require_tax_document(document: Mapping[str, Any]) -> None:
    """Refuse a quote: it is not a tax document, so it has no e-invoice."""
    if document.get("kind") == "quote":
        raise FacturoError(f"{document.get('number')} is a quote, not a tax document: no e-invoice")


def deposits_deducted(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The deposit invoices ({number, issue_date}) a final invoice deducts, in line order."""
    found: dict[str, Mapping[str, Any]] = {}
    for line in document.get("lines") or []:
        if line.get("deposit"):
            found.setdefault(str(line["deposit"]["number"]), line["deposit"])
    return list(found.values())


def _add_context(root: ET.Element, document: Mapping[str, Any]) -> None:
    context = sub(root, "rsm:ExchangedDocumentContext")
    framework = billing_framework(
        document.get("operation"), deducts_deposits=bool(deposits_deducted(document))
    )
    if framework:
        parameter = sub(context, "ram:BusinessProcessSpecifiedDocumentContextParameter")
        sub(parameter, "ram:ID", framework)  # BT-23
    sub(sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE_ID)


def _add_header(root: ET.Element, document: Mapping[str, Any]) -> None:
    header = sub(root, "rsm:ExchangedDocument")
    sub(header, "ram:ID", str(document["number"]))
    sub(header, "ram:TypeCode", str(document["type_code"]))
    add_date(sub(header, "ram:IssueDateTime"), document["issue_date"])
    notes: list[tuple[str | None, str]] = []
    if document.get("notes"):
        notes.append((None, str(document["notes"])))
    notes += payment_notes(document)
    for subject, content in notes:
        note = sub(header, "ram:IncludedNote")
        sub(note, "ram:Content", content)
        if subject:
            sub(note, "ram:SubjectCode", subject)


def _add_line(
    transaction: ET.Element,
    index: int,
    line: Mapping[str, Any],
    document: Mapping[str, Any],
    unit: Decimal,
) -> None:
    item = sub(transaction, "ram:IncludedSupplyChainTradeLineItem")
    sub(sub(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
    sub(sub(item, "ram:SpecifiedTradeProduct"), "ram:Name", str(line["description"]))
    quantity = as_decimal(line.get("quantity", 1))
    price = as_decimal(line["unit_price"])
    if price < 0:
        # BR-27 forbids a negative net price: a negative line is a negative quantity.
        quantity, price = -quantity, -price
    agreement = sub(item, "ram:SpecifiedLineTradeAgreement")
    sub(sub(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", plain(price))
    delivery = sub(item, "ram:SpecifiedLineTradeDelivery")
    sub(delivery, "ram:BilledQuantity", plain(quantity), unitCode=to_unit_code(line.get("unit")))
    settlement = sub(item, "ram:SpecifiedLineTradeSettlement")
    _add_category(sub(settlement, "ram:ApplicableTradeTax"), line["vat_category"], line)
    period = line.get("service_period")
    if period:
        add_period(settlement, period)
    discount = _line_discount(line, quantity * price)
    if discount:
        _add_allowance(settlement, discount, unit, document, category=None)
    summation = sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    sub(summation, "ram:LineTotalAmount", amount(as_decimal(line["net"]), unit))


def _line_discount(line: Mapping[str, Any], gross: Decimal) -> Decimal:
    if line.get("discount_amount") is not None:
        return as_decimal(line["discount_amount"])
    if line.get("discount"):
        return max(gross - as_decimal(line["net"]), Decimal(0))
    return Decimal(0)


def _add_category(tax: ET.Element, category: str, source: Mapping[str, Any]) -> None:
    sub(tax, "ram:TypeCode", "VAT")
    sub(tax, "ram:CategoryCode", category)
    if category != "O":
        sub(tax, "ram:RateApplicablePercent", plain(tax_rate(category, source.get("vat_rate"))))


def _add_allowance(
    parent: ET.Element,
    value: Decimal,
    unit: Decimal,
    document: Mapping[str, Any],
    category: tuple[str, Decimal] | None,
) -> None:
    allowance = sub(parent, "ram:SpecifiedTradeAllowanceCharge")
    sub(sub(allowance, "ram:ChargeIndicator"), "udt:Indicator", "false")
    sub(allowance, "ram:ActualAmount", amount(value, unit))
    sub(allowance, "ram:ReasonCode", _DISCOUNT_REASON_CODE)
    sub(allowance, "ram:Reason", _DISCOUNT_REASON[language_of(document)])
    if category is not None:
        code, rate = category
        tax = sub(allowance, "ram:CategoryTradeTax")
        sub(tax, "ram:TypeCode", "VAT")
        sub(tax, "ram:CategoryCode", code)
        if code != "O":
            sub(tax, "ram:RateApplicablePercent", plain(rate))


def _add_settlement(transaction: ET.Element, document: Mapping[str, Any], unit: Decimal) -> None:
    settlement = sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    sub(settlement, "ram:PaymentReference", str(document["number"]))  # BT-83
    if _vat_in_euros(document) is not None:
        sub(settlement, "ram:TaxCurrencyCode", TAX_CURRENCY)  # BT-6
    sub(settlement, "ram:InvoiceCurrencyCode", str(document["currency"]))
    add_payment_means(settlement, document)
    _add_breakdown(settlement, document, unit)
    if document.get("service_period"):
        add_period(settlement, document["service_period"])
    for key, value in document_allowances(document).items():
        if value:
            _add_allowance(settlement, value, unit, document, category=key)
    add_payment_terms(settlement, document)
    _add_summation(settlement, document, unit)
    preceding = [document["credit_note_of"]] if document.get("credit_note_of") else []
    for reference in preceding + deposits_deducted(document):
        # BG-3: the credited invoice (BT-25, BT-26), or each deposit invoice deducted.
        referenced = sub(settlement, "ram:InvoiceReferencedDocument")
        sub(referenced, "ram:IssuerAssignedID", str(reference["number"]))
        formatted = sub(referenced, "ram:FormattedIssueDateTime")
        sub(formatted, "qdt:DateTimeString", date_text(reference["issue_date"]), format="102")


def _add_breakdown(settlement: ET.Element, document: Mapping[str, Any], unit: Decimal) -> None:
    exemption = document.get("vat_exemption") or {}
    for entry in document["totals"]["vat"]:
        category = entry["category"]
        tax = sub(settlement, "ram:ApplicableTradeTax")
        sub(tax, "ram:CalculatedAmount", amount(as_decimal(entry["amount"]), unit))
        sub(tax, "ram:TypeCode", "VAT")
        if category in EXEMPT_CATEGORIES and exemption.get("reason"):
            reason = labels.describe_exemption(
                exemption.get("code"), str(exemption["reason"]), language_of(document)
            )
            sub(tax, "ram:ExemptionReason", reason)
        sub(tax, "ram:BasisAmount", amount(as_decimal(entry["base"]), unit))
        sub(tax, "ram:CategoryCode", category)
        if category in EXEMPT_CATEGORIES and exemption.get("code"):
            sub(tax, "ram:ExemptionReasonCode", str(exemption["code"]))
        if document.get("vat_on_debits") and category == "S":
            # BT-8 code 5 (invoice date): the seller opted to pay VAT on debits.
            sub(tax, "ram:DueDateTypeCode", "5")
        if category != "O":
            sub(tax, "ram:RateApplicablePercent", plain(tax_rate(category, entry.get("rate"))))


def _add_summation(settlement: ET.Element, document: Mapping[str, Any], unit: Decimal) -> None:
    totals = document["totals"]
    summation = sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    sub(summation, "ram:LineTotalAmount", amount(as_decimal(totals["lines_net"]), unit))
    discount = as_decimal(totals.get("discount", 0))
    if discount:
        sub(summation, "ram:AllowanceTotalAmount", amount(discount, unit))
    sub(summation, "ram:TaxBasisTotalAmount", amount(as_decimal(totals["net"]), unit))
    currency = str(document["currency"])
    vat_total = amount(as_decimal(totals["vat_total"]), unit)
    sub(summation, "ram:TaxTotalAmount", vat_total, currencyID=currency)
    in_euros = _vat_in_euros(document)
    if in_euros is not None:
        sub(summation, "ram:TaxTotalAmount", f"{in_euros:f}", currencyID=TAX_CURRENCY)  # BT-111
    # The e-invoice states what was owed at issue: BT-113 is what was deducted then
    # (deposits), never payments recorded later, so the sealed document never changes.
    gross = as_decimal(totals["gross"])
    prepaid = as_decimal(totals.get("prepaid", 0))
    sub(summation, "ram:GrandTotalAmount", amount(gross, unit))
    sub(summation, "ram:TotalPrepaidAmount", amount(prepaid, unit))
    sub(summation, "ram:DuePayableAmount", amount(gross - prepaid, unit))


def _vat_in_euros(document: Mapping[str, Any]) -> Decimal | None:
    """BT-111: the VAT total in euros sealed with a non-euro document (art. 230 of
    directive 2006/112), as its PDF prints it; None for euros or without a rate."""
    if document.get("currency") == TAX_CURRENCY:
        return None
    sealed = (document.get("totals") or {}).get("vat_total_eur")
    if sealed is not None:
        return as_decimal(sealed)
    converted = document_vat_in_euros(document)
    return converted.total if converted is not None else None
