"""Reading user files against their schema: types, required keys, typos, checksums."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from facturo.errors import Problem
from facturo.files.identifiers import VALUE_CHECKS
from facturo.files.marked import YList, YMap
from facturo.files.schema import Field
from facturo.model.money import decimal_problem

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


# C0 and C1 control characters but tab and line ends: nobody means them, and most cannot be
# written in XML, so an e-invoice holding one would never be well-formed.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character_problem(text: str) -> str | None:
    """What is wrong with a text holding a control character, or None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return (
        f"contains the control character U+{ord(found.group()):04X} (invisible, and not "
        "allowed in an e-invoice): remove it"
    )


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
    if isinstance(value, str) and len(value) <= 100:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


# Limits that keep every value computable and every document printable (docs/FORMAT.md).
MAX_TEXT_CHARS = 5_000
MAX_WHOLE_NUMBER = 99_999  # ports, days, levels: never more than five digits
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2999, 12, 31)


def date_problem(value: dt.date) -> str | None:
    """Why a date cannot be used (far outside any business), or None."""
    if FIRST_DATE <= value <= LAST_DATE:
        return None
    return f"a date between {FIRST_DATE} and {LAST_DATE} was expected, got {value}"


def _date_text_problem(text: str) -> str:
    parts = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    if parts is not None:
        try:
            dt.date(*(int(part) for part in parts.groups()))
        except ValueError as exc:
            return f"no such date {text!r} ({exc})"
    return f"expected a date like 2026-03-31, got {text!r}"


def read_value(value: Any, spec: Field, raw: str | None, report: Report, mark: Mark) -> Any:
    """Normalise one value to its spec's type; report and return None when it does not fit."""
    kind = spec.kind
    result: Any = None
    if kind == "text":
        if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            report.error(mark, f"text longer than {MAX_TEXT_CHARS} characters ({len(value)})")
            return None
        if isinstance(value, str):
            result = value.strip()
        elif raw is not None:
            result = raw  # 75011, +33612345678, 552100554: the text as typed
        else:
            report.error(mark, f"expected text, got {_describe(value)}")
            return None
        if message := control_character_problem(result):
            report.error(mark, message)
            return None
    elif kind in ("decimal", "integer"):
        number = _as_decimal(value)
        if number is None:
            hint = (
                " (use a dot for decimals: 1234.56)"
                if isinstance(value, str) and "," in value
                else ""
            )
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
            report.error(mark, f"expected a number, got {shown}{hint}")
            return None
        if (message := decimal_problem(number)) is not None:
            report.error(mark, message)
            return None
        if kind == "integer":
            if number != number.to_integral_value():
                report.error(mark, f"expected a whole number, got {value}")
                return None
            if abs(number) > MAX_WHOLE_NUMBER:
                report.error(mark, f"expected a whole number up to {MAX_WHOLE_NUMBER}, got {value}")
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
                report.error(mark, _date_text_problem(str(value).strip()[:40]))
                return None
        if (message := date_problem(result)) is not None:
            report.error(mark, message)
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
            if message := control_character_problem(item):
                report.error(mark, message)
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
