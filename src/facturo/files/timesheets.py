"""Time tracker exports read as time entries: Toggl, Clockify, Kimai, timewarrior, plain CSV.

Each format is known by its header (the columns each tool writes in its detailed export):
- Toggl Track detailed report: User, Email, Client, Project, Task, Description, Billable,
  Start date, Start time, End date, End time, Duration (HH:MM:SS), Tags, Amount (EUR).
- Clockify detailed report: Project, Client, Description, Task, User, ..., Billable,
  Start Date, Start Time, End Date, End Time, Duration (h), Duration (decimal),
  Billable Rate (EUR), Billable Amount (EUR); dates as the account's locale writes them.
- Kimai timesheet export: Date, From, To, Duration (seconds or H:MM), Rate, User, Customer,
  Project, Activity, Description, Exported, Tags, Hourly rate, Fixed rate.
- timewarrior `timew export`: a JSON list of {id, start, end, tags, annotation}; tags
  `client:X`, `project:Y`, `task:Z` (or, untagged so, the first three tags in that order).
- facturo's own: date, client, project, task, hours, rate (and optional id, description).
Non-billable entries (Billable: No) are left out; they are not for invoices.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from facturo.errors import Problem
from facturo.model.time_entries import TimeEntry, entry_id

PLAIN_COLUMNS = ("id", "date", "client", "project", "task", "description", "hours", "rate")
SOURCES = ("toggl", "clockify", "kimai", "timewarrior", "plain")
HOURS_PLACES = Decimal("0.0001")


class RowError(ValueError):
    """A value of one row that cannot be read; the reader adds the file and line."""


@dataclass
class TimeSheet:
    """What one file held: its format, the billable entries, what was left out and why."""

    source: str
    entries: list[TimeEntry] = field(default_factory=list)
    left_out: int = 0  # entries marked not billable
    problems: list[Problem] = field(default_factory=list)


def read_time_file(path: Path, display: str, *, day_first: bool | None = None) -> TimeSheet:
    """The entries of an export or plain time file, with a problem per unreadable row."""
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError:
        sheet = TimeSheet("plain")
        sheet.problems.append(Problem(display, 0, 0, "not a UTF-8 text file"))
        return sheet
    if text.lstrip().startswith("["):
        return _timewarrior(text, display)
    return _delimited(text, display, day_first)


def _delimited(text: str, display: str, day_first: bool | None) -> TimeSheet:
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    source = _source_of(set(header))
    sheet = TimeSheet(source or "plain")
    if source is None:
        wanted = ", ".join(c for c in PLAIN_COLUMNS if c not in ("id", "description"))
        sheet.problems.append(
            Problem(display, 1, 1, f"unknown time file: expected the columns {wanted}, "
                    "or a Toggl, Clockify or Kimai export")
        )  # fmt: skip
        return sheet
    rows = list(reader)
    if source == "clockify" and day_first is None:
        day_first = _day_first([row.get("Start Date", "") for row in rows])
    read_row = _READERS[source]
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        try:
            entry = read_row(row, number, day_first)
        except RowError as error:
            sheet.problems.append(Problem(display, number, 1, str(error)))
            continue
        if entry is None:
            sheet.left_out += 1
            continue
        if entry.id in seen and not _text(row, "id"):  # the same work twice: two entries
            seen[entry.id] += 1
            entry = replace(entry, id=entry_id(entry.id, seen[entry.id]))
        seen.setdefault(entry.id, 1)
        sheet.entries.append(entry)
    return sheet


def _source_of(header: set[str]) -> str | None:
    if {"Start date", "Duration", "Client", "Project"} <= header:
        return "toggl"
    if {"Start Date", "Duration (decimal)", "Project"} <= header:
        return "clockify"
    if {"Date", "Duration", "Customer", "Activity"} <= header:
        return "kimai"
    if {"date", "client", "hours"} <= header:
        return "plain"
    return None


def _day_first(dates: list[str]) -> bool | None:
    """Clockify writes dates in the account's locale: decide day/month from the file."""
    if all(re.fullmatch(r"\d{4}-\d\d-\d\d", d.strip()) for d in dates):
        return None
    firsts = [int(m[1]) for d in dates if (m := re.match(r"\s*(\d+)[/.](\d+)", d))]
    seconds = [int(m[2]) for d in dates if (m := re.match(r"\s*(\d+)[/.](\d+)", d))]
    if any(n > 12 for n in firsts):
        return True
    if any(n > 12 for n in seconds):
        return False
    return None


