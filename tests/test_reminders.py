"""Reminders without sending: penalty interest by hand, levels, and `facturo remind` listings."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import CONFIG, DRAFT, Cli, issue, write
from facturo.model.account import Account, Movement
from facturo.reports.reminders import (
    DEFAULT_LEVELS,
    Level,
    _level_due,
    policy_for,
)

D = Decimal
DUE = dt.date(2026, 10, 1)
RATE = D("12.15")


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def penalty_interest(
    due_date: dt.date,
    today: dt.date,
    changes: list[tuple[dt.date, Decimal]],
    opening: Decimal,
    rate: Decimal,
    currency: str,
) -> Decimal:
    """The account's interest, given balance changes as (date, + owed / - paid)."""
    movements = tuple(Movement(when, -change) for when, change in changes)
    account = Account(currency, opening, due_date, payments=movements)
    return account.penalty_interest(today, rate)


# -- the account's penalty interest: hand-computed, 12.15 % a year over 365 days, rounded once -----------


def test_interest_on_a_constant_balance_is_per_day_over_365_days() -> None:
    # 1000 x 30 days x 12.15 % / 365 = 9.98630...
    assert penalty_interest(DUE, day("2026-10-31"), [], D("1000.00"), RATE, "EUR") == D("9.99")


def test_interest_is_rounded_once_not_per_day() -> None:
    # 100 x 12.15 % / 365 = 0.0333 a day: rounded per day 30 x 0.03 = 0.90; once: 0.99863 -> 1.00
    assert penalty_interest(DUE, day("2026-10-31"), [], D("100.00"), RATE, "EUR") == D("1.00")


def test_interest_starts_the_day_after_the_due_date() -> None:
    assert penalty_interest(DUE, DUE, [], D("1000.00"), RATE, "EUR") == D("0.00")
    assert penalty_interest(DUE, day("2026-09-15"), [], D("1000.00"), RATE, "EUR") == D("0.00")
    # one day: 1000 x 12.15 % / 365 = 0.33287...
    assert penalty_interest(DUE, day("2026-10-02"), [], D("1000.00"), RATE, "EUR") == D("0.33")


def test_interest_after_a_partial_payment_before_the_due_date_runs_on_what_is_left() -> None:
    changes = [(day("2026-09-20"), D("-620.00"))]
    # 1620 - 620 = 1000 owed from the due date: 1000 x 30 = 30000 -> 9.98630...
    assert penalty_interest(DUE, day("2026-10-31"), changes, D("1620.00"), RATE, "EUR") == D("9.99")


def test_interest_after_a_partial_payment_after_the_due_date_changes_on_that_day() -> None:
    changes = [(day("2026-10-11"), D("-400.00"))]
    # 10 days at 1000, then 20 days at 600: 22000 day-euros -> 7.32328...
    assert penalty_interest(DUE, day("2026-10-31"), changes, D("1000.00"), RATE, "EUR") == D("7.32")


def test_interest_after_a_payment_correction_runs_again() -> None:
    changes = [(day("2026-10-11"), D("-1000.00")), (day("2026-10-21"), D("1000.00"))]
    # 10 days at 1000, 10 days at 0 (paid), 10 days at 1000 (cheque returned): 20000 -> 6.6575...
    assert penalty_interest(DUE, day("2026-10-31"), changes, D("1000.00"), RATE, "EUR") == D("6.66")


def test_interest_after_a_credit_note_runs_on_the_reduced_balance() -> None:
    changes = [(day("2026-10-16"), D("-300.00"))]
    # 15 days at 1000, 15 days at 700: 25500 -> 8.48835...
    assert penalty_interest(DUE, day("2026-10-31"), changes, D("1000.00"), RATE, "EUR") == D("8.49")


def test_interest_ignores_payments_after_today_and_never_runs_on_a_credit() -> None:
    later = [(day("2026-11-15"), D("-1000.00"))]
    assert penalty_interest(DUE, day("2026-10-31"), later, D("1000.00"), RATE, "EUR") == D("9.99")
    overpaid = [(day("2026-10-11"), D("-1200.00"))]
    # 10 days at 1000, then the client is in credit: 10000 -> 3.3287...
    assert penalty_interest(DUE, day("2026-10-31"), overpaid, D("1000.00"), RATE, "EUR") == D(
        "3.33"
    )


def test_interest_is_rounded_to_the_currency_minor_unit() -> None:
    # 100000 JPY x 30 days -> 998.63 -> 999 (no minor unit)
    assert penalty_interest(DUE, day("2026-10-31"), [], D("100000"), RATE, "JPY") == D("999")


# -- levels --------------------------------------------------------------------------------

