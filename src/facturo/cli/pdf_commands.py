"""Commands that make files to send: render, einvoice, and doctor for the libraries they need."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, today
from facturo.errors import ExitCode

if TYPE_CHECKING:
    from facturo.output.pdf.engine import RenderOutcome
    from facturo.store.index import Ledger

Opt = typer.Option


@app.command()
@handled
def render(
    targets: Annotated[
        list[str] | None,
        typer.Argument(metavar="NUMBER...|DRAFT.yaml", help="Document numbers or draft files."),
    ] = None,
    all_documents: Annotated[bool, Opt("--all", help="Every issued document.")] = False,
    out: Annotated[
        Path | None, Opt("--out", help="Write PDFs here (default: out/<year>/).")
    ] = None,
    template: Annotated[
        str | None, Opt("--template", help="Template name, e.g. invoice-compact.")
    ] = None,
) -> ExitCode:
    """Render issued documents (Factur-X PDF/A-3) or preview drafts (marked DRAFT, no number).

    Prints the path of each PDF. A batch shows a progress bar on a terminal and uses every core.

    Example: facturo render F-2026-0001 drafts/dupont-2026-11.yaml --out /tmp/pdf
    """
    from facturo.output import publishing

    if not targets and not all_documents:
        raise typer.BadParameter("give document numbers, draft files, or --all")
    ledger = open_ledger()
    chosen = publishing.targets(ledger, targets or [], every=all_documents)
    jobs = publishing.jobs_for(ledger, chosen, today(), out.absolute() if out else None)
    outcomes = publishing.render(ledger, jobs, template=template)
    if len(jobs) > 1 and sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("Rendering", total=len(jobs))
            return _report(ledger, outcomes, lambda: progress.advance(task))
    return _report(ledger, outcomes)


def _report(
    ledger: Ledger, outcomes: Iterable[RenderOutcome], advance: Callable[[], None] | None = None
) -> ExitCode:
    """Each PDF's path on stdout, or its error on stderr; FAILURE when any failed."""
    code = ExitCode.OK
    for outcome in outcomes:
        where = ledger.folder.display(outcome.output)
        if outcome.error:
            output.error(f"{where}: {outcome.error}")
            code = ExitCode.FAILURE
        else:
            output.say(where)
        if advance:
            advance()
    return code


@app.command()
@handled
def einvoice(
    number: Annotated[str, typer.Argument(help="Invoice, deposit or credit note number.")],
    xml_only: Annotated[
        bool, Opt("--xml-only", help="Write only the XML next to the PDF.")
    ] = False,
    check_only: Annotated[bool, Opt("--check", help="Check the e-invoice; write nothing.")] = False,
) -> ExitCode:
    """Write or check the Factur-X (EN 16931) e-invoice of an issued document.

    Without options it renders the Factur-X PDF, like `facturo render NUMBER`.

    Example: facturo einvoice F-2026-0001 --check
    """
    from facturo.output import publishing

    ledger = open_ledger()
    if check_only:
        problems = publishing.check_xml(ledger, number)
        for problem in problems:
            output.say(f"{number}: {problem}")
        if problems:
            return ExitCode.FAILURE
        output.note(f"{number}: valid Factur-X EN 16931 data")
        return ExitCode.OK
    if xml_only:
        output.say(ledger.folder.display(publishing.write_xml(ledger, number)))
        return ExitCode.OK
    job = publishing.einvoice_job(ledger, number)
    return _report(ledger, publishing.render(ledger, [job]))


@app.command()
@handled
def doctor() -> ExitCode:
    """Check the system libraries PDF rendering needs; print the command that fixes each.

    Example: facturo doctor
    """
    from facturo.output.doctor import check_system

    findings = check_system()
    for finding in findings:
        output.say(f"{finding.status:<7}  {finding.name}: {finding.detail}")
        if finding.fix and finding.status != "ok":
            output.say(f"         fix: {finding.fix}")
    return ExitCode.FAILURE if any(f.status == "error" for f in findings) else ExitCode.OK
