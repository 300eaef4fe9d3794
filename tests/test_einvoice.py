"""Factur-X e-invoice: the business terms in the CII XML, missing fields, PDF/A-3 embedding.

The official judges run over every example and the case matrix in test_einvoice_judges.py.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import facturx
import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import einvoice_documents as samples
from facturo.checks.einvoice import missing_fields
from facturo.errors import FacturoError
from facturo.output import facturx as einvoice
from facturo.output.pdf.engine import Renderer
from judges import NS, Schematron

FX = "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}"


@pytest.fixture(scope="module")
def cen(judges: dict[str, Schematron]) -> Schematron:
    return judges["cen"]


def _xml(document: dict[str, Any]) -> etree._Element:
    return etree.fromstring(einvoice.build_xml(document))


def _text(root: etree._Element, path: str) -> str:
    found = root.find(path, NS)
    assert found is not None, path
    return found.text or ""


def _texts(root: etree._Element, path: str) -> list[str]:
    return [element.text or "" for element in root.iterfind(path, NS)]


def _amount(root: etree._Element, name: str) -> Decimal:
    summation = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
    summation += "ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    return Decimal(_text(root, summation + name))


SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
LINES = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"
CASES = sorted(samples.CASES)


@pytest.mark.parametrize("case", CASES)
def test_xml_amounts_equal_the_stored_totals(case: str) -> None:
    document = samples.CASES[case]()
    totals = document["totals"]
    root = _xml(document)
    assert _amount(root, "LineTotalAmount") == totals["lines_net"]
    assert _amount(root, "TaxBasisTotalAmount") == totals["net"]
    assert _amount(root, "TaxTotalAmount") == totals["vat_total"]
    assert _amount(root, "GrandTotalAmount") == totals["gross"]
    # As issued: payments recorded later never change the e-invoice.
    assert _amount(root, "TotalPrepaidAmount") == totals["prepaid"]
    assert _amount(root, "DuePayableAmount") == totals["due"]
    if totals["discount"]:
        assert _amount(root, "AllowanceTotalAmount") == totals["discount"]
    else:
        assert root.find(f"{SETTLEMENT}/*/ram:AllowanceTotalAmount", NS) is None
    breakdown = [
        (
            _text(tax, "ram:CategoryCode"),
            Decimal(_text(tax, "ram:BasisAmount")),
            Decimal(_text(tax, "ram:CalculatedAmount")),
        )
        for tax in root.iterfind(f"{SETTLEMENT}/ram:ApplicableTradeTax", NS)
    ]
    assert breakdown == [(v["category"], v["base"], v["amount"]) for v in totals["vat"]]
    nets = _texts(root, f"{LINES}/*/ram:SpecifiedTradeSettlementLineMonetarySummation/*")
    assert [Decimal(net) for net in nets] == [line["net"] for line in document["lines"]]


def test_standard_invoice_carries_the_business_terms() -> None:
    document = samples.standard_several_rates()
    root = _xml(document)
    context = "rsm:ExchangedDocumentContext"
    assert _text(root, f"{context}/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == (
        "urn:cen.eu:en16931:2017"
    )
    assert _text(
        root, f"{context}/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"
    ) == ("S1")
    assert _text(root, "rsm:ExchangedDocument/ram:ID") == "F-2026-0001"
    assert _text(root, "rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert _text(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == "20260302"
    notes = {
        note.findtext("ram:SubjectCode", "", NS): note.findtext("ram:Content", "", NS)
        for note in root.iterfind("rsm:ExchangedDocument/ram:IncludedNote", NS)
    }
    assert notes[""] == "Merci pour votre confiance."
    assert "40,00" in notes["PMT"] and "D441-5" in notes["PMT"]
    assert "12,15" in notes["PMD"] and "L441-10" in notes["PMD"]
    assert notes["AAB"] == "Pas d'escompte pour paiement anticipé."
    seller = f"{AGREEMENT}/ram:SellerTradeParty"
    assert _text(root, f"{seller}/ram:Name") == "Camille Martin"
    assert _text(root, f"{seller}/ram:Description") == "EI - RCS Paris 732 829 320"
    assert _text(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == (
        "732829320"
    )
    assert _text(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:TradingBusinessName") == (
        "Studio Martin"
    )
    assert _text(root, f"{seller}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == (
        "FR44732829320"
    )
    # A French party's electronic address is its SIREN in the directory (BR-FR-13).
    assert _text(root, f"{seller}/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']") == (
        "732829320"
    )
    assert _text(root, f"{seller}/ram:PostalTradeAddress/ram:CountryID") == "FR"
    buyer = f"{AGREEMENT}/ram:BuyerTradeParty"
    assert _text(root, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == (
        "552100554"
    )
    assert _text(root, f"{buyer}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == (
        "FR96552100554"
    )
    assert _text(root, f"{buyer}/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']") == (
        "552100554"
    )
    assert _text(root, f"{buyer}/ram:PostalTradeAddress/ram:LineTwo") == "Bâtiment B"
    assert _text(root, f"{AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == (
        "PO-2026-118"
    )
    period = f"{SETTLEMENT}/ram:BillingSpecifiedPeriod"
    assert _text(root, f"{period}/ram:StartDateTime/udt:DateTimeString") == "20260201"
    assert _text(root, f"{period}/ram:EndDateTime/udt:DateTimeString") == "20260228"
    means = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert _text(root, f"{means}/ram:TypeCode") == "58"
    assert _text(root, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == (
        "FR7630006000011234567890189"
    )
    assert _text(root, f"{means}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID") == (
        "AGRIFRPPXXX"
    )
    terms = f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms"
    assert _text(root, f"{terms}/ram:Description") == "30 jours"
    assert _text(root, f"{terms}/ram:DueDateDateTime/udt:DateTimeString") == "20260401"
    assert _texts(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:DueDateTypeCode") == ["5"] * 3
    assert _texts(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:RateApplicablePercent") == [
        "20",
        "10",
        "5.5",
    ]
    units = [q.get("unitCode") for q in root.iterfind(f"{LINES}/*/ram:BilledQuantity", NS)]
    assert units == ["DAY", "HUR", "C62", "MON"]


def test_line_discounts_are_line_allowances_and_prices_stay_net() -> None:
    document = samples.standard_several_rates()
    root = _xml(document)
    lines = root.findall(LINES, NS)
    allowance = "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge"
    assert _text(lines[0], f"{allowance}/ram:ActualAmount") == "135.00"
    assert _text(lines[0], f"{allowance}/ram:ReasonCode") == "95"
    assert lines[1].find(allowance, NS) is None
    assert _text(lines[3], f"{allowance}/ram:ActualAmount") == "5.00"
    price = "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"
    assert [_text(line, price) for line in lines] == ["450", "80", "12.49", "29.99"]


def test_document_discount_is_an_allowance_per_rate_matching_the_bases() -> None:
    document = samples.standard_several_rates()
    root = _xml(document)
    allowances = {
        (
            _text(charge, "ram:CategoryTradeTax/ram:CategoryCode"),
            Decimal(_text(charge, "ram:CategoryTradeTax/ram:RateApplicablePercent")),
        ): Decimal(_text(charge, "ram:ActualAmount"))
        for charge in root.iterfind(f"{SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge", NS)
    }
    for entry in document["totals"]["vat"]:
        nets = sum(line["net"] for line in document["lines"] if line["vat_rate"] == entry["rate"])
        assert allowances[("S", entry["rate"])] == nets - entry["base"]
    assert sum(allowances.values()) == document["totals"]["discount"]


def test_franchise_seller_without_vat_number_declares_its_siren_as_tax_registration() -> None:
    root = _xml(samples.franchise())
    registrations = root.findall(
        f"{AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", NS
    )
    assert [(r.get("schemeID"), r.text) for r in registrations] == [("FC", "443061841")]
    tax = f"{SETTLEMENT}/ram:ApplicableTradeTax"
    assert _text(root, f"{tax}/ram:CategoryCode") == "E"
    assert _text(root, f"{tax}/ram:ExemptionReasonCode") == "VATEX-FR-FRANCHISE"
    assert _text(root, f"{tax}/ram:ExemptionReason") == "TVA non applicable, art. 293 B du CGI"
    assert _text(root, f"{tax}/ram:RateApplicablePercent") == "0"


def test_franchise_seller_needs_a_tax_identifier_br_e_02(cen: Schematron) -> None:
    root = _xml(samples.franchise())
    seller = root.find(f"{AGREEMENT}/ram:SellerTradeParty", NS)
    assert seller is not None
    for registration in seller.findall("ram:SpecifiedTaxRegistration", NS):
        seller.remove(registration)
    rules = {failure.rule for failure in cen(etree.tostring(root))}
    assert "BR-E-02" in rules  # the trap: SIREN as legal id (BT-30) alone is not enough
    document = samples.franchise()
    document["seller"] = {**document["seller"], "siren": None}
    assert ("seller.siren", _message_about("BR-E-02", document)) in missing_fields(document)


def _message_about(rule: str, document: dict[str, Any]) -> str:
    return next(message for _, message in missing_fields(document) if rule in message)


@pytest.mark.parametrize(
    ("case", "category", "code"),
    [
        ("reverse_charge", "AE", "VATEX-EU-AE"),
        ("intra_eu_goods", "K", "VATEX-EU-IC"),
        ("export", "G", "VATEX-EU-G"),
        ("outside_scope", "O", "VATEX-EU-O"),
    ],
)
def test_exempt_breakdowns_carry_the_reason_and_code(case: str, category: str, code: str) -> None:
    document = samples.CASES[case]()
    root = _xml(document)
    tax = f"{SETTLEMENT}/ram:ApplicableTradeTax"
    assert _text(root, f"{tax}/ram:CategoryCode") == category
    assert _text(root, f"{tax}/ram:ExemptionReasonCode") == code
    assert document["vat_exemption"]["reason"] in _text(root, f"{tax}/ram:ExemptionReason")
    assert _texts(root, f"{LINES}/*/ram:ApplicableTradeTax/ram:CategoryCode") == [category]


def test_outside_scope_invoice_has_no_vat_identifier_nor_rate() -> None:
    root = _xml(samples.outside_scope())
    assert root.find(".//ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", NS) is None
    assert root.find(".//ram:RateApplicablePercent", NS) is None


def test_intra_eu_supply_names_the_delivery_country_and_date() -> None:
    root = _xml(samples.intra_eu_goods())
    delivery = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeDelivery"
    assert _text(root, f"{delivery}/ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID") == (
        "BE"
    )
    assert _text(root, f"{delivery}//udt:DateTimeString") == "20260225"
    process = "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter"
    assert _text(root, f"{process}/ram:ID") == "B1"


def test_credit_note_references_the_credited_invoice() -> None:
    root = _xml(samples.credit_note())
    assert _text(root, "rsm:ExchangedDocument/ram:TypeCode") == "381"
    reference = f"{SETTLEMENT}/ram:InvoiceReferencedDocument"
    assert _text(root, f"{reference}/ram:IssuerAssignedID") == "F-2026-0001"
    assert _text(root, f"{reference}/ram:FormattedIssueDateTime/qdt:DateTimeString") == "20260302"


def test_deposit_is_a_prepayment_invoice() -> None:
    assert _text(_xml(samples.deposit()), "rsm:ExchangedDocument/ram:TypeCode") == "386"


def test_yen_amounts_have_no_decimals() -> None:
    root = _xml(samples.yen())
    amounts = [
        element.text or ""
        for element in root.iterfind(
            f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/*", NS
        )
        if element.get("currencyID") != "EUR"  # BT-111, the VAT in euros, has cents
    ]
    assert amounts and all("." not in amount for amount in amounts)
    assert _text(root, f"{SETTLEMENT}/ram:InvoiceCurrencyCode") == "JPY"


def test_prepaid_amount_is_what_was_deducted_at_issue_not_later_payments() -> None:
    document = samples.partly_paid()
    assert document["tracking"]["payments"]  # a payment recorded after issue
    root = _xml(document)
    assert _amount(root, "TotalPrepaidAmount") == Decimal("400.00")
    assert _amount(root, "DuePayableAmount") == Decimal("1040.00")
    unpaid = {**document, "tracking": {}}
    assert einvoice.build_xml(unpaid) == einvoice.build_xml(document)


def test_individual_client_gets_no_recovery_indemnity_note() -> None:
    root = _xml(samples.individual_client())
    subjects = _texts(root, "rsm:ExchangedDocument/ram:IncludedNote/ram:SubjectCode")
    assert subjects == ["PMD", "AAB"]


def test_english_invoice_has_english_mentions() -> None:
    root = _xml(samples.reverse_charge())
    contents = _texts(root, "rsm:ExchangedDocument/ram:IncludedNote/ram:Content")
    assert contents[0].startswith("Fixed indemnity for recovery costs")
    assert contents[2] == "No discount for early payment."


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ("day", "DAY"),
        ("jours", "DAY"),
        ("hour", "HUR"),
        ("h", "HUR"),
        ("month", "MON"),
        ("mois", "MON"),
        ("unit", "C62"),
        ("piece", "C62"),
        ("Pièces", "C62"),
        ("kg", "KGM"),
        ("forfait", "LS"),
        ("HUR", "HUR"),
        ("something else", "C62"),
        (None, "C62"),
    ],
)
def test_free_text_units_map_to_un_ece_codes(unit: str | None, code: str) -> None:
    assert einvoice.to_unit_code(unit) == code


def test_negative_line_becomes_a_negative_quantity_at_a_positive_price(
    cen: Schematron,
) -> None:
    document = samples.issue(
        "F-2026-0012",
        [
            {"description": "Prestation", "quantity": "2", "unit_price": "100.00"},
            {"description": "Geste commercial", "quantity": "1", "unit_price": "-20.00"},
        ],
    )
    xml = einvoice.build_xml(document)
    root = etree.fromstring(xml)
    assert _texts(root, f"{LINES}/*/ram:BilledQuantity") == ["2", "-1"]
    assert not [f for f in cen(xml) if f.fatal]


def test_missing_fields_names_the_path_and_business_term() -> None:
    document = samples.standard_several_rates()
    document["client"] = {"name": "Sans Adresse", "kind": "business"}
    document["seller"] = {**document["seller"], "address": {"street": "1 rue", "city": "Paris"}}
    missing = dict(missing_fields(document))
    assert "BT-55" in missing["client.address.country"]
    assert "BG-8" in missing["client.address"]
    assert "BT-40" in missing["seller.address.country"]
    document["lines"][1] = {**document["lines"][1], "net": None}
    assert "BT-131" in dict(missing_fields(document))["lines.1.net"]


def test_transfer_without_iban_states_no_payment_means() -> None:
    document = samples.standard_several_rates()
    document["seller"] = {**document["seller"], "iban": None, "bic": None}
    document["payment"] = {**document["payment"], "iban": None, "bic": None}
    assert _xml(document).find(f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans", NS) is None


@pytest.mark.parametrize(
    ("case", "change", "path", "term"),
    [
        ("reverse_charge", {"client": {"vat_number": None}}, "client.vat_number", "BT-48"),
        ("credit_note", {"credit_note_of": None}, "credit_note_of.number", "BT-25"),
        ("standard_several_rates", {"seller": {"vat_number": None}}, "seller.vat_number", "BT-31"),
        ("export", {"seller": {"vat_number": None}}, "seller.vat_number", "BR-G-02"),
        ("intra_eu_goods", {"service_date": None}, "service_date", "BR-IC-11"),
        ("franchise", {"vat_exemption": None}, "vat_exemption", "BR-E-10"),
        ("export", {"vat_exemption": None}, "vat_exemption", "BR-G-10"),
    ],
)
def test_missing_fields_per_vat_case(
    case: str, change: dict[str, Any], path: str, term: str
) -> None:
    document = samples.CASES[case]()
    for key, value in change.items():
        if isinstance(value, dict):
            document[key] = {**(document.get(key) or {}), **value}
        else:
            document[key] = value
    missing = dict(missing_fields(document))
    assert term in missing[path]
    with pytest.raises(FacturoError, match=path):
        einvoice.build_xml(document)


@pytest.mark.parametrize("case", CASES)
def test_sample_documents_have_no_missing_fields(case: str) -> None:
    assert missing_fields(samples.CASES[case]()) == []


def test_inconsistent_stored_totals_are_reported() -> None:
    document = samples.standard_several_rates()
    document["totals"] = {**document["totals"], "discount": Decimal("1.00")}
    assert [path for path, _ in missing_fields(document)] == ["totals.discount"]


def test_quotes_have_no_e_invoice() -> None:
    quote = {**samples.standard_several_rates(), "kind": "quote", "number": "D-2026-0001"}
    del quote["type_code"]
    assert missing_fields(quote) == []
    with pytest.raises(FacturoError, match="not a tax document"):
        einvoice.build_xml(quote)


def test_build_xml_is_deterministic_utf8() -> None:
    first = einvoice.build_xml(samples.standard_several_rates())
    assert first == einvoice.build_xml(samples.standard_several_rates())
    assert first.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert "Développement".encode() in first


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.tuples(
            st.decimals(min_value=1, max_value=40, places=2),
            st.decimals(min_value=0, max_value=5000, places=2),
            st.sampled_from(["20", "10", "5.5", "2.1", "0"]),
            st.sampled_from([None, "10%", "3.5%", "1.00"]),
        ),
        min_size=1,
        max_size=6,
    ),
    discount=st.sampled_from([None, "5%", "12.5%", "10.00", "0.03"]),
)
def test_any_discount_split_passes_the_en16931_schematron(
    lines: list[tuple[Decimal, Decimal, str, str | None]],
    discount: str | None,
    cen: Schematron,
) -> None:
    written = [
        {
            "description": f"Ligne {index}",
            "quantity": str(quantity),
            "unit_price": str(price),
            "vat_rate": rate,
            **({"discount": line_discount} if line_discount else {}),
        }
        for index, (quantity, price, rate, line_discount) in enumerate(lines)
    ]
    document = samples.issue("F-2026-0100", written, discount=discount)
    if any(line["net"] < 0 for line in document["lines"]) or document["totals"]["net"] < 0:
        return
    xml = einvoice.build_xml(document)
    failures = [f for f in cen(xml) if f.fatal]
    assert not failures, "\n".join(map(str, failures))
    root = etree.fromstring(xml)
    assert _amount(root, "TaxBasisTotalAmount") == document["totals"]["net"]
    assert _amount(root, "GrandTotalAmount") == document["totals"]["gross"]


def _render(document: dict[str, Any]) -> bytes:
    """The PDF users get: the real Renderer with the Factur-X attachment and XMP."""
    attachments, xmp = einvoice.facturx_pdf_options(document)
    return Renderer().render_pdf(document, attachments=attachments, xmp_metadata=[xmp])


@pytest.fixture(scope="module")
def facturx_pdf() -> bytes:
    return _render(samples.standard_several_rates())


def test_rendered_pdf_is_read_back_as_factur_x_en16931(facturx_pdf: bytes) -> None:
    filename, xml = facturx.get_facturx_xml_from_pdf(facturx_pdf, check_xsd=True)
    assert filename == einvoice.XML_FILENAME
    assert xml == einvoice.build_xml(samples.standard_several_rates())
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"


def test_rendered_pdf_lists_the_xml_once_in_the_catalog_af(facturx_pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(facturx_pdf)) as pdf:
        associated = list(pdf.Root.AF)
        assert len(associated) == 1
        filespec = associated[0]
        assert str(filespec.F) == str(filespec.UF) == einvoice.XML_FILENAME
        assert filespec.AFRelationship == pikepdf.Name.Data
        assert filespec.EF.F.Subtype == pikepdf.Name("/text/xml")
        assert str(filespec.EF.F.Params.ModDate) == "D:20260302000000Z"
        names = list(pdf.Root.Names.EmbeddedFiles.Names)
        assert len(names) == 2 and str(names[0]) == einvoice.XML_FILENAME


def test_rendered_pdf_xmp_declares_pdfa3b_and_the_factur_x_extension(facturx_pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(facturx_pdf)) as pdf:
        packet = pdf.Root.Metadata.read_bytes()
        assert packet.count(b"<rdf:RDF") == 1
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            assert xmp["pdfaid:part"] == "3"
            assert xmp["pdfaid:conformance"] == "B"
            assert xmp[f"{FX}DocumentType"] == "INVOICE"
            assert xmp[f"{FX}DocumentFileName"] == "factur-x.xml"
            assert xmp[f"{FX}Version"] == "1.0"
            assert xmp[f"{FX}ConformanceLevel"] == "EN 16931"
    assert b"<pdfaSchema:prefix>fx</pdfaSchema:prefix>" in packet


def test_rendering_twice_gives_identical_bytes(facturx_pdf: bytes) -> None:
    assert _render(samples.standard_several_rates()) == facturx_pdf


def test_the_xml_is_listed_once_in_af_whatever_weasyprint_does() -> None:
    # WeasyPrint 70.0 lists attachments twice (Kozea/WeasyPrint#2917); the renderer fixes it.
    with pikepdf.open(io.BytesIO(_render(samples.deposit()))) as pdf:
        assert len(pdf.Root.AF) == 1


def test_xmp_block_is_well_formed() -> None:
    block = einvoice.facturx_xmp(samples.credit_note())
    root = etree.fromstring(block)
    assert root.tag == "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
    assert root.findtext(f".//{FX}ConformanceLevel") == "EN 16931"


def test_pdf_options_attach_the_xml_as_data() -> None:
    document = samples.credit_note()
    attachments, xmp = einvoice.facturx_pdf_options(document)
    assert [(a.name, a.mime_type, a.relationship) for a in attachments] == [
        ("factur-x.xml", "text/xml", "Data")
    ]
    assert attachments[0].data == einvoice.build_xml(document)
    assert xmp == einvoice.facturx_xmp(document)


def test_renderer_output_is_read_back_as_factur_x_en16931() -> None:
    document = samples.credit_note()
    attachments, xmp = einvoice.facturx_pdf_options(document)
    pdf = Renderer().render_pdf(document, attachments=attachments, xmp_metadata=[xmp])
    filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert filename == einvoice.XML_FILENAME
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
