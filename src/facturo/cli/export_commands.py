"""Commands that write files for accountants and other tools: export fec|csv|journal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, today
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
    Documents in another currency than EUR are left out (and listed on stderr).

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
        output.note(f"{number}: not in EUR, left out of the FEC")
    output.note(f"{made.entries} entries")
    output.say(str(target))
