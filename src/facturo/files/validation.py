"""Reading user files against their schema: types, required keys, typos, checksums."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from facturo.errors import Problem
from facturo.files.schema import Field
from facturo.files.yamlio import YList, YMap

Mark = tuple[int, int]


class Report:
    """Problems found in one file, each pointing at a line and column."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, mark: Mark, message: str) -> None:
        self.problems.append(Problem(self.path, mark[0], mark[1], message))

    def warning(self, mark: Mark, message: str) -> None:
        self.problems.append(Problem(self.path, mark[0], mark[1], message, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


def suggest(word: str, candidates: list[str] | tuple[str, ...]) -> str:
    """ "did you mean 'x'?" for the closest candidate, or the list of candidates."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    if not candidates:
        return "none is defined"
    if len(candidates) <= 8:
        return "expected one of: " + ", ".join(candidates)
    return f"expected one of {len(candidates)} names"


@cache
def _countries() -> frozenset[str]:
    from babel import Locale

    codes = (str(k) for k in Locale("en").territories)
    return frozenset(k for k in codes if len(k) == 2 and k.isalpha())


def is_country(code: str) -> bool:
    return code in _countries()


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


def check_iban(value: str) -> str | None:
    from stdnum import iban

    return None if iban.is_valid(value) else f"invalid IBAN {value!r} (checksum or length)"


def check_bic(value: str) -> str | None:
    from stdnum import bic

    return None if bic.is_valid(value) else f"invalid BIC {value!r} (8 or 11 characters)"


_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")


def check_email(value: str) -> str | None:
    return None if _EMAIL.fullmatch(value) else f"invalid email address {value!r}"


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


VALUE_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "country": check_country,
    "siren": check_siren,
    "vat_number": check_vat_number,
    "iban": check_iban,
    "bic": check_bic,
    "email": check_email,
    "currency": check_currency,
    "terms": check_terms,
    "rate": check_rate,
    "pattern": check_pattern,
    "color": check_color,
    "secret": check_secret,
}

_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    Decimal: "a number",
    bool: "true or false",
    dt.date: "a date",
    YMap: "key: value lines",
    YList: "a list",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    for kind, name in _TYPE_NAMES.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def read_value(value: Any, spec: Field, raw: str | None, report: Report, mark: Mark) -> Any:
    """Normalise one value to its spec's type; report and return None when it does not fit."""
    kind = spec.kind
    result: Any = None
    if kind == "text":
        if isinstance(value, str):
            result = value.strip()
        elif raw is not None:
            result = raw  # 75011, +33612345678, 552100554: the text as typed
        else:
            report.error(mark, f"expected text, got {_describe(value)}")
            return None
    elif kind in ("decimal", "integer"):
        number = _as_decimal(value)
        if number is None:
            hint = (
                " (use a dot for decimals: 1234.56)"
                if isinstance(value, str) and "," in value
                else ""
            )
            report.error(mark, f"expected a number, got {value!r}{hint}")
            return None
        if kind == "integer":
            if number != number.to_integral_value():
                report.error(mark, f"expected a whole number, got {value}")
                return None
            result = int(number)
        else:
            result = number
    elif kind == "date":
        if isinstance(value, dt.datetime):
            report.error(mark, "expected a date without a time, like 2026-03-31")
            return None
        if isinstance(value, dt.date):
            result = value
        else:
            try:
                result = dt.date.fromisoformat(str(value).strip())
            except ValueError:
                report.error(mark, f"expected a date like 2026-03-31, got {value!r}")
                return None
    elif kind == "switch":
        if isinstance(value, bool):
            return value
        if isinstance(value, YMap):
            return read_mapping(value, spec.fields, report)
        report.error(mark, f"expected true, false or levels, got {_describe(value)}")
        return None
    elif kind == "bool":
        if not isinstance(value, bool):
            report.error(mark, f"expected true or false, got {value!r}")
            return None
        result = value
    elif kind == "choice":
        text = raw if raw is not None else value
        if not isinstance(text, str) or text not in spec.choices:
            report.error(mark, f"unknown value {text!r} ({suggest(str(text), spec.choices)})")
            return None
        result = text
    elif kind == "texts":
        items = value if isinstance(value, list) else [value]
        result = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                report.error(mark, f"expected text items, got {_describe(item)}")
                return None
            if spec.choices and item not in spec.choices:
                report.error(mark, f"unknown value {item!r} ({suggest(item, spec.choices)})")
                return None
            if spec.check and (message := VALUE_CHECKS[spec.check](item.strip())):
                report.error(mark, message)
                return None
            result.append(item.strip())
        return result
    elif kind == "discount":
        from facturo.model.money import parse_discount

        try:
            parse_discount(value)
        except ValueError as exc:
            report.error(mark, str(exc))
            return None
        result = value
    elif kind == "map":
        if not isinstance(value, YMap):
            report.error(mark, f"expected key: value lines, got {_describe(value)}")
            return None
        return read_mapping(value, spec.fields, report)
    elif kind == "list":
        if not isinstance(value, YList):
            report.error(
                mark, f"expected a list (lines starting with '- '), got {_describe(value)}"
            )
            return None
        assert spec.item is not None
        items = YList()
        items.line, items.col = value.line, value.col
        for index, item in enumerate(value):
            normal = read_value(item, spec.item, None, report, value.mark(index))
            items.append(normal)
            items.item_marks.append(value.mark(index))
        return items
    if spec.check and result is not None:
        message = VALUE_CHECKS[spec.check](result)
        if message:
            report.error(mark, message)
            return None
    return result


def read_mapping(node: YMap, fields: dict[str, Field], report: Report) -> YMap:
    """Check keys (unknown ones get a suggestion, required ones must be there) and values."""
    out = YMap()
    out.line, out.col = node.line, node.col
    out.key_marks = node.key_marks
    for key, value in node.items():
        mark = node.mark(key)
        spec = fields.get(key)
        if spec is None:
            report.error(mark, f"unknown key {key!r} ({suggest(str(key), list(fields))})")
            continue
        if value is None or value == "":
            continue  # an empty optional value is the same as leaving the key out
        normal = read_value(value, spec, node.raw.get(key), report, mark)
        if spec.kind == "list" and spec.required and normal == []:
            report.error(mark, f"{key!r} needs at least one item")
        elif normal is not None:
            out[key] = normal
    for key, spec in fields.items():
        if spec.required and key not in out and (key not in node or node[key] in (None, "")):
            report.error((node.line, node.col), f"missing required key {key!r} ({spec.help})")
    return out


def read_file(node: YMap, fields: dict[str, Field], path: str) -> tuple[YMap, Report]:
    """Read a whole file's top-level mapping against its spec."""
    report = Report(path)
    return read_mapping(node, fields, report), report


def check_reminder_levels(policy: YMap, report: Report) -> None:
    """Levels are 0 to 3, each once, later levels later; level 0 comes before the due date."""
    levels = policy.get("levels")
    if not isinstance(levels, YList):
        return
    seen: dict[int, int] = {}
    for index, item in enumerate(levels):
        if not isinstance(item, YMap) or "level" not in item or "days" not in item:
            continue
        level, days = item["level"], item["days"]
        mark = levels.mark(index)
        if not 0 <= level <= 3:
            report.error(mark, f"reminder levels go from 0 to 3, not {level}")
        elif level in seen:
            report.error(mark, f"reminder level {level} is defined twice")
        elif any(other < level and other_days >= days for other, other_days in seen.items()):
            report.error(mark, f"level {level} must come later than the levels before it")
        elif level == 0 and days > 0:
            report.error(mark, "level 0 is a courtesy note before the due date: days must be <= 0")
        elif level > 0 and days < 1:
            report.error(mark, f"level {level} is sent after the due date: days must be >= 1")
        seen[level] = days


def check_config(config: YMap, report: Report, root: Path | None = None) -> None:
    """Rules of facturo.yaml beyond types: what the law requires of the seller."""
    seller = config.get("seller")
    if not isinstance(seller, YMap):
        return
    address = seller.get("address")
    country = address.get("country") if isinstance(address, YMap) else None
    if country == "FR" and "siren" not in seller and "siren" in seller.key_marks:
        pass  # already reported as invalid
    elif country == "FR" and "siren" not in seller:
        report.error(seller.mark("name"), "missing 'siren': French invoices must show it")
    regime = seller.get("vat_regime", "standard")
    if regime == "standard" and "vat_number" not in seller and "vat_number" not in seller.key_marks:
        report.error(
            seller.mark("vat_regime") if "vat_regime" in seller else seller.mark("name"),
            "missing 'vat_number': a VAT-registered seller must show it "
            "(or set vat_regime: franchise under art. 293 B du CGI)",
        )
    numbering = config.get("numbering")
    if isinstance(numbering, YMap):
        from facturo.model.numbering import yearly_pattern_problem

        for series in numbering.values():
            if isinstance(series, YMap) and "pattern" in series:
                message = yearly_pattern_problem(series["pattern"], series.get("reset", "yearly"))
                if message:
                    report.error(series.mark("pattern"), message)
    mail = config.get("mail")
    if isinstance(mail, YMap) and "password_file" in mail and root is not None:
        secret = (root / Path(mail["password_file"]).expanduser()).resolve()
        if secret.is_relative_to(root.resolve()):
            report.error(
                mail.mark("password_file"),
                "the password file is inside the billing folder (git would keep it): move it "
                "out, e.g. ~/.config/facturo/smtp-password",
            )
    reminders = config.get("reminders")
    if isinstance(reminders, YMap):
        check_reminder_levels(reminders, report)
    defaults = config.get("defaults")
    if not isinstance(defaults, YMap) or "late_penalty_rate_percent" not in defaults.key_marks:
        where = (defaults.line, defaults.col) if isinstance(defaults, YMap) else (config.line, 1)
        report.error(
            where,
            "missing defaults.late_penalty_rate_percent: invoices must state the late-payment "
            "penalty rate (ECB refinancing rate + 10 points, Code de commerce L441-10)",
        )
    if isinstance(defaults, YMap) and regime == "franchise" and defaults.get("vat_rate"):
        report.warning(
            defaults.mark("vat_rate"),
            "vat_rate is ignored: a seller under VAT franchise charges no VAT",
        )


CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def client_id_problem(client_id: str) -> str | None:
    if CLIENT_ID.match(client_id):
        return None
    return (
        f"invalid client id {client_id!r}: use lower-case letters, digits, '-' and '_' "
        "(at most 64 characters)"
    )


def check_client(client: YMap, report: Report) -> None:
    """Rules of a client file beyond types."""
    if isinstance(client.get("reminders"), YMap):
        check_reminder_levels(client["reminders"], report)
    kind = client.get("kind", "business")
    address = client.get("address")
    country = address.get("country") if isinstance(address, YMap) else None
    if kind == "business" and country == "FR" and "siren" not in client.key_marks:
        report.error(
            client.mark("name"),
            "missing 'siren': invoices to a French business must show its SIREN "
            "(or set kind: individual for a private person)",
        )
    if kind == "individual" and "vat_number" in client:
        report.warning(client.mark("vat_number"), "a private individual has no VAT number")
    if client.get("vat") == "reverse-charge" and "vat_number" not in client.key_marks:
        report.error(client.mark("vat"), "reverse charge needs the client's 'vat_number'")
