"""The formal notice letter (mise en demeure), checked as a reader would: text, pages, layout."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

import render_documents as documents
from facturo.output.mail.compose import compose
from facturo.output.pdf.engine import Renderer, RenderError
from facturo.output.pdf.letter import build_reminder_letter_context, reminder_letter
from pdf_text import assert_all_in, plain, text_of

MM = 72 / 25.4


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


LETTER = {
    "fr": [
        "Lettre de mise en demeure",
        "Notre référence : F-2026-0001-MED",
        "Studio Martin",
        "Camille Martin",
        "12 rue des Lilas",
        "75011 Paris",
        "SIREN 812 345 678",
        "Atelier Dupont SARL",
        "4 avenue Jean Jaurès",
        "69007 Lyon",
        "Paris, le 22 novembre 2026",
        "Objet : Mise en demeure de payer la facture n° F-2026-0001 du 2 mars 2026",
        "Madame, Monsieur,",
        "échue le 1er avril 2026",
        "235 jours",
        "L441-10",
        "12,15 %",
        "D441-5",
        "Détail des sommes dues",
        "Facture n° F-2026-0001",
        "Date de la facture 2 mars 2026",
        "Échéance 1er avril 2026",
        "Montant de la facture 1 829,61 €",
        "Déjà réglé -595,05 €",
        "Solde restant dû 1 234,56 €",
        "Pénalités de retard au 22 novembre 2026",
        "96,57 €",
        "Indemnité forfaitaire de recouvrement",
        "40,00 €",
        "Total réclamé 1 371,13 €",
        "au plus tard le 30 novembre 2026",
        "huit jours",
        "injonction de payer",
        "À régler au plus tard le 30 novembre 2026",
        "Référence à indiquer F-2026-0001",
        "FR76 3000 6000 0112 3456 7890 189",
        "BNPAFRPPXXX",
        "Titulaire du compte : Camille Martin",
        "virement bancaire, chèque",
        "salutations distinguées",
    ],
    "en": [
        "Formal notice",
        "Our reference: F-2026-0001-MED",
        "Atelier Dupont SARL",
        "Paris, 22 November 2026",
        "Subject: Formal notice to pay invoice F-2026-0001 dated 2 March 2026",
        "Dear Sir or Madam,",
        "due on 1 April 2026",
        "235 days",
        "L441-10",
        "12.15%",
        "D441-5",
        "Amounts due",
        "Invoice no. F-2026-0001",
        "Invoice total €1,829.61",
        "Already paid -€595.05",
        "Outstanding balance €1,234.56",
        "Late-payment penalties as at 22 November 2026",
        "€96.57",
        "Fixed indemnity for recovery costs",
        "€40.00",
        "Total claimed €1,371.13",
        "no later than 30 November 2026",
        "eight days",
        "order for payment",
        "FR76 3000 6000 0112 3456 7890 189",
        "BNPAFRPPXXX",
        "Yours faithfully,",
    ],
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_letter_states_the_claim_and_how_to_pay_on_one_page(
    renderer: Renderer, language: str
) -> None:
    pdf = renderer.render_pdf(documents.reminder_letter(language))
    assert pages_of(pdf) == 1
    assert_all_in(text_of(pdf), LETTER[language])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_individual_owes_no_recovery_indemnity(renderer: Renderer, language: str) -> None:
    context = documents.individual_reminder_context(3, language)
    pdf = renderer.render_pdf(reminder_letter(context, paid=Decimal("595.05")))
    text = text_of(pdf)
    assert pages_of(pdf) == 1
    assert_all_in(text, ["Julie Leroy", "3 place Bellecour"])
    assert_all_in(text, ["1 331,13 €" if language == "fr" else "€1,331.13"])
    for unexpected in ("40,00 €", "€40.00", "D441-5", "L441-10", "indemnit"):
        assert unexpected.casefold() not in text.casefold()


def test_the_letter_claims_what_the_formal_email_claims(renderer: Renderer) -> None:
    context = documents.reminder_context(3)
    email = compose("reminder-formal", context)
    pdf = renderer.render_pdf(reminder_letter(context, paid=Decimal("595.05")))
    for shared in ("1 371,13 €", "30 novembre 2026", "96,57 €"):
        assert shared in plain(email.text)
        assert shared in text_of(pdf)


def test_reminder_letter_builds_the_document_from_the_reminder_context() -> None:
    context = documents.reminder_context(3)
    document = reminder_letter(context, paid=Decimal("595.05"))
    assert document == documents.reminder_letter()
    assert context["kind"] == "reminder"


def test_two_renders_give_identical_bytes(renderer: Renderer) -> None:
    first = renderer.render_pdf(documents.reminder_letter())
    assert renderer.render_pdf(documents.reminder_letter()) == first
    assert Renderer().render_pdf(documents.reminder_letter()) == first


def test_the_letter_is_pdfa_with_its_title_and_no_attachment(renderer: Renderer) -> None:
    pdf = renderer.render_pdf(documents.reminder_letter())
    with pikepdf.open(io.BytesIO(pdf)) as document:
        meta = document.open_metadata()
        assert meta["pdfaid:part"] == "3"
        assert meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == "Lettre de mise en demeure F-2026-0001-MED"
        assert str(document.docinfo["/Title"]) == "Lettre de mise en demeure F-2026-0001-MED"
        assert "/AF" not in document.Root
        assert len(document.attachments) == 0


def _position_mm(pdf: bytes, needle: str) -> tuple[float, float]:
    """Left and top of the first text run containing `needle`, in mm from the page's top left."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    height = float(page.mediabox.height)
    found: list[tuple[float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if needle in text and not found:
            x = cm[4] + tm[4] * cm[0]
            y = cm[5] + tm[5] * cm[3]
            found.append((x / MM, (height - y) / MM))

    page.extract_text(visitor_text=visit)
    assert found, needle
    return found[0]


def test_the_address_shows_through_a_window_envelope(renderer: Renderer) -> None:
    # A DL window (100 x 45 mm, 20 mm from the right) over an A4 sheet folded in three shows
    # the area from about 100 mm to 200 mm across and 40 mm to 90 mm down.
    pdf = renderer.render_pdf(documents.reminder_letter())
    for line in ("Atelier Dupont SARL", "4 avenue Jean Jaurès", "69007 Lyon"):
        left, top = _position_mm(pdf, line)
        assert 100 <= left <= 120, (line, left)
        assert 40 <= top <= 90, (line, top)


def test_a_logo_and_a_long_address_still_fit_on_one_page(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120">'
        '<rect width="400" height="120" fill="#1f4e79"/></svg>',
        encoding="utf-8",
    )
    renderer = Renderer(tmp_path, logo="assets/logo.svg")
    for language in ("fr", "en"):
        document = documents.reminder_letter(language)
        document["client"] = document["client"] | {
            "name": "Société Coopérative de Production des Ateliers Réunis du Rhône",
            "address": {
                "street": "Bâtiment B, 118 boulevard des États-Unis",
                "street2": "Service comptabilité fournisseurs",
                "postcode": "1204",
                "city": "Genève",
                "country": "CH",
            },
        }
        pdf = renderer.render_pdf(document)
        assert pages_of(pdf) == 1, language
        assert_all_in(text_of(pdf), ["Suisse" if language == "fr" else "Switzerland"])
        left, top = _position_mm(pdf, "Service comptabilité")
        assert 100 <= left <= 120 and 40 <= top <= 90


def test_a_partly_credited_invoice_shows_the_credit_notes(renderer: Renderer) -> None:
    # 1 829,61 invoiced, 595,05 paid, 1 234,56 still due: 162,00 of credit notes would leave 1 072,56.
    document = documents.reminder_letter(balance=Decimal("1072.56"))
    text = text_of(renderer.render_pdf(document))
    assert_all_in(text, ["Avoirs -162,00 €", "Solde restant dû 1 072,56 €"])


def test_without_penalty_terms_the_letter_claims_the_balance(renderer: Renderer) -> None:
    document = documents.reminder_letter(penalties=None)
    context = build_reminder_letter_context(document)
    assert plain(context["letter"]["claim"][-1]["amount"]) == "1 234,56 €"
    text = text_of(renderer.render_pdf(document))
    assert "Pénalités" not in text and "L441-10" not in text
    assert_all_in(text, ["Total réclamé 1 234,56 €"])


def test_the_letter_can_be_overridden_in_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "reminder_letter.html").write_text(
        '{% extends "base.html" %}{% block lines %}<p>Notre lettre : {{ letter.total }}</p>'
        "{% endblock %}",
        encoding="utf-8",
    )
    pdf = Renderer(tmp_path).render_pdf(documents.reminder_letter())
    assert "Notre lettre : 1 371,13 €" in text_of(pdf)


def test_a_letter_without_its_date_is_refused(renderer: Renderer) -> None:
    document = documents.reminder_letter(issue_date=None, today=None)
    with pytest.raises(RenderError, match="F-2026-0001-MED: cannot render"):
        renderer.render_pdf(document)


def test_names_in_the_letter_are_escaped(renderer: Renderer) -> None:
    document = documents.reminder_letter()
    document["client"] = document["client"] | {"name": "<b>Dupont</b> & {{ 7*7 }}"}
    document["seller"] = document["seller"] | {"city": "x"}
    html = renderer.render_html(document)
    assert "&lt;b&gt;Dupont&lt;/b&gt; &amp; {{ 7*7 }}" in html
    assert "<b>Dupont</b>" not in html
