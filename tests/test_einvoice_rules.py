"""The e-invoice rules platforms enforce beyond the XSD, one test per rule that once failed:
one payment means (CII-SR-467), payment mentions on credit notes (BR-FR-05), electronic
addresses (BR-FR-12, BR-FR-13), the VAT in euros (BR-FR-CO-12, BR-53), final invoices after
deposits (BT-23 S4, BG-3), SEPA only in euros, no empty delivery, control characters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import einvoice_documents as samples
import einvoice_matrix as matrix
from conftest import write
from facturo.checks.einvoice import missing_fields, rejections_foreseen
from facturo.files.yamlio import load_mapping
from facturo.model.document import Party
from facturo.model.kinds import billing_framework
from facturo.output.facturx import build_xml
from judges import NS, Schematron

SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
DELIVERY = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeDelivery"
MEANS = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"


def _xml(document: dict[str, Any]) -> etree._Element:
    return etree.fromstring(build_xml(document))


def _endpoint(root: etree._Element, party: str) -> tuple[str | None, str | None] | None:
    found = root.find(f"{AGREEMENT}/ram:{party}/ram:URIUniversalCommunication/ram:URIID", NS)
    return None if found is None else (found.get("schemeID"), found.text)


def _notes(root: etree._Element) -> dict[str, str]:
    return {
        note.findtext("ram:SubjectCode", "", NS): note.findtext("ram:Content", "", NS)
        for note in root.iterfind("rsm:ExchangedDocument/ram:IncludedNote", NS)
    }


def test_several_methods_give_one_payment_means_and_name_the_others() -> None:
    root = _xml(matrix.transfer_cheque_card())
    means = root.findall(MEANS, NS)
    assert [m.findtext("ram:TypeCode", "", NS) for m in means] == ["58"]  # CII-SR-467
    information = means[0].findtext("ram:Information", "", NS)
    assert "virement bancaire" in information
    assert "chèque" in information and "carte bancaire" in information
    assert means[0].findtext("ram:PayeePartyCreditorFinancialAccount/ram:IBANID", "", NS)


def test_without_an_iban_the_first_method_stated_in_full_is_the_means() -> None:
    root = _xml(matrix.no_iban())
    means = root.findall(MEANS, NS)
    assert [m.findtext("ram:TypeCode", "", NS) for m in means] == ["20"]  # cheque
    assert root.find(f"{MEANS}/ram:PayeePartyCreditorFinancialAccount", NS) is None


@pytest.mark.parametrize(("currency", "code"), [("EUR", "58"), ("USD", "30"), ("CHF", "30")])
def test_sepa_credit_transfer_only_in_euros(currency: str, code: str) -> None:
    document = samples.issue(
        "F-2026-0200",
        [{"description": "Conseil", "unit_price": "100.00"}],
        currency=currency,
        exchange_rate={"rate": Decimal("0.9"), "date": date(2026, 3, 1)},
    )
    assert _xml(document).findtext(f"{MEANS}/ram:TypeCode", "", NS) == code


@pytest.mark.parametrize("make", [matrix.credit_note_full, matrix.credit_note_amount])
def test_credit_notes_state_the_payment_mentions_of_the_credited_invoice(make: Any) -> None:
    notes = _notes(_xml(make()))
    assert "40,00" in notes["PMT"] and "12,15" in notes["PMD"]  # BR-FR-05
    assert "AAB" in notes


def test_french_parties_are_addressed_by_siren_others_by_their_address_or_email() -> None:
    root = _xml(samples.standard_several_rates())
    assert _endpoint(root, "SellerTradeParty") == ("0225", "732829320")
    assert _endpoint(root, "BuyerTradeParty") == ("0225", "552100554")
    assert _endpoint(_xml(samples.reverse_charge()), "BuyerTradeParty") == (
        "EM",
        "rechnung@mueller.example",
    )
    assert _endpoint(_xml(samples.intra_eu_goods()), "BuyerTradeParty") == ("0208", "0123456749")
    assert _endpoint(_xml(samples.individual_client()), "BuyerTradeParty") is None


@pytest.mark.parametrize(
    ("written", "endpoint"),
    [
        ("552100554_55210055400013", ("0225", "552100554_55210055400013")),
        ("552100554_FACTURES", ("0225", "552100554_FACTURES")),
        ("factures@dupont.example", ("EM", "factures@dupont.example")),
        ("0088:5412345000013", ("0088", "5412345000013")),
    ],
)
def test_an_electronic_address_written_wins(written: str, endpoint: tuple[str, str]) -> None:
    client = {**samples.BUSINESS_CLIENT, "electronic_address": written}
    assert Party.of(client).endpoint == endpoint
    root = _xml(
        samples.issue("F-2026-0201", [{"description": "X", "unit_price": "1"}], client=client)
    )
    assert _endpoint(root, "BuyerTradeParty") == endpoint


def test_a_business_without_any_address_is_foreseen_as_rejected() -> None:
    client = {key: v for key, v in samples.GERMAN_CLIENT.items() if key != "email"}
    document = samples.issue(
        "F-2026-0202", [{"description": "X", "unit_price": "1"}], client=client
    )
    assert [path for path, _ in rejections_foreseen(document)] == ["client.electronic_address"]
    assert rejections_foreseen(samples.individual_client()) == []  # B2C: e-reported


def test_non_euro_invoices_state_the_vat_in_euros() -> None:
    document = matrix.usd_with_vat()
    root = _xml(document)
    assert root.findtext(f"{SETTLEMENT}/ram:TaxCurrencyCode", "", NS) == "EUR"
    totals = {
        t.get("currencyID"): Decimal(t.text or "")
        for t in root.iterfind(f"{SETTLEMENT}/*/ram:TaxTotalAmount", NS)
    }
    assert totals == {"USD": Decimal("720.00"), "EUR": Decimal("664.85")}  # 720 x 0.9234
    yen = _xml(matrix.jpy())
    in_euros = yen.find(f"{SETTLEMENT}/*/ram:TaxTotalAmount[@currencyID='EUR']", NS)
    assert in_euros is not None and in_euros.text == "412.58"  # 67382 JPY x 0.006123


def test_a_missing_exchange_rate_is_a_missing_field_but_old_documents_keep_their_xml() -> None:
    document = matrix.usd_with_vat()
    del document["exchange_rate"]
    assert [path for path, _ in missing_fields(document)] == ["exchange_rate"]
    root = _xml(document)  # sealed before rates were recorded: still an XML, without BT-111
    assert root.find(f"{SETTLEMENT}/ram:TaxCurrencyCode", NS) is None
    assert missing_fields(matrix.usd_with_vat()) == []
    assert missing_fields(samples.standard_several_rates()) == []


def test_final_invoice_after_deposits_is_s4_and_names_each_deposit() -> None:
    root = _xml(matrix.final_after_two_deposits())
    process = "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter"
    assert root.findtext(f"{process}/ram:ID", "", NS) == "S4"
    references = [
        (
            reference.findtext("ram:IssuerAssignedID", "", NS),
            reference.findtext("ram:FormattedIssueDateTime/qdt:DateTimeString", "", NS),
        )
        for reference in root.iterfind(f"{SETTLEMENT}/ram:InvoiceReferencedDocument", NS)
    ]
    assert references == [("F-2026-0113", "20260302"), ("F-2026-0120", "20260320")]
    deposit = _xml(matrix.deposit())
    assert deposit.findtext(f"{process}/ram:ID", "", NS) == "S1"


@pytest.mark.parametrize(
    ("operation", "final", "code"),
    [("goods", False, "B1"), ("goods", True, "B4"), ("mixed", True, "M4"), ("services", 0, "S1")],
)
def test_billing_framework(operation: str, final: bool, code: str) -> None:
    assert billing_framework(operation, deducts_deposits=final) == code


@pytest.mark.parametrize("make", [matrix.deposit, matrix.credit_note_line])
def test_deposits_and_credit_notes_have_no_empty_delivery(
    make: Any, judges: dict[str, Schematron]
) -> None:
    xml = build_xml(make())
    delivery = etree.fromstring(xml).find(DELIVERY, NS)
    assert delivery is not None and len(delivery) > 0
    assert [f.rule for f in judges["facturx"](xml) if "R008" in f.text] == []


def test_control_characters_of_old_documents_never_break_the_xml() -> None:
    document = samples.issue(
        "F-2026-0203", [{"description": "Bell\x07 and\x1b escape", "unit_price": "10"}]
    )
    root = _xml(document)  # parses: the XML is well-formed
    name = root.findtext(".//ram:SpecifiedTradeProduct/ram:Name", "", NS)
    assert name == "Bell\ufffd and\ufffd escape"


USD_DRAFT = """\
client: acme
currency: USD
exchange_rate: {rate: 0.9234, date: 2026-11-20, source: ECB}
lines:
  - description: Audit
    unit_price: 1000.00
