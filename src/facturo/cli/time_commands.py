"""Commands over time and materials: time import|list and bill-time."""

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, parse_date, today
from facturo.errors import ExitCode

time_app = typer.Typer(
    help="Import and list time entries (time/*.csv) billed by bill-time.", no_args_is_help=True
)
app.add_typer(time_app, name="time")

Opt = typer.Option


@time_app.command("import")
@handled
def time_import(
    file: Annotated[Path, typer.Argument(help="Toggl, Clockify or Kimai CSV, timew export JSON.")],
    day_first: Annotated[
        bool | None,
        Opt("--day-first/--month-first", help="How ambiguous dates like 03/04/2026 read."),
    ] = None,
    dry_run: Annotated[bool, Opt("--dry-run", help="Show what would be added.")] = False,
) -> ExitCode:
    """Add a time tracker's export to time/<source>.csv: each entry once, however often.

    Reads Toggl Track and Clockify detailed reports, Kimai timesheet exports (CSV), the
    JSON of `timew export`, and facturo's own columns (date, client, project, task, hours,
    rate). An entry keeps a stable id: importing the same or an overlapping export again
    adds only the entries not seen yet.

    Example: facturo time import ~/Downloads/Toggl_time_entries_2026-11-01_to_2026-11-30.csv
    """
    from facturo.lifecycle.time_billing import import_time

    ledger = open_ledger()
    result = import_time(ledger, file, day_first=day_first, dry_run=dry_run)
    output.print_problems(result.problems)
    where = ledger.folder.display(result.target)
    verb = "would add" if dry_run else "added"
    output.say(f"{verb} {len(result.added)} {result.source} entries to {where}")
    if result.known:
        output.note(f"{result.known} entries were imported before: left as they are")
    if result.left_out:
        output.note(f"{result.left_out} entries not billable (or still running): left out")
    return ExitCode.OK


@time_app.command("list")
@handled
def time_list(
    client: Annotated[str | None, Opt("--client", help="Only this client's entries.")] = None,
    unbilled: Annotated[
        bool, Opt("--unbilled", help="Only entries no invoice or draft bills.")
    ] = False,
    json_output: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> ExitCode:
    """List time entries with their state: billed (by an invoice), pending (in a draft), unbilled.

    Example: facturo time list --client dupont --unbilled
    """
    from facturo.lifecycle.time_billing import UNBILLED, entries_of, entry_states, read_entries

    ledger = open_ledger()
    entries, problems = read_entries(ledger)
    output.print_problems(problems)
    if client is not None:
        entries = entries_of(ledger, client, entries)
    states = entry_states(ledger)
    rows: list[dict[str, Any]] = []
    for entry in entries:
        state, where = states.get(entry.id, (UNBILLED, ""))
        if unbilled and state != UNBILLED:
            continue
        rows.append({
            "id": entry.id, "date": entry.date, "client": entry.client,
            "project": entry.project, "task": entry.task, "description": entry.description,
            "hours": entry.hours.normalize(), "rate": entry.rate, "source": entry.source,
            "state": state, "by": where or None,
        })  # fmt: skip
    if json_output:
        output.print_json(rows)
    elif not entries:
        output.note("no time entry: write time/*.csv or run facturo time import FILE")
    elif rows:
        output.print_table(
            ["ID", "Date", "Client", "Project", "Task", "Hours", "Rate", "State"],
            [
                [r["id"], str(r["date"]), r["client"], r["project"], r["task"],
                 f"{r['hours']:f}", "" if r["rate"] is None else f"{r['rate']:f}",
                 r["state"] + (f" ({r['by']})" if r["by"] else "")]
                for r in rows
            ],
            right=["Hours", "Rate"],
        )  # fmt: skip
    return ExitCode.FAILURE if any(p.is_error for p in problems) else ExitCode.OK


@app.command("bill-time")
@handled
def bill_time(
    client: Annotated[str, typer.Argument(help="Client id (file name in clients/).")],
    start: Annotated[str | None, Opt("--from", help="First day of the entries billed.")] = None,
    end: Annotated[str | None, Opt("--to", help="Last day of the entries billed.")] = None,
    group_by: Annotated[
        str, Opt("--group-by", help="One line per project, task or day.")
    ] = "project",
    round_to: Annotated[
        str | None, Opt("--round", help="Round each entry up to a step: 15m, 30m, 1h.")
    ] = None,
    unit: Annotated[str, Opt("--unit", help="Quantities in hours or days.")] = "hours",
    hours_per_day: Annotated[
        str, Opt("--hours-per-day", help="Hours in a day billed (with --unit days).")
    ] = "8",
    rate: Annotated[
        str | None, Opt("--rate", help="Hourly rate of entries that carry none.")
    ] = None,
) -> ExitCode:
    """Write a draft billing a client's time entries that no invoice or draft bills yet.

    Lines group the entries (by project, task or day), the quantity in hours or days and
    the unit price the hourly rate; the draft names the entries under time_entries. Once
    issued, the invoice records them and they are never billed again; deleting the draft
    releases them.

    Example: facturo bill-time dupont --from 2026-11-01 --to 2026-11-30 --round 15m
    """
    from facturo.lifecycle.time_billing import bill_time as bill
    from facturo.model.time_entries import GROUPINGS, UNITS, parse_rounding

    if group_by not in GROUPINGS:
        raise typer.BadParameter(f"expected one of {', '.join(GROUPINGS)}", param_hint="--group-by")
    if unit not in UNITS:
        raise typer.BadParameter(f"expected one of {', '.join(UNITS)}", param_hint="--unit")
    step = None
    if round_to is not None:
        try:
            step = parse_rounding(round_to)
        except ValueError:
            raise typer.BadParameter(
                "expected a step like 15m or 1h", param_hint="--round"
            ) from None
    ledger = open_ledger()
    result = bill(
        ledger,
        client,
        today(),
        start=parse_date(start, "--from"),
        end=parse_date(end, "--to"),
        group_by=group_by,
        step_minutes=step,
        unit=unit,
        hours_per_day=_positive(hours_per_day, "--hours-per-day"),
        rate=_positive(rate, "--rate") if rate is not None else None,
    )
    if result.draft is None:
        if result.held:
            output.note(f"{result.held} entries of {client} are billed or in a draft already")
        else:
            output.note(f"no time entry of {client} in that period")
        return ExitCode.OK
    output.say(
        f"wrote {ledger.folder.display(result.draft)}: {len(result.entries)} entries on "
        f"{len(result.groups)} lines; review it, then facturo issue it"
    )
    if result.held:
        output.note(f"{result.held} entries billed or in another draft were left out")
    return ExitCode.OK


def _positive(text: str, option: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"expected a number, got {text!r}", param_hint=option) from None
    if not value.is_finite() or not 0 < value <= 10**6:
        raise typer.BadParameter(f"expected a positive number, got {text!r}", param_hint=option)
    return value
