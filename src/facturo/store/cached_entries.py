"""The index cache's form of entries: one JSON line per field, each read when needed.

The index cache (store/index.py) is JSON lines: the files' stat keys in one flat list, one
line per field holding every entry's value in the order of the paths (a column whose values
are all the default is left out), then a header (the cache's mark, how many entries, which
columns): written one line at a time, read one line at a time (each let go of once read).
A column read is checked and converted at once: a wrong type anywhere
makes the whole cache stale, never a crash. Two kinds of column are left unread until an
entry asks for one (`Unread`, through `Entry.__getattr__`): the payments, and the seal's
fields unless the files are being verified. Listing 10,000 documents parses neither, which
is half of the cache's bytes. A column read late that turns out wrong is never served: the
entries that ask for it are read from their files.

Why so long: the cache's form is written and read here, column kind by column kind; split,
how a kind is encoded and how it is checked when read back would drift apart.
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import Any

from facturo.model.document import Payment
from facturo.store.cache import read_signed_lines
from facturo.store.cache_values import READERS, amounts_column, payment_shapes, read_payments
from facturo.store.entry import FIELD_NAMES, SEAL_FIELDS, SETTERS, UNREAD, Entry, peek

_FIELD_KINDS: dict[str, str] = {
    "path": "text", "number": "text", "kind": "shared", "series": "text?",
    "issue_date": "date", "due_date": "date", "valid_until": "date",
    "client_id": "shared", "client_name": "shared", "currency": "shared",
    "gross": "amount", "due": "amount", "paid": "amount", "written_off": "amount",
    "seal": "text?", "previous": "text?", "previous_line": "int", "seal_version": "int",
    "source_sha256": "text?", "content_sha256": "text?", "credit_note_of": "text?",
    "quote": "text?", "accepted": "date", "declined": "date", "sent": "date",
    "deducts": "texts", "payments": "payments", "reminders": "reminders",
    "penalty_rate": "amount?", "business": "bool", "pending_reminder": "pending",
    "subscription": "text?", "service_start": "date", "platform": "text?",
    "platform_code": "int?", "platform_rule": "text?", "problems": "problems",
}  # fmt: skip
_FIELDS = {found.name: found for found in fields(Entry)}


def _default(name: str) -> Any:
    """A field's default, as an entry made without it has it."""
    found = _FIELDS[name]
    if found.default_factory is not MISSING:
        return found.default_factory()
    return found.default


def _to_text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _cell(kind: str, value: Any) -> Any:
    """One value as the cache stores it."""
    if kind == "payments":
        return [
            [p.date.isoformat(), format(p.amount, "f"), p.method, p.reference, p.reason]
            for p in value
        ]
    if kind == "reminders":
        return [[level, day.isoformat()] for level, day in value]
    if kind == "pending":
        return None if value is None else {**value, "date": _to_text(value.get("date"))}
    if kind == "problems":
        return [p.as_dict() for p in value]
    return _to_text(value)


def default_cell(name: str) -> Any:
    """What the cache would hold for field `name` at its default."""
    return _cell(_FIELD_KINDS[name], _default(name))


def to_columns(
    entries: list[Entry],
    cached: CachedIndex | None = None,
    places: list[int | None] | None = None,
) -> dict[str, list[Any]]:
    """`entries` column by column: what the index cache stores (see column_cells)."""
    return dict(column_cells(entries, cached, places))


def column_cells(
    entries: list[Entry],
    cached: CachedIndex | None = None,
    places: list[int | None] | None = None,
) -> Iterator[tuple[str, list[Any]]]:
    """Each column of `entries` but those all at their default, made one at a time. An
    entry read back from the `cached` index (`places`: where each one was there, None for
    one read anew) keeps its cells as they were: one new document does not write 10,000
    others cell by cell. A column the cache no longer holds as read is made again from the
    entries (the same cells: each kind of value reads back as it was written)."""
    for name, cells_of in _columns(entries, cached, places):
        yield name, cells_of(0, len(entries))


