"""Commands over documents: check, issue, list, show."""

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, parse_date, today
from facturo.errors import ExitCode
from facturo.model.statuses import STATUSES

if TYPE_CHECKING:
    from facturo.store.index import Ledger

Opt = typer.Option


@app.command()
@handled
def check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Only report on these files or folders.")
    ] = None,
    json_output: Annotated[bool, Opt("--json", help="Print problems as JSON.")] = False,
    no_cache: Annotated[bool, Opt("--no-cache", help="Read every file again.")] = False,
) -> ExitCode:
    """Validate the whole folder: config, clients, drafts, issued documents, numbering, seals.

    Prints each problem as path:line:col: message; exits 1 if there is any error.

    Example: facturo check && git commit -am "March invoices"
    """
    from facturo.reports.check import check_all

    ledger = open_ledger(use_cache=not no_cache)
    only = [ledger.folder.display(ledger.folder.typed_path(p)) for p in paths or []]
    checked = check_all(ledger, today(), only)
    problems = checked.problems
    errors = sum(1 for p in problems if p.is_error)
    if json_output:
        output.print_json(
            {
                "errors": errors,
                "warnings": len(problems) - errors,
                "problems": [p.as_dict() for p in problems],
            }
        )
    else:
        for problem in problems:
            output.say(str(problem))
        if problems:
            output.note(f"{errors} error(s), {len(problems) - errors} warning(s)")
        elif output.is_terminal():  # a person gets an answer; a script or cron, silence
            output.note(f"no problems ({checked.documents} issued documents)")
    return ExitCode.FAILURE if errors else ExitCode.OK


@app.command()
@handled
def issue(
    drafts: Annotated[list[Path], typer.Argument(metavar="DRAFT...", help="Draft files to issue.")],
    date: Annotated[str | None, Opt("--date", help="Issue date (default: today).")] = None,
    dry_run: Annotated[
        bool, Opt("--dry-run", help="Show the numbers without writing anything.")
    ] = False,
    pdf: Annotated[
        bool,
        Opt("--pdf/--no-pdf", envvar="FACTURO_PDF", help="Render out/<year>/<number>.pdf too."),
    ] = True,
) -> ExitCode:
    """Issue drafts: next number of the series, snapshot, totals, seal, then remove the draft.

    Every draft is validated first: if one is invalid, nothing is issued. Prints the numbers,
    then renders each PDF (a rendering failure leaves the document issued: render it again
    with `facturo render NUMBER`).

    Example: facturo issue drafts/dupont-2026-03.yaml --date 2026-03-31
    """
    from facturo.lifecycle.issuing import issue_drafts

    ledger = open_ledger()
    issue_date = parse_date(date, "--date") or today()
    paths = [ledger.folder.typed_path(p) for p in drafts]
    results = issue_drafts(ledger, paths, issue_date, dry_run=dry_run, today=today())
    for result in results:
        output.print_problems(result.warnings)
        target = ledger.folder.display(result.path)
        draft = ledger.folder.display(result.draft)
        if result.recovered:
            output.note(f"{draft} had already been issued as {result.number}: draft removed")
        elif dry_run:
            output.note(f"{draft} would become {target} (dry run: nothing written)")
        else:
            output.note(f"{draft} -> {target}")
        output.say(result.number)
    fresh = [r.document for r in results if r.document and not r.recovered]
    if not pdf or dry_run:
        return ExitCode.OK
    return render_issued(ledger, fresh)


def render_issued(ledger: "Ledger", documents: list[dict[str, Any]]) -> ExitCode:
    """Render the PDFs of documents just issued; a failure leaves them issued."""
    if not documents:
        return ExitCode.OK
    from facturo.output import publishing

    jobs = [publishing.job_for(ledger, document) for document in documents]
    code = ExitCode.OK
    for outcome in publishing.render(ledger, jobs):
        where = ledger.folder.display(outcome.output)
        if outcome.error:
            code = ExitCode.FAILURE
            output.error(f"{where}: {outcome.error} (the document is issued all the same)")
        else:
            output.note(f"rendered {where}")
    return code


