"""Subscriptions: each period of a recurring service billed exactly once, by `facturo recur`.

What was billed is read from the documents themselves, never kept apart: an issued invoice
(sealed, in git) or a pending draft that carries `subscription: <id>` and the period's
`service_period` bills that period. A second record could disagree with them (a reset
branch, a deleted draft); the documents cannot. Everything happens under the folder lock,
so runs in parallel or after days missed bill each period once.

Invoices are dated the day they are issued: French law wants an invoice issued when the
service is done (or in advance) and numbers in the order of their dates, so a period
missed during an outage is billed on the next run, dated that day, with its own service
period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError, InvalidData, Problem
from facturo.files import schema
from facturo.files.canonical import dump
from facturo.files.marked import YMap
from facturo.files.reading import read_file
from facturo.files.yamlio import load_mapping, parse
from facturo.lifecycle.drafting import build_document
from facturo.lifecycle.issuing import Issued, issue_drafts
from facturo.model.money import round_money
from facturo.model.schedule import Period, Schedule, periods
from facturo.store.index import Ledger


@dataclass(frozen=True)
class Subscription:
    """A subscription file read: what is billed, to whom, how often."""

    id: str
    data: YMap

    @property
    def client(self) -> str:
        return str(self.data["client"])

    @property
    def schedule(self) -> Schedule:
        schedule = self.data["schedule"]
        return Schedule(
            every=str(schedule["every"]),
            interval=int(schedule.get("interval", 1)),
            day=schedule.get("day"),
        )

    @property
    def start(self) -> dt.date:
        value: dt.date = self.data["start"]
        return value

    @property
    def end(self) -> dt.date | None:
        value = self.data.get("end")
        return value if isinstance(value, dt.date) else None

    @property
    def billing(self) -> str:
        return str(self.data.get("billing", "advance"))

    @property
    def issues(self) -> bool:
        """True when `recur` issues the invoices; False when it writes drafts to review."""
        return bool(self.data.get("issue", "draft") == "auto")

    @property
    def sends(self) -> bool:
        return bool(self.data.get("send", False)) and self.issues

    def periods(self) -> list[Period]:
        """Every period up to the end (at most ten years of them when there is none)."""
        found = []
        for period in periods(self.schedule, self.start, self.end, self.billing):
            if period.start > self.start + dt.timedelta(days=3660):
                break
            found.append(period)
        return found

    def lines_for(self, period: Period) -> list[dict[str, Any]]:
        """The lines of the invoice of `period`, each at the price in force on its first day."""
        lines = []
        for line in self.data["lines"]:
            copy = {k: v for k, v in line.items() if k != "price_changes"}
            for change in line.get("price_changes") or []:
                if change["from"] <= period.start:
                    copy["unit_price"] = change["unit_price"]
            lines.append(copy)
        return lines

    def value_per_period(self, period: Period) -> Decimal:
        """The net amount of one period's invoice, before any document discount."""
        return sum(
            (
                Decimal(line.get("quantity", 1)) * Decimal(line["unit_price"])
                for line in self.lines_for(period)
            ),
            Decimal(0),
        )


@dataclass(frozen=True)
class Due:
    """A period due for billing and the draft that bills it."""

    subscription: Subscription
    period: Period
    draft: Path


@dataclass
class Recurred:
    """What one `recur` run did: drafts written, invoices issued, periods still to review."""

    due: list[Due]
    drafts: list[Path]
    issued: list[Issued]
    problems: list[Problem]


def subscriptions(ledger: Ledger) -> tuple[list[Subscription], list[Problem]]:
    """The valid subscriptions, and the problems of the others (they bill nothing)."""
    found, problems = [], []
    for sub_id, (data, found_problems) in ledger.subscriptions_with_problems().items():
        errors = [p for p in found_problems if p.is_error]
        problems.extend(errors)
        if data is not None and not errors:
            found.append(Subscription(sub_id, data))
    return found, problems


def billed_periods(ledger: Ledger) -> dict[str, set[dt.date]]:
    """The first day of each period billed, by subscription: issued invoices and drafts."""
    billed: dict[str, set[dt.date]] = {}
    for entry in ledger.entries():
        if entry.subscription and entry.service_start and entry.kind == "invoice":
            billed.setdefault(entry.subscription, set()).add(entry.service_start)
    for path in ledger.folder.draft_files():
        data, _ = load_mapping(path, ledger.folder.display(path))
        if data is None or not isinstance(data.get("subscription"), str):
            continue
        period = data.get("service_period")
        start = period.get("start") if isinstance(period, dict) else None
        if isinstance(start, dt.date):
            billed.setdefault(data["subscription"], set()).add(start)
    return billed


