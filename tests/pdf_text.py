"""Reading rendered PDFs as a person would: the text of each page, spaces made plain."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def plain(text: str) -> str:
    """Every kind of space (babel uses no-break ones) as one plain space."""
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text).strip()


def page_texts(pdf: bytes) -> list[str]:
    """Text of each page."""
    reader = PdfReader(io.BytesIO(pdf))
    return [plain(page.extract_text() or "") for page in reader.pages]


def text_of(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def assert_all_in(text: str, expected: list[str]) -> None:
    """Check each expected text, ignoring case: headings are upper-cased by CSS."""
    folded = text.casefold()
    missing = [item for item in expected if plain(item).casefold() not in folded]
    assert not missing, f"missing from the PDF: {missing}"
