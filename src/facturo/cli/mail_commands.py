"""Commands that email: remind (safe from cron) and send."""

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, today
from facturo.errors import ExitCode

if TYPE_CHECKING:
    from facturo.output.mail.sending import Pending, Planned
    from facturo.reports.reminders import Late
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
    confirm_sent: Annotated[
        list[str] | None,
        Opt(
            "--confirm-sent",
            metavar="NUMBER",
            help="A pending reminder of NUMBER did go out (you found it in your outbox).",
        ),
    ] = None,
    resend: Annotated[
        list[str] | None,
        Opt(
            "--resend",
            metavar="NUMBER",
            help="A pending reminder of NUMBER did not go out: send it again now.",
        ),
    ] = None,
) -> ExitCode:
    """Late invoices, their penalties and the reminder level due; --send emails the reminders.

    Each level (courtesy, friendly, firm, formal notice with a letter) is sent once; after an
    outage only the highest level due is sent. Silent when there is nothing to do. A reminder
    that was being sent when facturo stopped (killed, connection lost) is reported until you
    check your outbox and say --confirm-sent NUMBER or --resend NUMBER: never sent twice.
    Exit codes: 0 ok, 1 some sending failed or is pending, 2 usage, 3 invalid data. For cron:
    `0 9 * * * cd ~/billing && facturo remind --send --quiet`

    Example: facturo remind --send --dry-run
    """
    ledger = open_ledger()
    day = today()
    if confirm_sent or resend:
        from facturo.output.mail.sending import resolve_pending

        for number in confirm_sent or []:
            pending = resolve_pending(ledger, number, reminder=True, went_out=True, wait=wait)
            output.say(f"recorded level {pending.level} reminder for {number} as sent")
        for number in resend or []:
            resolve_pending(ledger, number, reminder=True, went_out=False, wait=wait)
        send = send or bool(resend)
        if not (send or dry_run):
            return ExitCode.OK
    if send or dry_run:
        from facturo.cli.bank_commands import print_last_import
        from facturo.output.mail.sending import send_reminders

        if dry_run:
            print_last_import(ledger.folder)

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
        for pending in run.pending:
            _report_pending(pending, "remind --confirm-sent {n}", "remind --resend {n}")
        return ExitCode.FAILURE if run.failed or run.pending else ExitCode.OK
    from facturo.reports.reminders import review

    late = review(ledger, day)
    if json_output:
        output.print_json([
            {
                "number": item.entry.number, "client": item.entry.client_id,
                "due_date": item.entry.due_date, "days_late": item.days_late,
                "balance": item.balance, "currency": item.entry.currency,
                "interest": item.claim.interest, "indemnity": item.claim.indemnity,
                "indemnity_currency": "EUR" if item.claim.indemnity is not None else None,
                "below_minimum": item.below_minimum,
                "rate_percent": item.claim.rate_percent, "last_level": item.last_level,
                "last_date": item.last_date,
                "level_due": item.level_due.level if item.level_due else None,
                "reminders": not item.reminders_off,
                "pending": item.pending.get("message_id") if item.pending else None,
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
            _now_column(item),
        ]
        for item in late
    ]
    output.print_table(
        ["Number", "Client", "Due", "Late", "Balance", "Interest", "Indemnity", "Last", "Now"],
        rows,
        right=["Late", "Balance", "Interest", "Indemnity"],
    )
    return ExitCode.OK


def _preview_note(ledger: "Ledger") -> None:
    if not isinstance(ledger.config().get("mail"), dict):
        output.note("preview only: add a `mail:` section to facturo.yaml to send")


def _now_column(item: "Late") -> str:
    if item.pending:
        return f"pending {item.pending.get('level')}"
    if item.reminders_off:
        return "off"
    return str(item.level_due.level) if item.level_due else ""


def _report_pending(pending: "Pending", went_out: str, did_not: str) -> None:
    what = f"level {pending.level} reminder" if pending.level is not None else "email"
    output.error(
        f"{pending.number}: {what} sent or not: check your outbox for Message-ID "
        f"{pending.message_id} (started {pending.started}); if it went out run "
        f"`facturo {went_out.format(n=pending.number)}`, if not "
        f"`facturo {did_not.format(n=pending.number)}`"
    )


def _show(planned: "Planned") -> None:
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
    confirm_sent: Annotated[
        bool, Opt("--confirm-sent", help="The pending email did go out: record it as sent.")
    ] = False,
    resend: Annotated[
        bool, Opt("--resend", help="The pending email did not go out: send it again.")
    ] = False,
) -> ExitCode:
    """Email an issued document's PDF to the client (its accountant in copy) and record it.

    An email that was being sent when facturo stopped is reported, and the document is not
    sent again until you check your outbox and say --confirm-sent or --resend.

    Example: facturo send F-2026-0003
    """
    from facturo.output.mail.sending import resolve_pending, send_document

    ledger = open_ledger()
    day = today()
    if confirm_sent or resend:
        resolve_pending(ledger, number, reminder=False, went_out=confirm_sent)
        if confirm_sent:
            output.say(f"recorded the email of {number} as sent")
            return ExitCode.OK
    run, planned = send_document(ledger, number, day, _now(day), to=to, dry_run=dry_run)
    for pending in run.pending:
        _report_pending(pending, f"send {number} --confirm-sent", f"send {number} --resend")
    if dry_run:
        _preview_note(ledger)
        _show(planned)
        return ExitCode.FAILURE if run.pending else ExitCode.OK
    for number_, why in run.failed:
        output.error(f"{number_}: {why}")
    if run.failed or run.pending:
        return ExitCode.FAILURE
    output.say(f"sent {number} to {', '.join(planned.outgoing.to)}")
    return ExitCode.OK
