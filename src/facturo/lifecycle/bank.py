"""Bank statement import: credits matched to invoices and recorded as payments, once each.

A transaction is recorded with the bank's id in the payment (`transaction`), so the
tracking sections themselves say which ids are recorded: importing the same or an
overlapping statement again, or in another clone, records nothing twice. The credits left
for a hand decision (and the date of the last import) are kept in `.facturo/bank/`, state
that `bank match` reads and that importing the statement again rebuilds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError, NotFound
from facturo.files.bank import Statement, Transaction, read_statement
from facturo.lifecycle.matching import (
    ZERO,
    Allocation,
    Decision,
    Invoice,
    Matcher,
    Outcome,
    Rule,
    normal_iban,
)
from facturo.lifecycle.payments import Recorded, record_payment
from facturo.model.numbering import all_series
from facturo.store.folder import Folder
from facturo.store.index import Ledger

STATE = "bank/state.json"
PENDING = (Outcome.AMBIGUOUS, Outcome.UNMATCHED, Outcome.FOREIGN, Outcome.REFUSED)


@dataclass(frozen=True)
class LastImport:
    date: dt.date  # the day of the import
    statement: str  # the file, as shown
    last_booking: dt.date | None  # the latest movement it held


@dataclass(frozen=True)
class Imported:
    statement: Statement
    decisions: tuple[Decision, ...]
    dry_run: bool
    other_account: bool = False  # the statement is not of the seller's IBAN

    def count(self, outcome: Outcome) -> int:
        return sum(1 for d in self.decisions if d.outcome == outcome)


def tolerance_of(config: dict[str, Any]) -> Decimal:
    bank = config.get("bank") or {}
    value = bank.get("tolerance")
    return Decimal(value) if value is not None else ZERO


def open_invoices(ledger: Ledger) -> dict[str, Invoice]:
    """Every readable receivable with what matching needs, whatever its balance."""
    clients = ledger.clients_with_problems()
    found = {}
    for entry in ledger.entries():
        if not entry.is_receivable or any(p.is_error for p in entry.problems):
            continue
        client, _ = clients.get(entry.client_id, (None, []))
        names = [entry.client_name]
        ibans = set()
        if client is not None:
            names.append(str(client.get("name") or ""))
            if client.get("iban"):
                ibans.add(normal_iban(str(client["iban"])))
        found[entry.number] = Invoice(
            number=entry.number,
            client_id=entry.client_id,
            names=tuple(n for n in dict.fromkeys(names) if n),
            ibans=frozenset(ibans),
            currency=entry.currency,
            balance=entry.balance,
            issue_date=entry.issue_date,
            due_date=entry.due_date,
        )
    return found


def recorded_transactions(ledger: Ledger, days: set[dt.date]) -> dict[str, dict[str, Decimal]]:
    """The bank transaction ids recorded on payments dated `days`: how much on which invoice.

    A transaction is recorded on its booking date, so only the documents holding a payment
    of one of those days are read."""
    found: dict[str, dict[str, Decimal]] = {}
    for entry in ledger.entries():
        if not any(p.date in days for p in entry.payments):
            continue
        tracking = ledger.document(entry.number).get("tracking") or {}
        for item in tracking.get("payments") or []:
            if not isinstance(item, dict) or not item.get("transaction"):
                continue
            amount = item.get("amount")
            on = found.setdefault(str(item["transaction"]), {})
            on[entry.number] = on.get(entry.number, ZERO) + (
                Decimal(amount) if isinstance(amount, Decimal | int) else ZERO
            )
    return found


def import_statement(ledger: Ledger, path: Path, *, today: dt.date, dry_run: bool) -> Imported:
    """Read a statement, match its credits and (unless `dry_run`) record them, under the lock."""
    config = ledger.config()
    settings = (config.get("bank") or {}).get("csv")
    statement = read_statement(path, ledger.folder.display(path), settings)
    guard = contextlib.nullcontext() if dry_run else ledger.folder.lock()
    with guard:
        ledger.invalidate()
        credits = [t for t in statement.transactions if t.credit]
        matcher = Matcher(
            open_invoices(ledger),
            recorded_transactions(ledger, {t.booking_date for t in credits}),
            [s for s in all_series(config) if s.series_kind == "invoice"],
            tolerance_of(config),
        )
        ignored = set(_load_state(ledger.folder).get("ignored") or ())
        decisions = [_unless_ignored(matcher.decide(t), ignored) for t in statement.transactions]
        other = _other_account(config, statement)
        if dry_run:
            return Imported(statement, tuple(decisions), True, other)
        done = [_record(ledger, d, today) for d in decisions]
        _save_state(ledger.folder, statement, done, today)
        return Imported(statement, tuple(done), False, other)


def _unless_ignored(decision: Decision, ignored: set[str]) -> Decision:
    if decision.outcome in PENDING and decision.transaction.id in ignored:
        return Decision(decision.transaction, Outcome.IGNORED, candidates=decision.candidates)
    return decision


def _other_account(config: dict[str, Any], statement: Statement) -> bool:
    """Whether the statement names accounts none of which is in the seller's IBAN (an OFX
    account id is the account number inside the IBAN)."""
    own = normal_iban(str((config.get("seller") or {}).get("iban") or ""))
    accounts = [normal_iban(a) for a in statement.account.split(",") if a.strip()]
    return bool(own and accounts) and not any(a in own for a in accounts)


def _record(ledger: Ledger, decision: Decision, today: dt.date) -> Decision:
    if decision.outcome != Outcome.MATCHED:
        return decision
    tx = decision.transaction
    try:
        for allocation in decision.allocations:
            _record_one(ledger, tx, allocation.number, allocation.amount, today)
    except FacturoError as exc:
        numbers = tuple(a.number for a in decision.allocations)
        return Decision(
            tx, Outcome.REFUSED, decision.rule, decision.allocations, numbers, message=exc.message
        )
    return decision


def _record_one(
    ledger: Ledger,
    tx: Transaction,
    number: str,
    amount: Decimal,
    today: dt.date,
    force: bool = False,
) -> Recorded:
    return record_payment(
        ledger,
        number,
        amount,
        date=tx.booking_date,
        today=today,
        method="transfer",
        reference=tx.bank_reference or None,
        transaction=tx.id,
        force=force,
    )


# -- state: the credits waiting for a hand decision, the last import ----------------------


def _state_path(folder: Folder) -> Path:
    return folder.state_dir / STATE


def _load_state(folder: Folder) -> dict[str, Any]:
    try:
        data = json.loads(_state_path(folder).read_text("utf-8"))
    except (OSError, ValueError):
        return {"pending": {}}
    return (
        data
        if isinstance(data, dict) and isinstance(data.get("pending"), dict)
        else {"pending": {}}
    )


def _write_state(folder: Folder, state: dict[str, Any]) -> None:
    folder.write_atomic(_state_path(folder), json.dumps(state, indent=1, default=str) + "\n")


def _save_state(
    folder: Folder, statement: Statement, decisions: list[Decision], today: dt.date
) -> None:
    state = _load_state(folder)
    pending: dict[str, Any] = state["pending"]
    for decision in decisions:
        tx = decision.transaction
        if decision.outcome in PENDING:
            pending[tx.id] = {
                "transaction": tx.to_json(),
                "outcome": str(decision.outcome),
                "candidates": list(decision.candidates),
                "statement": statement.path,
            }
        else:
            pending.pop(tx.id, None)
    last = statement.last_date
    state["last_import"] = {
        "date": today.isoformat(),
        "statement": statement.path,
        "last_booking": last.isoformat() if last else None,
    }
    _write_state(folder, state)


def last_import(folder: Folder) -> LastImport | None:
    """When a statement was last imported (in this clone), or None."""
    last = _load_state(folder).get("last_import")
    if not isinstance(last, dict):
        return None
    try:
        booking = last.get("last_booking")
        return LastImport(
            dt.date.fromisoformat(last["date"]),
            str(last.get("statement") or ""),
            dt.date.fromisoformat(booking) if booking else None,
        )
    except (KeyError, TypeError, ValueError):
        return None


def pending(folder: Folder) -> list[tuple[Transaction, str, list[str]]]:
    """The credits waiting for a hand decision: transaction, outcome, candidates."""
    found = []
    for item in _load_state(folder)["pending"].values():
        with contextlib.suppress(KeyError, TypeError, ValueError):
            tx = Transaction.from_json(item["transaction"])
            found.append((tx, str(item.get("outcome", "")), list(item.get("candidates") or [])))
    return sorted(found, key=lambda f: (f[0].booking_date, f[0].id))


def _find_pending(folder: Folder, tx_id: str) -> Transaction:
    waiting = {tx.id: tx for tx, _, _ in pending(folder)}
    if tx_id in waiting:
        return waiting[tx_id]
    starting = [tx for key, tx in waiting.items() if key.startswith(tx_id)]
    if len(starting) == 1:
        return starting[0]
    if len(starting) > 1:
        raise FacturoError(f"{tx_id!r} starts several waiting transaction ids: give more of it")
    raise NotFound(
        f"no transaction {tx_id!r} waiting for a decision (import its statement again to list it)"
    )


def match_by_hand(
    ledger: Ledger,
    tx_id: str,
    numbers: list[str],
    *,
    today: dt.date,
    amount: Decimal | None = None,
    force: bool = False,
) -> tuple[Transaction, list[Recorded]]:
    """Record a waiting credit on invoices the user chose, spread in their order."""
    if not numbers:
        raise FacturoError("name at least one invoice")
    with ledger.folder.lock():
        ledger.invalidate()
        tx = _find_pending(ledger.folder, tx_id)
        already = recorded_transactions(ledger, {tx.booking_date}).get(tx.id)
        if already:
            raise FacturoError(f"transaction {tx.id} is recorded already (on {', '.join(already)})")
        invoices = open_invoices(ledger)
        for number in numbers:
            ledger.find(number)  # unknown numbers are named with a suggestion
        currencies = {invoices[n].currency for n in numbers if n in invoices}
        if amount is None and (tx.foreign or currencies - {tx.currency}):
            raise FacturoError(
                f"transaction {tx.id} was sent in {tx.instructed_currency or tx.currency}: "
                f"the amount to record in {', '.join(sorted(currencies))} is needed"
            )
        left = tx.amount if amount is None else amount
        allocations: list[Allocation] = []
        for position, number in enumerate(numbers):
            balance = invoices[number].balance if number in invoices else ZERO
            share = left if position == len(numbers) - 1 else min(max(balance, ZERO), left)
            allocations.append(Allocation(number, share))
            left -= share
        recorded = [
            _record_one(ledger, tx, a.number, a.amount, today, force)
            for a in allocations
            if a.amount > 0
        ]
        state = _load_state(ledger.folder)
        state["pending"].pop(tx.id, None)
        _write_state(ledger.folder, state)
        return tx, recorded


def ignore(ledger: Ledger, tx_ids: list[str]) -> list[Transaction]:
    """Set waiting credits aside (a refund, a transfer between own accounts): they are no
    longer listed, and importing them again leaves them aside (in this clone)."""
    with ledger.folder.lock():
        found = [_find_pending(ledger.folder, tx_id) for tx_id in tx_ids]
        state = _load_state(ledger.folder)
        aside = list(state.get("ignored") or [])
        for tx in found:
            state["pending"].pop(tx.id, None)
            if tx.id not in aside:
                aside.append(tx.id)
        state["ignored"] = aside
        _write_state(ledger.folder, state)
        return found


def iter_write_offs(decisions: tuple[Decision, ...]) -> Iterator[tuple[Allocation, str]]:
    """The shortfalls within the tolerance, to propose as write-offs (with the currency)."""
    for decision in decisions:
        if decision.outcome == Outcome.MATCHED:
            for allocation in decision.allocations:
                if allocation.shortfall:
                    yield allocation, decision.transaction.currency


__all__ = [
    "Imported", "Outcome", "Rule", "ignore", "import_statement", "last_import", "match_by_hand",
]  # fmt: skip
