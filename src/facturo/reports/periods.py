"""Reporting periods: months, quarters and years written 2026-11, 2026-Q4 or 2026."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

GROUPINGS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    """The days from `start` to `end` included, and how reports name them."""

    start: dt.date
    end: dt.date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def parse_period(text: str) -> Period:
    """A period from its name; ValueError with what was expected otherwise."""
    value = text.strip().upper()
    if match := re.fullmatch(r"(\d{4})-(\d{2})", value):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return Period(dt.date(year, month, 1), _month_end(year, month), value)
    elif match := re.fullmatch(r"(\d{4})-Q([1-4])", value):
        year, quarter = int(match[1]), int(match[2])
        first = 3 * quarter - 2
        return Period(dt.date(year, first, 1), _month_end(year, first + 2), value)
    elif re.fullmatch(r"\d{4}", value):
        year = int(value)
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), value)
    raise ValueError(f"expected a period like 2026-11, 2026-Q4 or 2026, got {text!r}")


def label_of(day: dt.date, grouping: str) -> str:
    """The name of the month, quarter or year `day` falls in."""
    if grouping == "month":
        return f"{day.year}-{day.month:02}"
    if grouping == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())
