"""Statements written as their reader reads: the client's language, dates and address."""

from __future__ import annotations

import pytest

import render_documents as documents
from facturo.output.pdf.engine import Renderer
from facturo.output.pdf.parts import describe_client
from pdf_text import text_of

AUSTIN = {"street": "500 Congress Ave", "postcode": "TX 78701", "city": "Austin", "country": "US"}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def test_a_us_statement_has_us_dates_and_a_us_address(renderer: Renderer) -> None:
    document = documents.statement("en")
    document["client"] = {**document["client"], "address": AUSTIN}
    text = text_of(renderer.render_pdf(document))
    assert "Austin, TX 78701" in text and "TX 78701 Austin" not in text
    assert "1/12/26" in text and "12/01/2026" not in text  # M/d/yy, as read in the US
    assert "March 31, 2026" in text


def test_a_french_statement_is_in_french_with_french_dates(renderer: Renderer) -> None:
    text = text_of(renderer.render_pdf(documents.statement("fr")))
    assert "Relevé de compte" in text and "12/01/2026" in text and "31 mars 2026" in text
    assert "Account statement" not in text


@pytest.mark.parametrize(
    ("country", "postcode", "city", "lines"),
    [
        ("US", "TX 78701", "Austin", ["Austin, TX 78701"]),
        ("GB", "SW1A 1AA", "London", ["London", "SW1A 1AA"]),
        ("CA", "ON M5V 2T6", "Toronto", ["Toronto ON M5V 2T6"]),
        ("FR", "69002", "Lyon", ["69002 Lyon"]),
        ("DE", "10119", "Berlin", ["10119 Berlin"]),
    ],
)
def test_the_town_line_follows_the_country(
    country: str, postcode: str, city: str, lines: list[str]
) -> None:
    address = {"street": "1 Main St", "postcode": postcode, "city": city, "country": country}
    client = describe_client({"name": "X", "address": address}, "en", show_country=False)
    assert client["address"] == ["1 Main St", *lines]
