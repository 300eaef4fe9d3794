"""Checks of single values: SIREN, VAT number, IBAN, BIC, email, currency, country, terms."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any


@cache
def _countries() -> frozenset[str]:
    from babel import Locale

    codes = (str(k) for k in Locale("en").territories)
    return frozenset(k for k in codes if len(k) == 2 and k.isalpha())


@cache
def _usual_countries() -> frozenset[str]:
    """Countries of babel's global data (loaded for currencies anyway), a part of
    _countries() read without loading the English names of every territory (~15 ms)."""
    from babel.core import get_global

    return frozenset(get_global("territory_languages"))


def is_country(code: str) -> bool:
    return code in _usual_countries() or code in _countries()


def check_country(value: str) -> str | None:
    if is_country(value):
        return None
    if is_country(value.upper()):
        return f"write the country code in capitals: {value.upper()!r}"
    return f"unknown country code {value!r} (expected ISO 3166 alpha-2, e.g. FR, DE, US)"


def check_siren(value: str) -> str | None:
    from stdnum.fr import siren

    if siren.is_valid(value):
        return None
    digits = siren.compact(value)
    if not digits.isdigit() or len(digits) != 9:
        return f"a SIREN has 9 digits, got {value!r}"
    return f"invalid SIREN {value!r} (check digit does not match)"


def check_vat_number(value: str) -> str | None:
    from stdnum import get_cc_module
    from stdnum.eu import vat
    from stdnum.util import clean

    compact = clean(value, " -./,").upper().strip()
    prefix = compact[:2].lower()
    if not prefix.isalpha():
        return f"a VAT number starts with its country code, e.g. FR, got {value!r}"
    if prefix in vat.MEMBER_STATES or prefix == "el":
        valid = vat.is_valid(compact)
        return None if valid else f"invalid VAT number {value!r} (checksum or format)"
    module = get_cc_module(prefix, "vat")
    if module is not None and not module.is_valid(compact) and not module.is_valid(compact[2:]):
        return f"invalid VAT number {value!r} for country {prefix.upper()}"
    return None


def vat_number_siren_problem(vat_number: str, siren: str) -> str | None:
    """A French VAT number is FR, a two-digit key, then the SIREN: say when it is not."""
    from stdnum.fr import siren as stdnum_siren
    from stdnum.util import clean

    compact = clean(vat_number, " -./,").upper().strip()
    digits = stdnum_siren.compact(siren)
    if not compact.startswith("FR") or not stdnum_siren.is_valid(digits):
        return None
    key = (12 + 3 * (int(digits) % 97)) % 97
    expected = f"FR{key:02d}{digits}"
    if compact == expected:
        return None
    return f"the VAT number {vat_number!r} does not match SIREN {digits} (expected {expected})"


def check_iban(value: str) -> str | None:
    from stdnum import iban

    return None if iban.is_valid(value) else f"invalid IBAN {value!r} (checksum or length)"


def check_bic(value: str) -> str | None:
    from stdnum import bic

    return None if bic.is_valid(value) else f"invalid BIC {value!r} (8 or 11 characters)"


_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


def check_email(value: str) -> str | None:
    return None if _EMAIL.fullmatch(value) else f"invalid email address {value!r}"


def check_electronic_address(value: str) -> str | None:
    from facturo.model.document import parse_electronic_address

    if parse_electronic_address(value) is not None:
        return None
    return (
        f"invalid electronic address {value!r} (expected the SIREN, SIREN_SIRET or "
        "SIREN_suffix of the French directory, an email, or SCHEME:identifier such as "
        "0088:5412345000013)"
    )


def check_mailbox(value: str) -> str | None:
    """One address, bare or with a name: 'you@example.fr' or 'Name <you@example.fr>'."""
    from email.utils import getaddresses

    if "\r" in value or "\n" in value:
        return f"expected one address on one line, got {value!r}"
    pairs = getaddresses([value])
    if len(pairs) != 1 or check_email(pairs[0][1]) is not None:
        return f"expected an address like 'Name <you@example.fr>', got {value!r}"
    return None


def check_currency(value: str) -> str | None:
    from facturo.model.money import is_currency

    if is_currency(value):
        return None
    return f"unknown currency {value!r} (expected an ISO 4217 code such as EUR, USD, JPY)"


def check_terms(value: str) -> str | None:
    from facturo.model.terms import parse_terms

    try:
        parse_terms(value)
    except ValueError as exc:
        return str(exc)
    return None


def check_rate(value: Decimal) -> str | None:
    if 0 <= value <= 100:
        return None
    return f"a rate is a percentage between 0 and 100, got {value}"


def check_positive(value: Decimal) -> str | None:
    if value > 0:
        return None
    return f"expected a number above 0, got {value}"


def check_pattern(value: str) -> str | None:
    from facturo.model.numbering import pattern_problem

    return pattern_problem(value)


def check_secret(value: str) -> str | None:
    return (
        "never write the SMTP password in a file of the billing folder (git would keep it): "
        "set FACTURO_SMTP_PASSWORD, or mail.password_file to a file outside the folder"
    )


def check_color(value: str) -> str | None:
    if re.fullmatch(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?", value):
        return None
    return f'expected a colour like "#1f4e79", got {value!r}'


def compact(key: str, value: str) -> str:
    """An identifier as files keep it: "812 345 676" -> "812345676", "fr 19 8123..." ->
    "FR198123...", an IBAN without its spaces; other values are only stripped."""
    from stdnum.util import clean

    if key == "siren":
        return str(clean(value, " -.")).strip()
    if key in ("vat_number", "iban", "bic"):
        return str(clean(value, " -./,")).upper().strip()
    if key == "country":
        return value.strip().upper()
    return value.strip()


MAX_TIMEOUT_SECONDS = 600


def check_host(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9._:\[\]-]{1,253}", value):
        return None
    return f"expected a host name or address like smtp.example.fr, got {value!r}"


def check_port(value: int) -> str | None:
    return None if 1 <= value <= 65535 else f"a port is between 1 and 65535, got {value}"


def check_timeout(value: int) -> str | None:
    if 1 <= value <= MAX_TIMEOUT_SECONDS:
        return None
    return f"a timeout is between 1 and {MAX_TIMEOUT_SECONDS} seconds, got {value}"


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine itself (localhost, 127.0.0.0/8, ::1)."""
    import ipaddress

    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def check_link_template(value: str) -> str | None:
    """An https address where {number}, {amount} and {currency} may stand for the document's."""
    import string

    if not value.startswith("https://") or any(c.isspace() for c in value):
        return f"expected an https:// address without spaces, got {value!r}"
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        return f"cannot read the template {value!r} ({exc}): write braces as {{{{ and }}}}"
    unknown = [name for name in fields if name not in ("number", "amount", "currency")]
    if unknown:
        return f"unknown field {{{unknown[0]}}} (use {{number}}, {{amount}}, {{currency}})"
    return None


VALUE_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "country": check_country,
    "siren": check_siren,
    "vat_number": check_vat_number,
    "iban": check_iban,
    "bic": check_bic,
    "email": check_email,
    "link_template": check_link_template,
    "electronic_address": check_electronic_address,
    "mailbox": check_mailbox,
    "host": check_host,
    "port": check_port,
    "timeout": check_timeout,
    "currency": check_currency,
    "terms": check_terms,
    "rate": check_rate,
    "positive": check_positive,
    "pattern": check_pattern,
    "color": check_color,
    "secret": check_secret,
}
