"""The VAT treatment of a sale follows the parties: derived in new drafts, checked in drafts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, write
from facturo.model.vat import expected_treatments

GERMAN_BUSINESS = """\
name: Kiez GmbH
address: {street: Torstraße 1, postcode: "10119", city: Berlin, country: DE}
vat_number: DE136695976
"""

US_COMPANY = """\
name: Acme Inc.
address: {street: 1 Congress Ave, postcode: "78701", city: Austin, country: US}
"""

US_PERSON = """\
name: Jane Doe
kind: individual
address: {street: 1 Congress Ave, postcode: "78701", city: Austin, country: US}
"""


def _new_draft(cli: Cli, folder: Path, client_id: str, text: str) -> dict[str, Any]:
    write(folder / "clients" / f"{client_id}.yaml", text)
    result = cli("new", "--client", client_id)
    assert result.exit_code == 0, result.output
    return load_text((folder / result.stdout.strip()).read_text("utf-8"))


@pytest.mark.parametrize(
    ("client_id", "text", "treatment"),
    [("kiez", GERMAN_BUSINESS, "reverse-charge"), ("acme", US_COMPANY, "outside-scope")],
)
def test_a_new_draft_gets_the_treatment_of_the_parties(
    cli: Cli, folder: Path, client_id: str, text: str, treatment: str
) -> None:
    data = _new_draft(cli, folder, client_id, text)
    assert data["vat"] == treatment
    lines = data["lines"]
    assert isinstance(lines, list) and "vat_rate" not in lines[0]


def test_a_new_draft_for_a_french_client_charges_vat(cli: Cli, folder: Path) -> None:
    result = cli("new", "--client", "dupont")
    data = load_text((folder / result.stdout.strip()).read_text("utf-8"))
    assert "vat" not in data
    assert data["lines"][0]["vat_rate"] == 20


def test_expected_treatments_per_goods_services_and_franchise() -> None:
    seller = {"address": {"country": "FR"}}
    german = load_text(GERMAN_BUSINESS)
    us_company = load_text(US_COMPANY)
    us_person = load_text(US_PERSON)
    assert expected_treatments(seller, german, "goods")[0] == "intra-eu-goods"
    assert expected_treatments(seller, us_company, "goods")[0] == "export"
    assert expected_treatments(seller, us_person, "goods")[0] == "export"
    assert expected_treatments(seller, us_person, "services")[0] == "standard"
    assert expected_treatments({**seller, "vat_regime": "franchise"}, german, "services") == (
        "franchise",
    )


def load_text(text: str) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def test_check_refuses_vat_charged_to_an_eu_business_with_a_vat_number(
    cli: Cli, folder: Path
) -> None:
    write(folder / "clients" / "kiez.yaml", GERMAN_BUSINESS)
    write(
        folder / "drafts" / "kiez.yaml",
        "client: kiez\nlines:\n  - description: Audit\n    unit_price: 100\n",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert (
        "drafts/kiez.yaml:1:1: standard VAT does not fit services sold to a business with "
        "a VAT number in DE: use vat: reverse-charge (or outside-scope, exempt)"
    ) in result.stdout
    assert cli("issue", str(folder / "drafts" / "kiez.yaml")).exit_code != 0


def test_check_refuses_an_export_to_a_client_in_france(cli: Cli, folder: Path) -> None:
    write(
        folder / "drafts" / "export.yaml",
        "client: dupont\nvat: export\nlines:\n  - description: Audit\n    unit_price: 100\n",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert "drafts/export.yaml:2:1: vat: export does not fit services sold to a business" in (
        result.stdout
    )


def test_an_invoice_with_the_wrong_treatment_can_still_be_credited(cli: Cli, folder: Path) -> None:
    """Charged VAT while the client's VAT number was unknown: its credit note keeps it."""
    without_number = GERMAN_BUSINESS.replace("vat_number: DE136695976\n", "")
    write(folder / "clients" / "kiez.yaml", without_number)
    draft = write(
        folder / "drafts" / "kiez.yaml",
        "client: kiez\nlines:\n  - description: Audit\n    unit_price: 100\n",
    )
    assert cli("issue", str(draft), "--date", "2026-03-02").exit_code == 0
    write(folder / "clients" / "kiez.yaml", GERMAN_BUSINESS)  # the number, learnt later
    result = cli("credit", "F-2026-0001", "--full", "--reason", "TVA facturée à tort")
    assert result.exit_code == 0, result.output


def test_a_document_that_charges_no_vat_says_why_in_every_language() -> None:
    from facturo.files.languages import LANGUAGES
    from facturo.lifecycle.phrases import EXEMPTION_MENTIONS, exemption_mention
    from facturo.output.words import describe_exemption

    for language in LANGUAGES:
        for treatment in EXEMPTION_MENTIONS:
            assert exemption_mention(treatment, language), (treatment, language)
    # Sealed in the law's French wording, printed with the document language's translation.
    sealed = exemption_mention("reverse-charge", "de")
    assert sealed == exemption_mention("reverse-charge", "fr")
    printed = describe_exemption("VATEX-EU-AE", sealed, "de")
    assert printed.startswith("Steuerschuldnerschaft des Leistungsempfängers (Autoliquidation")