def column_lines(
    entries: list[Entry],
    cached: CachedIndex | None = None,
    places: list[int | None] | None = None,
) -> Iterator[tuple[str, Iterator[bytes]]]:
    """column_cells as the lines of the index cache, each in pieces of ENCODED_AT_ONCE cells
    made and encoded as they are written: neither the cells of a whole column (50,000
    documents' payments) nor its JSON is ever held at once."""
    for name, cells_of in _columns(entries, cached, places):
        yield name, _pieces(cells_of, len(entries))


ENCODED_AT_ONCE = 2048  # cells of a column made and encoded at a time
Cells = Callable[[int, int], list[Any]]  # a column's cells from one place to another


def _columns(
    entries: list[Entry], cached: CachedIndex | None, places: list[int | None] | None
) -> Iterator[tuple[str, Cells]]:
    """Each column not all at its default, as a way to make its cells: the first cells
    that differ from the default are looked for first (most often the first few)."""
    where = places if places is not None else [None] * len(entries)
    fresh = all(place is None for place in where)  # a cold cache: every cell made anew
    for name, kind in _FIELD_KINDS.items():
        default = default_cell(name)
        before = cached.cells(name) if cached is not None and not fresh else None

        def cells_of(
            start: int, stop: int, name: str = name, kind: str = kind, before: Any = before,
            default: Any = default,
        ) -> list[Any]:  # fmt: skip
            if before is None:  # column by column
                return _fresh_cells(kind, [peek(entry, name) for entry in entries[start:stop]])
            return [
                _cell(kind, peek(entry, name))
                if place is None
                else default
                if before is ABSENT
                else before[place]
                for entry, place in zip(entries[start:stop], where[start:stop], strict=True)
            ]

        if any(  # as written: 0.00 is not 0
            any(cell != default for cell in cells_of(start, start + ENCODED_AT_ONCE))
            for start in range(0, len(entries), ENCODED_AT_ONCE)
        ):
            yield name, cells_of


def _pieces(cells_of: Cells, count: int) -> Iterator[bytes]:
    """The JSON list of a column's `count` cells, ENCODED_AT_ONCE cells at a time."""
    yield b"["
    for start in range(0, count, ENCODED_AT_ONCE):
        yield (b"," if start else b"") + _members(cells_of(start, start + ENCODED_AT_ONCE))
    yield b"]\n"


def _members(values: list[Any]) -> bytes:
    """The JSON of `values` without its brackets: a piece of a longer list."""
    return _line(values)[1:-2]


_AS_IS = frozenset((str, int, bool, type(None)))  # values a cell holds as they are


def _fresh_cells(kind: str, values: list[Any]) -> list[Any]:
    """`_cell` of each value, made column by column (a cold check's 370,000 cells)."""
    if kind in _BY_CELL:
        return [_cell(kind, value) for value in values]
    if set(map(type, values)) <= _AS_IS:
        return values
    return [_to_text(value) for value in values]


_BY_CELL = frozenset(("payments", "reminders", "pending", "problems"))

ABSENT: list[Any] = []  # a column the cache leaves out: every value is the default
LATE = frozenset(("payments", *SEAL_FIELDS))  # columns that may be left unread
Again = Callable[[int], "bytes | None"]  # line `at` of the same cache read again, or None


@dataclass
class CachedIndex:
    """An index cache read back: each file's stat key (four numbers each, in one list) and
    entry, in the order of the files."""

    keys: list[int] | array[int] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    places: dict[str, int] = field(default_factory=dict)  # path -> its place
    kept: dict[str, list[Any]] = field(default_factory=dict)  # columns as read, to save again
    lines: dict[str, bytes] = field(default_factory=dict)  # columns not read yet
    names: frozenset[str] = frozenset()  # the columns the cache holds
    order: list[str] = field(default_factory=list)  # its columns, line by line
    again: Again | None = None  # a line of the same bytes read again

    def cells(self, name: str) -> list[Any] | None:
        """Column `name` as the cache holds it, ABSENT when left out, None when it was read
        and not kept, nor the same cache can be read again (the entries hold it), or it is
        damaged (made again from the entries)."""
        if name not in self.names:
            return ABSENT
        if name in self.kept:
            return self.kept[name]
        line = self.lines.get(name)
        if line is None and self.again is not None:  # saving: the same bytes, read once more
            line = self.again(self.order.index(name) + 1)
            if line is not None and name not in LATE:  # checked when first read: these bytes
                return _json_list(line, len(self.entries))
        return None if line is None else _late_cells(name, line, len(self.entries))


