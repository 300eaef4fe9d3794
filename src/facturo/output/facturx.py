"""Factur-X e-invoices: the CII XML (profile EN 16931) of an issued document and its PDF/A-3 parts.

A seller under the VAT franchise (art. 293 B du CGI) has no VAT number, yet EN 16931 rule
BR-E-02 wants the seller VAT identifier (BT-31), the seller tax registration identifier
(BT-32) or a tax representative for any line in category E. The schematron accepts
`SpecifiedTaxRegistration/ID[@schemeID = ('VA', 'FC')]`, so such a seller gets its SIREN as
BT-32 with scheme FC (the French mapping of a non-VAT-registered seller's tax identifier).

The PDF side (one WeasyPrint pass, the /AF list and the XMP merge) is the renderer's:
`facturx_pdf_options` gives it the attachment and the XMP block.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from facturo.checks.einvoice import (
    EXEMPT_CATEGORIES,
    as_decimal,
    document_allowances,
    missing_fields,
    tax_rate,
)
from facturo.errors import FacturoError
from facturo.model.money import minor_units
from facturo.output import words as labels

if TYPE_CHECKING:
    from facturo.output.pdf.engine import PdfAttachment

XML_FILENAME = "factur-x.xml"
GUIDELINE_ID = "urn:cen.eu:en16931:2017"
XMP_CONFORMANCE_LEVEL = "EN 16931"

_NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
for _prefix, _uri in _NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)

_BUSINESS_PROCESS = {"goods": "B1", "services": "S1", "mixed": "M1"}
_DISCOUNT_REASON_CODE = "95"  # UNTDID 5189: Discount
_DISCOUNT_REASON = {"fr": "Remise", "en": "Discount"}

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

# UNTDID 4461 payment means for the methods facturo knows.
_PAYMENT_MEANS = {
    "card": "48",
    "cheque": "20",
    "cash": "10",
    "direct-debit": "49",
    "other": "1",
}
_SEPA_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO CH MC SM VA AD GB GI JE GG IM".split()
)

_FX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
_XMP_RDF_OPEN = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
_XMP_PROPERTIES = (
    ("DocumentFileName", "The name of the embedded XML document"),
    ("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"),
    ("Version", "The actual version of the standard applying to the embedded XML document"),
    ("ConformanceLevel", "The conformance level of the embedded XML document"),
)


def build_xml(document: Mapping[str, Any]) -> bytes:
    """The Factur-X CII XML (EN 16931, UTF-8) of an issued invoice, deposit or credit note."""
    require_tax_document(document)
    missing = missing_fields(document)
    if missing:
        details = "; ".join(f"{path}: {message}" for path, message in missing)
        raise FacturoError(f"cannot build the e-invoice of {document.get('number')}: {details}")
    root = _element("rsm:CrossIndustryInvoice")
    _add_context(root, document)
    _add_header(root, document)
    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    exponent = _exponent(document["currency"])
    for index, line in enumerate(document["lines"], start=1):
        _add_line(transaction, index, line, document, exponent)
    _add_agreement(transaction, document)
    _add_delivery(transaction, document)
    _add_settlement(transaction, document, exponent)
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return xml + b"\n"


def facturx_xmp(document: Mapping[str, Any]) -> bytes:
    """The XMP rdf:RDF block declaring the Factur-X EN 16931 extension, for WeasyPrint."""
    require_tax_document(document)
    properties = "".join(
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{name}</pdfaProperty:name>"
        "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{description}</pdfaProperty:description>"
        "</rdf:li>"
        for name, description in _XMP_PROPERTIES
    )
    # Each rdf:Description declares its own namespaces so the renderer can merge this block
    # into WeasyPrint's rdf:RDF by dropping the boundary between the two.
    body = (
        f'<rdf:Description rdf:about="" xmlns:fx="{_FX_NAMESPACE}">'
        "<fx:DocumentType>INVOICE</fx:DocumentType>"
        f"<fx:DocumentFileName>{XML_FILENAME}</fx:DocumentFileName>"
        "<fx:Version>1.0</fx:Version>"
        f"<fx:ConformanceLevel>{XMP_CONFORMANCE_LEVEL}</fx:ConformanceLevel>"
        "</rdf:Description>\n"
        '<rdf:Description rdf:about=""'
        ' xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
        ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
        ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
        '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{_FX_NAMESPACE}</pdfaSchema:namespaceURI>"
        "<pdfaSchema:prefix>fx</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas>"
        "</rdf:Description>\n"
    )
    return _XMP_RDF_OPEN + b"\n" + body.encode() + b"</rdf:RDF>"


def facturx_pdf_options(document: Mapping[str, Any]) -> tuple[list[PdfAttachment], bytes]:
    """The attachment and XMP that make the PDF of an invoice a Factur-X e-invoice."""
    # Imported here so that building the XML alone does not load WeasyPrint.
    from facturo.output.pdf.engine import PdfAttachment

    attachment = PdfAttachment(
        name=XML_FILENAME,
        data=build_xml(document),
        mime_type="text/xml",
        relationship="Data",
        description=f"Factur-X {XMP_CONFORMANCE_LEVEL} invoice {document['number']}",
    )
    return [attachment], facturx_xmp(document)


def to_unit_code(unit: str | None) -> str:
    """The UN/ECE recommendation 20 code of a free-text unit (C62, "one", by default)."""
    if not unit:
        return _DEFAULT_UNIT_CODE
    text = unit.strip()
    if text in _KNOWN_UNIT_CODES:
        return text
    word = "-".join(text.lower().removesuffix("(s)").split())
    return _UNIT_CODES.get(word, _DEFAULT_UNIT_CODE)


def require_tax_document(document: Mapping[str, Any]) -> None:
    """Refuse a quote: it is not a tax document, so it has no e-invoice."""
    if document.get("kind") == "quote":
        raise FacturoError(f"{document.get('number')} is a quote, not a tax document: no e-invoice")


def _add_context(root: ET.Element, document: Mapping[str, Any]) -> None:
    context = _sub(root, "rsm:ExchangedDocumentContext")
    process = _BUSINESS_PROCESS.get(document.get("operation") or "")
    if process:
        # BT-23 carries the French "cadre de facturation" (B1 goods, S1 services, M1 mixed).
        _sub(
            _sub(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", process
        )
    _sub(_sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE_ID)


def _add_header(root: ET.Element, document: Mapping[str, Any]) -> None:
    header = _sub(root, "rsm:ExchangedDocument")
    _sub(header, "ram:ID", str(document["number"]))
    _sub(header, "ram:TypeCode", str(document["type_code"]))
    _add_date(_sub(header, "ram:IssueDateTime"), document["issue_date"])
    for subject, content in _notes(document):
        note = _sub(header, "ram:IncludedNote")
        _sub(note, "ram:Content", content)
        if subject:
            _sub(note, "ram:SubjectCode", subject)


def _notes(document: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """The BT-22 notes: free text, then the legal mentions (same words as the PDF)."""
    language = _language(document)
    words = labels.labels_for(language)
    payment = document.get("payment") or {}
    client = document.get("client") or {}
    notes: list[tuple[str | None, str]] = []
    if document.get("notes"):
        notes.append((None, str(document["notes"])))
    indemnity = payment.get("recovery_indemnity")
    # The fixed indemnity is owed by business clients only (Code de commerce L441-10).
    if indemnity not in (None, "") and client.get("kind", "business") == "business":
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


def _language(document: Mapping[str, Any]) -> str:
    return "en" if document.get("language") == "en" else "fr"


def _add_line(
    transaction: ET.Element,
    index: int,
    line: Mapping[str, Any],
    document: Mapping[str, Any],
    exponent: Decimal,
) -> None:
    item = _sub(transaction, "ram:IncludedSupplyChainTradeLineItem")
    _sub(_sub(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
    _sub(_sub(item, "ram:SpecifiedTradeProduct"), "ram:Name", str(line["description"]))
    quantity = as_decimal(line.get("quantity", 1))
    price = as_decimal(line["unit_price"])
    if price < 0:
        # BR-27 forbids a negative net price: a negative line is a negative quantity.
        quantity, price = -quantity, -price
    agreement = _sub(item, "ram:SpecifiedLineTradeAgreement")
    _sub(_sub(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _plain(price))
    delivery = _sub(item, "ram:SpecifiedLineTradeDelivery")
    _sub(delivery, "ram:BilledQuantity", _plain(quantity), unitCode=to_unit_code(line.get("unit")))
    settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
    _add_category(_sub(settlement, "ram:ApplicableTradeTax"), line["vat_category"], line)
    period = line.get("service_period")
    if period:
        _add_period(settlement, period)
    discount = _line_discount(line, quantity * price)
    if discount:
        _add_allowance(settlement, discount, exponent, document, category=None)
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", _amount(as_decimal(line["net"]), exponent))


def _line_discount(line: Mapping[str, Any], gross: Decimal) -> Decimal:
    if line.get("discount_amount") is not None:
        return as_decimal(line["discount_amount"])
    if line.get("discount"):
        return max(gross - as_decimal(line["net"]), Decimal(0))
    return Decimal(0)


def _add_category(tax: ET.Element, category: str, source: Mapping[str, Any]) -> None:
    _sub(tax, "ram:TypeCode", "VAT")
    _sub(tax, "ram:CategoryCode", category)
    if category != "O":
        _sub(tax, "ram:RateApplicablePercent", _plain(tax_rate(category, source.get("vat_rate"))))


def _add_allowance(
    parent: ET.Element,
    amount: Decimal,
    exponent: Decimal,
    document: Mapping[str, Any],
    category: tuple[str, Decimal] | None,
) -> None:
    allowance = _sub(parent, "ram:SpecifiedTradeAllowanceCharge")
    _sub(_sub(allowance, "ram:ChargeIndicator"), "udt:Indicator", "false")
    _sub(allowance, "ram:ActualAmount", _amount(amount, exponent))
    _sub(allowance, "ram:ReasonCode", _DISCOUNT_REASON_CODE)
    _sub(allowance, "ram:Reason", _DISCOUNT_REASON[_language(document)])
    if category is not None:
        code, rate = category
        tax = _sub(allowance, "ram:CategoryTradeTax")
        _sub(tax, "ram:TypeCode", "VAT")
        _sub(tax, "ram:CategoryCode", code)
        if code != "O":
            _sub(tax, "ram:RateApplicablePercent", _plain(rate))


def _add_agreement(transaction: ET.Element, document: Mapping[str, Any]) -> None:
    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    outside_scope = any(line["vat_category"] == "O" for line in document["lines"])
    _add_seller(_sub(agreement, "ram:SellerTradeParty"), document["seller"], outside_scope)
    _add_buyer(_sub(agreement, "ram:BuyerTradeParty"), document["client"], outside_scope)
    if document.get("order_reference"):
        order = _sub(agreement, "ram:BuyerOrderReferencedDocument")
        _sub(order, "ram:IssuerAssignedID", str(document["order_reference"]))


def _add_seller(party: ET.Element, seller: Mapping[str, Any], outside_scope: bool) -> None:
    _sub(party, "ram:Name", str(seller["name"]))
    legal_information = " - ".join(
        str(seller[key]) for key in ("legal_form", "rcs") if seller.get(key)
    )
    if legal_information:
        _sub(party, "ram:Description", legal_information)  # BT-33
    if seller.get("siren") or seller.get("trade_name"):
        legal = _sub(party, "ram:SpecifiedLegalOrganization")
        if seller.get("siren"):
            _sub(legal, "ram:ID", _compact(seller["siren"]), schemeID="0002")
        if seller.get("trade_name"):
            _sub(legal, "ram:TradingBusinessName", str(seller["trade_name"]))
    if seller.get("phone") or seller.get("email"):
        contact = _sub(party, "ram:DefinedTradeContact")
        if seller.get("phone"):
            phone = _sub(contact, "ram:TelephoneUniversalCommunication")
            _sub(phone, "ram:CompleteNumber", str(seller["phone"]))
        if seller.get("email"):
            email = _sub(contact, "ram:EmailURIUniversalCommunication")
            _sub(email, "ram:URIID", str(seller["email"]))
    _add_address(party, seller["address"])
    if seller.get("email"):
        _sub(
            _sub(party, "ram:URIUniversalCommunication"),
            "ram:URIID",
            str(seller["email"]),
            schemeID="EM",
        )
    if seller.get("vat_number") and not outside_scope:
        registration = _sub(party, "ram:SpecifiedTaxRegistration")
        _sub(registration, "ram:ID", _compact(seller["vat_number"]), schemeID="VA")
    elif seller.get("siren") and not seller.get("vat_number"):
        # BR-E-02: the SIREN as seller tax registration identifier (BT-32, scheme FC).
        registration = _sub(party, "ram:SpecifiedTaxRegistration")
        _sub(registration, "ram:ID", _compact(seller["siren"]), schemeID="FC")


def _add_buyer(party: ET.Element, client: Mapping[str, Any], outside_scope: bool) -> None:
    _sub(party, "ram:Name", str(client["name"]))
    if client.get("siren"):
        legal = _sub(party, "ram:SpecifiedLegalOrganization")
        _sub(legal, "ram:ID", _compact(client["siren"]), schemeID="0002")
    _add_address(party, client["address"])
    if client.get("email"):
        _sub(
            _sub(party, "ram:URIUniversalCommunication"),
            "ram:URIID",
            str(client["email"]),
            schemeID="EM",
        )
    if client.get("vat_number") and not outside_scope:
        registration = _sub(party, "ram:SpecifiedTaxRegistration")
        _sub(registration, "ram:ID", _compact(client["vat_number"]), schemeID="VA")


def _add_address(party: ET.Element, address: Mapping[str, Any]) -> None:
    postal = _sub(party, "ram:PostalTradeAddress")
    if address.get("postcode"):
        _sub(postal, "ram:PostcodeCode", str(address["postcode"]))
    if address.get("street"):
        _sub(postal, "ram:LineOne", str(address["street"]))
    if address.get("street2"):
        _sub(postal, "ram:LineTwo", str(address["street2"]))
    if address.get("city"):
        _sub(postal, "ram:CityName", str(address["city"]))
    _sub(postal, "ram:CountryID", str(address["country"]).upper())


def _add_delivery(transaction: ET.Element, document: Mapping[str, Any]) -> None:
    delivery = _sub(transaction, "ram:ApplicableHeaderTradeDelivery")
    client = document["client"]
    address = document.get("delivery_address") or client.get("delivery_address")
    if not address and any(line["vat_category"] == "K" for line in document["lines"]):
        address = client["address"]  # BR-IC-12: intra-EU supplies name the deliver-to country
    if address:
        ship_to = _sub(delivery, "ram:ShipToTradeParty")
        _sub(ship_to, "ram:Name", str(client["name"]))
        _add_address(ship_to, address)
    delivered = _delivery_date(document)
    if delivered:
        event = _sub(delivery, "ram:ActualDeliverySupplyChainEvent")
        _add_date(_sub(event, "ram:OccurrenceDateTime"), delivered)


def _delivery_date(document: Mapping[str, Any]) -> date | None:
    """BT-72: the service date, the end of the service period, else the issue date."""
    service_date: date | None = document.get("service_date")
    period_end: date | None = (document.get("service_period") or {}).get("end")
    issue_date: date = document["issue_date"]
    if service_date or period_end:
        return service_date or period_end
    if document.get("kind") == "invoice":
        # An invoice states the date of the sale only when it differs from the issue date.
        return issue_date
    return None  # a deposit precedes the delivery; a credit note's is its invoice's


def _add_settlement(
    transaction: ET.Element, document: Mapping[str, Any], exponent: Decimal
) -> None:
    settlement = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    _sub(settlement, "ram:PaymentReference", str(document["number"]))  # BT-83
    _sub(settlement, "ram:InvoiceCurrencyCode", str(document["currency"]))
    _add_payment_means(settlement, document)
    totals = document["totals"]
    exemption = document.get("vat_exemption") or {}
    for entry in totals["vat"]:
        category = entry["category"]
        tax = _sub(settlement, "ram:ApplicableTradeTax")
        _sub(tax, "ram:CalculatedAmount", _amount(as_decimal(entry["amount"]), exponent))
        _sub(tax, "ram:TypeCode", "VAT")
        if category in EXEMPT_CATEGORIES and exemption.get("reason"):
            reason = labels.describe_exemption(
                exemption.get("code"), str(exemption["reason"]), _language(document)
            )
            _sub(tax, "ram:ExemptionReason", reason)
        _sub(tax, "ram:BasisAmount", _amount(as_decimal(entry["base"]), exponent))
        _sub(tax, "ram:CategoryCode", category)
        if category in EXEMPT_CATEGORIES and exemption.get("code"):
            _sub(tax, "ram:ExemptionReasonCode", str(exemption["code"]))
        if document.get("vat_on_debits") and category == "S":
            # BT-8 code 5 (invoice date): the seller opted to pay VAT on debits.
            _sub(tax, "ram:DueDateTypeCode", "5")
        if category != "O":
            _sub(tax, "ram:RateApplicablePercent", _plain(tax_rate(category, entry.get("rate"))))
    if document.get("service_period"):
        _add_period(settlement, document["service_period"])
    for key, amount in document_allowances(document).items():
        if amount:
            _add_allowance(settlement, amount, exponent, document, category=key)
    if document.get("payment_terms") or document.get("due_date"):
        terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
        if document.get("payment_terms"):
            text = labels.describe_payment_terms(
                str(document["payment_terms"]), _language(document)
            )
            _sub(terms, "ram:Description", text)
        if document.get("due_date"):
            _add_date(_sub(terms, "ram:DueDateDateTime"), document["due_date"])
    _add_summation(settlement, document, exponent)
    preceding = document.get("credit_note_of")
    if preceding:
        reference = _sub(settlement, "ram:InvoiceReferencedDocument")
        _sub(reference, "ram:IssuerAssignedID", str(preceding["number"]))
        formatted = _sub(reference, "ram:FormattedIssueDateTime")
        _sub(formatted, "qdt:DateTimeString", _date(preceding["issue_date"]), format="102")


def _add_payment_means(settlement: ET.Element, document: Mapping[str, Any]) -> None:
    payment = document.get("payment") or {}
    iban, bic = _iban(document), _bic(document)
    seen: set[str] = set()
    for method in payment.get("methods") or []:
        if method == "transfer" and not iban:
            continue  # BR-61: a credit transfer (30, 58) must name the account (BT-84)
        if method == "transfer":
            code = "58" if iban[:2] in _SEPA_COUNTRIES else "30"
        else:
            code = _PAYMENT_MEANS.get(method, "1")
        if code in seen:
            continue
        seen.add(code)
        means = _sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _sub(means, "ram:TypeCode", code)
        if method == "transfer":
            _sub(_sub(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", iban)
            if bic:
                institution = _sub(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
                _sub(institution, "ram:BICID", bic)


def _add_summation(settlement: ET.Element, document: Mapping[str, Any], exponent: Decimal) -> None:
    totals = document["totals"]
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", _amount(as_decimal(totals["lines_net"]), exponent))
    discount = as_decimal(totals.get("discount", 0))
    if discount:
        _sub(summation, "ram:AllowanceTotalAmount", _amount(discount, exponent))
    _sub(summation, "ram:TaxBasisTotalAmount", _amount(as_decimal(totals["net"]), exponent))
    _sub(
        summation,
        "ram:TaxTotalAmount",
        _amount(as_decimal(totals["vat_total"]), exponent),
        currencyID=str(document["currency"]),
    )
    # The e-invoice states what was owed at issue: BT-113 is what was deducted then
    # (deposits), never payments recorded later, so the sealed document never changes.
    gross = as_decimal(totals["gross"])
    prepaid = as_decimal(totals.get("prepaid", 0))
    _sub(summation, "ram:GrandTotalAmount", _amount(gross, exponent))
    _sub(summation, "ram:TotalPrepaidAmount", _amount(prepaid, exponent))
    _sub(summation, "ram:DuePayableAmount", _amount(gross - prepaid, exponent))


def _add_period(parent: ET.Element, period: Mapping[str, Any]) -> None:
    specified = _sub(parent, "ram:BillingSpecifiedPeriod")
    if period.get("start"):
        _add_date(_sub(specified, "ram:StartDateTime"), period["start"])
    if period.get("end"):
        _add_date(_sub(specified, "ram:EndDateTime"), period["end"])


def _add_date(parent: ET.Element, value: date) -> None:
    _sub(parent, "udt:DateTimeString", _date(value), format="102")


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _iban(document: Mapping[str, Any]) -> str:
    payment = document.get("payment") or {}
    return _compact(payment.get("iban") or (document.get("seller") or {}).get("iban") or "")


def _bic(document: Mapping[str, Any]) -> str:
    payment = document.get("payment") or {}
    return _compact(payment.get("bic") or (document.get("seller") or {}).get("bic") or "")


def _compact(value: Any) -> str:
    return "".join(str(value).split()).upper()


def _exponent(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def _amount(value: Decimal, exponent: Decimal) -> str:
    """An amount with the currency's decimals; refuses to round a stored amount."""
    quantized = value.quantize(exponent, rounding=ROUND_HALF_UP)
    if quantized != value:
        raise FacturoError(f"amount {value} has more decimals than its currency allows")
    return f"{quantized:f}"


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros (quantities, prices, rates)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _element(tag: str) -> ET.Element:
    prefix, name = tag.split(":")
    return ET.Element(f"{{{_NAMESPACES[prefix]}}}{name}")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    prefix, name = tag.split(":")
    element = ET.SubElement(parent, f"{{{_NAMESPACES[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element
