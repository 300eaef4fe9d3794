"""A final invoice after deposits: the deductions as their own block, the quote, minus signs."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import facturx
import pytest

import render_documents as documents
from conftest import Cli
from facturo.output.facturx import build_xml
from facturo.output.pdf.engine import Renderer
from facturo.store.folder import Folder
from facturo.store.index import Ledger
from pdf_text import text_of

QUOTE = """\
kind: quote
client: dupont
language: {language}
discount: 100.00
lines:
  - description: Refonte du site
    quantity: 5
    unit: day
    unit_price: 500.00
  - description: Repas
    quantity: 10
    unit_price: 15.00
    vat_rate: 10
"""  # 2500.00 at 20 % and 150.00 at 10 %, less 100.00: net 2550.00


def _issue(cli: Cli, path: str, date: str) -> str:
    result = cli("issue", path, "--date", date)
    assert result.exit_code == 0, result.output
    return str(result.stdout.strip())


def _final_invoice(cli: Cli, folder: Path, language: str) -> dict[str, Any]:
    (folder / "drafts" / "q.yaml").write_text(QUOTE.format(language=language), "utf-8")
    assert _issue(cli, "drafts/q.yaml", "2026-10-01") == "D-2026-0001"
    accepted = cli("accept", "D-2026-0001", "--deposit", "30%", "--date", "2026-10-05")
    assert accepted.exit_code == 0, accepted.output
    assert _issue(cli, "drafts/D-2026-0001-deposit.yaml", "2026-10-06") == "F-2026-0001"
    assert _issue(cli, "drafts/D-2026-0001-invoice.yaml", "2026-11-02") == "F-2026-0002"
    return dict(Ledger(Folder(folder)).document("F-2026-0002"))


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


EXPECTED = {
    "fr": [
        "Selon devis D-2026-0001 du 1 octobre 2026",
        "Sous-total HT 2 650,00 €",
        "Remise −100,00 €",
        "Total HT avant acomptes 2 550,00 €",
        "Acomptes déjà facturés (HT)",
        "Facture F-2026-0001 du 06/10/2026 −765,00 €",
        "Total HT 1 785,00 €",
        "Total TTC 2 131,89 €",
        "Net à payer 2 131,89 €",
    ],
    "en": [
        "Per quote D-2026-0001 dated 1 October 2026",
        "Subtotal excl. VAT €2,650.00",
        "Discount −€100.00",
        "Total excl. VAT before deposits €2,550.00",
        "Deposits invoiced (excl. VAT)",
        "Invoice F-2026-0001 of 06/10/2026 −€765.00",
        "Total excl. VAT €1,785.00",
        "Total incl. VAT €2,131.89",
        "Amount due €2,131.89",
    ],
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_deposits_deducted_are_a_block_of_the_totals_not_a_discount(
    cli: Cli, folder: Path, renderer: Renderer, language: str
) -> None:
    final = _final_invoice(cli, folder, language)
    # As sealed: one negative line per VAT rate of the deposit (EN 16931), nets 2550 - 765.
    deductions = [line for line in final["lines"] if "deposit" in line]
    assert len(deductions) == 2 and str(final["totals"]["net"]) == "1785.00"
    text = text_of(renderer.render_pdf(final))
    for expected in EXPECTED[language]:
        assert expected.casefold() in text.casefold(), (expected, text[text.find("Sous") :])
    # The deduction lines are not in the table of lines (their description names the deposit
    # invoice with its long date), and no discount row stands for a deposit.
    assert "6 octobre 2026" not in text and "6 October 2026" not in text
    assert len(re.findall(r"F-2026-0001", text)) == 1
    # The block comes before the total excluding VAT, and the rows add up to it.
    assert text.index("F-2026-0001") < text.index("1 785,00" if language == "fr" else "1,785.00")


def test_the_block_shows_each_deposit_invoice_once_whatever_its_rates(
    cli: Cli, folder: Path, renderer: Renderer
) -> None:
    final = _final_invoice(cli, folder, "fr")
    text = text_of(renderer.render_pdf(final))
    # 30 % of 2500 less its share of the discount at 20 %, and of 150 at 10 %: one row.
    assert text.count("−765,00 €") == 1
    assert "721,70" not in text and "43,30" not in text  # the per-rate deduction lines


def test_a_deposit_invoice_names_its_quote_too(cli: Cli, folder: Path, renderer: Renderer) -> None:
    _final_invoice(cli, folder, "fr")
    deposit = dict(Ledger(Folder(folder)).document("F-2026-0001"))
    text = text_of(renderer.render_pdf(deposit))
    assert "Selon devis D-2026-0001 du 1 octobre 2026" in text
    assert "Acomptes déjà facturés" not in text


@pytest.mark.parametrize("language", ["fr", "en", "de", "es", "it"])
def test_discounts_are_printed_with_a_minus_sign_in_every_language(
    renderer: Renderer, language: str
) -> None:
    document = documents.standard_invoice(language=language)
    document["lines"][0]["discount"] = documents.D("150.00")
    document["lines"][0]["discount_amount"] = documents.D("150.00")
    document["discount"] = "5%"
    document["totals"]["discount"] = documents.D("20.00")
    text = text_of(renderer.render_pdf(document))
    minus_amounts = re.findall(r"−\s?(?:€\s?)?150[.,]00", text)
    assert minus_amounts, text  # the line discount
    assert re.search(r"−\s?(?:€\s?)?20[.,]00", text), text  # the document discount
    assert not re.search(r"(?<![\w−])-\s?(?:€\s?)?(150|20)[.,]00", text)


def test_show_lists_the_deposits_as_their_own_block_not_as_lines(cli: Cli, folder: Path) -> None:
    _final_invoice(cli, folder, "fr")
    shown = cli("show", "F-2026-0002")
    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    assert "Déduction" not in text and "721.70" not in text and "43.30" not in text
    assert "net before deposits 2550.00 EUR" in text
    assert "deposits invoiced (excl. VAT):" in text
    assert "invoice F-2026-0001 of 2026-10-06  -765.00 EUR" in text
    assert text.index("-765.00") < text.index("net 1785.00")
    as_json = json.loads(cli("show", "F-2026-0002", "--json").stdout)
    assert [line["description"] for line in as_json["lines"]] == ["Refonte du site", "Repas"]
    assert as_json["deposits"] == [
        {"number": "F-2026-0001", "issue_date": "2026-10-06", "amount": "-765.00"}
    ]
    # A document without deposits has no such list, and keeps all its lines.
    deposit = json.loads(cli("show", "F-2026-0001", "--json").stdout)
    assert "deposits" not in deposit and len(deposit["lines"]) == 2


def test_a_credit_note_of_a_final_invoice_keeps_its_deposits_block(
    cli: Cli, folder: Path, renderer: Renderer, judges: dict[str, Any]
) -> None:
    _final_invoice(cli, folder, "fr")
    credited = cli("credit", "F-2026-0002", "--reason", "annulation", "--date", "2026-11-10")
    assert credited.exit_code == 0, credited.output
    ledger = Ledger(Folder(folder))
    (note,) = ledger.credit_notes_of("F-2026-0002")
    document = dict(ledger.document(note.number))
    invoice = ledger.document("F-2026-0002")
    named = {"number": "F-2026-0001", "issue_date": dt.date(2026, 10, 6)}
    assert [line.get("deposit") for line in document["lines"]] == [None, None, named, named]
    assert document["totals"] == {**invoice["totals"], "due": document["totals"]["due"]}
    text = text_of(renderer.render_pdf(document)).casefold()
    assert "acomptes déjà facturés (ht)" in text
    assert "facture f-2026-0001 du 06/10/2026 −765,00 €" in text
    assert "721,70" not in text and "déduction" not in text
    xml = build_xml(document)
    assert facturx.xml_check_xsd(xml, "factur-x", "en16931")
    failures = {name: [str(f) for f in run(xml) if f.fatal] for name, run in judges.items()}
    assert failures == {name: [] for name in judges}
    assert cli("check").exit_code == 0  # its sealed totals read back as deductions too
    assert "invoice F-2026-0001 of 2026-10-06  -765.00 EUR" in cli("show", note.number).stdout


def test_a_percentage_discount_credited_leaves_the_deducted_deposit_alone(
    cli: Cli, folder: Path
) -> None:
    quote = QUOTE.format(language="fr").replace("discount: 100.00", 'discount: "10%"')
    (folder / "drafts" / "q.yaml").write_text(quote, "utf-8")
    _issue(cli, "drafts/q.yaml", "2026-10-01")
    cli("accept", "D-2026-0001", "--deposit", "30%", "--date", "2026-10-05")
    _issue(cli, "drafts/D-2026-0001-deposit.yaml", "2026-10-06")
    _issue(cli, "drafts/D-2026-0001-invoice.yaml", "2026-11-02")
    credited = cli("credit", "F-2026-0002", "--reason", "annulation", "--date", "2026-11-10")
    assert credited.exit_code == 0, credited.output
    ledger = Ledger(Folder(folder))
    (note,) = ledger.credit_notes_of("F-2026-0002")
    assert (
        ledger.document(note.number)["totals"]["gross"]
        == (ledger.document("F-2026-0002")["totals"]["gross"])
    )


def test_only_a_credit_note_line_names_a_deposit_its_invoice_deducted(
    cli: Cli, folder: Path
) -> None:
    _final_invoice(cli, folder, "fr")
    (folder / "drafts" / "bad.yaml").write_text(
        "client: dupont\nlines:\n  - description: Travaux\n    unit_price: 100\n"
        "    deposit: F-2026-0001\n",
        "utf-8",
    )
    refused = cli("issue", "drafts/bad.yaml", "--date", "2026-11-20")
    assert refused.exit_code != 0
    assert "bad.yaml:5:" in refused.output and "F-2026-0001" in refused.output