COURTESY = (Level(0, -3), Level(1, 1), Level(2, 15), Level(3, 30, letter=True))


@pytest.mark.parametrize(
    ("levels", "days_late", "last", "expected"),
    [
        (DEFAULT_LEVELS, 0, None, None),
        (DEFAULT_LEVELS, 1, None, 1),
        (DEFAULT_LEVELS, 14, 1, None),
        (DEFAULT_LEVELS, 15, 1, 2),
        (DEFAULT_LEVELS, 20, 2, None),
        (DEFAULT_LEVELS, 29, 2, None),
        (DEFAULT_LEVELS, 30, 2, 3),
        (DEFAULT_LEVELS, 60, None, 3),  # after an outage: the highest level now due, once
        (DEFAULT_LEVELS, 60, 1, 3),
        (DEFAULT_LEVELS, 61, 3, None),
        (COURTESY, -4, None, None),
        (COURTESY, -3, None, 0),
        (COURTESY, 0, 0, None),
        (COURTESY, 1, 0, 1),
        (COURTESY, 1, None, 1),
        (None, 90, None, None),  # reminders: false
    ],
)
def test_level_due(
    levels: tuple[Level, ...] | None, days_late: int, last: int | None, expected: int | None
) -> None:
    due = _level_due(levels, days_late, last)
    assert (due.level if due else None) == expected


def test_only_the_formal_notice_attaches_a_letter_by_default() -> None:
    assert [(level.level, level.tone, level.letter) for level in DEFAULT_LEVELS] == [
        (1, "friendly", False),
        (2, "firm", False),
        (3, "formal", True),
    ]


def test_policy_for_a_client_that_is_never_reminded_is_none() -> None:
    assert policy_for({}, {"name": "X", "reminders": False}) is None


def test_policy_for_a_client_with_its_own_levels_wins_over_the_folder() -> None:
    config = {"reminders": {"levels": [{"level": 1, "days": 5}, {"level": 3, "days": 20}]}}
    own = {"reminders": {"levels": [{"level": 2, "days": 40}, {"level": 1, "days": 10}]}}
    assert policy_for(config, own) == (Level(1, 10), Level(2, 40))
    assert policy_for(config, {"reminders": True}) == (Level(1, 5), Level(3, 20, letter=True))
    assert policy_for(config, None) == (Level(1, 5), Level(3, 20, letter=True))
    assert policy_for({}, {}) == DEFAULT_LEVELS


def test_policy_letter_can_be_asked_for_at_another_level() -> None:
    config = {"reminders": {"levels": [{"level": 2, "days": 10, "letter": True}]}}
    assert policy_for(config, {}) == (Level(2, 10, letter=True),)


# -- facturo remind (listing) --------------------------------------------------------------

INDIVIDUAL = """\
name: Jeanne Martin
kind: individual
address: {street: 1 rue Haute, postcode: "75001", city: Paris, country: FR}
email: jeanne@example.org
"""


def remind_json(cli: Cli, *args: str) -> dict[str, dict[str, Any]]:
    result = cli(*args, "remind", "--json")
    assert result.exit_code == 0, result.output
    return {item["number"]: item for item in json.loads(result.stdout)}


def test_remind_json_lists_a_late_invoice_with_interest_indemnity_and_level(cli, draft) -> None:
    number = issue(cli, draft, "2026-09-01")  # 1620.00 due 2026-10-01, 52 days late
    item = remind_json(cli)[number]
    assert item["client"] == "dupont"
    assert item["due_date"] == "2026-10-01"
    assert item["days_late"] == 52
    assert item["balance"] == "1620.00"
    # 1620 x 52 x 12.15 % / 365 = 28.0415...
    assert item["interest"] == "28.04"
    assert item["indemnity"] == "40.00"
    assert item["last_level"] is None
    assert item["level_due"] == 3


def test_remind_interest_follows_partial_payments_and_credit_notes(cli, draft) -> None:
    number = issue(cli, draft, "2026-09-01")
    assert cli("pay", number, "620.00", "--date", "2026-10-11").exit_code == 0
    item = remind_json(cli)[number]
    # 10 days at 1620, 42 days at 1000: 58200 -> 19.3734...
    assert (item["balance"], item["interest"]) == ("1000.00", "19.37")

    second = issue(cli, draft, "2026-09-01", "d2")
    credited = cli(
        "credit", second, "--amount", "250", "--reason", "remise", "--date", "2026-10-16"
    )
    assert credited.exit_code == 0, credited.output
    item = remind_json(cli)[second]
    # credit note of 250 + 20 % VAT = 300: 15 days at 1620, 37 at 1320: 73140 -> 24.3466...
    assert (item["balance"], item["interest"]) == ("1320.00", "24.35")