def _date(text: str, day_first: bool | None) -> dt.date:
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            return dt.date.fromisoformat(value)
        match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", value)
        if match:
            a, b, year = int(match[1]), int(match[2]), int(match[3])
            if day_first is None and a <= 12 and b <= 12 and a != b:
                raise RowError(
                    f"the date {value!r} could be day/month or month/day: say which when importing"
                )
            day, month = (a, b) if day_first or day_first is None else (b, a)
            return dt.date(year, month, day)
    except ValueError as error:
        if isinstance(error, RowError):
            raise
    raise RowError(f"expected a date like 2026-03-31, got {value!r}")


def _decimal(text: str, what: str) -> Decimal:
    value = text.strip().replace("\u202f", "").replace(" ", "")
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise RowError(f"expected a number for {what}, got {text.strip()!r}") from None
    if not number.is_finite() or number < 0 or number > 10**9:
        raise RowError(f"{what} {text.strip()!r} is out of range")
    return number


def _clock_hours(text: str) -> Decimal:
    """HH:MM:SS or H:MM (Toggl, Clockify, Kimai), `18:25 min` (Toggl's short entries)."""
    value = text.strip()
    short = re.fullmatch(r"(\d+):(\d\d) min", value)
    if short:
        return Decimal(int(short[1]) * 60 + int(short[2])) / 3600
    match = re.fullmatch(r"(\d+):(\d\d)(?::(\d\d))?", value)
    if not match:
        raise RowError(f"expected a duration like 01:30:00, got {value!r}")
    seconds = int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3] or 0)
    return Decimal(seconds) / 3600


def _hours(value: Decimal) -> Decimal:
    return value.quantize(HOURS_PLACES)


def _billable(row: dict[str, Any]) -> bool:
    return str(row.get("Billable") or "Yes").strip().lower() not in ("no", "false", "0", "nein")


def _column(row: dict[str, Any], prefix: str) -> str:
    """The value of the first column named `prefix` or `prefix (CUR)`: amounts carry currency."""
    for name, value in row.items():
        if name and (name == prefix or name.startswith(prefix + " (")):
            return str(value or "").strip()
    return ""


def _text(row: dict[str, Any], name: str) -> str:
    return str(row.get(name) or "").strip()


def _toggl(row: dict[str, Any], line: int, day_first: bool | None) -> TimeEntry | None:
    if not _billable(row):
        return None
    hours = _clock_hours(_text(row, "Duration"))
    amount = _column(row, "Amount")
    rate = _decimal(amount, "Amount") / hours if amount and hours else None
    start = _date(_text(row, "Start date"), None)
    key = (_text(row, "Email"), start, _text(row, "Start time"), _text(row, "Description"),
           _text(row, "Project"), _text(row, "Duration"))  # fmt: skip
    return _entry("toggl", key, start, row, "Client", "Task", hours, rate)


def _clockify(row: dict[str, Any], line: int, day_first: bool | None) -> TimeEntry | None:
    if not _billable(row):
        return None
    hours = _decimal(_text(row, "Duration (decimal)"), "Duration (decimal)")
    if _text(row, "Duration (h)"):
        hours = _clock_hours(_text(row, "Duration (h)"))
    rate_text = _column(row, "Billable Rate")
    rate = _decimal(rate_text, "Billable Rate") if rate_text else None
    start = _date(_text(row, "Start Date"), day_first)
    key = (_text(row, "Email") or _text(row, "User"), start, _text(row, "Start Time"),
           _text(row, "Description"), _text(row, "Project"), hours)  # fmt: skip
    return _entry("clockify", key, start, row, "Client", "Task", hours, rate or None)


def _kimai(row: dict[str, Any], line: int, day_first: bool | None) -> TimeEntry | None:
    duration = _text(row, "Duration")
    seconds = ":" not in duration
    hours = _decimal(duration, "Duration") / 3600 if seconds else _clock_hours(duration)
    hourly = _text(row, "Hourly rate")
    rate: Decimal | None = _decimal(hourly, "Hourly rate") if hourly else None
    if not rate and _text(row, "Rate") and hours:
        rate = _decimal(_text(row, "Rate"), "Rate") / hours
    start = _date(_text(row, "Date"), None)
    key = (_text(row, "User"), start, _text(row, "From"), _text(row, "Description"),
           _text(row, "Project"), duration)  # fmt: skip
    return _entry("kimai", key, start, row, "Customer", "Activity", hours, rate or None)


