"""`list`: the issued documents that pass the filters, in date order, and their summary rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from facturo.model.account import Summarized, balance_of, days_late_of, status_of
from facturo.model.kinds import KINDS
from facturo.model.kinds import is_receivable as kind_is_receivable
from facturo.model.platform_status import STATES
from facturo.model.statuses import STATUSES

# `list --platform`: a state of model/platform_status.py, or `none` (never transmitted).
NOT_TRANSMITTED = "none"
PLATFORM_STATES = (*STATES, NOT_TRANSMITTED)

if TYPE_CHECKING:  # the CLI's help reads STATUSES without loading the index
    from facturo.store.index import Ledger

__all__ = [
    "AMOUNT_COLUMNS", "COLUMNS", "PLATFORM_STATES", "STATUSES", "Filters", "Listed", "Summary",
    "cells", "listed", "row", "select", "table",
]  # fmt: skip


class Summary(Summarized, Protocol):
    """What `list` reads of a document: an index entry (store/entry.py), or a Listed row
    (besides what its balance, lateness and status are derived from: model/account.py)."""

    @property
    def path(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def issue_date(self) -> dt.date | None: ...
    @property
    def client_id(self) -> str: ...
    @property
    def client_name(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def gross(self) -> Decimal: ...
    @property
    def platform(self) -> str | None: ...
    @property
    def platform_code(self) -> int | None: ...
    @property
    def platform_rule(self) -> str | None: ...
    @property
    def balance(self) -> Decimal: ...
    def days_late(self, today: dt.date) -> int: ...
    def status(self, today: dt.date) -> str: ...


Listable = TypeVar("Listable", bound=Summary)
_RECEIVABLE = {kind: kind_is_receivable(kind) for kind in KINDS}


class Listed(NamedTuple):
    """One document as `list` shows it, read straight from the index cache's columns
    (Ledger.columns): the fields, balance, lateness and status of its index entry."""

    path: str
    number: str
    kind: str
    issue_date: dt.date | None
    due_date: dt.date | None
    valid_until: dt.date | None
    client_id: str
    client_name: str
    currency: str
    gross: Decimal
    due: Decimal
    paid: Decimal
    written_off: Decimal
    credited: Decimal
    sent: dt.date | None
    accepted: dt.date | None
    declined: dt.date | None
    platform: str | None
    platform_code: int | None
    platform_rule: str | None

    # As store/entry.py's Entry says them: the same derivations (model/account.py).
    @property
    def is_receivable(self) -> bool:
        return _RECEIVABLE.get(self.kind, False)

    @property
    def balance(self) -> Decimal:
        return balance_of(self)

    def days_late(self, today: dt.date) -> int:
        return days_late_of(self, today)

    def status(self, today: dt.date) -> str:
        return status_of(self, today)


def listed(ledger: Ledger) -> list[Listed] | None:
    """Every issued document as a Listed row, when the index cache serves them all as they
    are (Ledger.columns); None when the ledger's entries must say."""
    columns = ledger.columns(Listed._fields)
    if columns is None:
        return None
    return list(map(Listed._make, zip(*columns.values(), strict=True)))


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

    def keep(self, entry: Summary, today: dt.date) -> bool:
        return (
            (self.client is None or entry.client_id == self.client)
            and (self.platform is None or (entry.platform or NOT_TRANSMITTED) == self.platform)
            and (self.year is None or bool(entry.issue_date and entry.issue_date.year == self.year))
            and (self.kind is None or entry.kind == self.kind)
            and (self.status is None or entry.status(today) == self.status)
        )


EVERYTHING = Filters()


def select(entries: Iterable[Listable], filters: Filters, today: dt.date) -> list[Listable]:
    """The entries the filters keep, by issue date, then number."""
    kept = (
        list(entries) if filters == EVERYTHING else [e for e in entries if filters.keep(e, today)]
    )
    return sorted(kept, key=lambda e: (e.issue_date or today, e.number))


def row(entry: Summary, today: dt.date) -> dict[str, Any]:
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


def cells(entry: Summary, today: dt.date, status: str | None = None) -> list[str]:
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
    entries: Iterable[Summary], today: dt.date, say: Callable[[str, str], str]
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
            owes, lateness = str(balance) + " " + currency, str(late or "")
        else:
            status, owes, lateness = entry.status(today), "", ""
        issued, until = entry.issue_date, due_date or entry.valid_until
        lines.append([
            entry.number,
            days[issued] if issued in days else days.setdefault(issued, str(issued)),
            entry.client_id,
            str(entry.gross) + " " + currency,  # str(Decimal) is f"{Decimal}", faster
            owes,
            days[until] if until in days else days.setdefault(until, str(until)),
            say(status, kind),
            lateness,
        ])  # fmt: skip
    return lines