@app.command("list")
@handled
def list_documents(
    client: Annotated[
        str | None, Opt("--client", "-c", help="Only this client's documents.")
    ] = None,
    year: Annotated[int | None, Opt("--year", help="Only documents issued this year.")] = None,
    status: Annotated[str | None, Opt("--status", help=", ".join(STATUSES) + ".")] = None,
    kind: Annotated[
        str | None, Opt("--kind", help="invoice, deposit, credit_note or quote.")
    ] = None,
    platform: Annotated[
        str | None,
        Opt(
            "--platform",
            help="Where documents stand on the approved platform: rejected, refused, deposited, "
            "paid, sent, pending... or none (never transmitted).",
        ),
    ] = None,
    json_output: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
    no_cache: Annotated[bool, Opt("--no-cache", help="Read every file again.")] = False,
) -> None:
    """List issued documents with their totals, balance due and derived status.

    Transmitted documents also show where they stand on the approved platform (a Platform
    column; `platform` and `platform_code` in --json).

    Example: facturo list --status overdue --json
    """
    if status is not None:
        status = "-".join(status.lower().replace("_", " ").split())  # "partially paid" too
    if status is not None and status not in STATUSES:
        known = ", ".join(STATUSES)
        raise typer.BadParameter(f"expected one of: {known}", param_hint="--status")
    from facturo.reports import listing

    if platform is not None:
        platform = platform.strip().lower()
        if platform not in listing.PLATFORM_STATES:
            known = ", ".join(listing.PLATFORM_STATES)
            raise typer.BadParameter(f"expected one of: {known}", param_hint="--platform")
    from facturo.store.index import collecting_less

    with collecting_less():  # what it reads is printed, none of it garbage
        ledger = open_ledger(use_cache=not no_cache)
        day = today()
        filters = listing.Filters(
            client=client, year=year, status=status, kind=kind, platform=platform
        )
        documents: Sequence[listing.Summary] | None = listing.listed(ledger)
        if documents is None:  # something changed since the index cache was written
            documents = ledger.entries()
        selected = listing.select(documents, filters, day)
        if json_output:
            output.print_json([listing.row(entry, day) for entry in selected])
        elif selected:
            from facturo.cli.platform_commands import platform_cell

            rows = listing.table(selected, day, output.status_words)
            columns: tuple[str, ...] = listing.COLUMNS
            if any(entry.platform for entry in selected):  # a column only where one was transmitted
                columns += ("Platform",)
                for cells, entry in zip(rows, selected, strict=True):
                    cells.append(platform_cell(entry))
            output.print_table(columns, rows, right=listing.AMOUNT_COLUMNS)


