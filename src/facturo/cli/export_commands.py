"""Commands that write files for accountants and other tools: export fec|csv|xlsx|journal|..."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, today
from facturo.cli.report_commands import open_ledger
from facturo.errors import FacturoError

Opt = typer.Option
export_app = typer.Typer(
    help="Files for accountants and tools: the FEC, CSV, hledger/beancount journals.",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

YearOption = Annotated[int | None, Opt("--year", help="The year exported (default: last year).")]


@export_app.command("fec")
@handled
def fec(
    year: YearOption = None,
    out: Annotated[Path | None, Opt("--out", help="Folder to write to (default: out/).")] = None,
    separator: Annotated[str, Opt("--separator", help="pipe or tab.")] = "pipe",
    encoding: Annotated[str, Opt("--encoding", help="iso-8859-15 or utf-8.")] = "iso-8859-15",
) -> None:
    """Write the FEC of a year (LPF art. A47 A-1): sales journal (VE) and receipts (BQ).

    18 columns, dates YYYYMMDD, decimal comma, one balanced entry per document and per
    payment, named <SIREN>FEC<YYYY1231>.txt. Accounts come from facturo.yaml `accounting:`
    (411 per client, 706 and 44571 per rate, 44574 for VAT on services until paid, 512).
    A document in another currency is posted in euros at the exchange rate sealed in it at
    issue (its payments too), each line with its own amount and currency (Montantdevise,
    Idevise); one without a rate is left out and named on stderr.

    Example: facturo export fec --year 2026 --out ~/compta
    """
    from facturo.output import fec as fec_format
    from facturo.reports.postings import transactions

    if separator not in fec_format.SEPARATORS:
        raise typer.BadParameter("expected pipe or tab", param_hint="--separator")
    if encoding not in fec_format.ENCODINGS:
        known = " or ".join(fec_format.ENCODINGS)
        raise typer.BadParameter(f"expected {known}", param_hint="--encoding")
    ledger = open_ledger()
    chosen = year or today().year - 1
    siren = str((ledger.config().get("seller") or {}).get("siren") or "")
    if not siren:
        raise FacturoError("the FEC is named after your SIREN: add seller.siren to facturo.yaml")
    moves = transactions(ledger, dt.date(chosen, 1, 1), dt.date(chosen, 12, 31))
    made = fec_format.fec(moves, fec_format.SEPARATORS[separator])
    folder = out if out is not None else ledger.folder.out_dir
    target = folder / fec_format.file_name(siren, chosen)
    ledger.folder.write_atomic(target, made.text.encode(encoding, errors="replace"))
    for number in made.left_out:
        output.note(f"{number}: not in EUR and no exchange rate, left out of the FEC")
    output.note(f"{made.entries} entries")
    output.say(str(target))


def _write_or_print(ledger_root: Path, out: Path | None, text: str) -> None:
    """Print `text`, or write it at `out` (atomically) and print the path."""
    if out is None:
        output.say(text.rstrip("\n"))
        return
    from facturo.store.folder import Folder

    Folder(ledger_root).write_atomic(out, text)
    output.say(str(out))


@export_app.command("csv")
@handled
def csv_export(
    lines: Annotated[bool, Opt("--lines", help="One row per document line.")] = False,
    year: Annotated[int | None, Opt("--year", help="Only documents issued this year.")] = None,
    out: Annotated[Path | None, Opt("--out", help="File to write (default: stdout).")] = None,
) -> None:
    """CSV of invoices, deposit invoices and credit notes: net, VAT per rate, gross, paid,
    credited, balance and status; with --lines, one row per line (goods or services).

    Example: facturo export csv --year 2026 --out documents-2026.csv
    """
    from facturo.output.csv_files import documents_csv, lines_csv

    ledger = open_ledger()
    text = lines_csv(ledger, year) if lines else documents_csv(ledger, today(), year)
    _write_or_print(ledger.folder.root, out, text)


@export_app.command("xlsx")
@handled
def xlsx_export(
    lines: Annotated[bool, Opt("--lines", help="One row per document line.")] = False,
    year: Annotated[int | None, Opt("--year", help="Only documents issued this year.")] = None,
    out: Annotated[
        Path | None, Opt("--out", help="File to write (default: out/documents[-YEAR].xlsx).")
    ] = None,
) -> None:
    """The csv export's columns as an Excel workbook: amounts are numbers formatted to their
    currency, dates are dates, the header row is frozen and filterable.

    Example: facturo export xlsx --lines --year 2026 --out lines-2026.xlsx
    """
    from facturo.output.csv_files import document_rows, line_rows
    from facturo.output.spreadsheets import workbook

    ledger = open_ledger()
    name = "lines" if lines else "documents"
    rows = line_rows(ledger, year) if lines else document_rows(ledger, today(), year)
    target = out or ledger.folder.out_dir / f"{name}{f'-{year}' if year else ''}.xlsx"
    ledger.folder.write_atomic(target, workbook(rows, name))
    output.say(str(target))


@export_app.command("receipts-book")
@handled
def receipts_book(
    year: Annotated[int | None, Opt("--year", help="The year (default: this one).")] = None,
    pdf: Annotated[bool, Opt("--pdf", help="Write the book as a PDF instead of CSV.")] = False,
    out: Annotated[
        Path | None,
        Opt(
            "--out", help="File to write (default: stdout; with --pdf, out/receipts-book-YEAR.pdf)."
        ),
    ] = None,
) -> None:
    """The receipts book (livre des recettes) of micro-entrepreneurs, as CSV: each payment
    received in date order with client, nature (goods, services, mixed), amount, method
    and the invoice it pays. With --pdf, a PDF in the language of facturo.yaml's defaults:
    the receipts month by month, a total per month and for the year (per currency).

    Example: facturo export receipts-book --year 2026 --pdf
    """
    ledger = open_ledger()
    chosen = year or today().year
    if not pdf:
        from facturo.output.csv_files import receipts_book_csv

        _write_or_print(ledger.folder.root, out, receipts_book_csv(ledger, chosen))
        return
    from facturo.output import publishing
    from facturo.output.pdf.engine import RenderJob
    from facturo.reports.receipts_book import receipts_book as book

    target = (out or ledger.folder.out_dir / f"receipts-book-{chosen}.pdf").absolute()
    job = RenderJob(book(ledger, chosen, today()), target)
    for outcome in publishing.render(ledger, [job]):
        if outcome.error:
            raise FacturoError(f"{ledger.folder.display(target)}: {outcome.error}")
    output.say(str(target))


@export_app.command("journal")
@handled
def journal(
    style: Annotated[str, Opt("--format", help="hledger or beancount.")] = "hledger",
    year: YearOption = None,
    out: Annotated[Path | None, Opt("--out", help="File to write (default: stdout).")] = None,
) -> None:
    """A journal of sales, VAT and receipts for hledger or beancount (the FEC's entries,
    every currency balanced on its own), accounts declared first.

    Example: facturo export journal --format beancount --year 2026 --out sales.beancount
    """
    from facturo.output.journal import FORMATS
    from facturo.output.journal import journal as write_journal
    from facturo.reports.postings import transactions

    if style not in FORMATS:
        raise typer.BadParameter(f"expected {' or '.join(FORMATS)}", param_hint="--format")
    ledger = open_ledger()
    chosen = year or today().year - 1
    moves = transactions(ledger, dt.date(chosen, 1, 1), dt.date(chosen, 12, 31))
    _write_or_print(ledger.folder.root, out, write_journal(moves, style))