"""
ACME = """\
name: Acme Inc.
address: {street: 1 Main Street, postcode: "10001", city: New York, country: US}
vat: outside-scope
"""


def test_a_non_euro_draft_seals_its_exchange_rate_and_warns_without_address(
    cli: Any, draft: Any, folder: Path
) -> None:
    client = write(folder / "clients" / "acme.yaml", ACME)
    draft("usd", USD_DRAFT)
    result = cli("check")
    assert "clients/acme.yaml:1:1: warning: no electronic address for the client (BT-49)" in (
        result.output
    )
    assert result.output.count("no electronic address") == 1  # the draft's and the file's
    client.write_text(ACME + "email: ap@acme.example\n", "utf-8")
    assert cli("check").exit_code == 0
    issued = cli("issue", "drafts/usd.yaml")
    assert issued.exit_code == 0, issued.output
    path = folder / "invoices" / "2026" / "F-2026-0001.yaml"
    data, _ = load_mapping(path, path.name)
    assert data is not None
    assert data["exchange_rate"] == {
        "rate": Decimal("0.9234"),
        "date": date(2026, 11, 20),
        "source": "ECB",
    }
    root = _xml(dict(data))
    assert root.findtext(f"{SETTLEMENT}/ram:TaxCurrencyCode", "", NS) == "EUR"
    assert _endpoint(root, "BuyerTradeParty") == ("EM", "ap@acme.example")
