"""Commands that make files to send: render, einvoice, and doctor for the libraries they need."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, today, user_path
from facturo.errors import ExitCode, FacturoError

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
) -> None:
    """Render issued documents (Factur-X PDF/A-3) or preview drafts (marked DRAFT, no number).

    Prints the path of each PDF. A batch shows a progress bar on a terminal and uses every core.

    Example: facturo render F-2026-0001 drafts/dupont-2026-11.yaml --out /tmp/pdf
    """
    from facturo.output.publishing import Target, jobs_for
    from facturo.output.publishing import render as render_jobs

    ledger = open_ledger()
    chosen: list[Target] = []
    if all_documents:
        chosen += [Target(number=e.number) for e in ledger.entries()]
    for target in targets or []:
        path = user_path(Path(target), ledger.folder.root)
        is_draft = target.endswith((".yaml", ".yml")) or path.exists()
        chosen.append(Target(draft=path) if is_draft else Target(number=target))
    if not chosen:
        raise typer.BadParameter("give document numbers, draft files, or --all")
    jobs = jobs_for(ledger, chosen, today(), out.absolute() if out else None)
    failures = 0
    outcomes = render_jobs(ledger, jobs, template=template)
    if len(jobs) > 1 and sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("Rendering", total=len(jobs))
            for outcome in outcomes:
                failures += _report(ledger.folder.display(outcome.output), outcome.error)
                progress.advance(task)
    else:
        for outcome in outcomes:
            failures += _report(ledger.folder.display(outcome.output), outcome.error)
    if failures:
        raise typer.Exit(int(ExitCode.FAILURE))


def _report(path: str, error: str | None) -> int:
    if error:
        output.error(f"{path}: {error}")
        return 1
    output.say(path)
    return 0


@app.command()
@handled
def einvoice(
    number: Annotated[str, typer.Argument(help="Invoice, deposit or credit note number.")],
    xml_only: Annotated[
        bool, Opt("--xml-only", help="Write only the XML next to the PDF.")
    ] = False,
    check_only: Annotated[bool, Opt("--check", help="Check the e-invoice; write nothing.")] = False,
) -> None:
    """Write or check the Factur-X (EN 16931) e-invoice of an issued document.

    Without options it renders the Factur-X PDF, like `facturo render NUMBER`.

    Example: facturo einvoice F-2026-0001 --check
    """
    from facturo.output import publishing

    ledger = open_ledger()
    if ledger.find(number).kind == "quote":
        raise FacturoError(f"{number} is a quote: not a tax document, so no e-invoice")
    if check_only:
        problems = publishing.check_xml(ledger, number)
        for problem in problems:
            output.say(f"{number}: {problem}")
        if problems:
            raise typer.Exit(int(ExitCode.FAILURE))
        output.note(f"{number}: valid Factur-X EN 16931 data")
        return
    if xml_only:
        output.say(ledger.folder.display(publishing.write_xml(ledger, number)))
        return
    jobs = publishing.jobs_for(ledger, [publishing.Target(number=number)], today())
    for outcome in publishing.render(ledger, jobs):
        if _report(ledger.folder.display(outcome.output), outcome.error):
            raise typer.Exit(int(ExitCode.FAILURE))


@app.command()
def doctor() -> None:
    """Check the system libraries PDF rendering needs; print the command that fixes each.

    Example: facturo doctor
    """
    from facturo.output.doctor import check_system

    findings = check_system()
    for finding in findings:
        output.say(f"{finding.status:<7}  {finding.name}: {finding.detail}")
        if finding.fix and finding.status != "ok":
            output.say(f"         fix: {finding.fix}")
    if any(f.status == "error" for f in findings):
        raise typer.Exit(int(ExitCode.FAILURE))
