"""Text facturo writes into drafts and documents, in the document's language.

These are part of the document (the legal VAT mention, the line that deducts a deposit):
they are sealed with it, unlike the words of the layout, which live in output/words.py.
Deposit and credit-note lines come from each catalog's `document_lines`; the legal VAT
mentions are the law's French (and English) wording; payment terms and units, which the
terms grammar and the units of lines read back, are French or English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from facturo.files.languages import LANGUAGES, catalog

# The legal mention printed for each VAT treatment that charges no VAT.
EXEMPTION_MENTIONS: dict[str, dict[str, str]] = {
    "franchise": {
        "fr": "TVA non applicable, art. 293 B du CGI",
        "en": "VAT not applicable, art. 293 B of the French General Tax Code (CGI)",
    },
    "reverse-charge": {
        "fr": "Autoliquidation — TVA due par le preneur (art. 283-2 du CGI, "
        "art. 196 de la directive 2006/112/CE)",
        "en": "Reverse charge — VAT due by the customer (art. 196 of Directive 2006/112/EC)",
    },
    "intra-eu-goods": {
        "fr": "Exonération de TVA, art. 262 ter I du CGI (livraison intracommunautaire)",
        "en": "VAT exempt intra-Community supply (art. 138 of Directive 2006/112/EC)",
    },
    "export": {
        "fr": "Exonération de TVA, art. 262 I du CGI (exportation)",
        "en": "VAT exempt export (art. 146 of Directive 2006/112/EC)",
    },
    "outside-scope": {
        "fr": "TVA non applicable, art. 259-1 du CGI (prestation hors de France)",
        "en": "VAT not applicable: place of supply outside France (art. 259-1 CGI, "
        "art. 44 of Directive 2006/112/EC)",
    },
}

# The description `facturo new` writes in a draft's line: refused until the user replaces it.
DRAFT_PLACEHOLDER = "Describe the work precisely"

# Words the terms grammar and the units of lines read back: French and English only.
_PHRASES: dict[str, dict[str, str]] = {
    "fr": {
        "on_receipt": "à réception",
        "unit_hours": "heure",
        "unit_days": "jour",
    },
    "en": {
        "on_receipt": "on receipt",
        "unit_hours": "hour",
        "unit_days": "day",
    },
}


def _words(language: str) -> dict[str, str]:
    return _PHRASES.get(language, _PHRASES["en"])


def _catalog(language: str) -> Mapping[str, Any]:
    """The catalog of the document's language (English for one facturo does not have)."""
    return catalog(language if language in LANGUAGES else "en")


def _line(language: str, key: str) -> str:
    """A line facturo writes into documents, from the `document_lines` of the catalog."""
    return str(_catalog(language)["document_lines"][key])


def _locale(language: str) -> str:
    return str(_catalog(language)["locale"])


def exemption_mention(treatment: str, language: str) -> str:
    """The legal mention of a VAT treatment in `language`, else in French, the wording of the
    law (output/words.describe_exemption prints it with its translation): a document that
    charges no VAT always says why. "" for a treatment without a mention."""
    mentions = EXEMPTION_MENTIONS.get(treatment, {})
    return mentions.get(language) or mentions.get("fr", "")


def deposit_line(share_percent: Decimal | None, quote: str, language: str) -> str:
    """The description of a deposit invoice's line: "Acompte 30 % sur le devis D-2026-0001"."""
    share = ""
    if share_percent is not None:
        from babel.numbers import format_percent  # here: most commands never write a line

        locale = _locale(language)
        share = format_percent(share_percent / 100, locale=locale, decimal_quantization=False)
    return _line(language, "deposit").format(share=share, quote=quote).replace("  ", " ")


def deposit_deducted(number: str, issue_date: dt.date, language: str) -> str:
    """The description of a line deducting deposit invoice `number` from a final invoice."""
    from babel.dates import format_date

    date = format_date(issue_date, format="long", locale=_locale(language))
    return _line(language, "deposit_deducted").format(number=number, date=date)


def credit_line(kind: str, number: str, reason: str, language: str) -> str:
    """A credit note line: `credit_amount` (an amount) or `credit_remainder` (what is left)."""
    return _line(language, kind).format(number=number, reason=reason)


def on_receipt(language: str) -> str:
    """Payment terms "on receipt", as the terms grammar reads them."""
    return _words(language)["on_receipt"]


def time_unit(unit: str, language: str) -> str:
    """The unit of a line billing time: `hours` or `days`, as the document's language says it."""
    return _words(language)[f"unit_{unit}"]
