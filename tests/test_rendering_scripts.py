"""Text in any script prints: Inter for Latin, Greek and Cyrillic, system fallbacks for the rest.

A character no embedded font has would print as an empty box (.notdef): WeasyPrint says so in
its log, and the text would not read back from the PDF.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import pikepdf
import pytest

import render_documents as documents
from facturo.output.pdf.engine import Renderer
from pdf_text import text_of

SCRIPTS = {
    "Japanese": "請求書：ソフトウェア開発（東京）",
    "Greek": "Συμβουλευτικές υπηρεσίες",
    "Cyrillic": "Консультационные услуги",
    "Korean": "소프트웨어 개발",
    "Chinese": "软件开发服务",
}
ARABIC = "استشارات"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _many_scripts() -> dict[str, Any]:
    document = documents.standard_invoice()
    texts = list(SCRIPTS.values())
    for line, text in zip(document["lines"], texts, strict=False):
        line["description"] = text
    document["notes"] = " / ".join([*texts[len(document["lines"]) :], ARABIC])
    document["client"]["name"] = "株式会社 Ἀθηνᾶ"
    return document


def _notdefs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()]


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Each font of the PDF and whether its program is embedded."""
    fonts = {}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            for font in page.Resources.Font.values():
                descriptor = (
                    font.DescendantFonts[0].FontDescriptor
                    if "/DescendantFonts" in font
                    else font.FontDescriptor
                )
                fonts[str(font.BaseFont)] = any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
                )
    return fonts


def test_every_script_prints_with_an_embedded_font(
    renderer: Renderer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = renderer.render_pdf(_many_scripts())
    assert _notdefs(caplog) == []
    text = text_of(pdf)
    for script, sample in SCRIPTS.items():
        assert sample in text, f"{script} text does not read back"
    assert "株式会社 Ἀθηνᾶ" in text
    # Right-to-left text is extracted in visual or logical order depending on the reader.
    assert ARABIC in text or ARABIC[::-1] in text
    fonts = _fonts(pdf)
    assert all(fonts.values()), fonts
    assert any("Noto-Sans-CJK" in name for name in fonts)
    # Subsets: a few hundred kilobytes, not the 16 MB of the CJK font files.
    assert len(pdf) < 600_000


def test_a_latin_invoice_embeds_only_inter(renderer: Renderer) -> None:
    fonts = _fonts(renderer.render_pdf(documents.standard_invoice()))
    assert fonts and all("Inter" in name for name in fonts)


def test_a_character_no_font_has_is_noticed(
    renderer: Renderer, caplog: pytest.LogCaptureFixture
) -> None:
    """The check above can fail: U+0378 is unassigned, so no font has a glyph for it."""
    document = documents.standard_invoice()
    document["lines"][0]["description"] = "x\u0378"
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        renderer.render_pdf(document)
    assert _notdefs(caplog)
