"""Numbering series: patterns like F-{year}-{seq:04}, parsing numbers back, the next number.

The next number is derived from the issued files themselves (no counter file to conflict
in git) and claimed by an exclusive create of `<number>.yaml` (see folder.claim). Each kind
of document has its series (invoice, credit_note, quote); `numbering.series` adds named
ones of a kind (one per activity), which no number of another series may ever match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from facturo.model.kinds import FOLDER_OF_SERIES as FOLDER_OF_SERIES
from facturo.model.kinds import SERIES_OF_KIND as SERIES_OF_KIND

MAX_LENGTH = 35
ALLOWED = re.compile(r"^[A-Za-z0-9_+-]+$")
_FIELD = re.compile(r"\{([^{}]*)\}")
_KNOWN = re.compile(r"^(?:year|yy|seq(?::0?([1-9]))?)$")

DEFAULT_PATTERNS = {
    "invoice": "F-{year}-{seq:04}",
    "credit_note": "AV-{year}-{seq:04}",
    "quote": "D-{year}-{seq:04}",
}
# The kinds of series: each kind of document takes its number from a series of one of them.
SERIES_KINDS = tuple(DEFAULT_PATTERNS)
_DIGIT = "#"  # a position of a pattern that takes any digit (never a character of a number)


def pattern_problem(pattern: str) -> str | None:
    """What is wrong with a numbering pattern, or None."""
    fields = _FIELD.findall(pattern)
    for name in fields:
        if not _KNOWN.match(name):
            expected = "{year}, {yy}, {seq} or {seq:04}"
            return f"unknown field {{{name}}} in pattern (expected {expected})"
    if sum(1 for name in fields if name.startswith("seq")) != 1:
        return "the pattern needs exactly one {seq} (or {seq:04} for zero padding)"
    literal = _FIELD.sub("", pattern)
    if literal and not ALLOWED.match(literal):
        return f"numbers may only use A-Z a-z 0-9 - _ + (pattern {pattern!r})"
    sample = Series("invoice", pattern, "yearly").format(2026, 99999)
    if len(sample) > MAX_LENGTH:
        return f"numbers would exceed {MAX_LENGTH} characters ({sample!r})"
    return None


def yearly_pattern_problem(pattern: str, reset: str) -> str | None:
    """A yearly reset without the year in the number would reuse numbers."""
    if reset == "yearly" and "{year}" not in pattern and "{yy}" not in pattern:
        return "a series reset every year needs {year} or {yy} in its pattern (or reset: never)"
    return None


@dataclass(frozen=True)
class Series:
    """One numbering series: its pattern and whether it restarts each year."""

    name: str  # invoice | credit_note | quote, or the name of a series of numbering.series
    pattern: str
    reset: str  # yearly | never
    start: str | None = None  # the first number of this pattern, after a pattern change
    kind: str = ""  # a named series: the kind of series it is (invoice, credit_note, quote)

    @property
    def series_kind(self) -> str:
        """invoice, credit_note or quote: which documents take their numbers from it."""
        return self.kind or self.name

    @property
    def folder(self) -> str:
        return FOLDER_OF_SERIES[self.series_kind]

    def key(self, name: str) -> str:
        """Where a key of this series is in facturo.yaml, for messages."""
        if self.kind:
            return f"{name} of numbering.series {self.name!r}"
        return f"numbering.{self.name}.{name}"

    def format(self, year: int, seq: int) -> str:
        def field(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "year":
                return f"{year:04d}"
            if name == "yy":
                return f"{year % 100:02d}"
            width = int(name.partition(":")[2] or "1")
            return f"{seq:0{width}d}"

        return _FIELD.sub(field, self.pattern)

    @property
    def regex(self) -> re.Pattern[str]:
        return _pattern_regex(self.pattern)

    def parse(self, number: str) -> tuple[int | None, int] | None:
        """(year or None, sequence) of a number of this series, or None."""
        return _parse(self.pattern, number)

    def group_of(self, year: int) -> int | None:
        """Sequences restart each year for a yearly series; one group otherwise."""
        return year if self.reset == "yearly" else None

    def first_seq(self, group: int | None) -> int:
        """Where the sequence of `group` begins: 1, or `start` when it falls in that group."""
        parsed = self.parse(self.start) if self.start else None
        if parsed is not None:
            year, seq = parsed
            if self.reset != "yearly" or year == group:
                return seq
        return 1

    def restart_problem(self, year: int, issued: Iterable[tuple[str, int]]) -> str | None:
        """Why numbering `year` would silently restart the series, or None.

        `issued` holds the (number, issue year) of the series' documents. Numbers of the
        same group that the pattern does not read were made with another pattern: the new
        one would begin again at 1 unless `start` says where it begins.
        """
        group = self.group_of(year)
        start = self.parse(self.start) if self.start else None
        if start is not None and (self.reset != "yearly" or start[0] == group):
            return None  # the change is documented
        others = sorted(
            number
            for number, issued_year in issued
            if self.parse(number) is None and (group is None or issued_year == group)
        )
        if not others:
            return None
        return (
            f"{others[-1]} does not follow the {self.name} pattern {self.pattern!r}: the series "
            f"would restart at {self.format(year, self.first_seq(group))}; if the pattern changed "
            f"on purpose, give {self.key('start')}, the first number of the new pattern"
        )

    def next_number(self, year: int, existing: Iterable[str]) -> str:
        """The number after the highest one of `year`'s group among `existing`."""
        group = self.group_of(year)
        highest = self.first_seq(group) - 1
        for number in existing:
            parsed = self.parse(number)
            if parsed is None:
                continue
            number_year, seq = parsed
            if group is None or number_year == group:
                highest = max(highest, seq)
        return self.format(year, highest + 1)


