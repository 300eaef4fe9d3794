"""Words printed on documents, read from the catalogs of each language, and babel formats."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from facturo.files.languages import HOME_LANGUAGE, catalog
from facturo.files.languages import LANGUAGES as LANGUAGES
from facturo.model.money import round_money

# babel and stdnum are imported by the formats that use them: words alone (a status in a
# table) need neither, and they cost more to import than a short command takes to run.
_catalog = catalog


@functools.cache
def _locale(language: str, country: str | None = None) -> str:
    """The babel locale of a reader: their language as written in their country when babel
    knows it ("en_US": 12/2/26), else the catalog's ("en_GB": 02/12/2026)."""
    from babel import localedata

    if country:
        tag = f"{language}_{country.upper()}"
        if localedata.exists(tag):
            return tag
    return str(_catalog(language)["locale"])


def _phrase(language: str, key: str) -> str:
    return str(_catalog(language)["phrases"][key])


_TERMS = re.compile(
    r"^\s*(?:(?P<receipt>on receipt|à réception)|(?P<days>\d+)\s*(?:days?|jours?)"
    r"(?P<eom>\s+(?:end of month|fin de mois))?)\s*$",
    re.IGNORECASE,
)


def labels_for(language: str) -> Mapping[str, str]:
    """Return the printed words of a document language."""
    labels: Mapping[str, str] = _catalog(language)["labels"]
    return labels


def mail_words(language: str) -> Mapping[str, Any]:
    """The words of the emails in a language: the phrases templates/mail/ fills in."""
    words: Mapping[str, Any] = _catalog(language)["mail"]
    return words


