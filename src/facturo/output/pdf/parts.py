"""What every document context shares: language, metadata, parties, periods, footer, QR codes."""

from __future__ import annotations

import base64
import datetime
import io
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from markupsafe import Markup
from PIL import Image

from facturo.output import words as labels
from facturo.output.values import as_date


def document_language(document: Mapping[str, Any]) -> str:
    """The document's language (French when it names none); another one is an error."""
    language = str(document.get("language") or "fr")
    if language not in labels.LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(labels.LANGUAGES)}")
    return language


def pdf_metadata(
    title: str,
    number: Any,
    seller: Mapping[str, Any],
    client: Mapping[str, Any],
    issue_date: datetime.date | None,
    words: Mapping[str, str],
) -> dict[str, Any]:
    """The PDF's title, author, description and creation date (the issue date)."""
    heading = f"{title} {number}" if number else f"{title} ({words['draft_mark'].lower()})"
    client_name = client.get("name")
    return {
        "title": heading,
        "author": seller.get("name") or "",
        "description": f"{heading} — {client_name}" if client_name else heading,
        # Creation and modification dates are the issue date: the same file gives the same PDF.
        "created": f"{issue_date.isoformat()}T00:00:00Z" if issue_date else None,
    }


def describe_seller(
    seller: Mapping[str, Any], language: str, *, show_country: bool
) -> dict[str, Any]:
    """The seller as printed: names, legal form and capital, address, identifiers, contact."""
    contact = [str(seller[key]) for key in ("email", "phone", "website") if seller.get(key)]
    return {
        "name": seller.get("name") or "",
        "trade_name": seller.get("trade_name") or None,
        "legal_form": seller.get("legal_form") or None,
        "share_capital": _share_capital(seller, language),
        "address": _address_lines(seller.get("address"), language, show_country=show_country),
        "identifiers": _identifiers(seller, language),
        "rcs": seller.get("rcs") or None,
        "contact": contact,
    }


def _identifiers(party: Mapping[str, Any], language: str) -> list[str]:
    words = labels.labels_for(language)
    identifiers = []
    if party.get("siren"):
        identifiers.append(f"{words['siren']} {labels.format_siren(str(party['siren']))}")
    if party.get("vat_number"):
        identifiers.append(f"{words['vat_number']} {party['vat_number']}")
    return identifiers


def _share_capital(seller: Mapping[str, Any], language: str) -> str | None:
    capital = seller.get("share_capital")
    if capital in (None, ""):
        return None
    if isinstance(capital, (int, Decimal)):
        capital = labels.format_money(capital, "EUR", language)
    return f"capital {capital}" if language == "en" else f"au capital de {capital}"


def describe_client(
    client: Mapping[str, Any], language: str, *, show_country: bool
) -> dict[str, Any]:
    """The client as printed: name, address, identifiers, and a delivery address if other."""
    delivery = client.get("delivery_address")
    return {
        "name": client.get("name") or "",
        "address": _address_lines(client.get("address"), language, show_country=show_country),
        "identifiers": _identifiers(client, language),
        "delivery_address": (
            _address_lines(delivery, language, show_country=show_country)
            if delivery and delivery != client.get("address")
            else None
        ),
    }


# How the post of a country writes the town line of an address, where it is not
# "postcode city": in the US, Canada and Australia the city comes first and the postcode (with
# the state or province the user writes in it, "TX 78701") after; in the UK the postcode has a
# line of its own.
_TOWN_LINES = {
    "US": "{city}, {postcode}",
    "CA": "{city} {postcode}",
    "AU": "{city} {postcode}",
    "NZ": "{city} {postcode}",
    "IE": "{city} {postcode}",
    "GB": "{city}\n{postcode}",
}


def _address_lines(address: Any, language: str, *, show_country: bool) -> list[str]:
    if not isinstance(address, Mapping):
        return []
    lines = [str(address[key]) for key in ("street", "street2") if address.get(key)]
    pattern = _TOWN_LINES.get(str(address.get("country") or "").upper(), "{postcode} {city}")
    town = pattern.format(
        postcode=str(address.get("postcode") or ""), city=str(address.get("city") or "")
    )
    lines.extend(
        line for line in (" ".join(part.split()).strip(" ,") for part in town.split("\n")) if line
    )
    if show_country and address.get("country"):
        lines.append(labels.describe_country(str(address["country"]), language))
    return lines


def country_of(party: Mapping[str, Any]) -> str | None:
    """The country code of a party's address (a country is printed when the parties' differ)."""
    address = party.get("address")
    return str(address.get("country")) if isinstance(address, Mapping) else None


def format_period(
    period: Mapping[str, Any], language: str, pattern: str, country: str | None = None
) -> str:
    """A period's start and end dates put in `pattern` (e.g. "du {start} au {end}")."""
    start = as_date(period.get("start"))
    end = as_date(period.get("end"))
    return pattern.format(
        start=labels.format_date(start, language, country) if start else "",
        end=labels.format_date(end, language, country) if end else "",
    )


def footer_lines(seller: Mapping[str, Any], words: Mapping[str, str]) -> list[str]:
    """The seller's legal identity, one part a line, for the page footer."""
    parts = []
    name = str(seller.get("name") or "")
    if seller.get("legal_form"):
        name = f"{name} — {seller['legal_form']}"
    if name:
        parts.append(name)
    if seller.get("siren"):
        parts.append(f"{words['siren']} {labels.format_siren(str(seller['siren']))}")
    if seller.get("rcs"):
        parts.append(str(seller["rcs"]))
    if seller.get("vat_number"):
        parts.append(f"{words['vat_number']} {seller['vat_number']}")
    return parts


def strong(text: str) -> Markup:
    """Text in bold inside a sentence of HTML, escaped."""
    return Markup("<strong>{}</strong>").format(text)


_PNG_DATA = "data:image/png;base64,"


def grey_png(data_uri: str) -> str:
    """A QR code's PNG data URI (one bit a pixel, as segno writes it) in 8-bit grey.

    The same pixels, drawn the same: WeasyPrint turns a 1-bit PNG into RGB and encodes it
    again, then once more for the PDF; a grey one only for the PDF, a third of the bytes
    (~6% of an invoice's rendering).
    """
    image = Image.open(io.BytesIO(base64.b64decode(data_uri.removeprefix(_PNG_DATA))))
    grey = io.BytesIO()
    # WeasyPrint compresses the pixels again for the PDF: this PNG is only read once.
    image.convert("L").save(grey, format="PNG", compress_level=1)
    return _PNG_DATA + base64.b64encode(grey.getvalue()).decode("ascii")