def test_remind_individual_clients_owe_no_recovery_indemnity(cli, draft, folder: Path) -> None:
    write(folder / "clients" / "jeanne.yaml", INDIVIDUAL)
    number = issue(cli, draft, "2026-09-01", text=DRAFT.replace("dupont", "jeanne"))
    item = remind_json(cli)[number]
    assert item["indemnity"] is None
    assert item["interest"] == "28.04"


def test_remind_never_chases_paid_cancelled_or_opted_out_invoices(cli, draft, folder: Path) -> None:
    paid = issue(cli, draft, "2026-09-01", "d1")
    cancelled = issue(cli, draft, "2026-09-01", "d2")
    late = issue(cli, draft, "2026-09-01", "d3")
    assert cli("pay", paid, "--date", "2026-10-15").exit_code == 0
    result = cli("credit", cancelled, "--full", "--reason", "annulée", "--date", "2026-10-20")
    assert result.exit_code == 0, result.output
    assert set(remind_json(cli)) == {late}

    write(
        folder / "clients" / "dupont.yaml",
        (folder / "clients" / "dupont.yaml").read_text() + "reminders: false\n",
    )
    item = remind_json(cli)[late]
    assert item["level_due"] is None
    assert item["reminders"] is False


def test_remind_uses_the_client_s_own_levels(cli, draft, folder: Path) -> None:
    path = folder / "clients" / "dupont.yaml"
    write(path, path.read_text() + "reminders:\n  levels:\n    - {level: 1, days: 60}\n")
    number = issue(cli, draft, "2026-09-01")
    assert remind_json(cli)[number]["level_due"] is None  # 52 days: not yet
    assert remind_json(cli, "--today", "2026-11-30")[number]["level_due"] == 1


def test_remind_courtesy_level_before_the_due_date(cli, draft, folder: Path) -> None:
    levels = "reminders:\n  levels:\n    - {level: 0, days: -3}\n    - {level: 1, days: 1}\n"
    write(folder / "facturo.yaml", CONFIG + levels)
    number = issue(cli, draft, "2026-10-25")  # due 2026-11-24: 2 days before
    item = remind_json(cli)[number]
    assert (item["days_late"], item["level_due"]) == (0, 0)
    assert (item["interest"], item["indemnity"]) == ("0.00", None)
    assert remind_json(cli, "--today", "2026-11-20") == {}  # 4 days before: too early


def test_remind_prints_plain_columns_without_a_terminal(cli, draft) -> None:
    number = issue(cli, draft, "2026-09-01")
    result = cli("remind")
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split() == [
        "Number", "Client", "Due", "Late", "Balance", "Interest", "Indemnity", "Last", "Now"
    ]  # fmt: skip
    assert row.split() == [
        number,
        "dupont",
        "2026-10-01",
        "52",
        "1620.00",
        "EUR",
        "28.04",
        "40.00",
        "3",
    ]
    assert "\x1b[" not in result.stdout
    assert not set(result.stdout) & set("│─┃━┏┓┗┛╭╮╰╯")


def test_remind_is_silent_when_nothing_is_late_and_with_quiet(cli, draft) -> None:
    issue(cli, draft, "2026-09-01")  # due 2026-10-01
    result = cli("--today", "2026-09-20", "remind")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    # nothing to send: silent, and no mail settings needed
    result = cli("--today", "2026-09-20", "remind", "--send")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    result = cli("remind", "--quiet")
    assert (result.exit_code, result.stdout) == (0, "")


def test_remind_on_an_invalid_facturo_yaml_exits_3(cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-09-01")
    write(
        folder / "facturo.yaml",
        CONFIG.replace("late_penalty_rate_percent: 12.15", "late_penalty_rate_percent: lots"),
    )
    for args in (["remind"], ["remind", "--json"], ["remind", "--send"]):
        result = cli(*args)
        assert result.exit_code == 3, (args, result.output)
        assert "facturo.yaml" in result.stderr
        assert result.stdout == ""


def test_invalid_reminder_levels_are_reported_with_their_line(cli, folder: Path) -> None:
    levels = "reminders:\n  levels:\n    - {level: 1, days: 10}\n    - {level: 2, days: 5}\n"
    write(folder / "facturo.yaml", CONFIG + levels)
    result = cli("check")
    assert result.exit_code == 1
    line = CONFIG.count("\n") + 4
    assert f"facturo.yaml:{line}:" in result.stdout
    assert "level 2 must come later" in result.stdout


def test_remind_usage_errors_exit_2(cli) -> None:
    result = cli("remind", "--sned")
    assert result.exit_code == 2
    assert "--sned" in result.output