@functools.lru_cache(maxsize=1 << 18)
def _parse(pattern: str, number: str) -> tuple[int | None, int] | None:
    """`Series.parse`, remembered: issuing and checking read every number of a series."""
    match = _pattern_regex(pattern).match(number)
    if not match:
        return None
    groups = match.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    if year is None and groups.get("yy"):
        year = 2000 + int(groups["yy"])
    return year, int(groups["seq"])


@functools.cache
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """The regular expression recognising numbers of a pattern (compiled once)."""
    parts = [
        field_regex(value, field_width(value)) if is_field else re.escape(value)
        for is_field, value in pattern_pieces(pattern)
    ]
    return re.compile("^" + "".join(parts) + "$")


def pattern_pieces(pattern: str) -> list[tuple[bool, str]]:
    """A pattern in order: (False, literal text) and (True, field name) pieces."""
    pieces: list[tuple[bool, str]] = []
    at = 0
    for match in _FIELD.finditer(pattern):
        if match.start() > at:
            pieces.append((False, pattern[at : match.start()]))
        pieces.append((True, match.group(1)))
        at = match.end()
    if at < len(pattern):
        pieces.append((False, pattern[at:]))
    return pieces


def field_width(name: str) -> int:
    """How many digits a field writes at least: 4 for {year}, 2 for {yy}, the padding of {seq}."""
    return {"year": 4, "yy": 2}.get(name) or int(name.partition(":")[2] or "1")


def field_regex(name: str, width: int) -> str:
    """The named group matching a field: year and yy exactly, seq with at least `width` digits."""
    if name in ("year", "yy"):
        return rf"(?P<{name}>[0-9]{{{field_width(name)}}})"
    return rf"(?P<seq>[0-9]{{{width},}})"


def series_from_config(config: dict[str, Any], name: str) -> Series:
    """The series named `name` as configured, with the defaults."""
    numbering = config.get("numbering") or {}
    spec = numbering.get(name) or {}
    return Series(
        name,
        spec.get("pattern", DEFAULT_PATTERNS[name]),
        spec.get("reset", "yearly"),
        spec.get("start") or None,
    )