@app.command()
@handled
def show(
    number: Annotated[str, typer.Argument(help="Document number, e.g. F-2026-0001.")],
    json_output: Annotated[bool, Opt("--json", help="Print the whole document as JSON.")] = False,
) -> None:
    """Show an issued document: parties, lines, totals, status and balance.

    Example: facturo show F-2026-0001
    """
    from facturo.model.kinds import is_receivable
    from facturo.output.pdf.totals import deposit_of, deposits_deducted

    ledger = open_ledger()
    entry = ledger.find(number)
    number = entry.number
    document = ledger.document(number)
    day = today()
    receivable = is_receivable(document.get("kind"))
    # The deposit invoices a final invoice deducts are a block of the totals, one row each
    # with its number and date (as on the PDF), not lines of the sale.
    deposits = deposits_deducted(document)
    sold = [(i, line) for i, line in enumerate(document.get("lines", [])) if not deposit_of(line)]
    if json_output:
        account = (
            {
                "paid": entry.paid,
                "written_off": entry.written_off,
                "balance": entry.balance,
                "days_late": entry.days_late(day),
            }
            if receivable
            else {}
        )
        platform = {"platform": entry.platform, "platform_code": entry.platform_code}
        listed = {"lines": [line for _, line in sold], "deposits": deposits} if deposits else {}
        output.print_json(
            {
                **document,
                **listed,
                "path": entry.path,
                "status": entry.status(day),
                **account,
                **platform,
            }
        )
        return
    client = document.get("client", {})
    currency = document.get("currency", "")
    output.say(f"{document['kind'].replace('_', ' ').title()} {number}  ({entry.path})")
    output.say(f"  client:   {client.get('name', '')} ({client.get('id', '')})")
    output.say(f"  issued:   {document.get('issue_date')}")
    for line in _show_details(document):
        output.say(line)
    output.say(
        f"  status:   {output.status_words(entry.status(day), entry.kind)}"
        + (f", {entry.days_late(day)} days late" if receivable and entry.days_late(day) else "")
    )
    discounted = any(line.get("discount_amount") for _, line in sold)
    columns = ["#", "Description", "Qty", "Unit price", "VAT"]
    columns += ["Discount"] if discounted else []
    rows = []
    for i, line in sold:
        row = [
            str(i + 1),
            str(line.get("description", "")),
            str(line.get("quantity", "")),
            str(line.get("unit_price", "")),
            f"{line.get('vat_rate', '')}%",
        ]
        if discounted:
            amount = line.get("discount_amount")
            row.append(f"-{amount} ({line['discount']})" if amount else "")
        rows.append([*row, str(line.get("net", ""))])
    columns.append("Net")
    output.print_table(columns, rows, right=["Qty", "Unit price", "VAT", "Discount", "Net"])
    totals = document.get("totals", {})
    if totals.get("discount"):
        output.say(f"  discount -{totals['discount']} ({document.get('discount', '')})")
    if deposits:
        before = Decimal(str(totals.get("net", 0))) - sum(d["amount"] for d in deposits)
        output.say(f"  net before deposits {before} {currency}")
        output.say("  deposits invoiced (excl. VAT):")
    for deposit in deposits:
        number, issued, taken = deposit["number"], deposit["issue_date"], -deposit["amount"]
        output.say(f"    invoice {number} of {issued}  -{taken} {currency}")
    for group in totals.get("vat", []):
        rate, base, amount = group["rate"], group["base"], group["amount"]
        output.say(f"  VAT {group['category']} {rate}% on {base}: {amount} {currency}")
    exemption = document.get("vat_exemption")
    if isinstance(exemption, dict) and exemption.get("reason"):
        output.say(f"  VAT exemption: {exemption['reason']}")
    net, vat, gross = totals.get("net"), totals.get("vat_total"), totals.get("gross")
    output.say(f"  net {net}  VAT {vat}  total {gross} {currency}")
    if "vat_total_eur" in totals:
        rate = document.get("exchange_rate") or {}
        output.say(
            f"  VAT in euros {totals['vat_total_eur']} EUR "
            f"(1 {currency} = {rate.get('rate')} EUR on {rate.get('date')})"
        )
    if totals.get("prepaid"):
        output.say(f"  deposits deducted {totals['prepaid']}  due {totals.get('due')} {currency}")
    if receivable:
        written_off = f"  written off {entry.written_off}" if entry.written_off else ""
        output.say(f"  paid {entry.paid}{written_off}  balance {entry.balance} {currency}")


def _show_details(document: dict[str, Any]) -> list[str]:
    """The dates and references `show` prints under the issue date."""
    found = []
    if "due_date" in document:
        found.append(f"  due:      {document['due_date']} ({document.get('payment_terms', '')})")
    if "valid_until" in document:
        found.append(f"  valid:    until {document['valid_until']}")
    if "service_date" in document:
        found.append(f"  service:  {document['service_date']}")
    period = document.get("service_period")
    if isinstance(period, dict):
        found.append(f"  service:  {period.get('start')} to {period.get('end')}")
    corrected = document.get("credit_note_of")
    if isinstance(corrected, dict):
        found.append(f"  corrects: {corrected.get('number')} of {corrected.get('issue_date')}")
        found.append(f"  reason:   {document.get('reason', '')}")
    from facturo.cli.platform_commands import platform_line

    platform = platform_line(document)
    if platform:
        found.append(f"  platform: {platform}")
    return found
