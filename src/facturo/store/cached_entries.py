"""The index cache's form of entries: column by column, checked and converted in one pass.

The index cache (store/index.py) holds every entry this way: one JSON list per field, in
the order of the paths, a column whose values are all the default left out. Read back at
every command for every document, so each column is checked and converted at once (a wrong
type anywhere makes the whole cache stale, never a crash); payments are only checked for
their shape and read into Payment objects when first used (`Entry.__getattr__`): listing
10,000 documents never looks at them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from typing import Any

from facturo.errors import Problem
from facturo.model.document import Payment
from facturo.store.entry import PAYMENT_ROWS, Entry

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
    cached: dict[str, list[Any]] | None = None,
    places: list[int | None] | None = None,
) -> dict[str, list[Any]]:
    """`entries` column by column (what the index cache stores). An entry read back from
    the `cached` columns (`places`: where each one was there, None for one read anew) keeps
    its cells as they were: one new document does not write 10,000 others cell by cell."""
    columns: dict[str, list[Any]] = {}
    where = places if places is not None else [None] * len(entries)
    for name, kind in _FIELD_KINDS.items():
        default = default_cell(name)
        before = (cached or {}).get(name)
        cells = [
            _cell(kind, getattr(entry, name))
            if place is None
            else default
            if before is None
            else before[place]
            for entry, place in zip(entries, where, strict=True)
        ]
        if any(cell != default for cell in cells):  # as written: 0.00 is not 0
            columns[name] = cells
    return columns


@dataclass
class CachedIndex:
    """An index cache read back: each file's stat key and entry, in the order of the files."""

    keys: list[list[int]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    places: dict[str, int] = field(default_factory=dict)  # path -> its place
    columns: dict[str, list[Any]] = field(default_factory=dict)  # as read, for saving again


def read_index(data: Any, mark: dict[str, Any]) -> CachedIndex:
    """The entries of an index cache as JSON, if it carries `mark` (its version, facturo's
    version, the check its problems come from: another version may find other problems in
    the same bytes); empty when it does not, or holds anything of the wrong type."""
    if type(data) is not dict or any(data.get(key) != value for key, value in mark.items()):
        return CachedIndex()
    keys = data.get("keys")
    if type(keys) is not list or not all(
        type(key) is list and len(key) == 4 and all(type(n) is int for n in key) for key in keys
    ):
        return CachedIndex()
    try:
        entries = from_columns(data.get("entries"), len(keys))
    except ValueError:
        return CachedIndex()  # wrong types: a stale cache
    places = {entry.path: place for place, entry in enumerate(entries)}
    return CachedIndex(keys, entries, places, data["entries"])


def from_columns(columns: Any, count: int) -> list[Entry]:
    """`count` entries read back from `to_columns`; ValueError when anything has the wrong
    type or length (a damaged cache is stale, never a crash).

    A field whose column was left out keeps its default: the class's value, or a new empty
    list made when first used (`Entry.__getattr__`); payments are kept as the cache holds
    them until first used.
    """
    if type(columns) is not dict or not set(columns) <= set(_FIELD_KINDS):
        raise ValueError("not entry columns")
    names: list[str] = []
    values: list[list[Any]] = []
    amounts: dict[str, Decimal] = {}  # each amount's text read once for the whole cache
    for name, column in columns.items():
        if type(column) is not list or len(column) != count:
            raise ValueError(name)
        kind = _FIELD_KINDS[name]
        try:
            if kind == "payments":
                values.append(_payment_shapes(column))
                names.append(PAYMENT_ROWS)
            elif kind == "amount":
                values.append(_amounts_column(column, amounts))
                names.append(name)
            else:
                values.append(_READERS[kind](column))
                names.append(name)
        except (TypeError, ArithmeticError):
            raise ValueError(name) from None
    if "path" not in columns:
        raise ValueError("path")
    entries = []
    new = Entry.__new__
    for row in zip(*values, strict=True):
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
    amount = read[text] = _amount(text)
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
