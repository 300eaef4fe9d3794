"""Invoices under VAT franchise: no column speaks of VAT, in every language."""

from __future__ import annotations

import pytest

import render_documents as documents
from facturo.files.languages import LANGUAGES
from facturo.output import words
from facturo.output.pdf.engine import Renderer
from pdf_text import text_of


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("language", LANGUAGES)
def test_franchise_columns_say_unit_price_and_total_without_vat(
    renderer: Renderer, language: str
) -> None:
    labels = words.labels_for(language)
    text = text_of(renderer.render_pdf(documents.franchise_invoice(language=language)))
    folded = text.casefold()
    heading = f"{labels['unit_price_no_vat']} {labels['line_total_no_vat']}".casefold()
    assert heading in folded, text
    assert labels["unit_price"].casefold() not in folded
    assert labels["line_total"].casefold() not in folded
    # A standard invoice keeps prices excluding VAT.
    standard = text_of(renderer.render_pdf(documents.standard_invoice(language=language)))
    assert labels["unit_price"].casefold() in standard.casefold()


def test_a_french_franchise_invoice_never_says_ht(renderer: Renderer) -> None:
    text = text_of(renderer.render_pdf(documents.franchise_invoice()))
    assert "PRIX UNITAIRE TOTAL" in text
    assert " HT" not in text and "TTC" not in text
