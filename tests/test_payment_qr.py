"""EPC SEPA QR codes: payload text per EPC069-12 v002, refusals, and a decodable image."""

from __future__ import annotations

import base64
import io
from decimal import Decimal

import pytest
import zxingcpp
from PIL import Image

from facturo.output.qr import build_epc_payload, make_payment_qr

IBAN = "FR76 3000 6000 0112 3456 7890 189"


def test_payload_follows_epc069_12_version_002() -> None:
    payload = build_epc_payload(
        name="Camille Martin",
        iban=IBAN,
        amount=Decimal("1829.61"),
        reference="F-2026-0001",
        bic="BNPAFRPPXXX",
    )
    assert payload == (
        "BCD\n002\n1\nSCT\nBNPAFRPPXXX\nCamille Martin\nFR7630006000011234567890189\n"
        "EUR1829.61\n\n\nF-2026-0001"
    )


def test_amount_always_has_two_decimals_and_bic_may_be_empty() -> None:
    payload = build_epc_payload(name="A", iban=IBAN, amount=Decimal("12.5"), reference="F-1")
    assert payload is not None
    lines = payload.split("\n")
    assert lines[4] == ""
    assert lines[7] == "EUR12.50"


@pytest.mark.parametrize(
    "changes",
    [
        {"iban": "FR76 3000 6000 0112 3456 7890 188"},  # bad check digits
        {"iban": "not an iban"},
        {"amount": Decimal("0")},
        {"amount": Decimal("-10")},
        {"amount": Decimal("1000000000")},
        {"name": "   "},
    ],
)
def test_no_payload_when_the_transfer_would_be_wrong(changes: dict[str, object]) -> None:
    arguments: dict[str, object] = {
        "name": "Camille Martin",
        "iban": IBAN,
        "amount": Decimal("10"),
        "reference": "F-1",
    }
    arguments.update(changes)
    assert build_epc_payload(**arguments) is None


def test_invalid_bic_is_left_out_and_long_texts_are_cut() -> None:
    payload = build_epc_payload(
        name="N" * 100, iban=IBAN, amount=Decimal("1"), reference="R" * 200, bic="NOTABIC"
    )
    assert payload is not None
    lines = payload.split("\n")
    assert lines[4] == ""
    assert len(lines[5]) == 70
    assert len(lines[10]) == 140
    assert len(payload.encode("utf-8")) <= 331


def test_qr_code_only_for_eur() -> None:
    assert (
        make_payment_qr(
            name="Camille Martin", iban=IBAN, amount=Decimal("10"), reference="F-1", currency="CHF"
        )
        is None
    )


def test_qr_image_decodes_to_the_payload() -> None:
    qr = make_payment_qr(
        name="Atelier Éloïse Müller", iban=IBAN, amount=Decimal("99.90"), reference="F-2026-0042"
    )
    assert qr is not None
    prefix = "data:image/png;base64,"
    assert qr.png_data_uri.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(qr.png_data_uri.removeprefix(prefix))))
    framed = Image.new("L", (image.width + 80, image.height + 80), 255)
    framed.paste(image.convert("L"), (40, 40))
    results = zxingcpp.read_barcodes(framed)
    assert len(results) == 1
    assert results[0].bytes.decode("utf-8") == qr.payload
    assert "Atelier Éloïse Müller" in qr.payload


def test_qr_image_has_eight_pixels_per_module() -> None:
    """Drawn 23 mm wide, a symbol is shrunk, not enlarged, at any screen resolution: its
    modules keep even widths and soft edges. One pixel per module, enlarged pixelated,
    decoded with OpenCV's reader only from 180 dpi on (from 120 dpi at eight pixels)."""
    qr = make_payment_qr(name="Camille Martin", iban=IBAN, amount=Decimal("10"), reference="F-1")
    assert qr is not None
    data = base64.b64decode(qr.png_data_uri.removeprefix("data:image/png;base64,"))
    image = Image.open(io.BytesIO(data))
    import segno

    symbol = segno.make_qr(qr.payload.encode("utf-8"), error="m", boost_error=False)
    assert image.size == symbol.symbol_size(scale=8, border=0)
