"""What a new user meets first: prices as written, honest previews, the PDFs of every command."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from conftest import Cli
from facturo.output.words import format_money, format_unit_price
from pdf_text import page_texts, plain


def _pdf_text(path: Path) -> str:
    return " ".join(page_texts(path.read_bytes()))


def test_unit_prices_keep_their_own_precision_on_the_pdf(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    draft(
        "d1",
        "client: dupont\nlines:\n  - description: Pièces\n    quantity: 1.125\n"
        "    unit_price: 14.545\n",
    )
    assert cli("issue", "drafts/d1.yaml", "--date", "2026-03-02", "--pdf").exit_code == 0
    text = _pdf_text(folder / "out" / "2026" / "F-2026-0001.pdf")
    assert "1,125" in text and "14,545 €" in text
    assert "16,36 €" in text  # 1.125 × 14.545 = 16.363125


def test_money_rounds_half_up_and_unit_prices_are_not_rounded() -> None:
    assert plain(format_money(Decimal("0.125"), "EUR", "en")) == "€0.13"
    assert plain(format_unit_price(Decimal("14.545"), "EUR", "fr")) == "14,545 €"
    assert plain(format_unit_price(Decimal("450"), "EUR", "fr")) == "450,00 €"
    assert plain(format_unit_price(Decimal("1234.5"), "JPY", "fr")) == "1 234,5 JPY"


def test_dry_runs_preview_emails_without_a_mail_section(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    assert cli("issue", str(draft()), "--date", "2026-10-20").exit_code == 0
    number = "F-2026-0001"
    sent = cli("send", number, "--dry-run")
    assert sent.exit_code == 0, sent.output
    assert "To: compta@dupont.example" in sent.stdout and "Subject:" in sent.stdout
    assert "preview only" in sent.stderr
    reminded = cli("remind", "--dry-run")
    assert reminded.exit_code == 0, reminded.output
    assert f"--- {number} (level 1)" in reminded.stdout
    refused = cli("remind", "--send")
    assert refused.exit_code != 0 and "no mail settings" in refused.output


def test_credit_renders_the_credit_note_pdf_like_issue(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    assert cli("issue", str(draft()), "--date", "2026-03-02", "--no-pdf").exit_code == 0
    result = cli("credit", "F-2026-0001", "--full", "--reason", "Erreur", "--pdf")
    assert result.exit_code == 0, result.output
    [pdf] = (folder / "out").rglob("*.pdf")
    text = _pdf_text(pdf)
    assert "Avoir" in text and "F-2026-0001" in text
    assert f"rendered {pdf.relative_to(folder).as_posix()}" in result.stderr
