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


DISCOUNTED = """\
client: berlin
service_period: {start: 2026-02-01, end: 2026-02-28}
discount: "5%"
lines:
  - description: Audit
    quantity: 2
    unit_price: 500
    discount: "10%"
"""


def test_show_prints_discounts_the_service_period_and_the_exemption(
    cli: Cli, draft: Callable[..., Path]
) -> None:
    assert cli("issue", str(draft("d1", DISCOUNTED)), "--date", "2026-03-02").exit_code == 0
    out = cli("show", "F-2026-0001").stdout
    assert "service:  2026-02-01 to 2026-02-28" in out
    assert "-100.00 (10%)" in out  # the line's discount
    assert "discount -45.00 (5%)" in out  # the document's, on 900.00
    assert "VAT exemption: Reverse charge" in out
    assert "paid 0" in out and "balance 855.00" in out


def test_show_gives_quotes_and_credit_notes_no_balance(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    import json

    assert cli("issue", str(draft()), "--date", "2026-03-02").exit_code == 0
    assert cli("credit", "F-2026-0001", "--full", "--reason", "Erreur").exit_code == 0
    draft("q", "kind: quote\nclient: dupont\nlines:\n  - description: Audit\n    unit_price: 10\n")
    assert cli("issue", str(folder / "drafts" / "q.yaml"), "--date", "2026-03-02").exit_code == 0
    listed = {d["number"]: d["kind"] for d in json.loads(cli("list", "--json").stdout)}
    for number, kind in listed.items():
        out = cli("show", number).stdout
        data = json.loads(cli("show", number, "--json").stdout)
        if kind == "invoice":
            assert "balance" in out and "balance" in data
        else:
            assert "balance" not in out and "paid" not in out, out
            assert "balance" not in data and "paid" not in data
        if kind == "credit_note":
            assert "corrects: F-2026-0001 of 2026-03-02" in out and "reason:   Erreur" in out
        if kind == "quote":
            assert "valid:    until 2026-04-01" in out


def test_a_new_draft_is_refused_until_its_placeholder_is_replaced(cli: Cli, folder: Path) -> None:
    path = folder / cli("new", "--client", "dupont").stdout.strip()
    path.write_text(path.read_text("utf-8").replace("0.00", "100.00"), "utf-8")
    checked = cli("check")
    assert checked.exit_code == 1
    assert "the description is still the draft's placeholder" in checked.stdout
    assert cli("issue", str(path)).exit_code != 0
    path.write_text(
        path.read_text("utf-8").replace("Describe the work precisely", "Audit"), "utf-8"
    )
    assert cli("check").exit_code == 0, cli("check").stdout
    assert cli("issue", str(path)).exit_code == 0
