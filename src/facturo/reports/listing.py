"""`list`: the issued documents that pass the filters, in date order, and their summary rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from facturo.model.platform_status import STATES
from facturo.model.statuses import STATUSES

# `list --platform`: a state of model/platform_status.py, or `none` (never transmitted).
NOT_TRANSMITTED = "none"
PLATFORM_STATES = (*STATES, NOT_TRANSMITTED)

if TYPE_CHECKING:  # the CLI's help reads STATUSES without loading the index
    from facturo.store.index import Entry

__all__ = [
    "AMOUNT_COLUMNS", "COLUMNS", "PLATFORM_STATES", "STATUSES", "Filters", "cells", "row", "select",
    "table",
]  # fmt: skip


COLUMNS = ("Number", "Date", "Client", "Total", "Balance", "Due", "Status", "Late")
AMOUNT_COLUMNS = ("Total", "Balance", "Late")


@dataclass(frozen=True)
class Filters:
    """What to keep; None keeps everything."""

    client: str | None = None
    year: int | None = None
    status: str | None = None
    kind: str | None = None
    platform: str | None = None  # a state of PLATFORM_STATES

    def keep(self, entry: Entry, today: dt.date) -> bool:
        return (
            (self.client is None or entry.client_id == self.client)
            and (self.platform is None or (entry.platform or NOT_TRANSMITTED) == self.platform)
            and (self.year is None or bool(entry.issue_date and entry.issue_date.year == self.year))
            and (self.kind is None or entry.kind == self.kind)
            and (self.status is None or entry.status(today) == self.status)
        )


def select(entries: Iterable[Entry], filters: Filters, today: dt.date) -> list[Entry]:
    """The entries the filters keep, by issue date, then number."""
    kept = [entry for entry in entries if filters.keep(entry, today)]
    return sorted(kept, key=lambda e: (e.issue_date or today, e.number))


def row(entry: Entry, today: dt.date) -> dict[str, Any]:
    """One document's summary as `list --json` prints it: totals, balance, status, lateness."""
    return {
        "number": entry.number,
        "kind": entry.kind,
        "issue_date": entry.issue_date,
        "due_date": entry.due_date,
        "valid_until": entry.valid_until,
        "client": entry.client_id,
        "client_name": entry.client_name,
        "currency": entry.currency,
        "total": entry.gross,
        "paid": entry.paid,
        "balance": entry.balance,
        "status": entry.status(today),
        "days_late": entry.days_late(today),
        "platform": entry.platform,
        "platform_code": entry.platform_code,
        "platform_rule": entry.platform_rule,
        "path": entry.path,
    }


def cells(entry: Entry, today: dt.date, status: str | None = None) -> list[str]:
    """One document as a line of text under COLUMNS (no balance on quotes and credit notes);
    `status` is the status as people read it (default: its code)."""
    currency, receivable = entry.currency, entry.is_receivable
    return [
        entry.number,
        str(entry.issue_date or ""),
        entry.client_id,
        f"{entry.gross} {currency}",
        f"{entry.balance} {currency}" if receivable else "",
        str(entry.due_date or entry.valid_until or ""),
        entry.status(today) if status is None else status,
        str(entry.days_late(today) or "") if receivable else "",
    ]


def table(
    entries: Iterable[Entry], today: dt.date, say: Callable[[str, str], str]
) -> list[list[str]]:
    """`cells` of every entry, its status as `say(status, kind)` words it: the same lines,
    made in one pass with what each entry is read once (10,000 documents listed)."""
    from facturo.model.account import receivable_status

    owed_by_kind: dict[str, bool] = {}
    days: dict[dt.date | None, str] = {None: ""}  # documents share dates: each written once
    lines = []
    for entry in entries:
        kind, currency, due_date = entry.kind, entry.currency, entry.due_date
        owed = owed_by_kind.get(kind)
        if owed is None:
            owed = owed_by_kind[kind] = entry.is_receivable
        if owed:
            due, paid, credited = entry.due, entry.paid, entry.credited
            written_off = entry.written_off
            balance = due - paid - written_off - credited  # as Entry.balance
            status = receivable_status(due, paid + written_off, credited, due_date, today)
            late = 0 if due_date is None or balance <= 0 else max(0, (today - due_date).days)
            owes, lateness = f"{balance} {currency}", str(late or "")
        else:
            status, owes, lateness = entry.status(today), "", ""
        issued, until = entry.issue_date, due_date or entry.valid_until
        lines.append([
            entry.number,
            days[issued] if issued in days else days.setdefault(issued, str(issued)),
            entry.client_id,
            f"{entry.gross} {currency}",
            owes,
            days[until] if until in days else days.setdefault(until, str(until)),
            say(status, kind),
            lateness,
        ])  # fmt: skip
    return lines
