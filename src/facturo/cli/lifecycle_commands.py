"""Commands over the life of documents: pay, credit, accept, decline, receipt, statement."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, parse_date, parse_decimal, today
from facturo.errors import ExitCode

if TYPE_CHECKING:
    from facturo.store.index import Ledger

Opt = typer.Option


def _amount(value: str | None, option: str) -> Decimal | None:
    return parse_decimal(value, option, "an amount like 1250.00")


# A negative correction (`pay F-2026-0003 -50 --reason ...`) must not read as an option.
@app.command(context_settings={"ignore_unknown_options": True})
@handled
def pay(
    number: Annotated[str, typer.Argument(help="Invoice number.")],
    amount: Annotated[
        str | None, typer.Argument(help="Amount received (default: the balance).")
    ] = None,
    date: Annotated[str | None, Opt("--date", help="Date received (default: today).")] = None,
    method: Annotated[
        str, Opt("--method", help="transfer, card, cheque, cash, direct-debit or other.")
    ] = "transfer",
    ref: Annotated[str | None, Opt("--ref", help="Bank reference, cheque number...")] = None,
    reason: Annotated[
        str | None, Opt("--reason", help="Why (required for a negative correction).")
    ] = None,
    force: Annotated[
        bool,
        Opt(
            "--force",
            help="Record an overpayment, a payment on a cancelled invoice, or a large write-off.",
        ),
    ] = False,
    write_off: Annotated[
        bool,
        Opt(
            "--write-off",
            help="Write off what is left after AMOUNT (all of it without AMOUNT): settled, not "
            "paid. Above reminders.minimum_amount it needs --force.",
        ),
    ] = False,
) -> None:
    """Record a payment received on an invoice; prints the balance left.

    Partial payments add up. A payment is undone only by a negative correction with --reason.
    With --write-off, a small balance left (bank fees, rounding) is written off.

    Example: facturo pay F-2026-0003 500 --date 2026-04-02 --method cheque --ref 4417
    """
    from facturo.lifecycle.payments import record_payment

    ledger = open_ledger()
    day = today()
    recorded = record_payment(
        ledger,
        number,
        _amount(amount, "AMOUNT"),
        date=parse_date(date, "--date") or day,
        today=day,
        method=method,
        reference=ref,
        reason=reason,
        force=force,
        write_off=write_off,
    )
    entry = recorded.entry
    number, currency = entry.number, entry.currency
    what = "write-off" if write_off else "payment"
    output.note(
        f"{number}: {what} {recorded.index} of {recorded.payment['amount']} {currency} recorded"
    )
    if entry.balance < 0:
        output.say(f"{number} {entry.status(day)}; client credit {-entry.balance} {currency}")
    else:
        output.say(f"{number} {entry.status(day)}; balance {entry.balance} {currency}")


@app.command()
@handled
def credit(
    number: Annotated[str, typer.Argument(help="Invoice number.")],
    reason: Annotated[str, Opt("--reason", help="Why the invoice is corrected (printed).")],
    full: Annotated[bool, Opt("--full", help="Credit the whole invoice (the default).")] = False,
    line: Annotated[int | None, Opt("--line", help="Credit only this line (1 = first).")] = None,
    quantity: Annotated[
        str | None, Opt("--quantity", help="With --line: the quantity to credit.")
    ] = None,
    amount: Annotated[str | None, Opt("--amount", help="Credit this amount excluding VAT.")] = None,
    date: Annotated[str | None, Opt("--date", help="Issue date (default: today).")] = None,
    draft: Annotated[
        bool, Opt("--draft", help="Only write the credit note's draft, to edit it.")
    ] = False,
    pdf: Annotated[
        bool,
        Opt("--pdf/--no-pdf", envvar="FACTURO_PDF", help="Render out/<year>/<number>.pdf too."),
    ] = True,
) -> ExitCode:
    """Correct an invoice with a credit note (its own series), in full, by line or by amount.

    The credit note names the invoice's number and date, keeps its VAT split, and never
    exceeds what is left to credit. A full credit cancels the invoice. Prints its number,
    then renders its PDF as `issue` does (--no-pdf or FACTURO_PDF=0 skips it).

    Example: facturo credit F-2026-0003 --line 2 --quantity 1 --reason "une journée non réalisée"
    """
    from facturo.lifecycle.credit_notes import create_credit_note

    chosen = sum([full, line is not None, amount is not None])
    if chosen > 1:
        raise typer.BadParameter("choose one of --full, --line or --amount")
    if quantity is not None and line is None:
        raise typer.BadParameter("--quantity goes with --line")
    ledger = open_ledger()
    result = create_credit_note(
        ledger,
        number,
        reason=reason,
        issue_date=parse_date(date, "--date") or today(),
        today=today(),
        line=line,
        quantity=_amount(quantity, "--quantity"),
        amount=_amount(amount, "--amount"),
        draft_only=draft,
    )
    if isinstance(result, Path):
        output.note("draft written: check it, then issue it with facturo issue")
        output.say(ledger.folder.display(result))
        return ExitCode.OK
    corrected = result.document.get("credit_note_of") or {}
    output.note(f"{ledger.folder.display(result.path)} corrects {corrected.get('number', number)}")
    output.say(result.number)
    if not pdf:
        return ExitCode.OK
    from facturo.cli.document_commands import render_issued

    return render_issued(ledger, [result.document])


@app.command()
@handled
def accept(
    number: Annotated[str, typer.Argument(help="Quote number.")],
    deposit: Annotated[
        str | None, Opt("--deposit", help='A deposit: "30%" or an amount excluding VAT.')
    ] = None,
    date: Annotated[str | None, Opt("--date", help="Date of acceptance (default: today).")] = None,
    force: Annotated[bool, Opt("--force", help="Accept an expired quote.")] = False,
) -> None:
    """Record that the client accepted a quote and write its invoice drafts; prints their paths.

    With --deposit, a deposit invoice draft for that share, and the final invoice draft,
    which deducts each deposit invoice (number, date, amount per VAT rate) when issued.

    Example: facturo accept D-2026-0004 --deposit 30%
    """
    from facturo.lifecycle.quotes import accept_quote

    ledger = open_ledger()
    day = today()
    paths = accept_quote(
        ledger,
        number,
        date=parse_date(date, "--date") or day,
        today=day,
        deposit=deposit,
        force=force,
    )
    for path in paths:
        output.say(ledger.folder.display(path))


@app.command()
@handled
def decline(
    number: Annotated[str, typer.Argument(help="Quote number.")],
    reason: Annotated[str | None, Opt("--reason", help="Why, if the client said.")] = None,
    date: Annotated[str | None, Opt("--date", help="Date (default: today).")] = None,
) -> None:
    """Record that the client declined a quote.

    Example: facturo decline D-2026-0004 --reason "budget reporté"
    """
    from facturo.lifecycle.quotes import decline_quote

    ledger = open_ledger()
    day = today()
    decline_quote(ledger, number, date=parse_date(date, "--date") or day, today=day, reason=reason)
    output.say(f"{number} declined")


@app.command()
@handled
def receipt(
    number: Annotated[str, typer.Argument(help="Invoice number.")],
    payment: Annotated[
        int | None, Opt("--payment", help="Which payment (1 = first; default: the last).")
    ] = None,
    out: Annotated[
        Path | None, Opt("--out", help="Folder for the PDF (default: out/<year>/).")
    ] = None,
) -> ExitCode:
    """Write the PDF receipt (quittance) of a payment received; prints its path.

    Example: facturo receipt F-2026-0003 --payment 1
    """
    from facturo.reports.receipts import build_receipt

    ledger = open_ledger()
    document = build_receipt(ledger, number, payment)
    return _render_one(ledger, document, out)


@app.command()
@handled
def statement(
    client: Annotated[str, typer.Argument(help="Client id.")],
    start: Annotated[str | None, Opt("--from", help="First day (default: the beginning).")] = None,
    end: Annotated[str | None, Opt("--to", help="Last day (default: today).")] = None,
    currency: Annotated[
        str | None, Opt("--currency", help="When the client is billed in several.")
    ] = None,
    pdf: Annotated[bool, Opt("--pdf", help="Also write the PDF statement.")] = False,
    json_output: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> ExitCode:
    """A client's account: opening balance, invoices, credit notes, payments, closing balance,
    and the aging of what is open (not due, 1-30, 31-60, 61-90, over 90 days late).

    Example: facturo statement dupont --from 2026-01-01 --pdf
    """
    from facturo.output import words
    from facturo.reports.statements import build_statement
    from facturo.store.index import collecting_less

    with collecting_less():  # what it reads is printed, none of it garbage
        ledger = open_ledger()
        data = build_statement(
            ledger,
            client,
            start=parse_date(start, "--from"),
            end=parse_date(end, "--to") or today(),
            currency=currency,
        )
        for row in data["rows"]:
            row["description"] = words.describe_statement_row(row, data["language"])
        if json_output:
            output.print_json(data)
        else:
            _print_statement(data)
    return _render_one(ledger, data, None, quiet=json_output) if pdf else ExitCode.OK


def _print_statement(data: dict[str, Any]) -> None:
    """The statement as a table in the client's language, dates as read in their country."""
    from facturo.output import words

    language, currency = data["language"], data["currency"]
    address = data["client"].get("address")
    country = address.get("country") if isinstance(address, dict) else None
    label = words.labels_for(language)

    def day(value: Any) -> str:
        return words.format_short_date(dt.date.fromisoformat(str(value)), language, country)

    def money(value: Any) -> str:
        return "" if value in (None, "") else words.format_money(Decimal(value), currency, language)

    period = data["period"]
    end = day(period["end"])
    shown = (
        label["period_range"].format(start=day(period["start"]), end=end)
        if period["start"]
        else label["period_until"].format(end=end)
    )
    output.say(f"{data['client']['name']} ({data['client']['id']}), {shown}, {currency}")
    rows = [["", "", label["opening_balance"], "", "", money(data["opening_balance"])]]
    for row in data["rows"]:
        rows.append([
            day(row["date"]), row["number"], row["description"],
            money(row["debit"]), money(row["credit"]), money(row["balance"]),
        ])  # fmt: skip
    closing = label["closing_balance"].format(date=end)
    rows.append(["", "", closing, "", "", money(data["closing_balance"])])
    headings = [label[key] for key in ("date", "document", "entry", "debit", "credit", "balance")]
    output.print_table(headings, rows, right=headings[3:])
    entry = label["aging_entry"]
    aging = "  ".join(
        entry.format(bucket=label[f"aging_{a['bucket']}"], amount=money(a["amount"]))
        for a in data["aging"]
    )
    output.say(entry.format(bucket=f"{label['aging']} ({currency})", amount=aging))


def _render_one(
    ledger: "Ledger", document: dict[str, Any], out: Path | None, *, quiet: bool = False
) -> ExitCode:
    from facturo.output import publishing

    job = publishing.job_for(ledger, document, out.absolute() if out else None)
    for outcome in publishing.render(ledger, [job]):
        where = ledger.folder.display(outcome.output)
        if outcome.error:
            output.error(f"{where}: {outcome.error}")
            return ExitCode.FAILURE
        (output.note if quiet else output.say)(where)
    return ExitCode.OK
