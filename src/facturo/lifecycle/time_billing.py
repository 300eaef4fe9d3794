"""Time and materials: time entries imported into time/, billed once each by `facturo bill-time`.

Entries live in `time/*.csv` (facturo's plain columns, one stable id per entry): files the
user writes, and `time/<source>.csv` that `time import` keeps for each tracker, adding only
the entries it has not seen (the id is derived from the tracker's own fields, so importing
an export again, or an overlapping one, adds nothing twice).

Whether an entry is billed is read from the documents, never kept apart (as subscriptions
do): an issued invoice whose `time_entries` names it has billed it; a draft that names it
holds it (pending), and deleting the draft releases it. Issuing refuses a draft naming an
entry an invoice already billed, or one another draft of the same run bills.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError, InvalidData, NotFound, Problem
from facturo.files.canonical import dump
from facturo.files.reading import suggest
from facturo.files.timesheets import TimeSheet, plain_csv, read_time_file
from facturo.files.yamlio import load_mapping
from facturo.lifecycle.phrases import time_unit
from facturo.model.document import language_of
from facturo.model.time_entries import Group, TimeEntry, group_entries
from facturo.store.index import Ledger

BILLED, PENDING, UNBILLED = "billed", "pending", "unbilled"


def time_dir(ledger: Ledger) -> Path:
    return ledger.folder.root / "time"


def read_entries(ledger: Ledger) -> tuple[list[TimeEntry], list[Problem]]:
    """Every entry of time/*.csv, each id once (a repeated id is reported, not read twice)."""
    entries: dict[str, TimeEntry] = {}
    problems: list[Problem] = []
    for path in sorted(time_dir(ledger).glob("*.csv")):
        display = ledger.folder.display(path)
        sheet = read_time_file(path, display)
        problems += sheet.problems
        if sheet.source != "plain":
            problems.append(
                Problem(display, 1, 1, f"a {sheet.source} export: bring it in with time import")
            )
            continue
        for entry in sheet.entries:
            if entry.id in entries:
                problems.append(Problem(display, 0, 0, f"the entry {entry.id} is there twice"))
                continue
            entries[entry.id] = entry
    return sorted(entries.values(), key=lambda e: (e.date, e.client, e.id)), problems


@dataclass
class Imported:
    """What `time import` did: the file it kept, entries added, known already, left out."""

    source: str
    target: Path
    added: list[TimeEntry]
    known: int
    left_out: int
    problems: list[Problem] = field(default_factory=list)


def import_time(
    ledger: Ledger, path: Path, *, day_first: bool | None = None, dry_run: bool = False
) -> Imported:
    """Add the entries of a tracker's export to time/<source>.csv, each at most once."""
    if not path.is_file():
        raise NotFound(f"{path}: no such file")
    sheet: TimeSheet = read_time_file(path, str(path), day_first=day_first)
    errors = [p for p in sheet.problems if p.is_error]
    if errors:
        raise InvalidData(f"{path}: nothing was imported", problems=errors)
    folder = ledger.folder
    target = time_dir(ledger) / f"{sheet.source}.csv"
    with folder.lock():
        known, problems = read_entries(ledger)
        known_ids = {entry.id for entry in known}
        added = []
        for entry in sheet.entries:
            if entry.id not in known_ids:
                known_ids.add(entry.id)
                added.append(entry)
        if added and not dry_run:
            kept = read_time_file(target, folder.display(target)).entries if target.exists() else []
            rows = sorted(kept + added, key=lambda e: (e.date, e.client, e.id))
            folder.write_atomic(target, plain_csv(rows))
    return Imported(
        sheet.source, target, added, len(sheet.entries) - len(added), sheet.left_out, problems
    )


def entry_states(ledger: Ledger) -> dict[str, tuple[str, str]]:
    """Each billed or pending entry id with its state and the invoice number or draft."""
    states: dict[str, tuple[str, str]] = {}
    for path in ledger.folder.draft_files():
        data, _ = load_mapping(path, ledger.folder.display(path))
        for entry_id in _ids(data):
            states[entry_id] = (PENDING, ledger.folder.display(path))
    for entry_id, number in billed_entries(ledger).items():
        states[entry_id] = (BILLED, number)
    return states


def billed_entries(ledger: Ledger) -> dict[str, str]:
    """Entry id -> the number of the issued invoice that records it."""
    billed: dict[str, str] = {}
    for entry in ledger.entries():
        if entry.kind not in ("invoice", "deposit"):
            continue
        path = ledger.folder.root / entry.path
        with contextlib.suppress(OSError):
            if b"\ntime_entries:" not in path.read_bytes():
                continue  # most invoices bill no time: not parsed
        data, _ = load_mapping(path, entry.path)
        for entry_id in _ids(data):
            billed.setdefault(entry_id, entry.number)
    return billed


def _ids(data: Any) -> list[str]:
    if data is None or not isinstance(data.get("time_entries"), list):
        return []
    return [str(item) for item in data["time_entries"]]


def twice_billed(ledger: Ledger, documents: list[tuple[str, dict[str, Any]]]) -> list[Problem]:
    """Problems of documents about to be issued that would bill a time entry a second time."""
    ids_in = [(display, _ids(document)) for display, document in documents]
    if not any(ids for _, ids in ids_in):
        return []
    billed = billed_entries(ledger)
    seen: dict[str, str] = {}
    problems = []
    for display, ids in ids_in:
        for entry_id in ids:
            if entry_id in billed:
                message = f"time entry {entry_id} is already billed by {billed[entry_id]}"
                problems.append(Problem(display, 0, 0, message))
            elif entry_id in seen:
                message = f"time entry {entry_id} is billed by {seen[entry_id]} as well"
                problems.append(Problem(display, 0, 0, message))
            seen.setdefault(entry_id, display)
    return problems


def time_problems(ledger: Ledger) -> list[Problem]:
    """The time files' problems, and drafts that would bill an entry billed already (or
    that another draft bills as well)."""
    _, problems = read_entries(ledger)
    drafts = []
    for path in ledger.folder.draft_files():
        data, _ = load_mapping(path, ledger.folder.display(path))
        if data is not None and _ids(data):
            drafts.append((ledger.folder.display(path), dict(data)))
    return problems + twice_billed(ledger, drafts)


def entries_of(ledger: Ledger, client_id: str, entries: list[TimeEntry]) -> list[TimeEntry]:
    """The entries of a client: named by its id or, as trackers write it, by its name."""
    clients = ledger.clients_with_problems()
    if client_id not in clients:
        raise NotFound(f"unknown client {client_id!r} ({suggest(client_id, sorted(clients))})")
    data, _ = clients[client_id]
    name = str(data.get("name") or "").casefold() if data is not None else ""
    names = {client_id.casefold(), name} - {""}
    return [e for e in entries if e.client.casefold() in names]


@dataclass
class BilledTime:
    """A draft `bill-time` wrote (None when nothing was left to bill) and what it holds."""

    draft: Path | None
    entries: list[TimeEntry]
    groups: list[Group]
    held: int  # entries of the period already billed or in another draft


def bill_time(
    ledger: Ledger,
    client_id: str,
    today: dt.date,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    group_by: str = "project",
    step_minutes: int | None = None,
    unit: str = "hours",
    hours_per_day: Decimal = Decimal(8),
    rate: Decimal | None = None,
) -> BilledTime:
    """Write a draft billing the client's entries no invoice or draft bills yet."""
    folder = ledger.folder
    with folder.lock():
        ledger.invalidate()
        entries, problems = read_entries(ledger)
        errors = [p for p in problems if p.is_error]
        if errors:
            raise InvalidData("the time files have errors", problems=errors)
        mine = [
            e
            for e in entries_of(ledger, client_id, entries)
            if (start is None or e.date >= start) and (end is None or e.date <= end)
        ]
        states = entry_states(ledger)
        free = [e for e in mine if e.id not in states]
        if not free:
            return BilledTime(None, [], [], len(mine))
        try:
            groups = group_entries(free, group_by, step_minutes, rate)
        except ValueError as error:
            raise FacturoError(f"time entry {error} has no hourly rate: give one") from None
        client, _ = ledger.clients_with_problems()[client_id]
        language = language_of({}, client or {}, ledger.config().get("defaults") or {})
        draft = _draft(client_id, groups, free, time_unit(unit, language), unit, hours_per_day)
        path = _claim_draft(ledger, client_id, today, draft)
    return BilledTime(path, free, groups, len(mine) - len(free))


def _draft(
    client_id: str,
    groups: list[Group],
    entries: list[TimeEntry],
    unit_word: str,
    unit: str,
    hours_per_day: Decimal,
) -> dict[str, Any]:
    lines = []
    for group in groups:
        line: dict[str, Any] = {
            "description": " - ".join(part for part in group.key if part) or client_id,
            "quantity": group.quantity(unit, hours_per_day).normalize(),
            "unit": unit_word,
            "unit_price": _price(group.unit_price(unit, hours_per_day)),
        }
        if group.start != group.end:
            line["service_period"] = {"start": group.start, "end": group.end}
        lines.append(line)
    first, last = min(e.date for e in entries), max(e.date for e in entries)
    draft: dict[str, Any] = {"client": client_id}
    if first == last:
        draft["service_date"] = first
    else:
        draft["service_period"] = {"start": first, "end": last}
    draft["lines"] = lines
    draft["time_entries"] = sorted(e.id for e in entries)
    return draft


def _price(value: Decimal) -> Decimal:
    """A price with at least the two decimals of cents (85 is written 85.00)."""
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < -2 else 2
    return value.quantize(Decimal(1).scaleb(-places))


def _claim_draft(ledger: Ledger, client_id: str, today: dt.date, draft: dict[str, Any]) -> Path:
    header = [
        "Written by facturo bill-time from time/*.csv: the entries under time_entries.",
        "Deleting this draft releases them; issuing it bills them once and for all.",
    ]
    text = dump(draft, header)
    return ledger.folder.claim_draft(f"time-{client_id}-{today.isoformat()}", text)