def encode_index(
    mark: dict[str, Any],
    keys: Sequence[int],
    columns: Iterable[tuple[str, list[Any] | Iterator[bytes]]],
) -> Iterator[bytes]:
    """The index cache's lines, each made as it is written: the stat keys (four numbers
    for each file, in a row), one line per column (its cells, or the pieces of its line:
    column_lines), then the header (the mark, how many entries, which columns)."""
    yield b"["
    for start in range(0, len(keys), 4 * ENCODED_AT_ONCE):
        yield (b"," if start else b"") + _members(list(keys[start : start + 4 * ENCODED_AT_ONCE]))
    yield b"]\n"
    names = []
    for name, cells in columns:
        names.append(name)
        if isinstance(cells, Iterator):
            yield from cells
        else:
            yield _line(cells)
    yield _line({**mark, "count": len(keys) // 4, "columns": names}).rstrip(b"\n")


def _line(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode() + b"\n"


def decode_index(data: bytes) -> dict[str, Any]:
    """An index cache's bytes as one JSON value: its mark, `keys` (a list of four numbers
    for each file) and `entries` (its columns); ValueError when it is not one."""
    flat, *columns, header = (json.loads(line) for line in data.split(b"\n"))
    if type(header) is not dict or type(flat) is not list:
        raise ValueError("not an index cache")
    names = header.pop("columns", [])
    header.pop("count", None)
    keys = [flat[at : at + 4] for at in range(0, len(flat), 4)]
    return {**header, "keys": keys, "entries": dict(zip(names, columns, strict=True))}


def load_index(
    path: Path,
    mark: dict[str, Any],
    *,
    found: Callable[[], None],
    verifying: bool,
    reread: Callable[[str], Entry],
) -> CachedIndex:
    """The index cache at `path` (see read_index), if facturo signed it; `found` is told
    first. Verifying files reads the seal's fields of every entry at once, and keeps the
    columns read to save the cache again."""
    signed = read_signed_lines(path)
    if signed is None:
        return CachedIndex()
    found()
    lines, signature = signed
    del signed  # each line is let go of once read

    again_read: list[list[bytes] | None] = []  # the same cache read once more, when asked

    def again(at: int) -> bytes | None:  # its line `at`, None if it was written since
        if not again_read:
            now = read_signed_lines(path)
            again_read.append(now[0] if now is not None and now[1] == signature else None)
        lines = again_read[0]
        return None if lines is None else lines[at]

    eager = LATE - {"payments"} if verifying else frozenset()
    return read_index(lines, mark, eager=eager, keep=verifying, reread=reread, again=again)


def read_index(
    lines: list[bytes],
    mark: dict[str, Any],
    *,
    eager: frozenset[str] = frozenset(),
    keep: bool = False,
    reread: Callable[[str], Entry] | None = None,
    again: Again | None = None,
) -> CachedIndex:
    """The entries of an index cache's `lines`, if it carries `mark` (its version, facturo's
    version, the check its problems come from: another version may find other problems in
    the same bytes); empty when it does not, or holds anything of the wrong type.

    The LATE columns not in `eager` are left unread until an entry asks (`reread` reads
    that entry's file when such a column turns out wrong); `keep` keeps the columns read
    as they are, to save the cache again cell for cell. With `again` (a line of the same
    cache read once more, None once it was written anew) the seal's columns are not even
    kept in memory: only the commands that verify files ask for them, and they read them
    at once.
    """
    try:
        count, names, keys = header_and_keys(lines, mark)
        late = {n: line for n, line in zip(names, lines[1:-1], strict=True) if n in LATE - eager}
        held = {n: line for n, line in late.items() if not (again and n in SEAL_FIELDS)}
        where = {n: names.index(n) + 1 for n in late}
        unread = Unread(held, where, reread, again) if late else None
        kept: dict[str, list[Any]] = {}
        values: dict[str, list[Any]] = {}
        amounts: dict[str, Decimal] = {}
        for at, name in enumerate(names, 1):
            if name not in late:  # read, checked and converted one column at a time
                cells = _json_list(lines[at], count)
                values[name] = _values(name, cells, count, amounts)
                if keep:
                    kept[name] = cells
            lines[at] = b""  # each line is held once: as read, or as bytes until asked for
        entries = _entries(values, count, unread)
    except ValueError:
        return CachedIndex()  # wrong types: a stale cache
    places = {entry.path: place for place, entry in enumerate(entries)}
    if unread is not None:
        unread.places, unread.count = places, count
    return CachedIndex(
        keys, entries, places, kept, late if keep else {}, frozenset(names), names, again
    )


def header_and_keys(
    lines: list[bytes], mark: dict[str, Any]
) -> tuple[int, list[str], list[int] | array[int]]:
    """How many entries an index cache's `lines` hold, its columns and stat keys; ValueError
    when it does not carry `mark` or is not an index cache."""
    if len(lines) < 2:  # not even a header and keys
        raise ValueError("not an index cache")
    header = json.loads(lines[-1])
    if type(header) is not dict or any(header.get(k) != v for k, v in mark.items()):
        raise ValueError("another mark")
    count, names = header.get("count"), header.get("columns")
    if (
        type(count) is not int
        or type(names) is not list
        or len(names) != len(lines) - 2
        or not set(names) <= set(_FIELD_KINDS)
        or len(set(names)) != len(names)
    ):
        raise ValueError("not an index cache")
    flat = _json_list(lines[0], 4 * count)
    if not all(type(n) is int for n in flat):
        raise ValueError("not stat keys")
    return count, names, _compact(flat)


def _compact(numbers: list[int]) -> list[int] | array[int]:
    """Stat keys as machine numbers (8 bytes each, not a Python object each), when they fit."""
    try:
        return array("q", numbers)
    except OverflowError:  # an inode number past 2**63
        return numbers


def _json_list(line: bytes, count: int) -> list[Any]:
    """A JSON list of `count` values; ValueError when the line is anything else."""
    value = json.loads(line)
    if type(value) is not list or len(value) != count:
        raise ValueError("not a column")
    return value


class Unread:
    """The columns of one index cache left unread: each is read, checked and converted
    whole when an entry first asks for one of its values; those `by_cell` (payments, and
    every column of a statement's rows) are checked and converted cell by cell, as asked
    for (the statement of one client reads 50 documents of 10,000)."""

    def __init__(
        self,
        lines: dict[str, bytes],
        at: dict[str, int],
        reread: Callable[[str], Entry] | None,
        again: Again | None = None,
        *,
        names: frozenset[str] = LATE,
        by_cell: frozenset[str] = frozenset(("payments",)),
    ) -> None:
        self.lines = lines  # those held in memory; the others are read `again`
        self.at = at  # the line of each column left unread
        self.names = names  # every field that may be unread (one left out: its default)
        self.by_cell = by_cell
        self.places: dict[str, int] = {}  # the place in the columns of each entry made
        self.count = 0  # how many the columns hold
        self.reread = reread
        self.again = again
        self.columns: dict[str, list[Any] | None] = {}  # None: the column is wrong
        self.fresh: dict[str, Entry] = {}  # entries read from their files instead
        self.amounts: dict[str, Decimal] = {}  # each amount's text read once

    def value(self, name: str, path: str) -> Any:
        if name not in self.at:
            return _default(name)
        if name not in self.columns:
            self.columns[name] = self._read(name)
        column = self.columns[name]
        if column is not None:
            cell = column[self.places[path]]
            if name not in self.by_cell:
                return cell
            value = _one_cell(name, cell, self.amounts)
            if value is not _WRONG:
                return value
        # a damaged column or cell, or a cache written since: what the file says
        if self.reread is None:
            raise AttributeError(name)
        if path not in self.fresh:
            self.fresh[path] = self.reread(path)
        return getattr(self.fresh[path], name)

    def _read(self, name: str) -> list[Any] | None:
        line = self.lines.get(name)
        if line is None and self.again is not None:
            line = self.again(self.at[name])
        if line is None:
            return None
        if name in self.by_cell:  # each cell checked when asked for (_one_cell)
            try:
                return _json_list(line, self.count)
            except ValueError:
                return None
        return _late_cells(name, line, self.count)


_WRONG = object()  # a cell that is not what its column holds


def _one_cell(name: str, cell: Any, amounts: dict[str, Decimal]) -> Any:
    """One cell of column `name`, checked and converted as the whole column would be;
    _WRONG when it is not one."""
    if name == "payments":
        payments = _payments_cell(cell)
        return _WRONG if payments is None else payments
    try:
        return _values(name, [cell], 1, amounts)[0]
    except ValueError:
        return _WRONG


def _payments_cell(cell: Any) -> list[Payment] | None:
    """The payments of one document as the cache holds them, None when they are not
    payments (read_payments checks each as payment_shapes does: shape, date, amount)."""
    if type(cell) is not list:
        return None
    try:
        return read_payments(cell)
    except (ValueError, TypeError, ArithmeticError):
        return None


def _late_cells(name: str, line: bytes, count: int) -> list[Any] | None:
    """A column read late, checked (payments: for their shape, dates and amounts); None
    when it is damaged: never served, nor saved again."""
    try:
        cells = _json_list(line, count)
        if name == "payments":
            return payment_shapes(cells)
        return READERS[_FIELD_KINDS[name]](cells)  # type: ignore[no-any-return]
    except (ValueError, TypeError, ArithmeticError):
        return None


def from_columns(columns: Any, count: int, unread: Unread | None = None) -> list[Entry]:
    """`count` entries read back from `to_columns`; ValueError when anything has the wrong
    type or length (a damaged cache is stale, never a crash).

    A field whose column was left out is its default when first used (`Entry.__getattr__`:
    a new empty list for a list); one of a column left `unread` is read from there.
    """
    if type(columns) is not dict or not set(columns) <= set(_FIELD_KINDS):
        raise ValueError("not entry columns")
    amounts: dict[str, Decimal] = {}
    values = {name: _values(name, cells, count, amounts) for name, cells in columns.items()}
    return _entries(values, count, unread)


def _values(name: str, cells: Any, count: int, amounts: dict[str, Decimal]) -> list[Any]:
    """Column `name` as the entries hold it: checked and converted (`amounts`: each
    amount's text read once for the whole cache); ValueError when it is wrong."""
    if type(cells) is not list or len(cells) != count:
        raise ValueError(name)
    kind = _FIELD_KINDS[name]
    try:
        if kind == "amount":
            return amounts_column(cells, amounts)
        if kind == "payments":
            return [read_payments(rows) for rows in payment_shapes(cells)]
        return READERS[kind](cells)  # type: ignore[no-any-return]
    except (TypeError, ArithmeticError):
        raise ValueError(name) from None


def _entries(values: dict[str, list[Any]], count: int, unread: Unread | None) -> list[Entry]:
    """Entries made from converted columns, without Entry.__init__ (each field it leaves
    out is its default through `Entry.__getattr__`)."""
    if "path" not in values:
        raise ValueError("path")
    new = Entry.__new__
    entries = [new(Entry) for _ in range(count)]
    setters = dict(zip(FIELD_NAMES, SETTERS, strict=True))
    for name, column in values.items():  # by each field's slot, column by column
        if len(column) != count:
            raise ValueError(name)
        deque(map(setters[name], entries, column), maxlen=0)
    if unread is not None:
        deque(map(setattr, entries, repeat(UNREAD), repeat(unread)), maxlen=0)
    return entries
