"""Commands that email: remind (safe from cron) and send."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, today
from facturo.errors import ExitCode

if TYPE_CHECKING:
    from facturo.output.mail.sending import Planned
    from facturo.store.index import Ledger

Opt = typer.Option


def _now(day: dt.date) -> dt.datetime:
    """The time stamped on emails: now, or noon of --today on a what-if run."""
    now = dt.datetime.now().astimezone()
    return now if now.date() == day else dt.datetime.combine(day, dt.time(12)).astimezone()


@app.command()
@handled
def remind(
    send: Annotated[bool, Opt("--send", help="Email every reminder due now.")] = False,
    dry_run: Annotated[
        bool, Opt("--dry-run", help="Print what would be sent; change nothing.")
    ] = False,
    json_output: Annotated[bool, Opt("--json", help="Print the late invoices as JSON.")] = False,
    quiet: Annotated[
        bool, Opt("--quiet", "-q", help="Print only what was sent or failed.")
    ] = False,
    wait: Annotated[float, Opt("--wait", help="Seconds to wait for another run's lock.")] = 300,
) -> ExitCode:
    """Late invoices, their penalties and the reminder level due; --send emails the reminders.

    Each level (courtesy, friendly, firm, formal notice with a letter) is sent once; after an
    outage only the highest level due is sent. Silent when there is nothing to do. Exit codes:
    0 ok, 1 some sending failed, 2 usage, 3 invalid data. For cron:
    `0 9 * * * cd ~/billing && facturo remind --send --quiet`

    Example: facturo remind --send --dry-run
    """
    ledger = open_ledger()
    day = today()
    if send or dry_run:
        from facturo.output.mail.sending import send_reminders

        run, plans = send_reminders(ledger, day, _now(day), dry_run=dry_run, wait=wait)
        if dry_run:
            _preview_note(ledger)
            for planned in plans:
                _show(planned)
        for planned in run.sent:
            recipients = ", ".join(planned.outgoing.to)
            output.say(f"sent level {planned.level} reminder for {planned.number} to {recipients}")
        for number, why in run.failed:
            output.error(f"{number}: {why}")
        return ExitCode.FAILURE if run.failed else ExitCode.OK
    from facturo.reports.reminders import review

    late = review(ledger, day)
    if json_output:
        output.print_json([
            {
                "number": item.entry.number, "client": item.entry.client_id,
                "due_date": item.entry.due_date, "days_late": item.days_late,
                "balance": item.balance, "currency": item.entry.currency,
                "interest": item.claim.interest, "indemnity": item.claim.indemnity,
                "rate_percent": item.claim.rate_percent, "last_level": item.last_level,
                "last_date": item.last_date,
                "level_due": item.level_due.level if item.level_due else None,
                "reminders": not item.reminders_off,
            }
            for item in late
        ])  # fmt: skip
        return ExitCode.OK
    if not late or quiet:
        return ExitCode.OK
    rows = [
        [
            item.entry.number,
            item.entry.client_id,
            str(item.entry.due_date),
            str(item.days_late),
            f"{item.balance} {item.entry.currency}",
            f"{item.claim.interest}",
            f"{item.claim.indemnity}" if item.claim.indemnity is not None else "",
            f"{item.last_level} ({item.last_date})" if item.last_level is not None else "",
            "off" if item.reminders_off else (str(item.level_due.level) if item.level_due else ""),
        ]
        for item in late
    ]
    output.print_table(
        ["Number", "Client", "Due", "Late", "Balance", "Interest", "Indemnity", "Last", "Now"],
        rows,
        right=["Late", "Balance", "Interest", "Indemnity"],
    )
    return ExitCode.OK


def _preview_note(ledger: Ledger) -> None:
    if not isinstance(ledger.config().get("mail"), dict):
        output.note("preview only: add a `mail:` section to facturo.yaml to send")


def _show(planned: Planned) -> None:
    out = planned.outgoing
    output.say(
        f"--- {planned.number}" + (f" (level {planned.level})" if planned.level is not None else "")
    )
    output.say(f"To: {', '.join(out.to)}")
    if out.cc:
        output.say(f"Cc: {', '.join(out.cc)}")
    if out.bcc:
        output.say(f"Bcc: {', '.join(out.bcc)}")
    output.say(f"Subject: {planned.subject}")
    output.say(f"Attachments: {', '.join(out.attachments)}")
    output.say("")
    output.say(planned.text.rstrip())
    output.say("")


@app.command()
@handled
def send(
    number: Annotated[str, typer.Argument(help="Invoice, credit note or quote number.")],
    to: Annotated[str | None, Opt("--to", help="Another address than the client's email.")] = None,
    dry_run: Annotated[bool, Opt("--dry-run", help="Print the email; send nothing.")] = False,
) -> ExitCode:
    """Email an issued document's PDF to the client (its accountant in copy) and record it.

    Example: facturo send F-2026-0003
    """
    from facturo.output.mail.sending import send_document

    ledger = open_ledger()
    day = today()
    run, planned = send_document(ledger, number, day, _now(day), to=to, dry_run=dry_run)
    if dry_run:
        _preview_note(ledger)
        _show(planned)
        return ExitCode.OK
    for number_, why in run.failed:
        output.error(f"{number_}: {why}")
    if run.failed:
        return ExitCode.FAILURE
    output.say(f"sent {number} to {', '.join(planned.outgoing.to)}")
    return ExitCode.OK
