"""The tracking section of issued documents read back: its keys, types and what may be recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from facturo.errors import Problem
from facturo.files import schema
from facturo.files.marked import YList, YMap
from facturo.files.reading import Report, read_mapping
from facturo.model.kinds import is_receivable

TRACKING = "tracking"


def tracking_problems(data: YMap, path: str) -> list[Problem]:
    """What is wrong with the tracking section of the issued document `data` (from `path`).

    Unknown keys (typos), wrong types, a negative payment without a reason, a payment or an
    event dated before the document, payments on a document nobody owes, and a quote both
    accepted and declined.
    """
    report = Report(path)
    tracking = data.get(TRACKING)
    if tracking is None:
        return []
    where = data.mark(TRACKING)
    if not isinstance(tracking, YMap):
        report.error(where, "tracking must be key: value lines (payments, sendings, ...)")
        return report.problems
    read = read_mapping(tracking, schema.TRACKING, report)
    issue_date = data.get("issue_date")
    issued = issue_date if isinstance(issue_date, dt.date) else None
    kind = data.get("kind")
    payments = read.get("payments")
    if isinstance(payments, YList):
        if payments and isinstance(kind, str) and not is_receivable(kind):
            report.error(
                tracking.mark("payments"), f"payments are recorded on invoices, not on a {kind}"
            )
        for index, payment in enumerate(payments):
            _check_payment(payment, payments.mark(index), issued, report)
    for name in ("sendings", "reminders"):
        records = read.get(name)
        if isinstance(records, YList):
            for index, record in enumerate(records):
                _check_dated(record, records.mark(index), issued, name, report)
    for name in ("accepted", "declined"):
        event = read.get(name)
        if event is not None and kind != "quote":
            report.error(tracking.mark(name), f"only a quote is {name}")
        _check_dated(event, tracking.mark(name), issued, name, report)
    if "accepted" in tracking and "declined" in tracking:
        report.error(tracking.mark("declined"), "a quote is either accepted or declined, not both")
    return report.problems


def _check_payment(
    payment: Any, mark: tuple[int, int], issued: dt.date | None, report: Report
) -> None:
    if not isinstance(payment, YMap):
        return
    amount = payment.get("amount")
    if amount is not None and amount < 0 and not payment.get("reason"):
        report.error(
            mark, f"a negative payment ({amount}) corrects an earlier one and needs a reason"
        )
    if amount == 0:
        report.error(mark, "a payment of 0 records nothing")
    _check_dated(payment, mark, issued, "payment", report)


def _check_dated(
    record: Any, mark: tuple[int, int], issued: dt.date | None, what: str, report: Report
) -> None:
    if not isinstance(record, YMap) or issued is None:
        return
    date = record.get("date")
    if isinstance(date, dt.date) and date < issued:
        where = record.mark("date")
        report.error(where, f"{what} dated {date}, before the document's issue date {issued}")
