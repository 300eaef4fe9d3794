"""The index cache's form of entries: one JSON line per field, each read when needed.

The index cache (store/index.py) is JSON lines: a header (the cache's mark, how many
entries, which columns), the files' stat keys in one flat list, then one line per field
holding every entry's value in the order of the paths (a column whose values are all the
default is left out). A column read is checked and converted at once: a wrong type anywhere
makes the whole cache stale, never a crash. Two kinds of column are left unread until an
entry asks for one (`Unread`, through `Entry.__getattr__`): the payments, and the seal's
fields unless the files are being verified. Listing 10,000 documents parses neither, which
is half of the cache's bytes. A column read late that turns out wrong is never served: the
entries that ask for it are read from their files.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from itertools import repeat
from typing import Any

from facturo.errors import Problem
from facturo.model.document import Payment
from facturo.store.entry import SEAL_FIELDS, UNREAD, Entry

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
    """`entries` column by column (what the index cache stores). An entry read back from
    the `cached` index (`places`: where each one was there, None for one read anew) keeps
    its cells as they were: one new document does not write 10,000 others cell by cell.
    A column the cache no longer holds as read is made again from the entries (the same
    cells: each kind of value reads back as it was written)."""
    columns: dict[str, list[Any]] = {}
    where = places if places is not None else [None] * len(entries)
    for name, kind in _FIELD_KINDS.items():
        default = default_cell(name)
        before = cached.cells(name) if cached is not None else None
        cells = [
            _cell(kind, getattr(entry, name))
            if place is None or before is None
            else default
            if before is ABSENT
            else before[place]
            for entry, place in zip(entries, where, strict=True)
        ]
        if any(cell != default for cell in cells):  # as written: 0.00 is not 0
            columns[name] = cells
    return columns


ABSENT: list[Any] = []  # a column the cache leaves out: every value is the default
LATE = frozenset(("payments", *SEAL_FIELDS))  # columns that may be left unread


@dataclass
class CachedIndex:
    """An index cache read back: each file's stat key (four numbers each, in one list) and
    entry, in the order of the files."""

    keys: list[int] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    places: dict[str, int] = field(default_factory=dict)  # path -> its place
    kept: dict[str, list[Any]] = field(default_factory=dict)  # columns as read, to save again
    lines: dict[str, bytes] = field(default_factory=dict)  # columns not read yet
    names: frozenset[str] = frozenset()  # the columns the cache holds

    def cells(self, name: str) -> list[Any] | None:
        """Column `name` as the cache holds it, ABSENT when left out, None when it was read
        and not kept (the entries hold it)."""
        if name not in self.names:
            return ABSENT
        if name in self.kept:
            return self.kept[name]
        line = self.lines.get(name)
        return None if line is None else _json_list(line, len(self.entries))


def encode_index(mark: dict[str, Any], keys: list[list[int]], columns: dict[str, Any]) -> bytes:
    """The index cache's bytes: a header line, the stat keys, one line per column."""
    header = {**mark, "count": len(keys), "columns": list(columns)}
    lines = [header, [number for key in keys for number in key], *columns.values()]
    return b"\n".join(json.dumps(line, separators=(",", ":")).encode() for line in lines)


def decode_index(data: bytes) -> dict[str, Any]:
    """An index cache's bytes as one JSON value: its mark, `keys` (a list of four numbers
    for each file) and `entries` (its columns); ValueError when it is not one."""
    header, flat, *columns = (json.loads(line) for line in data.split(b"\n"))
    if type(header) is not dict or type(flat) is not list:
        raise ValueError("not an index cache")
    names = header.pop("columns", [])
    header.pop("count", None)
    keys = [flat[at : at + 4] for at in range(0, len(flat), 4)]
    return {**header, "keys": keys, "entries": dict(zip(names, columns, strict=True))}


