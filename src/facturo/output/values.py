"""The amounts and dates of an issued document read back, whether from YAML or a JSON-ready copy."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any


def as_decimal(value: Any) -> Decimal:
    """An amount as a Decimal: missing or empty is zero, a float goes through its text."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if value is None or value == "":
        return Decimal(0)
    return Decimal(value)


def as_date(value: Any) -> datetime.date | None:
    """A date from a date, a datetime or an ISO string; None when there is none."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value)
    return None


def entries_of(value: Any) -> Iterator[Mapping[str, Any]]:
    """The mappings of a list (payments, rows...), skipping anything else."""
    for entry in value or []:
        if isinstance(entry, Mapping):
            yield entry
