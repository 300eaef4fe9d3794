"""The YAML facturo writes (files/canonical.py), read without a YAML parser; else None.

A cold `check` parses every issued file, and a YAML parser spends most of its time on what
these files never hold. This reader knows only the narrow form the canonical emitter
writes: comment lines before the first key, `key: value` lines with plain keys, mappings
nested two spaces deeper, lists at their key's indent (`- item`), plain and single-quoted
scalars on one line, `[]` and `{}`. On anything else (a blank line or a comment further
down, a tab, double quotes, `|` blocks, anchors, tags, a duplicate key, a value yamlio would
report) it gives None, and yamlio reads the file. What it gives is what yamlio gives the
same text: the values and their types, the line and column of each mapping, list, key and
item, and the raw text of plain non-text values (tests/test_written.py compares them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from facturo.errors import Problem
from facturo.files.marked import YList, YMap
from facturo.files.yamlio import MAX_FILE_BYTES, NOT_READ, load_mapping, plain_value

# Any character that makes the text not plainly the emitter's: tab, the line breaks YAML
# knows besides \n, a byte order mark, and what yamlio refuses (control characters). Named
# one by one, not as all the others: 0.5 ms to compile at every start instead of 5.
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# Bytes of characters _UNUSUAL never finds (\n and printable ASCII). Deleting them from
# UTF-8 leaves the other characters whole (no byte of theirs is below 0x80): only those
# are searched, and each line is ASCII but for a few accents.
_ORDINARY = bytes((0x0A, *range(0x20, 0x7F)))
_HEADER = re.compile(r"(?:#[^\n]*\n|\n)*")  # comment and blank lines before the first key
# One line: its indent, a list item's dash, and `key:`, `key: value` or a scalar alone.
_LINE = re.compile(r"( *)(- )?(?:([A-Za-z_][A-Za-z0-9_-]*):(?: (.+))?|(.+))\n")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Scalar text -> its value, and the text again when yamlio keeps it as raw (a plain scalar
# read as no text): short texts (amounts, dates, names, codes) repeat from one document to
# the next; long ones (digests) do not, and are not kept.
_SCALARS: dict[str, tuple[Any, str | None]] = {}
KEPT_SCALARS, KEPT_LENGTH = 50_000, 48
# Marks (line, column) shared by every document, by column then line: a document's keys
# take theirs from here instead of making a pair each.
_MARKS: dict[int, list[tuple[int, int]]] = {}
MARKED_LINES = 4096
_DEEPEST = 64  # levels of nesting; deeper is left to yamlio
Line = tuple[str, str, str, str, str]


class _NotWritten(Exception):
    """The text is not in the form facturo writes."""


def load_mapping_written(
    path: Path, display: str, raw: bytes | None
) -> tuple[YMap | None, list[Problem]]:
    """What yamlio.load_mapping gives for a file of bytes `raw` (None: they could not be
    read), without a YAML parser when they are in the form facturo writes."""
    data = None if raw is None else read_written(raw)
    if data is not None:
        return data, []
    return load_mapping(path, display, raw)


def load_file_written(path: Path, display: str) -> tuple[YMap | None, list[Problem]]:
    """load_mapping_written of a file's bytes, read up to the size yamlio refuses as too
    large (a file linked to /dev/zero costs one read)."""
    try:
        with open(path, "rb") as handle:
            raw: bytes | None = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        raw = None  # load_mapping says what is wrong
    return load_mapping_written(path, display, raw)


def read_written(raw: bytes) -> YMap | None:
    """The top-level mapping of a file's bytes as yamlio reads it without a problem, when
    they are UTF-8 text in the narrow form facturo writes; None for anything else."""
    if len(raw) > MAX_FILE_BYTES or not raw.endswith(b"\n"):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    rest = raw.translate(None, _ORDINARY)
    if rest and _UNUSUAL.search(rest.decode("utf-8")):
        return None
    header = _HEADER.match(text)
    start = header.end() if header else 0
    lines: list[Line] = _LINE.findall(text, start)
    if len(lines) != text.count("\n", start) or not lines:
        return None  # a line that is none of those (an empty one)
    spaces, dash, key, _, _ = lines[0]
    if spaces or dash or not key:
        return None
    try:
        data, at = _Reader(lines, text.count("\n", 0, start) + 1).mapping(0, 0, 0)
    except _NotWritten:
        return None
    return data if at == len(lines) else None


def _scalar(text: str) -> tuple[Any, str | None]:
    """The value of a scalar written `text` on one line, and `text` if yamlio keeps it raw."""
    found = _SCALARS.get(text)
    if found is not None:
        return found
    first = text[0]
    if text[-1] == " " or first == " ":
        raise _NotWritten
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise _NotWritten
        read: tuple[Any, str | None] = (inner.replace("''", "'"), None)
    else:
        if first in _INDICATORS and not (first == "-" and text[1:2] not in ("", " ")):
            raise _NotWritten
        if " #" in text or ": " in text or text[-1] == ":":
            raise _NotWritten
        value = plain_value(text)
        if value is NOT_READ:
            raise _NotWritten
        read = (value, None if isinstance(value, str) else text)
    if len(text) <= KEPT_LENGTH:
        if len(_SCALARS) >= KEPT_SCALARS:
            _SCALARS.clear()  # full of texts seen once (numbers, references): start again
        _SCALARS[text] = read
    return read


def _shared_marks(column: int, lines: int) -> list[tuple[int, int]]:
    """The marks of `column` for lines 0 to at least `lines` - 1, shared by every document."""
    row = _MARKS.setdefault(column, [])
    if len(row) < lines:
        row.extend((line, column) for line in range(len(row), lines))
    return row


class _Reader:
    def __init__(self, lines: list[Line], first_line: int) -> None:
        self.lines = lines
        self.first_line = first_line  # the line number of lines[0]
        self.last = first_line + len(lines)  # marks are needed up to this line
        self.rows: dict[int, list[tuple[int, int]]] = {}  # a long document's own marks

    def mapping(self, at: int, indent: int, depth: int) -> tuple[YMap, int]:
        """The mapping whose first key is on `lines[at]` at column `indent` (after a dash
        there, if any); and where the lines after it start."""
        if depth > _DEEPEST:
            raise _NotWritten
        lines, end, first, column = self.lines, len(self.lines), self.first_line, indent + 1
        row = _MARKS.get(column)
        if row is None or len(row) < self.last:
            row = self._marks(column)
        data = YMap()
        data.line, data.col = row[at + first]
        marks, raw, scalars = data.key_marks, data.raw, _SCALARS
        key, value = lines[at][2], lines[at][3]
        while True:
            if not key or key in data:
                raise _NotWritten
            marks[key] = row[at + first]
            if value:
                found = scalars.get(value)
                if found is None:
                    if value == "[]" or value == "{}":
                        found = (self._empty(value, at, indent + len(key) + 2), None)
                    else:
                        found = _scalar(value)
                data[key], kept = found
                if kept is not None:
                    raw[key] = kept
                at += 1
            else:  # `key:`, and below it a list at its column or a mapping two deeper
                if at + 1 == end:
                    raise _NotWritten
                spaces, dash, below, _, _ = lines[at + 1]
                if dash and len(spaces) == indent:
                    data[key], at = self._list(at + 1, indent, depth + 1)
                elif below and not dash and len(spaces) == indent + 2:
                    data[key], at = self.mapping(at + 1, indent + 2, depth + 1)
                else:
                    raise _NotWritten  # an empty value, or indented otherwise
            if at == end:
                return data, at
            spaces, dash, key, value, _ = lines[at]
            if len(spaces) != indent or dash:
                if len(spaces) < indent:
                    return data, at
                raise _NotWritten

    def _list(self, at: int, indent: int, depth: int) -> tuple[YList, int]:
        if depth > _DEEPEST:
            raise _NotWritten
        lines, end, first = self.lines, len(self.lines), self.first_line
        row = _MARKS.get(indent + 3)
        if row is None or len(row) < self.last:
            row = self._marks(indent + 3)
        data = YList()
        data.line, data.col = at + first, indent + 1
        marks, scalars = data.item_marks, _SCALARS
        while True:
            _, _, key, _, alone = lines[at]
            marks.append(row[at + first])
            if key:
                item, at = self.mapping(at, indent + 2, depth + 1)
                data.append(item)
            else:
                found = scalars.get(alone)
                if found is None:
                    if alone == "[]" or alone == "{}":
                        found = (self._empty(alone, at, indent + 2), None)
                    else:
                        found = _scalar(alone)
                data.append(found[0])
                at += 1
            if at == end:
                return data, at
            spaces, dash, _, _, _ = lines[at]
            if len(spaces) != indent or not dash:
                if len(spaces) <= indent:
                    return data, at  # the list ends: the next key of a mapping around it
                raise _NotWritten

    def _marks(self, column: int) -> list[tuple[int, int]]:
        """The marks of `column` by line: shared, unless the document has many lines."""
        if self.last <= MARKED_LINES:
            return _shared_marks(column, self.last)
        row = self.rows.get(column)
        if row is None:
            row = self.rows[column] = [(line, column) for line in range(self.last)]
        return row

    def _empty(self, text: str, at: int, column: int) -> YList | YMap:
        """`[]` or `{}` at `column` (0-based) of `lines[at]`."""
        empty: YList | YMap = YList() if text == "[]" else YMap()
        empty.line, empty.col = at + self.first_line, column + 1
        return empty