def read_index(
    lines: list[bytes],
    mark: dict[str, Any],
    *,
    eager: frozenset[str] = frozenset(),
    keep: bool = False,
    reread: Callable[[str], Entry] | None = None,
) -> CachedIndex:
    """The entries of an index cache's `lines`, if it carries `mark` (its version, facturo's
    version, the check its problems come from: another version may find other problems in
    the same bytes); empty when it does not, or holds anything of the wrong type.

    The LATE columns not in `eager` are left unread until an entry asks (`reread` reads
    that entry's file when such a column turns out wrong); `keep` keeps the columns read
    as they are, to save the cache again cell for cell.
    """
    try:
        header = json.loads(lines[0])
        if type(header) is not dict or any(header.get(k) != v for k, v in mark.items()):
            return CachedIndex()
        count, names = header.get("count"), header.get("columns")
        if (
            type(count) is not int
            or type(names) is not list
            or len(names) != len(lines) - 2
            or not set(names) <= set(_FIELD_KINDS)
            or len(set(names)) != len(names)
        ):
            return CachedIndex()
        keys = _json_list(lines[1], 4 * count)
        if not all(type(n) is int for n in keys):
            return CachedIndex()
        late = {n: line for n, line in zip(names, lines[2:], strict=True) if n in LATE - eager}
        kept: dict[str, list[Any]] = {}
        values: dict[str, list[Any]] = {}
        amounts: dict[str, Decimal] = {}
        for at, name in enumerate(names, 2):
            if name not in late:  # read, checked and converted one column at a time
                cells = _json_list(lines[at], count)
                values[name] = _values(name, cells, count, amounts)
                if keep:
                    kept[name] = cells
            lines[at] = b""  # each line is held once: as read, or as bytes until asked for
        unread = Unread(late, reread) if late else None
        entries = _entries(values, count, unread)
    except ValueError:
        return CachedIndex()  # wrong types: a stale cache
    places = {entry.path: place for place, entry in enumerate(entries)}
    if unread is not None:
        unread.places = places
    return CachedIndex(keys, entries, places, kept, late if keep else {}, frozenset(names))


def _json_list(line: bytes, count: int) -> list[Any]:
    """A JSON list of `count` values; ValueError when the line is anything else."""
    value = json.loads(line)
    if type(value) is not list or len(value) != count:
        raise ValueError("not a column")
    return value


class Unread:
    """The columns of one index cache left unread: each is read, checked and converted
    whole when an entry first asks for one of its values."""

    names = LATE  # every field that may be unread; one the cache left out is its default

    def __init__(self, lines: dict[str, bytes], reread: Callable[[str], Entry] | None) -> None:
        self.lines = lines
        self.places: dict[str, int] = {}
        self.reread = reread
        self.columns: dict[str, list[Any] | None] = {}  # None: the column is wrong
        self.fresh: dict[str, Entry] = {}  # entries read from their files instead

    def value(self, name: str, path: str) -> Any:
        if name not in self.lines:
            return _default(name)
        if name not in self.columns:
            self.columns[name] = self._read(name)
        column = self.columns[name]
        if column is None:  # a damaged column: what the file says
            if self.reread is None:
                raise AttributeError(name)
            if path not in self.fresh:
                self.fresh[path] = self.reread(path)
            return getattr(self.fresh[path], name)
        cell = column[self.places[path]]
        return read_payments(cell) if name == "payments" else cell

    def _read(self, name: str) -> list[Any] | None:
        try:
            cells = _json_list(self.lines[name], len(self.places))
            if name == "payments":
                return _payment_shapes(cells)
            return _READERS[_FIELD_KINDS[name]](cells)  # type: ignore[no-any-return]
        except (ValueError, TypeError, ArithmeticError):
            return None


