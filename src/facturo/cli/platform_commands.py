"""Commands of the approved platform: transmit (e-invoices, statuses) and directory."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, today
from facturo.cli.mail_commands import _now
from facturo.errors import ExitCode

if TYPE_CHECKING:
    from facturo.output.platform.statuses import Status
    from facturo.reports.listing import Summary

Opt = typer.Option

LANGUAGE = "en"  # the command line speaks English; documents speak their client's language


def describe_status(status: "Status") -> str:
    """`F-2026-0001: rejected by the platform (213): rule BR-FR-12: the reason`."""
    from facturo.model.platform_status import state_of_code
    from facturo.output.words import describe_platform_status

    word = describe_platform_status(state_of_code(status.code), LANGUAGE, status.code)
    text = f"{status.number}: {word}"
    if status.rule:
        text += f": rule {status.rule}"
    if status.reason and status.reason != status.rule:
        text += f": {status.reason}"
    return text


def next_step(status: "Status") -> str:
    """What to do after a rejection (213), by what it is about (model/platform_status.py)."""
    from facturo.model.platform_status import ADDRESSING, CONTENT, DUPLICATE, rejection_kind

    number = status.number
    correct = (
        f"facturo credit {number} --reason '...' cancels it, then facturo new --from {number} "
        "drafts the corrected invoice to issue and transmit"
    )
    again = f"facturo transmit {number} --again deposits the same invoice as a new attempt"
    kind = rejection_kind(status.reason_code or None)
    if kind == CONTENT:
        return f"next: the sealed invoice cannot change: {correct}"
    if kind == DUPLICATE:
        return "next: the platform has this invoice already: nothing to post again"
    if kind == ADDRESSING:
        reachable = "once the buyer is reachable (facturo directory SIREN)"
        return f"next: the invoice is not at fault: {reachable}, {again}"
    return f"next: if the invoice is at fault, {correct}; if not, {again}"


def platform_cell(entry: "Summary") -> str:
    """A document's platform state in a `list` column: `rejected by the platform (213) BR-FR-12`."""
    from facturo.output.words import describe_platform_status

    if entry.platform is None:
        return ""
    word = describe_platform_status(entry.platform, LANGUAGE, entry.platform_code)
    return f"{word} {entry.platform_rule}" if entry.platform_rule else word


def platform_line(document: dict[str, Any]) -> str | None:
    """Where the document stands on the platform, for `show`: its last transmission and status."""
    from facturo.model.platform_status import PENDING, SENT, platform_state, transmissions_of
    from facturo.output.words import describe_platform_status

    state = platform_state(document)
    if state is None:
        return None
    last = transmissions_of(document)[-1]
    attempt = f" (attempt {state.attempts})" if state.attempts > 1 else ""
    if state.state == PENDING:
        return f"posting started {last.get('started')}, no answer yet (facturo transmit){attempt}"
    text = f"flow {last.get('flow_id')} of {last.get('date')}{attempt}"
    if state.state != SENT:
        text += f", {describe_platform_status(state.state, LANGUAGE, state.code)} on {state.date}"
        if state.rule:
            text += f": rule {state.rule}"
        if state.reason and state.reason != state.rule:
            text += f": {state.reason}"
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
    again: Annotated[
        bool,
        Opt(
            "--again",
            help="Deposit again a document the platform rejected (213) for its addressing, "
            "as a new attempt; never one it took, nor one rejected for its sealed content.",
        ),
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

    After a rejection (213) the document, sealed, cannot change: when the platform rejected
    its addressing (DEST_INC, ADR_ERR, REJ_ADR: the buyer not reachable yet), --again deposits
    it as a new attempt; when it rejected its content, credit it and issue a corrected one.

    Example: facturo transmit F-2026-0001 --dry-run
    """
    ledger = open_ledger()
    day = today()
    if status:
        from facturo.model.platform_status import REJECTED
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
                if change.code == REJECTED:
                    output.note(f"  {next_step(change)}")
            else:
                output.say(describe_status(change))
        for number, why in errors:
            output.error(f"{number}: {why}")
        return ExitCode.FAILURE if failed else ExitCode.OK
    if not numbers and not pending:
        output.error("name documents to transmit, or pass --pending or --status")
        return ExitCode.USAGE
    if again and (pending or not numbers):
        output.error("--again deposits the documents named, one by one: not with --pending")
        return ExitCode.USAGE
    from facturo.output.platform.transmission import transmit as post

    run = post(
        ledger, numbers or [], day, _now(day),
        pending=pending, dry_run=dry_run, wait=wait, again=again,
    )  # fmt: skip
    for item in run.transmitted:
        attempt = f" (attempt {item.attempt})" if item.attempt > 1 else ""
        if dry_run:
            output.say(
                f"would post {item.number} ({item.processing_rule}, {item.tracking_id}){attempt}"
            )
        elif item.found:
            output.say(f"{item.number} was already on the platform: flow {item.flow_id}{attempt}")
        else:
            output.say(f"posted {item.number}: flow {item.flow_id}{attempt}")
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
    enabled, and the kind of platform (WK: an approved platform). The answer is kept in
    .facturo/cache/directory.json, where `facturo check` reads it (check never goes online).

    Example: facturo directory 552100554
    """
    from facturo.errors import FacturoError
    from facturo.files.identifiers import check_siren
    from facturo.output.platform.client import Platform, settings_from
    from facturo.output.platform.directory import look_up

    siren = "".join(siren.split())
    problem = check_siren(siren)
    if problem:
        raise FacturoError(f"SIREN {siren}: {problem}")
    ledger = open_ledger()
    platform = Platform(settings_from(ledger.config(), ledger.folder.root))
    unit = look_up(ledger.folder, platform, siren, today())
    if unit is None:
        raise FacturoError(f"SIREN {siren} is not in the directory")
    if json_output:
        output.print_json(unit)
        return ExitCode.OK
    name = unit.get("businessName") or ""
    state = unit.get("administrativeStatus") or ""
    output.say(f"{siren} {name}" + (f" ({state})" if state else ""))
    lines = unit.get("directoryLines") or []
    for line in lines:
        where = " ".join(str(line[k]) for k in ("siret", "routingIdentifier") if line.get(k))
        output.say(
            f"  {line.get('addressingIdentifier', '?')}  {line.get('directoryLineStatus', '')}"
            f"  {line.get('platformType', '')}" + (f"  {where}" if where else "")
        )
    if not any(line.get("directoryLineStatus") == "Enabled" for line in lines):
        output.error(f"{siren}: no enabled directory line: the company receives no e-invoice yet")
        return ExitCode.FAILURE
    return ExitCode.OK
