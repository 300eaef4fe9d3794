"""Billing schedules of subscriptions: the periods they cut time into and when each is billed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from dateutil.rrule import MONTHLY, WEEKLY, rrule

EVERY = ("week", "month", "quarter", "year")
BILLING = ("advance", "arrears")
# How many periods a year holds, for the yearly value of a subscription.
PERIODS_PER_YEAR = {"week": 52, "month": 12, "quarter": 4, "year": 1}


@dataclass(frozen=True)
class Schedule:
    """Every `interval` weeks, months, quarters or years, from a day of the month."""

    every: str  # one of EVERY
    interval: int = 1
    day: int | None = None  # the day of the month periods start on (default: the start's)

    def per_year(self) -> Decimal:
        return Decimal(PERIODS_PER_YEAR[self.every]) / self.interval


@dataclass(frozen=True)
class Period:
    """One period of service and the day it is billed (its first day, or the day after it)."""

    start: dt.date
    end: dt.date
    bill_on: dt.date


def period_starts(schedule: Schedule, start: dt.date) -> Iterator[dt.date]:
    """`start`, then the first day of each following period: every N weeks from `start`, or
    the schedule's day of every N months (a day a month lacks, like the 31st, becomes that
    month's last day)."""
    yield start
    if schedule.every == "week":
        rule = rrule(WEEKLY, interval=schedule.interval, dtstart=start)
    else:
        months = {"month": 1, "quarter": 3, "year": 12}[schedule.every] * schedule.interval
        day = int(schedule.day or start.day)
        monthday = (-1,) if day >= 31 else (day, -1)  # with bysetpos=1: that day or the last
        rule = rrule(
            MONTHLY, interval=months, bymonthday=monthday, bysetpos=1, dtstart=start.replace(day=1)
        )
    for moment in rule:
        if moment.date() > start:
            yield moment.date()


def periods(
    schedule: Schedule, start: dt.date, end: dt.date | None, billing: str
) -> Iterator[Period]:
    """Every period of service from `start` to `end` (the last one cut there), each billed
    on its first day (in advance) or its last day (in arrears, once the service is done)."""
    starts = period_starts(schedule, start)
    current = next(starts)
    for following in starts:
        if end is not None and current > end:
            return
        last = following - dt.timedelta(days=1)
        if end is not None and last > end:
            last = end
        yield Period(current, last, current if billing == "advance" else last)
        current = following
