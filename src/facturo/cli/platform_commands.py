"""Commands of the approved platform: transmit (e-invoices, statuses) and directory."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, today
from facturo.cli.mail_commands import _now
from facturo.errors import ExitCode

if TYPE_CHECKING:
    from facturo.output.platform.statuses import Status

Opt = typer.Option

# CDAR lifecycle statuses (XP Z12-012, the CDV rules), by code.
STATUS_NAMES = {
    200: "deposited", 201: "issued by the platform", 202: "received by the platform",
    203: "made available", 204: "taken in charge", 205: "approved", 206: "partly approved",
    207: "disputed", 208: "suspended", 209: "completed", 210: "refused by the buyer",
    211: "payment sent", 212: "paid", 213: "rejected by the platform", 214: "endorsed",
}  # fmt: skip


def describe_status(status: "Status") -> str:
    """`F-2026-0001: rejected by the platform (213): rule BR-FR-12: the reason`."""
    text = f"{status.number}: {STATUS_NAMES.get(status.code, 'status')} ({status.code})"
    if status.rule:
        text += f": rule {status.rule}"
    if status.reason and status.reason != status.rule:
        text += f": {status.reason}"
    return text


def platform_line(document: dict[str, Any]) -> str | None:
    """Where the document stands on the platform, for `show`: its last transmission and status."""
    records = (document.get("tracking") or {}).get("transmissions") or []
    records = [r for r in records if isinstance(r, dict)]
    if not records:
        return None
    last = records[-1]
    if last.get("status") != "sent":
        return f"posting started {last.get('started')}, no answer yet (facturo transmit)"
    text = f"flow {last.get('flow_id')} of {last.get('date')}"
    statuses = [s for s in last.get("statuses") or [] if isinstance(s, dict)]
    if statuses:
        code = int(statuses[-1].get("code") or 0)
        text += f", {STATUS_NAMES.get(code, 'status')} ({code}) on {statuses[-1].get('date')}"
        if statuses[-1].get("rule"):
            text += f": rule {statuses[-1]['rule']}"
    return text


@app.command()
@handled
def transmit(
    numbers: Annotated[
        list[str] | None, typer.Argument(help="Invoice or credit note numbers.", show_default=False)
    ] = None,
    pending: Annotated[
        bool, Opt("--pending", help="Every domestic B2B document not yet transmitted.")
    ] = False,
    status: Annotated[
        bool, Opt("--status", help="Read the lifecycle statuses back; send paid statuses.")
    ] = False,
    dry_run: Annotated[bool, Opt("--dry-run", help="Print what would be posted.")] = False,
    wait: Annotated[float, Opt("--wait", help="Seconds to wait for another run's lock.")] = 300,
) -> ExitCode:
    """Post issued invoices and credit notes to your approved platform as Factur-X flows.

    Each post is recorded in the document's tracking before it leaves: a run that got no
    answer searches the platform for the flow before posting again, so a document is never
    posted twice. --status reads the statuses (deposited, refused, rejected, paid...) and is
    silent when nothing changed. Exit codes: 0 ok, 1 a post failed or a document was
    rejected, 2 usage, 3 invalid data. For cron:
    `0 * * * * cd ~/billing && facturo transmit --pending && facturo transmit --status`

    Example: facturo transmit F-2026-0001 --dry-run
    """
    ledger = open_ledger()
    day = today()
    if status:
        from facturo.output.platform.statuses import follow

        changes, errors = follow(ledger, day, _now(day), wait=wait)
        failed = bool(errors)
        for change in changes:
            if change.sent:
                output.say(
                    f"{change.number}: paid status ({change.code}) sent: flow {change.flow_id}"
                )
            elif change.rejected:
                failed = True
                output.error(describe_status(change))
            else:
                output.say(describe_status(change))
        for number, why in errors:
            output.error(f"{number}: {why}")
        return ExitCode.FAILURE if failed else ExitCode.OK
    if not numbers and not pending:
        output.error("name documents to transmit, or pass --pending or --status")
        return ExitCode.USAGE
    from facturo.output.platform.transmission import transmit as post

    run = post(ledger, numbers or [], day, _now(day), pending=pending, dry_run=dry_run, wait=wait)
    for item in run.transmitted:
        if dry_run:
            output.say(f"would post {item.number} ({item.processing_rule}, {item.tracking_id})")
        elif item.found:
            output.say(f"{item.number} was already on the platform: flow {item.flow_id}")
        else:
            output.say(f"posted {item.number}: flow {item.flow_id}")
    for number, flow_id in run.skipped:
        output.note(f"{number} was transmitted before (flow {flow_id})")
    for number, why in run.failed:
        output.error(f"{number}: {why}")
    for number in run.uncertain:
        output.error(
            f"{number}: the platform did not answer; the next `facturo transmit` searches "
            "for the flow before posting again"
        )
    return ExitCode.FAILURE if run.failed or run.uncertain else ExitCode.OK


@app.command()
@handled
def directory(
    siren: Annotated[str, typer.Argument(help="SIREN of the company (9 digits).")],
    json_output: Annotated[bool, Opt("--json", help="Print the answer as JSON.")] = False,
) -> ExitCode:
    """Where a company receives e-invoices: the platform's Directory Service for a SIREN.

    Prints the company and each directory line: its addressing identifier, whether it is
    enabled, and the kind of platform (WK: an approved platform).

    Example: facturo directory 552100554
    """
    from facturo.errors import FacturoError
    from facturo.files.identifiers import check_siren
    from facturo.output.platform.client import Platform, settings_from

    siren = "".join(siren.split())
    problem = check_siren(siren)
    if problem:
        raise FacturoError(f"SIREN {siren}: {problem}")
    ledger = open_ledger()
    unit = Platform(settings_from(ledger.config(), ledger.folder.root)).siren(siren)
    if json_output:
        output.print_json(unit)
        return ExitCode.OK
    name = unit.get("businessName") or ""
    state = unit.get("administrativeStatus") or ""
    output.say(f"{siren} {name}" + (f" ({state})" if state else ""))
    lines = unit.get("directoryLines") or []
    if not lines:
        output.error(f"{siren}: no directory line: the company receives no e-invoice yet")
        return ExitCode.FAILURE
    for line in lines:
        where = " ".join(str(line[k]) for k in ("siret", "routingIdentifier") if line.get(k))
        output.say(
            f"  {line.get('addressingIdentifier', '?')}  {line.get('directoryLineStatus', '')}"
            f"  {line.get('platformType', '')}" + (f"  {where}" if where else "")
        )
    return ExitCode.OK