def named_series(config: Mapping[str, Any]) -> list[Series]:
    """The series of `numbering.series`, in their order (those facturo.yaml rules refuse are
    left out: files.rules reports them)."""
    numbering = config.get("numbering") or {}
    found: list[Series] = []
    for spec in numbering.get("series") or []:
        if not isinstance(spec, Mapping):
            continue
        name, kind, pattern = spec.get("name"), spec.get("kind"), spec.get("pattern")
        if isinstance(name, str) and kind in SERIES_KINDS and isinstance(pattern, str):
            reset = spec.get("reset", "yearly")
            found.append(Series(name, pattern, reset, spec.get("start") or None, kind=kind))
    return found


def all_series(config: Mapping[str, Any]) -> list[Series]:
    """Every series of the folder: one per kind of series, then the named ones."""
    defaults = [series_from_config(dict(config), name) for name in SERIES_KINDS]
    return defaults + named_series(config)


def series_for(config: Mapping[str, Any], kind: str, name: str | None = None) -> Series | None:
    """The series a document of `kind` takes its number from: the named one it gives
    (`series: NAME`), else its kind's; None for a name no series of that kind has."""
    series_kind = SERIES_OF_KIND[kind]
    if not name or name == series_kind:
        return series_from_config(dict(config), series_kind)
    for series in named_series(config):
        if series.name == name and series.kind == series_kind:
            return series
    return None


def shared_number(first: Series, second: Series) -> str | None:
    """A number both series could give (letters compared ignoring case, as numbers are
    looked up), or None when they can never meet."""
    for year in (2026, 2000):
        for seq in (1, 10, 100, 1000, 10000):
            number = first.format(year, seq)
            if re.match(second.regex.pattern, number, re.IGNORECASE):
                return number
    # The patterns as sequences of positions, walked side by side over the characters
    # both accept: a breadth-first search of their product finds a shortest common number.
    a, b = _positions(first.pattern), _positions(second.pattern)
    found: dict[tuple[int, int], str] = {(-1, -1): ""}
    queue = [(-1, -1)]
    while queue:
        i, j = queue.pop(0)
        if (i, j) == (len(a) - 1, len(b) - 1):
            return found[(i, j)]
        for k in _moves(a, i):
            for m in _moves(b, j):
                common = _common(a[k][0], b[m][0])
                if common is not None and (k, m) not in found:
                    found[(k, m)] = found[(i, j)] + common
                    queue.append((k, m))
    return None


def _positions(pattern: str) -> list[tuple[str, bool]]:
    """Each position of a pattern's numbers: its character (or any digit) and whether it
    may repeat (the last digit of a sequence, which has no upper width)."""
    positions: list[tuple[str, bool]] = []
    for is_field, value in pattern_pieces(pattern):
        if not is_field:
            positions += [(char, False) for char in value]
            continue
        positions += [(_DIGIT, False)] * field_width(value)
        if value.startswith("seq"):
            positions[-1] = (_DIGIT, True)
    return positions


def _moves(positions: list[tuple[str, bool]], at: int) -> list[int]:
    following = [at + 1] if at + 1 < len(positions) else []
    return following + ([at] if at >= 0 and positions[at][1] else [])


def _common(a: str, b: str) -> str | None:
    if a == _DIGIT:
        return "1" if b == _DIGIT else (b if b.isdigit() else None)
    if b == _DIGIT:
        return a if a.isdigit() else None
    return a if a.casefold() == b.casefold() else None


def number_problem(number: str) -> str | None:
    """Numbers are file names and e-invoice ids: a small alphabet and 35 characters."""
    if not ALLOWED.match(number):
        return f"number {number!r} may only use A-Z a-z 0-9 - _ +"
    if len(number) > MAX_LENGTH:
        return f"number {number!r} is longer than {MAX_LENGTH} characters"
    return None
