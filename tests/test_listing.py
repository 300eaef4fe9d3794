"""`list` filters and rows as plain functions over index entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from facturo.reports.listing import STATUSES, Filters, Listed, cells, row, select, table
from facturo.store.index import Entry

TODAY = dt.date(2026, 6, 1)


def _entry(number: str, kind: str = "invoice", **fields: object) -> Entry:
    values: dict[str, object] = {
        "path": f"{number}.yaml",
        "number": number,
        "kind": kind,
        "issue_date": dt.date(2026, 3, 1),
        "client_id": "dupont",
        "currency": "EUR",
        "gross": Decimal("120.00"),
        "due": Decimal("120.00"),
    }
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


ENTRIES = [
    _entry("F-2026-0002", issue_date=dt.date(2026, 4, 1), due_date=dt.date(2026, 5, 1)),
    _entry("F-2026-0001", due_date=dt.date(2026, 7, 1), paid=Decimal("20.00")),
    _entry("F-2025-0009", issue_date=dt.date(2025, 12, 1), client_id="berlin"),
    _entry("D-2026-0001", "quote", valid_until=dt.date(2026, 5, 1)),
    _entry("AV-2026-0001", "credit_note", issue_date=dt.date(2026, 4, 2)),
]


def numbers(filters: Filters) -> list[str]:
    return [entry.number for entry in select(ENTRIES, filters, TODAY)]


def test_without_filters_every_entry_comes_by_issue_date_then_number() -> None:
    assert numbers(Filters()) == [
        "F-2025-0009", "D-2026-0001", "F-2026-0001", "F-2026-0002", "AV-2026-0001",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(client="berlin"), ["F-2025-0009"]),
        (Filters(client="nobody"), []),
        (Filters(year=2025), ["F-2025-0009"]),
        (Filters(kind="quote"), ["D-2026-0001"]),
        (Filters(status="overdue"), ["F-2026-0002"]),
        (Filters(status="partially-paid"), ["F-2026-0001"]),
        (Filters(status="expired"), ["D-2026-0001"]),
        (Filters(kind="invoice", year=2026, client="dupont"), ["F-2026-0001", "F-2026-0002"]),
    ],
)
def test_filters_combine(filters: Filters, expected: list[str]) -> None:
    assert numbers(filters) == expected


def test_an_entry_without_issue_date_is_in_no_year() -> None:
    undated = _entry("F-2026-0003", issue_date=None)
    assert select([undated], Filters(year=2026), TODAY) == []
    assert select([undated], Filters(), TODAY) == [undated]


def test_every_status_is_one_a_filter_accepts() -> None:
    assert {entry.status(TODAY) for entry in ENTRIES} <= set(STATUSES)


def test_a_row_has_the_status_and_lateness_of_today() -> None:
    late = row(ENTRIES[0], TODAY)
    assert (late["status"], late["days_late"], late["balance"]) == ("overdue", 31, Decimal("120"))
    assert late["client"] == "dupont" and late["total"] == Decimal("120.00")


def test_cells_leave_the_balance_of_a_quote_blank() -> None:
    quote = cells(ENTRIES[3], TODAY)
    assert quote[4] == "" and quote[5] == "2026-05-01" and quote[6] == "expired"
    assert cells(ENTRIES[1], TODAY)[4] == "100.00 EUR"


def _say(status: str, kind: str) -> str:
    return f"{status} ({kind})"


def test_the_table_has_the_cells_of_each_entry() -> None:
    credited = _entry("F-2026-0004", due_date=dt.date(2026, 5, 1), credited=Decimal("20.00"))
    cancelled = _entry("F-2026-0005", credited=Decimal("120.00"))
    written_off = _entry(
        "F-2026-0006", due_date=dt.date(2026, 5, 1), paid=Decimal("119.00"),
        written_off=Decimal("1.00"),
    )  # fmt: skip
    deposit = _entry("A-2026-0001", "deposit", due_date=dt.date(2026, 5, 20), gross=Decimal("50"))
    undated = _entry("F-2026-0007", issue_date=None, due_date=None, currency="JPY")
    accepted = _entry("D-2026-0002", "quote", accepted=dt.date(2026, 3, 2), sent=TODAY)
    entries = [*ENTRIES, credited, cancelled, written_off, deposit, undated, accepted]
    for day in (TODAY, dt.date(2026, 5, 1), dt.date(2027, 1, 1)):
        expected = [cells(entry, day, _say(entry.status(day), entry.kind)) for entry in entries]
        assert table(entries, day, _say) == expected
    assert table(entries, TODAY, _say)[5][4:] == [
        "100.00 EUR",
        "2026-05-01",
        "overdue (invoice)",
        "31",
    ]


def test_a_listed_row_says_what_its_entry_says() -> None:
    entries = [
        *ENTRIES,
        _entry("F-2026-0004", due_date=dt.date(2026, 5, 1), credited=Decimal("20.00")),
        _entry("F-2026-0005", credited=Decimal("120.00")),
        _entry("F-2026-0006", paid=Decimal("119.00"), written_off=Decimal("1.00")),
        _entry("A-2026-0001", "deposit", due_date=dt.date(2026, 5, 20), paid=Decimal("130")),
        _entry("D-2026-0002", "quote", accepted=dt.date(2026, 3, 2), sent=TODAY),
        _entry("D-2026-0003", "quote", declined=dt.date(2026, 3, 2)),
        _entry("D-2026-0004", "quote", sent=dt.date(2026, 3, 2)),
        _entry("F-2026-0007", "", platform="rejected", platform_code=213, platform_rule="BR-1"),
    ]
    for entry in entries:
        listed = Listed(*(getattr(entry, name) for name in Listed._fields))
        for day in (dt.date(2026, 1, 1), TODAY, dt.date(2027, 1, 1)):
            assert listed.status(day) == entry.status(day), (entry.number, day)
            assert listed.days_late(day) == entry.days_late(day)
            assert row(listed, day) == row(entry, day)
        assert (listed.is_receivable, listed.balance) == (entry.is_receivable, entry.balance)
        assert str(listed.balance) == str(entry.balance)  # the same decimals too


def test_amounts_read_in_a_table_as_in_a_format() -> None:
    for text in ("0", "0.00", "-0.00", "1E+2", "1E-7", "0.000001", "120.5", "-3.10", "1234567.89"):
        assert str(Decimal(text)) == f"{Decimal(text)}"
