"""Subscriptions and `facturo recur`: every period billed once, at its price, from cron."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import Cli, listed, write
from facturo.cli import full_app
from facturo.model.schedule import Schedule, periods

app = full_app()

D = Decimal

RETAINER = """\
client: dupont
schedule: {every: month}
start: 2026-01-01
billing: advance
issue: auto
lines:
  - description: Maintenance et support
    quantity: 1
    unit: mois
    unit_price: 500.00
    price_changes:
      - {from: 2026-07-01, unit_price: 550.00}
"""


class CliOn(Cli):
    """The command line run on another day than the suite's."""

    def __init__(self, root: Path, today: str) -> None:
        super().__init__(root)
        self.today = today

    def __call__(self, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        env = {"FACTURO_DIR": str(self.root), "FACTURO_TODAY": self.today}
        return self.runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)


def cli_on(folder: Path, today: str) -> Cli:
    return CliOn(folder, today)


def invoices(cli: Cli) -> list[tuple[str, str, str, str]]:
    """(number, issue date, service start, gross) of every invoice, in number order."""
    rows = []
    for number in sorted(listed(cli)):
        shown = json.loads(cli("show", number, "--json").stdout)
        period = shown.get("service_period") or {}
        rows.append((number, shown["issue_date"], period.get("start"), shown["totals"]["gross"]))
    return rows


# -- the periods a schedule cuts ---------------------------------------------------------


def test_monthly_periods_in_advance_and_in_arrears() -> None:
    start, end = dt.date(2026, 1, 1), dt.date(2026, 3, 15)
    advance = list(periods(Schedule("month"), start, end, "advance"))
    assert [(p.start.isoformat(), p.end.isoformat(), p.bill_on.isoformat()) for p in advance] == [
        ("2026-01-01", "2026-01-31", "2026-01-01"),
        ("2026-02-01", "2026-02-28", "2026-02-01"),
        ("2026-03-01", "2026-03-15", "2026-03-01"),  # cut at the end date
    ]
    arrears = list(periods(Schedule("month"), start, end, "arrears"))
    assert [p.bill_on.isoformat() for p in arrears] == ["2026-01-31", "2026-02-28", "2026-03-15"]


def test_a_day_a_month_lacks_is_its_last_day_and_quarters_step_three_months() -> None:
    monthly = periods(
        Schedule("month", day=31), dt.date(2026, 1, 31), dt.date(2026, 4, 30), "advance"
    )
    assert [p.start.isoformat() for p in monthly] == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30",
    ]  # fmt: skip
    quarterly = periods(
        Schedule("quarter", day=1), dt.date(2026, 2, 10), dt.date(2026, 12, 31), "advance"
    )
    assert [(p.start.isoformat(), p.end.isoformat()) for p in quarterly] == [
        ("2026-02-10", "2026-04-30"),  # a first, shorter period up to the schedule's day
        ("2026-05-01", "2026-07-31"),
        ("2026-08-01", "2026-10-31"),
        ("2026-11-01", "2026-12-31"),
    ]


def test_every_two_weeks_from_the_start() -> None:
    found = periods(
        Schedule("week", interval=2), dt.date(2026, 1, 5), dt.date(2026, 2, 1), "arrears"
    )
    assert [(p.start.isoformat(), p.end.isoformat()) for p in found] == [
        ("2026-01-05", "2026-01-18"),
        ("2026-01-19", "2026-02-01"),
    ]


# -- recur ----------------------------------------------------------------------------------


def test_catch_up_bills_each_missed_period_once_dated_today_with_its_price(folder: Path) -> None:
    write(folder / "subscriptions" / "support.yaml", RETAINER)
    cli = cli_on(folder, "2026-08-15")
    result = cli("recur")
    assert result.exit_code == 0, result.output
    rows = invoices(cli)
    # January to August: eight periods, all issued today (numbers follow dates), each with
    # its own service period; from July the new price: 550.00 + 20 % = 660.00.
    assert [row[2] for row in rows] == [f"2026-{m:02d}-01" for m in range(1, 9)]
    assert {row[1] for row in rows} == {"2026-08-15"}
    assert [row[3] for row in rows] == ["600.00"] * 6 + ["660.00"] * 2
    again = cli("recur")
    assert again.exit_code == 0 and again.stdout == "" and again.stderr == ""
    assert len(listed(cli)) == 8


def test_nothing_due_is_silent_and_the_next_period_is_billed_on_its_day(folder: Path) -> None:
    write(
        folder / "subscriptions" / "support.yaml",
        RETAINER.replace("2026-01-01", "2026-09-01").replace("2026-07-01", "2027-07-01"),
    )
    assert cli_on(folder, "2026-09-01")("recur").exit_code == 0
    quiet = cli_on(folder, "2026-09-20")("recur")
    assert (quiet.exit_code, quiet.output) == (0, "")
    october = cli_on(folder, "2026-10-01")("recur")
    assert "issued F-2026-0002" in october.stdout


