"""Documents in another currency than EUR: the VAT in euros (art. 230), the rate and its date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import render_documents as documents
from facturo.model.exchange import document_vat_in_euros
from facturo.output.pdf.engine import Renderer
from pdf_text import assert_all_in, page_texts, text_of

RATE = {"rate": Decimal("0.9234"), "date": dt.date(2026, 2, 27), "source": "ECB"}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def usd_invoice(language: str = "fr", **changes: Any) -> dict[str, Any]:
    document = documents.standard_invoice(currency="USD", language=language, exchange_rate=RATE)
    euros = document_vat_in_euros(document)
    assert euros is not None
    document["totals"]["vat_total_eur"] = euros.total
    document.update(changes)
    return document


def test_the_vat_rows_in_euros_add_up_to_the_stored_total() -> None:
    document = usd_invoice()
    # 243.00, 24.00 and 5.61 USD of VAT at 0.9234 EUR per USD
    euros = document_vat_in_euros(document)
    assert euros is not None
    assert [amount for _, amount in euros.groups] == [
        Decimal("224.39"),
        Decimal("22.16"),
        Decimal("5.18"),
    ]
    assert euros.total == Decimal("251.73") == document["totals"]["vat_total_eur"]


def test_a_usd_invoice_prints_its_vat_in_euros_with_the_rate_in_french(
    renderer: Renderer,
) -> None:
    text = text_of(renderer.render_pdf(usd_invoice("fr")))
    assert_all_in(
        text,
        [
            "TVA en €",
            "20 % 1 215,00 $US 243,00 $US 224,39 €",
            "10 % 240,00 $US 24,00 $US 22,16 €",
            "5,5 % 102,00 $US 5,61 $US 5,18 €",
            "Total TVA en euros 251,73 €",
            "Taux de change du 27 février 2026 : 1 USD = 0,9234 EUR (BCE, taux de référence)",
        ],
    )


def test_a_usd_invoice_prints_its_vat_in_euros_with_the_rate_in_english(
    renderer: Renderer,
) -> None:
    text = text_of(renderer.render_pdf(usd_invoice("en")))
    assert_all_in(
        text,
        [
            "Total VAT in euros €251.73",
            "Exchange rate of 27 February 2026: 1 USD = 0.9234 EUR (ECB reference rate)",
        ],
    )


def test_the_vat_in_euros_keeps_the_invoice_on_one_page(renderer: Renderer) -> None:
    pdf = renderer.render_pdf(usd_invoice("fr"))
    assert len(page_texts(pdf)) == len(
        page_texts(renderer.render_pdf(documents.standard_invoice()))
    )


def test_a_stated_rate_prints_its_source_as_written(renderer: Renderer) -> None:
    rate = {"rate": Decimal("0.95"), "date": dt.date(2026, 2, 28), "source": "Banque Populaire"}
    text = text_of(renderer.render_pdf(usd_invoice("fr", exchange_rate=rate)))
    assert "1 USD = 0,95 EUR (Banque Populaire)" in text


def test_no_vat_in_euros_on_eur_invoices_nor_on_exports_without_vat(renderer: Renderer) -> None:
    eur = text_of(renderer.render_pdf(documents.standard_invoice()))
    assert "en euros" not in eur and "TVA en €" not in eur
    export = documents.export_invoice(exchange_rate=RATE)
    assert "en euros" not in text_of(renderer.render_pdf(export))
    assert "Taux de change" not in text_of(renderer.render_pdf(export))