def due_periods(ledger: Ledger, until: dt.date) -> tuple[list[Due], list[Problem]]:
    """The periods billed on or before `until` that no invoice or draft bills yet."""
    found, problems = subscriptions(ledger)
    billed = billed_periods(ledger)
    due = []
    for subscription in found:
        done = billed.get(subscription.id, set())
        for period in subscription.periods():
            if period.bill_on > until:
                break
            if period.start not in done:
                name = f"{subscription.id}-{period.start.isoformat()}.yaml"
                due.append(Due(subscription, period, ledger.folder.drafts_dir / name))
    return due, problems


def draft_text(due: Due) -> str:
    """The draft of one period: the subscription's lines at that period's prices."""
    subscription, period = due.subscription, due.period
    draft: dict[str, Any] = {
        "client": subscription.client,
        "subscription": subscription.id,
        "service_period": {"start": period.start, "end": period.end},
    }
    keys = ("series", "order_reference", "payment_terms", "currency", "language", "discount")
    for key in (*keys, "notes"):
        if key in subscription.data:
            draft[key] = subscription.data[key]
    draft["lines"] = subscription.lines_for(period)
    header = [
        f"Written by facturo recur from subscriptions/{subscription.id}.yaml:",
        f"the period {period.start} to {period.end}, billed {period.bill_on}.",
    ]
    return dump(draft, header)


def recur(
    ledger: Ledger, today: dt.date, *, until: dt.date | None = None, dry_run: bool = False
) -> Recurred:
    """Bill every period due up to `until` (default today) once: drafts, then issue."""
    until = until or today
    folder = ledger.folder
    with folder.lock():
        ledger.invalidate()
        due, problems = due_periods(ledger, until)
        if dry_run:
            return Recurred(due, [], [], problems)
        written = [item.draft for item in due if folder.claim(item.draft, draft_text(item))]
    auto = [item.draft for item in due if item.subscription.issues and item.draft in written]
    auto += _pending_auto_drafts(ledger, exclude=set(auto))
    issued: list[Issued] = []
    for path in sorted(auto):
        try:
            issued += issue_drafts(ledger, [path], today, today=today, skip_missing=True)
        except InvalidData as error:
            problems.extend(error.problems)
        except FacturoError as error:
            problems.append(Problem(folder.display(path), 0, 0, str(error)))
    return Recurred(due, written, issued, problems)


def _pending_auto_drafts(ledger: Ledger, exclude: set[Path]) -> list[Path]:
    """Drafts of `issue: auto` subscriptions left by a run that stopped before issuing."""
    found, _ = subscriptions(ledger)
    auto = {s.id for s in found if s.issues}
    pending = []
    for path in ledger.folder.draft_files():
        if path in exclude:
            continue
        data, _ = load_mapping(path, ledger.folder.display(path))
        if data is not None and data.get("subscription") in auto:
            pending.append(path)
    return pending


def yearly_value(subscription: Subscription, today: dt.date) -> Decimal:
    """What a year of the subscription bills at today's prices (net, before discount)."""
    current = next(
        (p for p in reversed(subscription.periods()) if p.start <= today),
        Period(today, today, today),
    )
    value = subscription.value_per_period(current) * subscription.schedule.per_year()
    return round_money(value, str(subscription.data.get("currency") or "EUR"))


def next_billing(subscription: Subscription, billed: set[dt.date]) -> Period | None:
    """The first period not billed yet, or None when the subscription has ended."""
    return next((p for p in subscription.periods() if p.start not in billed), None)


def upcoming_invoices(
    ledger: Ledger, today: dt.date, until: dt.date
) -> list[tuple[Due, dict[str, Any]]]:
    """The invoices subscriptions will make for the periods billed up to `until` and not
    billed yet, each as it would be issued on its billing day (today for those due)."""
    found, _ = subscriptions(ledger)
    billed = billed_periods(ledger)
    config = ledger.config()
    upcoming = []
    for subscription in found:
        try:
            client = ledger.client(subscription.client)
        except FacturoError:
            continue  # `check` reports the subscription's client
        done = billed.get(subscription.id, set())
        for period in subscription.periods():
            if period.bill_on > until:
                break
            if period.start in done:
                continue
            name = f"{subscription.id}-{period.start.isoformat()}.yaml"
            due = Due(subscription, period, ledger.folder.drafts_dir / name)
            data, problems = parse(draft_text(due), name)
            if data is None or problems:
                continue
            draft, report = read_file(data, schema.DRAFT, name)
            issue_on = max(period.bill_on, today)
            document = build_document(draft, config, subscription.client, client, issue_on, report)
            if document is not None:
                upcoming.append((due, document))
    return upcoming