def _plain(row: dict[str, Any], line: int, day_first: bool | None) -> TimeEntry:
    day = _date(_text(row, "date"), None)
    hours = _decimal(_text(row, "hours"), "hours")
    rate = _decimal(_text(row, "rate"), "rate") if _text(row, "rate") else None
    # The row's content, not its place: rows added above it leave its id as it was.
    key = (day, _text(row, "client"), _text(row, "project"), _text(row, "task"),
           _text(row, "description"), hours)  # fmt: skip
    given = _text(row, "id")
    if not _text(row, "client"):
        raise RowError("the client is missing")
    entry = _entry("plain", key, day, row, "client", "task", hours, rate, project="project",
                   description="description")  # fmt: skip
    if given:
        if not re.fullmatch(r"[A-Za-z0-9_.:+-]{1,64}", given):
            raise RowError(f"the id {given!r} may hold only letters, digits and - _ . : +")
        source = _text(row, "source") or "plain"
        entry = TimeEntry(given, day, entry.client, entry.project, entry.task,
                          entry.description, entry.hours, entry.rate, source)  # fmt: skip
    return entry


def _entry(
    source: str,
    key: tuple[Any, ...],
    day: dt.date,
    row: dict[str, Any],
    client: str,
    task: str,
    hours: Decimal,
    rate: Decimal | None,
    *,
    project: str = "Project",
    description: str = "Description",
) -> TimeEntry:
    return TimeEntry(
        id=entry_id(source, *key),
        date=day,
        client=_text(row, client),
        project=_text(row, project),
        task=_text(row, task),
        description=_text(row, description),
        hours=_hours(hours),
        rate=rate.quantize(HOURS_PLACES).normalize() if rate is not None else None,
        source=source,
    )


_READERS: dict[str, Callable[[dict[str, Any], int, bool | None], TimeEntry | None]] = {
    "toggl": _toggl,
    "clockify": _clockify,
    "kimai": _kimai,
    "plain": _plain,
}


def _timewarrior(text: str, display: str) -> TimeSheet:
    sheet = TimeSheet("timewarrior")
    try:
        items = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        sheet.problems.append(Problem(display, error.lineno, error.colno, error.msg))
        return sheet
    if not isinstance(items, list):
        sheet.problems.append(Problem(display, 1, 1, "expected the list `timew export` writes"))
        return sheet
    for index, item in enumerate(items, start=1):
        where = f"interval {index}"
        if not isinstance(item, dict) or "start" not in item:
            sheet.problems.append(Problem(display, 0, 0, f"{where}: no start"))
            continue
        if "end" not in item:
            sheet.left_out += 1  # still running: billed once it ends
            continue
        try:
            start, end = _utc(item["start"]), _utc(item["end"])
        except ValueError:
            sheet.problems.append(
                Problem(display, 0, 0, f"{where}: a date is not YYYYMMDDTHHMMSSZ")
            )
            continue
        tags = [str(tag) for tag in item.get("tags") or []]
        named = {k: v for k, _, v in (t.partition(":") for t in tags if ":" in t)}
        plain = [t for t in tags if ":" not in t]
        names = [
            named.get(k) or (plain.pop(0) if plain else "") for k in ("client", "project", "task")
        ]
        if not names[0]:
            sheet.problems.append(Problem(display, 0, 0, f"{where}: no client tag"))
            continue
        seconds = Decimal(int((end - start).total_seconds()))
        rate_text = named.get("rate")
        try:
            rate = _decimal(rate_text, "rate") if rate_text else None
        except RowError as error:
            sheet.problems.append(Problem(display, 0, 0, f"{where}: {error}"))
            continue
        sheet.entries.append(
            TimeEntry(
                id=entry_id("timewarrior", item["start"], *tags),
                date=start.date(),
                client=names[0],
                project=names[1],
                task=names[2],
                description=str(item.get("annotation") or ""),
                hours=_hours(seconds / 3600),
                rate=rate,
                source="timewarrior",
            )
        )
    return sheet


def _utc(text: Any) -> dt.datetime:
    return dt.datetime.strptime(str(text), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def plain_csv(entries: list[TimeEntry]) -> str:
    """Entries written as facturo's own time file: one row each, with its id and source."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*PLAIN_COLUMNS, "source"])
    for e in entries:
        rate = "" if e.rate is None else f"{e.rate.normalize():f}"
        writer.writerow([e.id, e.date.isoformat(), e.client, e.project, e.task, e.description,
                         f"{e.hours.normalize():f}", rate, e.source])  # fmt: skip
    return out.getvalue()
