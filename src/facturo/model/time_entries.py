"""Time entries of time-and-materials work: their stable ids, rounding and grouping into lines."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

GROUPINGS = ("project", "task", "day")
UNITS = ("hours", "days")
MINUTES_PER_HOUR = Decimal(60)


@dataclass(frozen=True)
class TimeEntry:
    """One stretch of work: when, for whom, on what, how long, at what hourly rate."""

    id: str
    date: dt.date
    client: str
    project: str
    task: str
    description: str
    hours: Decimal
    rate: Decimal | None
    source: str


def entry_id(source: str, *parts: object) -> str:
    """A stable id: the same entry read from the same export twice gets the same id."""
    text = "\x1f".join([source, *(str(part) for part in parts)])
    return "t-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def parse_rounding(text: str) -> int:
    """Minutes of a rounding step written 15m, 30min, 1h or 15; ValueError otherwise."""
    value = text.strip().lower()
    factors = {"min": 1, "m": 1, "h": 60}
    suffix = next((s for s in factors if value.endswith(s)), "")
    minutes = int(value[: len(value) - len(suffix)]) * factors.get(suffix, 1)
    if not 0 < minutes <= 24 * 60:
        raise ValueError(text)
    return minutes


def rounded_hours(hours: Decimal, step_minutes: int | None) -> Decimal:
    """`hours` rounded up to the next multiple of the step (time trackers round each entry)."""
    if not step_minutes:
        return hours
    steps = (hours * MINUTES_PER_HOUR / step_minutes).to_integral_value(ROUND_CEILING)
    return steps * step_minutes / MINUTES_PER_HOUR


@dataclass
class Group:
    """The entries one draft line bills: its key, hours and the dates they span."""

    key: tuple[str, ...]
    rate: Decimal
    entries: list[TimeEntry]
    hours: Decimal

    @property
    def start(self) -> dt.date:
        return min(entry.date for entry in self.entries)

    @property
    def end(self) -> dt.date:
        return max(entry.date for entry in self.entries)

    def quantity(self, unit: str, hours_per_day: Decimal) -> Decimal:
        """Hours to two decimals, or days (hours over the working day) to three."""
        if unit == "days":
            return (self.hours / hours_per_day).quantize(Decimal("0.001"), ROUND_HALF_UP)
        return self.hours.quantize(Decimal("0.01"), ROUND_HALF_UP)

    def unit_price(self, unit: str, hours_per_day: Decimal) -> Decimal:
        return self.rate * hours_per_day if unit == "days" else self.rate


def group_entries(
    entries: list[TimeEntry], group_by: str, step_minutes: int | None, rate: Decimal | None
) -> list[Group]:
    """Entries gathered into lines by project, task or day (and rate), each entry rounded."""
    groups: dict[tuple[tuple[str, ...], Decimal], Group] = {}
    for entry in sorted(entries, key=lambda e: (e.date, e.project, e.task, e.id)):
        entry_rate = entry.rate if entry.rate is not None else rate
        if entry_rate is None:
            raise ValueError(entry.id)
        if group_by == "day":
            key: tuple[str, ...] = (entry.date.isoformat(), entry.project)
        elif group_by == "task":
            key = (entry.project, entry.task)
        else:
            key = (entry.project,)
        group = groups.setdefault((key, entry_rate), Group(key, entry_rate, [], Decimal(0)))
        group.entries.append(entry)
        group.hours += rounded_hours(entry.hours, step_minutes)
    return list(groups.values())
