"""EPC "SEPA QR" payment codes (EPC069-12 version 002) drawn as PNG with segno."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import segno
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban

_MAX_NAME = 70
_MAX_TEXT = 140
_MAX_BYTES = 331
_MAX_VERSION = 13
_MIN_AMOUNT = Decimal("0.01")
_MAX_AMOUNT = Decimal("999999999.99")


@dataclass(frozen=True)
class PaymentQr:
    """A SEPA credit transfer request: the QR payload and its image, a PNG data URI."""

    payload: str
    png_data_uri: str


def build_epc_payload(
    *, name: str, iban: str, amount: Decimal, reference: str, bic: str | None = None
) -> str | None:
    """Return the EPC QR text of a EUR transfer, or None when no valid code can be made.

    A code is made only for an amount between 0.01 and 999,999,999.99 to a valid IBAN:
    a wrong IBAN printed as a QR would send the client's money nowhere.
    """
    if not _MIN_AMOUNT <= amount <= _MAX_AMOUNT or not stdnum_iban.is_valid(iban):
        return None
    clean_name = " ".join(name.split())[:_MAX_NAME]
    clean_text = " ".join(reference.split())[:_MAX_TEXT]
    if not clean_name:
        return None
    lines = [
        "BCD",
        "002",
        "1",  # character set: UTF-8
        "SCT",
        stdnum_bic.compact(bic) if bic and stdnum_bic.is_valid(bic) else "",
        clean_name,
        stdnum_iban.compact(iban),
        f"EUR{amount.quantize(Decimal('0.01'))}",
        "",  # purpose code
        "",  # structured creditor reference (ISO 11649): we send the number as free text
        clean_text,
    ]
    payload = "\n".join(lines)
    if len(payload.encode("utf-8")) > _MAX_BYTES:
        return None
    return payload


def make_payment_qr(
    *,
    name: str,
    iban: str,
    amount: Decimal,
    reference: str,
    bic: str | None = None,
    currency: str = "EUR",
) -> PaymentQr | None:
    """Build the EPC QR of a transfer request, or None when it does not apply."""
    if currency != "EUR":
        return None
    payload = build_epc_payload(name=name, iban=iban, amount=amount, reference=reference, bic=bic)
    if payload is None:
        return None
    # EPC069-12 fixes error correction at M: boosting it would break the standard.
    qr = segno.make_qr(payload.encode("utf-8"), error="m", boost_error=False)
    if not isinstance(qr.version, int) or qr.version > _MAX_VERSION:
        return None
    png = qr.png_data_uri(scale=8, border=0, dark="#000", light="#fff")
    return PaymentQr(payload=payload, png_data_uri=str(png))


def make_link_qr(url: str) -> str:
    """The QR code of a web address (a payment page), as a PNG data URI."""
    qr = segno.make_qr(url, error="m")
    return str(qr.png_data_uri(scale=8, border=0, dark="#000", light="#fff"))