def from_columns(columns: Any, count: int, unread: Unread | None = None) -> list[Entry]:
    """`count` entries read back from `to_columns`; ValueError when anything has the wrong
    type or length (a damaged cache is stale, never a crash).

    A field whose column was left out keeps its default: the class's value, or a new empty
    list made when first used (`Entry.__getattr__`); one of a column left `unread` is read
    from there when first used.
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
            return _amounts_column(cells, amounts)
        if kind == "payments":
            return [read_payments(rows) for rows in _payment_shapes(cells)]
        return _READERS[kind](cells)  # type: ignore[no-any-return]
    except (TypeError, ArithmeticError):
        raise ValueError(name) from None


def _entries(values: dict[str, list[Any]], count: int, unread: Unread | None) -> list[Entry]:
    """Entries made from converted columns, without Entry.__init__ (each field it leaves
    out is its default through `Entry.__getattr__`)."""
    if "path" not in values:
        raise ValueError("path")
    names: list[str] = list(values)
    rows: list[Any] = list(values.values())
    if unread is not None:
        names.append(UNREAD)
        rows.append(repeat(unread, count))
    entries = []
    new = Entry.__new__
    for row in zip(*rows, strict=True):
        entry = new(Entry)
        entry.__dict__.update(zip(names, row, strict=True))
        entries.append(entry)
    return entries


def _payment_shapes(column: list[Any]) -> list[Any]:
    """Payments as the cache holds them, checked (shape, dates, amounts) but not made into
    Payment objects: most commands never look at them (listing 10,000 documents),
    `Entry.payments` makes them when first used."""
    if not all(
        type(items) is list
        and all(
            type(item) is list
            and len(item) == 5
            and type(item[0]) is str
            and type(item[1]) is str
            and type(item[2]) is str
            and (item[3] is None or type(item[3]) is str)
            and (item[4] is None or type(item[4]) is str)
            for item in items
        )
        for items in column
    ):
        raise ValueError("payments")
    for items in column:  # their dates and amounts read as Payment objects will read them
        for item in items:
            _fromisoformat(item[0])
            _amount(item[1])
    return column


def _of_type(wanted: type, optional: bool = False) -> Callable[[list[Any]], list[Any]]:
    """A column whose values all are of type `wanted` (or None, when `optional`), kept as
    it is."""

    def column_of(column: list[Any]) -> list[Any]:
        if not all(type(value) is wanted or (optional and value is None) for value in column):
            raise ValueError(wanted.__name__)
        return column

    return column_of


_texts_column = _of_type(str)


def _shared_texts_column(column: list[Any]) -> list[Any]:
    """Texts most documents repeat (kind, currency, client): one object for each value."""
    shared: dict[str, str] = {}
    return [shared.setdefault(value, value) for value in _texts_column(column)]


def _dates_column(column: list[Any]) -> list[Any]:
    """Dates (many documents share one): each value read once, one object for each."""
    read: dict[Any, Any] = {None: None}
    return [
        read[value] if value in read else read.setdefault(value, _fromisoformat(value))
        for value in column
    ]


def _amounts_column(column: list[Any], read: dict[str, Decimal]) -> list[Any]:
    """Amounts, each text read once for the whole cache (`read`): totals, paid and due are
    often the same amount, and a Decimal never changes, so one object serves them all."""
    if not all(type(value) is str for value in column):
        raise ValueError("amount")
    return [read[value] if value in read else _new_amount(value, read) for value in column]


def _new_amount(text: str, read: dict[str, Decimal]) -> Decimal:
    amount = read[text] = Decimal(text)  # a text: the column was checked
    if not amount.is_finite():
        raise ValueError("amount")
    return amount


def _amounts_or_none_column(column: list[Any]) -> list[Any]:
    return [None if value is None else _amount(value) for value in column]


def _items_column(read: Any) -> Any:
    """A column of lists (payments, reminders...): each item read by `read`."""

    def column_of(column: list[Any]) -> list[Any]:
        rows = []
        for items in column:
            if type(items) is not list:
                raise ValueError("list")
            rows.append([read(index, item) for index, item in enumerate(items, 1)] if items else [])
        return rows

    return column_of


_READERS: dict[str, Any] = {
    "text": _texts_column,
    "shared": _shared_texts_column,
    "text?": _of_type(str, optional=True),
    "date": _dates_column,
    "amount?": _amounts_or_none_column,
    "int": _of_type(int),
    "int?": _of_type(int, optional=True),
    "bool": _of_type(bool),
    "texts": _items_column(lambda _, item: _text(item)),
    "payments": _items_column(lambda index, item: _payment(index, item)),
    "reminders": _items_column(lambda _, item: _reminder(item)),
    "pending": lambda column: [_pending(value) for value in column],
    "problems": _items_column(lambda _, item: Problem.from_dict(item)),
}
_fromisoformat = dt.date.fromisoformat


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return value


def _text_or_none(value: Any) -> str | None:
    return None if value is None else _text(value)


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(_text(value))
    except ArithmeticError:
        raise ValueError("amount") from None
    if not amount.is_finite():
        raise ValueError("amount")
    return amount


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(_text(value))


def read_payments(rows: list[Any]) -> list[Payment]:
    """Payments as the cache holds them (ValueError when one is not a payment)."""
    return [_payment(index, item) for index, item in enumerate(rows, 1)]


def _payment(index: int, item: Any) -> Payment:
    if not isinstance(item, list) or len(item) != 5:
        raise ValueError("payment")
    day, amount, method, reference, reason = item
    return Payment(
        index, _date(day), _amount(amount), _text(method), _text_or_none(reference),
        _text_or_none(reason),
    )  # fmt: skip


def _reminder(item: Any) -> tuple[int, dt.date]:
    if not isinstance(item, list) or len(item) != 2:
        raise ValueError("reminder")
    return _integer(item[0]), _date(item[1])


def _pending(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("pending_reminder")
    level, day = value.get("level"), value.get("date")
    return {
        "level": None if level is None else _integer(level),
        "date": None if day is None else _date(day),
        "message_id": _text(value.get("message_id", "")),
        "started": _text(value.get("started", "")),
    }


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {type(value).__name__}")
    return value
