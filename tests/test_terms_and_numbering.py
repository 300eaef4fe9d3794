"""Payment terms grammar, due dates, the legal maximum, and numbering patterns."""

from __future__ import annotations

import datetime as dt

import pytest

from facturo.model.numbering import Series, number_problem, pattern_problem
from facturo.model.terms import PaymentTerms, due_date_excess, parse_terms


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("on receipt", PaymentTerms(0)),
        ("À réception", PaymentTerms(0)),
        ("30 days", PaymentTerms(30)),
        ("30 jours", PaymentTerms(30)),
        ("45 days end of month", PaymentTerms(45, True)),
        ("45  Jours fin de mois", PaymentTerms(45, True)),
        ("1 day", PaymentTerms(1)),
    ],
)
def test_terms_grammar(text: str, terms: PaymentTerms) -> None:
    assert parse_terms(text) == terms


@pytest.mark.parametrize("text", ["net 30", "30", "thirty days", "30 days eom", ""])
def test_unknown_terms_name_the_grammar(text: str) -> None:
    with pytest.raises(ValueError, match="45 days end of month"):
        parse_terms(text)


def test_due_dates() -> None:
    issued = dt.date(2026, 1, 20)
    assert parse_terms("on receipt").due_date(issued) == issued
    assert parse_terms("30 days").due_date(issued) == dt.date(2026, 2, 19)
    # 45 days after issue, then the end of that month.
    assert parse_terms("45 days end of month").due_date(issued) == dt.date(2026, 3, 31)
    assert parse_terms("10 days end of month").due_date(dt.date(2028, 2, 10)) == dt.date(
        2028, 2, 29
    )


def test_legal_maximum() -> None:
    assert parse_terms("60 days").legal_excess() is None
    assert "60 days" in (parse_terms("61 days").legal_excess() or "")
    assert parse_terms("45 days end of month").legal_excess() is None
    assert "45 days end of month" in (parse_terms("46 days end of month").legal_excess() or "")
    assert due_date_excess(dt.date(2026, 1, 1), dt.date(2026, 3, 2)) is None
    assert due_date_excess(dt.date(2026, 1, 1), dt.date(2026, 3, 3)) is not None


def test_series_formats_and_parses() -> None:
    series = Series("invoice", "F-{year}-{seq:04}", "yearly")
    assert series.format(2026, 7) == "F-2026-0007"
    assert series.parse("F-2026-0007") == (2026, 7)
    assert series.parse("F-2026-12345") == (2026, 12345)
    assert series.parse("AV-2026-0007") is None
    assert series.next_number(2026, ["F-2026-0007", "F-2025-0010", "junk"]) == "F-2026-0008"
    assert series.next_number(2027, ["F-2026-0007"]) == "F-2027-0001"


def test_continuous_series_ignores_the_year() -> None:
    series = Series("invoice", "{yy}{seq:03}", "never")
    assert series.next_number(2027, ["26001", "26002"]) == "27003"


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("F/{seq}", "may only use"),
        ("F-{year}", "exactly one {seq}"),
        ("F-{seq}-{seq}", "exactly one {seq}"),
        ("F-{month}-{seq}", "unknown field {month}"),
        ("FACTURE-CLIENT-TRES-LONGUE-{year}-{seq:06}", "35 characters"),
    ],
)
def test_bad_patterns(pattern: str, fragment: str) -> None:
    assert fragment in (pattern_problem(pattern) or "")


def test_number_alphabet_and_length() -> None:
    assert number_problem("F-2026_0001+A") is None
    assert number_problem("F 2026") is not None
    assert number_problem("F" * 36) is not None
