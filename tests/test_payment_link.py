"""Paying online: the link of `payment.link_template`, on the invoice (text and QR) and in emails."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from conftest import CONFIG, Cli, write
from pdf_text import text_of

TEMPLATE = "https://pay.example.fr/facture/{number}?montant={amount}&devise={currency}"


def with_link(folder: Path, template: str = TEMPLATE) -> None:
    write(folder / "facturo.yaml", CONFIG + f'payment:\n  link_template: "{template}"\n')


def qr_codes(pdf: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=4).to_pil().convert("L")
    framed = Image.new("L", (image.width + 80, image.height + 80), 255)
    framed.paste(image, (40, 40))
    return sorted(result.text for result in zxingcpp.read_barcodes(framed))


def test_the_invoice_prints_the_link_and_its_qr_beside_the_transfer_qr(
    cli: Cli, draft: Callable[..., Path], folder: Path, tmp_path: Path
) -> None:
    with_link(folder)
    assert cli("issue", str(draft()), "--date", "2026-10-20").exit_code == 0
    assert cli("render", "F-2026-0001", "--out", str(tmp_path / "a")).exit_code == 0
    pdf = (tmp_path / "a" / "F-2026-0001.pdf").read_bytes()
    link = "https://pay.example.fr/facture/F-2026-0001?montant=1620.00&devise=EUR"
    assert link in text_of(pdf).replace(" ", "").replace("\n", "")
    codes = qr_codes(pdf)
    assert link in codes
    assert any(code.startswith("BCD\n002") for code in codes)  # the EPC transfer code too
    # Sealed at issue: a later change of facturo.yaml does not change the invoice.
    with_link(folder, "https://other.example/{number}")
    assert cli("render", "F-2026-0001", "--out", str(tmp_path / "b")).exit_code == 0
    assert (tmp_path / "b" / "F-2026-0001.pdf").read_bytes() == pdf


def test_emails_give_the_link_with_the_amount_asked_now(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    with_link(folder)
    assert cli("issue", str(draft()), "--date", "2026-09-01").exit_code == 0
    sent = cli("send", "F-2026-0001", "--dry-run")
    assert "facture/F-2026-0001?montant=1620.00&devise=EUR" in sent.stdout
    assert cli("pay", "F-2026-0001", "620", "--date", "2026-10-01").exit_code == 0
    reminded = cli("remind", "--dry-run")
    assert reminded.exit_code == 0, reminded.output
    assert "facture/F-2026-0001?montant=1000.00&devise=EUR" in reminded.stdout


def test_without_a_template_there_is_no_link(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    assert cli("issue", str(draft()), "--date", "2026-09-01").exit_code == 0
    sent = cli("send", "F-2026-0001", "--dry-run")
    assert "https://" not in sent.stdout


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("http://pay.example.fr/{number}", "expected an https:// address"),
        ("https://pay.example.fr/{total}", "unknown field {total}"),
        ("https://pay.example.fr/{number", "cannot read the template"),
    ],
)
def test_a_wrong_template_is_an_error_at_its_line(
    cli: Cli, folder: Path, template: str, message: str
) -> None:
    with_link(folder, template)
    result = cli("check")
    assert result.exit_code == 1
    line = CONFIG.count("\n") + 2
    assert f"facturo.yaml:{line}:" in result.output and message in result.output