def test_draft_mode_writes_one_draft_per_period_that_counts_as_billed(folder: Path) -> None:
    write(
        folder / "subscriptions" / "support.yaml", RETAINER.replace("issue: auto", "issue: draft")
    )
    cli = cli_on(folder, "2026-02-10")
    first = cli("recur")
    assert first.exit_code == 0, first.output
    drafts = sorted(p.name for p in (folder / "drafts").glob("*.yaml"))
    assert drafts == ["support-2026-01-01.yaml", "support-2026-02-01.yaml"]
    assert cli("recur").stdout == ""  # the drafts bill their periods
    assert cli("check").exit_code == 0
    issued = cli("issue", *(str(folder / "drafts" / d) for d in drafts))
    assert issued.exit_code == 0, issued.output
    assert cli("recur").stdout == ""  # now the invoices do
    shown = json.loads(cli("show", "F-2026-0001", "--json").stdout)
    assert shown["subscription"] == "support"
    assert shown["service_period"] == {"start": "2026-01-01", "end": "2026-01-31"}


def test_arrears_bill_a_period_when_it_ends_and_the_end_date_stops_billing(folder: Path) -> None:
    text = RETAINER.replace("billing: advance", "billing: arrears") + "end: 2026-03-15\n"
    write(folder / "subscriptions" / "support.yaml", text)
    cli = cli_on(folder, "2026-03-14")
    assert cli("recur").exit_code == 0
    assert [row[2] for row in invoices(cli)] == ["2026-01-01", "2026-02-01"]
    later = cli_on(folder, "2026-06-01")
    assert later("recur").exit_code == 0
    rows = invoices(later)
    assert [row[2] for row in rows] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    shown = json.loads(later("show", rows[-1][0], "--json").stdout)
    assert shown["service_period"]["end"] == "2026-03-15"


def test_dry_run_lists_the_periods_and_writes_nothing(folder: Path) -> None:
    write(folder / "subscriptions" / "support.yaml", RETAINER)
    result = cli_on(folder, "2026-02-01")("recur", "--dry-run")
    assert result.exit_code == 0
    assert "support: 2026-01-01 to 2026-01-31" in result.stdout
    assert "support: 2026-02-01 to 2026-02-28" in result.stdout
    assert not list((folder / "drafts").glob("*.yaml"))
    assert not (folder / "invoices").exists()


def test_parallel_recur_processes_bill_each_period_once(folder: Path) -> None:
    write(folder / "subscriptions" / "support.yaml", RETAINER)
    command = [sys.executable, "-m", "facturo", "--dir", str(folder), "--today", "2026-06-10",
               "recur", "--no-pdf"]  # fmt: skip
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]  # fmt: skip
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    issued = [line for out, _ in outputs for line in out.splitlines() if line.startswith("issued")]
    assert len(issued) == 6
    cli = cli_on(folder, "2026-06-10")
    assert [row[2] for row in invoices(cli)] == [f"2026-{m:02d}-01" for m in range(1, 7)]
    assert cli("check").exit_code == 0


def test_a_subscription_for_an_unknown_client_is_an_error_at_its_line(folder: Path) -> None:
    write(
        folder / "subscriptions" / "bad.yaml", RETAINER.replace("client: dupont", "client: dupond")
    )
    cli = cli_on(folder, "2026-02-01")
    result = cli("check")
    assert result.exit_code == 1
    assert "subscriptions/bad.yaml:1:" in result.output and "dupont" in result.output
    recur = cli("recur")
    assert recur.exit_code == 1 and not (folder / "invoices").exists()


def test_subscription_list_shows_the_next_billing_and_the_yearly_value(folder: Path) -> None:
    write(folder / "subscriptions" / "support.yaml", RETAINER)
    cli = cli_on(folder, "2026-08-15")
    assert cli("recur").exit_code == 0
    (row,) = json.loads(cli("subscription", "list", "--json").stdout)
    assert row["next_billing"] == "2026-09-01"
    assert D(row["yearly_value"]) == D("6600.00")  # 12 x 550.00, today's price
    shown = cli("subscription", "show", "support")
    assert "periods billed: 8" in shown.stdout
    assert cli("subscription", "show", "suport").exit_code != 0


@pytest.mark.parametrize("mistake", ["interval: 0", "day: 32"])
def test_schedule_mistakes_are_errors(folder: Path, mistake: str) -> None:
    text = RETAINER.replace("schedule: {every: month}", f"schedule: {{every: month, {mistake}}}")
    write(folder / "subscriptions" / "support.yaml", text)
    result = cli_on(folder, "2026-02-01")("check")
    assert result.exit_code == 1 and "subscriptions/support.yaml:2:" in result.output
