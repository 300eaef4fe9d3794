"""Commands over subscriptions: recur (safe from cron) and subscription list|show."""

import datetime as dt
from typing import Annotated, Any

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, parse_date, today
from facturo.errors import ExitCode, NotFound

subscription_app = typer.Typer(
    help="List and show subscriptions (subscriptions/<id>.yaml).", no_args_is_help=True
)
app.add_typer(subscription_app, name="subscription")

Opt = typer.Option


@app.command()
@handled
def recur(
    until: Annotated[
        str | None, Opt("--until", help="Bill the periods due up to this day (default: today).")
    ] = None,
    dry_run: Annotated[bool, Opt("--dry-run", help="Show what is due; write nothing.")] = False,
    quiet: Annotated[
        bool, Opt("--quiet", "-q", help="Print only what was issued or failed.")
    ] = False,
    pdf: Annotated[
        bool,
        Opt("--pdf/--no-pdf", envvar="FACTURO_PDF", help="Render the PDF of each invoice issued."),
    ] = True,
) -> ExitCode:
    """Bill every subscription period due: a draft each (issue: draft), or an invoice (auto).

    Each period is billed once, whatever the number of runs, runs in parallel or days
    missed: a period is billed when an invoice or a draft carries its subscription and
    service period. Invoices are dated the day they are issued. Silent when nothing is
    due, so it can run from cron every day.

    Example: facturo recur --dry-run
    """
    from facturo.lifecycle.recurring import recur as bill

    ledger = open_ledger()
    day = today()
    result = bill(ledger, day, until=parse_date(until, "--until"), dry_run=dry_run)
    for problem in result.problems:
        output.error(str(problem))
    if dry_run:
        for item in result.due:
            what = "issue" if item.subscription.issues else "draft"
            output.say(
                f"{item.subscription.id}: {item.period.start} to {item.period.end} "
                f"(billed {item.period.bill_on}) -> {what} {ledger.folder.display(item.draft)}"
            )
        return ExitCode.FAILURE if result.problems else ExitCode.OK
    issued_drafts = {r.draft for r in result.issued}
    for path in result.drafts:
        if path not in issued_drafts and not quiet:
            output.say(f"wrote {ledger.folder.display(path)}: review it, then facturo issue it")
    for issued in result.issued:
        output.say(f"issued {issued.number} ({ledger.folder.display(issued.draft)})")
    code = ExitCode.FAILURE if result.problems else ExitCode.OK
    fresh = [r.document for r in result.issued if r.document and not r.recovered]
    if pdf and fresh:
        from facturo.output import publishing

        jobs = [publishing.job_for(ledger, document) for document in fresh]
        for outcome in publishing.render(ledger, jobs):
            where = ledger.folder.display(outcome.output)
            if outcome.error:
                code = ExitCode.FAILURE
                output.error(f"{where}: {outcome.error} (the invoice is issued all the same)")
            elif not quiet:
                output.note(f"rendered {where}")
    senders = {item.subscription.id for item in result.due if item.subscription.sends}
    to_send = [r for r in result.issued if r.document.get("subscription") in senders]
    if to_send:
        from facturo.output.mail.sending import send_document

        now = dt.datetime.now().astimezone()
        for issued in to_send:
            run, planned = send_document(ledger, issued.number, day, now)
            for number, why in run.failed:
                code = ExitCode.FAILURE
                output.error(f"{number}: {why}")
            if not run.failed:
                output.say(f"sent {issued.number} to {', '.join(planned.outgoing.to)}")
    return code


def _rows(day: dt.date) -> list[dict[str, Any]]:
    from facturo.lifecycle.recurring import (
        billed_periods,
        next_billing,
        subscriptions,
        yearly_value,
    )

    ledger = open_ledger()
    found, problems = subscriptions(ledger)
    for problem in problems:
        output.error(str(problem))
    billed = billed_periods(ledger)
    rows = []
    for subscription in found:
        upcoming = next_billing(subscription, billed.get(subscription.id, set()))
        rows.append({
            "id": subscription.id,
            "client": subscription.client,
            "every": subscription.schedule.every,
            "interval": subscription.schedule.interval,
            "billing": subscription.billing,
            "issue": "auto" if subscription.issues else "draft",
            "start": subscription.start,
            "end": subscription.end,
            "periods_billed": len(billed.get(subscription.id, set())),
            "next_period": (
                {"start": upcoming.start, "end": upcoming.end} if upcoming else None
            ),
            "next_billing": upcoming.bill_on if upcoming else None,
            "yearly_value": yearly_value(subscription, day),
            "lines": [dict(line) for line in subscription.data["lines"]],
        })  # fmt: skip
    return rows


@subscription_app.command("list")
@handled
def subscription_list(
    json_output: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> None:
    """List subscriptions with their next billing date and yearly value (net, today's prices).

    Example: facturo subscription list
    """
    rows = _rows(today())
    if json_output:
        output.print_json([{k: v for k, v in r.items() if k != "lines"} for r in rows])
        return
    if not rows:
        output.note("no subscription: write one in subscriptions/<id>.yaml (see README)")
        return
    every = {"week": "weeks", "month": "months", "quarter": "quarters", "year": "years"}
    output.print_table(
        ["ID", "Client", "Every", "Billing", "Issue", "Next billing", "Yearly value"],
        [
            [
                r["id"], r["client"],
                r["every"] if r["interval"] == 1 else f"{r['interval']} {every[r['every']]}",
                r["billing"], r["issue"], str(r["next_billing"] or "ended"),
                str(r["yearly_value"]),
            ]
            for r in rows
        ],
        right=["Yearly value"],
    )  # fmt: skip


@subscription_app.command("show")
@handled
def subscription_show(
    subscription_id: Annotated[str, typer.Argument(help="Subscription id (file name).")],
    json_output: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> None:
    """Show a subscription: schedule, lines, periods billed, the next one and its date.

    Example: facturo subscription show maintenance-halles
    """
    rows = {r["id"]: r for r in _rows(today())}
    if subscription_id not in rows:
        from facturo.files.reading import suggest

        raise NotFound(
            f"no valid subscription {subscription_id!r} ({suggest(subscription_id, sorted(rows))})"
        )
    row = rows[subscription_id]
    if json_output:
        output.print_json(row)
        return
    output.say(f"Subscription {row['id']}  (subscriptions/{row['id']}.yaml)")
    output.say(f"  client:        {row['client']}")
    output.say(f"  every:         {row['interval']} {row['every']}, billed in {row['billing']}")
    output.say(f"  from:          {row['start']}" + (f" to {row['end']}" if row["end"] else ""))
    output.say(
        f"  recur:         {'issues invoices' if row['issue'] == 'auto' else 'writes drafts'}"
    )
    output.say(f"  periods billed: {row['periods_billed']}")
    if row["next_period"]:
        period = row["next_period"]
        output.say(
            f"  next:          {period['start']} to {period['end']}, billed {row['next_billing']}"
        )
    else:
        output.say("  next:          none (ended)")
    output.say(f"  yearly value:  {row['yearly_value']} (net, today's prices)")
    for line in row["lines"]:
        output.say(f"  - {line['description']}: {line.get('quantity', 1)} x {line['unit_price']}")