def describe_alternatives(names: list[str], language: str) -> str:
    """Join alternatives: "virement bancaire ou chèque" (fr), "bank transfer or cheque" (en)."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + _phrase(language, "or") + names[-1]


def format_money(amount: Decimal | int, currency: str, language: str) -> str:
    """Format an amount as "1 234,56 €" (fr) or "€1,234.56" (en).

    Rounded half up to the currency's minor unit first, as facturo computes totals:
    babel alone would round half to even (0.125 € shown as 0,12 €).
    """
    from babel.numbers import format_currency

    rounded = round_money(Decimal(amount), currency)
    return str(format_currency(rounded, currency, locale=_locale(language)))


def format_deduction(amount: Decimal | int, currency: str, language: str) -> str:
    """Format an amount taken off (a discount, a deposit deducted) with a true minus sign,
    whatever the sign it is stored with: "−1 000,00 €" (fr), "−€1,000.00" (en)."""
    text = format_money(-abs(Decimal(amount)), currency, language)
    return text.replace("-", "\u2212", 1)


def format_unit_price(amount: Decimal | int, currency: str, language: str) -> str:
    """Format a unit price with its own precision, at least the currency's minor units:
    14.545 EUR stays "14,545 €", 450 EUR is "450,00 €", 1234.5 JPY is "1 234,5 JPY"."""
    from babel.numbers import format_currency

    return str(
        format_currency(
            Decimal(amount), currency, locale=_locale(language), decimal_quantization=False
        )
    )


def format_date(value: datetime.date, language: str, country: str | None = None) -> str:
    """Format a date as "2 mars 2026" (fr) or "2 March 2026" (en; "March 2, 2026" in the US)."""
    from babel.dates import format_date as babel_format_date

    return str(babel_format_date(value, format="long", locale=_locale(language, country)))


def format_month(value: datetime.date, language: str) -> str:
    """Format a month as "octobre 2026" (fr) or "October 2026" (en)."""
    from babel.dates import format_date as babel_format_date

    return str(babel_format_date(value, format="LLLL y", locale=_locale(language)))


def format_date_in_text(value: datetime.date, language: str) -> str:
    """Format a date inside a sentence: "1er avril 2026" (fr), "1 April 2026" (en)."""
    text = format_date(value, language)
    # Some languages write the first day of a month as an ordinal: « le 1er avril ».
    first = _phrase(language, "first_day")
    if first and value.day == 1 and text.startswith("1"):
        return first + text[1:]
    return text


def format_short_date(value: datetime.date, language: str, country: str | None = None) -> str:
    """Format a date for a table column: "02/03/2026" (fr, en), "3/2/26" to a reader in the US."""
    from babel.dates import format_date as babel_format_date

    return str(babel_format_date(value, format="short", locale=_locale(language, country)))


def format_number(value: Decimal | int, language: str) -> str:
    """Format a quantity without trailing zeros: "1,5" (fr) or "1.5" (en)."""
    from babel.numbers import format_decimal

    return str(format_decimal(Decimal(value), locale=_locale(language), decimal_quantization=False))


def format_rate(rate_percent: Decimal | int, language: str) -> str:
    """Format a percentage given in percent: 5.5 becomes "5,5 %" (fr) or "5.5%" (en)."""
    from babel.numbers import format_percent

    fraction = Decimal(rate_percent) / 100
    return str(format_percent(fraction, locale=_locale(language), decimal_quantization=False))


def format_siren(siren: str) -> str:
    """Group a SIREN by three digits, as it is printed on French documents."""
    digits = siren.replace(" ", "")
    if len(digits) == 9 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return siren


def format_iban(iban: str) -> str:
    """Group a valid IBAN by four characters; anything else is returned as written."""
    from stdnum import iban as stdnum_iban

    return str(stdnum_iban.format(iban)) if iban and stdnum_iban.is_valid(iban) else iban


def describe_country(code: str, language: str) -> str:
    """Return the country name for an ISO 3166 alpha-2 code, or the code when unknown."""
    from babel import Locale

    territories = Locale.parse(_locale(language)).territories
    return str(territories.get(code.upper(), code))


def describe_status(status: str, kind: str, language: str) -> str:
    """A status code in words for people: "partially-paid" is "partially paid" (en),
    "partiellement payée" (fr, of an invoice); a code it does not know stays as it is."""
    statuses: Mapping[str, Mapping[str, str]] = _catalog(language)["statuses"]
    group = {"deposit": "invoice"}.get(kind, kind)
    return str((statuses.get(group) or {}).get(status, status))


def describe_payment_method(method: str, language: str) -> str:
    """Return the printed name of a payment method key (transfer, card, ...)."""
    methods: Mapping[str, str] = _catalog(language)["payment_methods"]
    return methods.get(method, method)


def describe_statement_row(row: Mapping[str, Any], language: str) -> str:
    """Say what a statement row records: "Avoir sur la facture F-2026-0001", "Payment (card)"."""
    words: Mapping[str, str] = _catalog(language)["statement_rows"]
    methods: Mapping[str, str] = _catalog(language)["statement_methods"]
    kind = str(row.get("kind") or "")
    if kind == "credit_note":
        return words["credit_note"].format(of=row.get("credit_note_of") or "")
    if kind not in ("payment", "write_off"):
        return words.get(kind, kind)
    if kind == "write_off":
        text = words["write_off"] + (f" — {row['reason']}" if row.get("reason") else "")
    elif row.get("correction"):
        text = words["correction"].format(reason=row.get("reason") or "")
    else:
        method = str(row.get("method") or "other")
        text = words["payment"].format(method=methods.get(method, method))
    if row.get("reference"):
        text += words["reference"].format(reference=row["reference"])
    return text


def describe_payment_by(method: str, language: str) -> str:
    """Say how a payment was made, inside a sentence: "par chèque" (fr), "by cheque" (en)."""
    phrase = _catalog(language)["payment_by"].get(method)
    if phrase is None:
        return _phrase(language, "by_other_method").format(method=method)
    return str(phrase)


def describe_from(name: str, language: str) -> str:
    """Say from whom: "from Atelier Dupont" (en); "de Julie Leroy", "d'Atelier Dupont" (fr)."""
    # Elision before a vowel; an initial h is left alone (h aspiré or muet cannot be told).
    vowel = bool(name) and name[0].casefold() in "aàâeéèêëiîïoôuùûüyœæ"
    return _phrase(language, "from_before_vowel" if vowel else "from").format(name=name)


def describe_days(days: int, language: str) -> str:
    """Write a number of days: "1 jour", "12 jours" (fr), "1 day", "12 days" (en)."""
    word = _phrase(language, "day" if abs(days) == 1 else "days")
    return f"{format_number(days, language)} {word}"


def describe_unit(unit: str, language: str) -> str:
    """Translate the usual English unit words ("day", "hour"); other units are kept as written."""
    key = unit.strip().lower()
    translated = _catalog(language)["units"].get(key)
    return unit if translated is None or translated == key else str(translated)


def describe_payment_terms(terms: str, language: str) -> str:
    """Write payment terms ("30 days end of month") in the document's language."""
    match = _TERMS.match(terms)
    if match is None:
        return terms
    if match["receipt"]:
        return _phrase(language, "on_receipt")
    key = "end_of_month" if match["eom"] else "net_days"
    return _phrase(language, key).format(days=int(match["days"]))


def describe_exemption(code: str | None, reason: str, language: str) -> str:
    """Return the VAT exemption mention; another language keeps the French wording with a gloss.

    The French wording is what the law names: a document in another language prints its
    translation followed by the French text in brackets.
    """
    french = _catalog(HOME_LANGUAGE)["exemptions"].get(code or "")
    if language != HOME_LANGUAGE and french and reason.startswith(french):
        return f"{_catalog(language)['exemptions'][code or '']} ({reason})"
    return reason


def describe_platform_status(state: str, language: str, code: int | None = None) -> str:
    """Say where a document stands on the platform: "rejected by the platform (213)",
    "rejetée par la plateforme (213)"; "posted, no status yet" before any status."""
    names: Mapping[str, str] = _catalog(language)["platform_statuses"]
    word = str(names.get(state, names["other"]))
    return f"{word} ({code})" if code is not None else word
