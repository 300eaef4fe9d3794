"""Commands over bank statements: bank import, match, pending and ignore."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, parse_decimal, today
from facturo.errors import ExitCode

if TYPE_CHECKING:
    from facturo.lifecycle.bank import Imported
    from facturo.lifecycle.matching import Decision
    from facturo.store.folder import Folder

bank_app = typer.Typer(
    help="Import bank statements (CAMT.053, OFX, CSV) and match credits to invoices.",
    no_args_is_help=True,
)
app.add_typer(bank_app, name="bank")

Opt = typer.Option

# Why a credit was left for a hand decision, in words.
WHY = {
    "already-paid": "the invoice it names is paid already",
    "over-balance": "more than the balance of the invoices it names",
    "several": "several invoices fit",
    "no-amount": "the payer is a client, but no open invoice or sum fits the amount",
    "no-client": "no client or invoice recognised",
    "partly-recorded": "recorded on these invoices for less than its amount: finish with pay",
}
OUTCOMES = {
    "matched": "recorded",
    "known": "recorded before",
    "ambiguous": "to decide",
    "unmatched": "unmatched",
    "foreign": "other currency: to decide",
    "debit": "debit, ignored",
    "refused": "refused",
    "ignored": "set aside",
}


@bank_app.command("import")
@handled
def bank_import(
    file: Annotated[Path, typer.Argument(help="A CAMT.053 (XML), OFX or CSV statement.")],
    dry_run: Annotated[
        bool, Opt("--dry-run", help="Show what would be recorded; change nothing.")
    ] = False,
    json_output: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> ExitCode:
    """Match a statement's credits to open invoices and record them as payments.

    In order: an invoice number (or structured reference) in the remittance text, the amount
    and the client's IBAN, the amount and the client's name, several open invoices of one
    client adding up to the amount. Each transaction id is recorded once: importing the same
    or an overlapping statement again changes nothing. Debits are ignored; credits in
    another currency and those without one answer are listed with their best candidates,
    for `facturo bank match`. A shortfall within bank.tolerance is recorded and proposed as
    a write-off.

    Example: facturo bank import releve-2026-11.xml --dry-run
    """
    from facturo.lifecycle.bank import import_statement

    ledger = open_ledger()
    imported = import_statement(
        ledger, ledger.folder.typed_path(file), today=today(), dry_run=dry_run
    )
    if json_output:
        output.print_json(_as_json(imported))
    else:
        _print_import(imported)
    refused = any(d.outcome == "refused" for d in imported.decisions)
    return ExitCode.FAILURE if refused else ExitCode.OK


@bank_app.command("match")
@handled
def bank_match(
    transaction: Annotated[
        str, typer.Argument(metavar="TXID", help="Transaction id (or its start).")
    ],
    numbers: Annotated[list[str], typer.Argument(metavar="NUMBER...", help="Invoice number(s).")],
    amount: Annotated[
        str | None, Opt("--amount", help="Amount to record, in the invoice's currency.")
    ] = None,
    force: Annotated[
        bool, Opt("--force", help="Record more than the balance (the client's credit).")
    ] = False,
) -> None:
    """Record a credit that import left to decide on the invoice(s) you name.

    Several invoices are paid in the order given, the last taking what is left. A credit in
    another currency needs --amount in the invoice's currency.

    Example: facturo bank match 2026112000042 F-2026-0012 F-2026-0013
    """
    from facturo.lifecycle.bank import match_by_hand

    value = parse_decimal(amount, "--amount", "an amount like 1250.00")
    ledger = open_ledger()
    tx, recorded = match_by_hand(
        ledger, transaction, numbers, today=today(), amount=value, force=force
    )
    for one in recorded:
        entry = one.entry
        output.say(
            f"{one.number}: {one.payment['amount']} {entry.currency} from {tx.id} recorded; "
            f"{entry.status(today())}, balance {entry.balance} {entry.currency}"
        )


@bank_app.command("ignore")
@handled
def bank_ignore(
    transactions: Annotated[
        list[str], typer.Argument(metavar="TXID...", help="Transaction ids (or their start).")
    ],
) -> None:
    """Set aside waiting credits that pay no invoice (a refund, a transfer between accounts).

    They leave `bank pending`, and importing their statement again leaves them aside.

    Example: facturo bank ignore 2026112700005
    """
    from facturo.lifecycle.bank import ignore

    for tx in ignore(open_ledger(), transactions):
        output.say(f"{tx.id} ({tx.booking_date}, {tx.amount} {tx.currency}) set aside")


@bank_app.command("pending")
@handled
def bank_pending(
    json_output: Annotated[bool, Opt("--json", help="Print JSON.")] = False,
) -> None:
    """List the credits imported statements left for a decision, with their candidates.

    Example: facturo bank pending --json
    """
    from facturo.lifecycle.bank import pending

    ledger = open_ledger()
    waiting = pending(ledger.folder)
    if json_output:
        output.print_json([
            {**tx.to_json(), "outcome": outcome, "candidates": candidates}
            for tx, outcome, candidates in waiting
        ])  # fmt: skip
        return
    if waiting:
        output.print_table(
            ["Date", "Transaction", "Amount", "Payer", "Status", "Candidates"],
            [
                [
                    str(tx.booking_date),
                    tx.id,
                    f"{tx.amount} {tx.currency}",
                    tx.counterparty,
                    OUTCOMES.get(outcome, outcome),
                    " ".join(candidates),
                ]
                for tx, outcome, candidates in waiting
            ],
            right=["Amount"],
        )


def print_last_import(folder: Folder) -> None:
    """One line for `remind --dry-run`: reminders may chase money a later statement shows."""
    from facturo.lifecycle.bank import last_import

    last = last_import(folder)
    if last is None:
        output.note("no bank statement imported yet")
        return
    through = f", movements up to {last.last_booking}" if last.last_booking else ""
    output.note(f"last bank import: {last.date} ({last.statement}{through})")


def _decision_json(decision: Decision) -> dict[str, Any]:
    return {
        **decision.transaction.to_json(),
        "outcome": str(decision.outcome),
        "rule": str(decision.rule) if decision.rule else None,
        "why": decision.why or None,
        "allocations": [
            {"number": a.number, "amount": a.amount, "shortfall": a.shortfall}
            for a in decision.allocations
        ],
        "candidates": list(decision.candidates),
        "message": decision.message or None,
    }


def _as_json(imported: Imported) -> dict[str, Any]:
    from facturo.lifecycle.bank import iter_write_offs

    return {
        "statement": imported.statement.path,
        "format": imported.statement.format,
        "account": imported.statement.account,
        "dry_run": imported.dry_run,
        "transactions": [_decision_json(d) for d in imported.decisions],
        "write_offs": [
            {"number": a.number, "amount": a.shortfall, "currency": currency}
            for a, currency in iter_write_offs(imported.decisions)
        ],
    }


def _print_import(imported: Imported) -> None:
    from facturo.lifecycle.bank import iter_write_offs

    shown = [d for d in imported.decisions if d.outcome != "debit"]
    rows = []
    for d in shown:
        tx = d.transaction
        if d.allocations and d.outcome in ("matched", "refused"):
            invoices = " ".join(f"{a.number} ({a.amount})" for a in d.allocations)
        else:
            invoices = " ".join(d.candidates)
        detail = d.message or WHY.get(d.why, "") or (f"by {d.rule}" if d.rule else "")
        outcome = OUTCOMES[d.outcome]
        if imported.dry_run and d.outcome == "matched":
            outcome = "to record"
        rows.append([
            str(tx.booking_date), tx.id, f"{tx.amount} {tx.currency}", tx.counterparty,
            outcome, invoices, detail,
        ])  # fmt: skip
    if rows:
        output.print_table(
            ["Date", "Transaction", "Amount", "Payer", "Status", "Invoices", "Detail"],
            rows,
            right=["Amount"],
        )
    for allocation, currency in iter_write_offs(imported.decisions):
        output.say(
            f"{allocation.number} is {allocation.shortfall} {currency} short of its balance; "
            f"to write it off: facturo pay {allocation.number} --write-off"
        )
    counts = {o: imported.count(o) for o in OUTCOMES}  # type: ignore[arg-type]
    summary = ", ".join(f"{n} {OUTCOMES[o]}" for o, n in counts.items() if n)
    if imported.other_account:
        output.note(
            f"warning: the statement is of account {imported.statement.account}, "
            "not of the seller's IBAN in facturo.yaml"
        )
    prefix = "dry run, nothing recorded: " if imported.dry_run else ""
    output.note(f"{imported.statement.path}: {prefix}{summary or 'no transaction'}")
