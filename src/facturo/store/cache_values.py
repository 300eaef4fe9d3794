"""The index cache's values read back: each column checked for its type, once per column.

Dates and amounts many documents share are made once and shared (a date or a Decimal never
changes); payments are checked for their shape, dates and amounts but made into Payment
objects only when asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from facturo.errors import Problem
from facturo.model.document import Payment


def payment_shapes(column: list[Any]) -> list[Any]:
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
    allowed = {wanted, type(None)} if optional else {wanted}

    def column_of(column: list[Any]) -> list[Any]:
        if not allowed.issuperset(map(type, column)):
            raise ValueError(wanted.__name__)
        return column

    return column_of


_texts_column = _of_type(str)


def _shared_texts_column(column: list[Any]) -> list[Any]:
    """Texts most documents repeat (kind, currency, client): one object for each value."""
    shared: dict[str, str] = {}
    return list(map(shared.setdefault, _texts_column(column), column))


def _each_once(column: list[Any], read: dict[Any, Any], convert: Callable[[Any], Any]) -> list[Any]:
    """`column` with each value converted by `convert` once (`read`: the values converted,
    shared with other columns): a value many documents share is one object."""
    for value in set(column):  # TypeError for a value no JSON text holds as a key
        if value not in read:
            read[value] = convert(value)
    return list(map(read.__getitem__, column))


def _dates_column(column: list[Any]) -> list[Any]:
    """Dates (many documents share one): each value read once, one object for each."""
    return _each_once(column, {None: None}, _fromisoformat)


def amounts_column(column: list[Any], read: dict[str, Decimal]) -> list[Any]:
    """Amounts, each text read once for the whole cache (`read`): totals, paid and due are
    often the same amount, and a Decimal never changes, so one object serves them all."""
    return _each_once(_texts_column(column), read, _finite_amount)


def _finite_amount(text: str) -> Decimal:
    amount = Decimal(text)  # a text: the column was checked
    if not amount.is_finite():
        raise ValueError("amount")
    return amount


def _amounts_or_none_column(column: list[Any]) -> list[Any]:
    """Amounts or None (a rate most documents share: each text read once)."""
    return _each_once(column, {None: None}, _amount)


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


READERS: dict[str, Any] = {
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
