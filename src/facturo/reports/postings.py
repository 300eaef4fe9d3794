"""Double-entry transactions of sales and receipts: what the FEC and the journals write.

Each invoice, deposit invoice and credit note is a sales transaction: the client owes the
gross (411), revenue per rate (706) and VAT per rate. VAT due on the invoice date (goods,
or services under the option for debits) goes to the VAT collected account (44571); VAT
on services paid on receipts waits in a pending account (44574) and each payment moves its
share, pro rata of the invoice's rates, to 44571 (the VAT report's figures). Each payment
is a bank transaction: the bank (512) against the client. Every transaction balances.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from facturo.errors import InvalidData
from facturo.reports.figures import Figures, read_figures
from facturo.reports.table import money, share
from facturo.store.index import Entry, Ledger

ZERO = Decimal(0)
EURO = "EUR"
SALES = "sales"
BANK = "bank"
WRITE_OFFS = "write-offs"  # balances given up on: no money, a loss
# Roles of accounts; output modules name them (labels) in the file's language.
CLIENT, REVENUE, VAT, VAT_PENDING, BANK_ACCOUNT = "client", "revenue", "vat", "vat_pending", "bank"
LOSS = "loss"


def _by_rate(items: Any, key: str) -> dict[Decimal, str]:
    found: dict[Decimal, str] = {}
    for item in items or []:
        rate, sep, account = str(item).partition("=")
        try:
            value = Decimal(rate.strip().replace(",", "."))
        except InvalidOperation:
            value = None
        if not sep or value is None or not account.strip():
            raise InvalidData(
                f"facturo.yaml: accounting.{key}: expected rate=account, got {item!r}"
            )
        found[value] = account.strip()
    return found


@dataclass(frozen=True)
class Accounts:
    """The chart of accounts the exports use (facturo.yaml `accounting:`, French defaults)."""

    client: str = "411000"
    bank: str = "512000"
    revenue: str = "706000"
    vat: str = "445710"
    vat_pending: str = "445740"
    write_off: str = "654000"  # pertes sur créances irrécouvrables
    revenue_by_rate: Mapping[Decimal, str] = field(default_factory=dict)
    vat_by_rate: Mapping[Decimal, str] = field(default_factory=dict)

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Accounts:
        section = config.get("accounting") or {}
        names = ("client", "bank", "revenue", "vat", "vat_pending", "write_off")
        plain = {k: str(section[k]) for k in names if section.get(k)}
        return cls(
            **plain,
            revenue_by_rate=_by_rate(section.get("revenue_by_rate"), "revenue_by_rate"),
            vat_by_rate=_by_rate(section.get("vat_by_rate"), "vat_by_rate"),
        )

    def of_rate(self, role: str, rate: Decimal) -> str:
        if role == REVENUE:
            return self.revenue_by_rate.get(rate, self.revenue)
        if role == VAT:
            return self.vat_by_rate.get(rate, self.vat)
        if role == VAT_PENDING:
            return self.vat_pending
        if role == LOSS:
            return self.write_off
        return self.bank if role == BANK_ACCOUNT else self.client


def client_account(client_id: str) -> str:
    """The auxiliary account of a client: 411 and its id in capitals, letters and digits."""
    return "411" + re.sub(r"[^A-Z0-9]", "", client_id.upper())[:14]


@dataclass(frozen=True)
class Posting:
    """One line of a transaction: an amount on the debit or the credit of an account."""

    role: str
    account: str
    debit: Decimal
    credit: Decimal
    rate: Decimal | None = None
    client: str = ""  # the auxiliary (client) account, on client lines
    foreign: Decimal | None = None  # in euros: the amount in the document's own currency
    # On a payment: what the same line of the document's earlier payments came to, in its
    # currency (each payment is converted as the difference of two cumulated amounts, so
    # that an invoice paid in full clears its client account to the cent in euros too).
    before: Decimal = Decimal(0)


@dataclass
class Transaction:
    """A balanced set of postings: one document issued, or one payment received."""

    journal: str  # SALES or BANK
    date: dt.date
    document: str  # the document's number (the voucher)
    document_date: dt.date
    kind: str  # invoice, deposit, credit_note, or payment
    client_id: str
    client_name: str
    currency: str
    method: str = ""
    reference: str = ""
    postings: list[Posting] = field(default_factory=list)
    euro_rate: Decimal | None = None  # euros per unit of currency, as sealed at issue
    foreign_currency: str = ""  # in euros: the document's own currency

    def post(self, role: str, account: str, credit: Decimal, **extra: Any) -> None:
        """Credit `account` (a negative amount is a debit); nothing for zero."""
        credit = money(credit, self.currency)
        if credit == 0:
            return
        zero = money(ZERO, self.currency)
        debit, credit = (-credit, zero) if credit < 0 else (zero, credit)
        self.postings.append(Posting(role, account, debit, credit, **extra))

    @property
    def balanced(self) -> bool:
        return sum(p.debit for p in self.postings) == sum(p.credit for p in self.postings)

    def in_euros(self) -> Transaction | None:
        """The transaction in euros at the rate its document sealed at issue, each posting
        keeping its amount in the document's currency (None without a rate).

        Each posting is converted and rounded to the cent on its own, so the VAT lines
        match the VAT report; on a sale the client's line is the gross converted (what its
        payments add up to once paid in full) and the rounding difference, a cent or two,
        goes to the largest other posting so the entry still balances. A payment's lines
        are converted cumulatively (see Posting.before): they balance as they are.
        """
        if self.currency == EURO:
            return self
        if self.euro_rate is None:
            return None
        postings = [
            replace(p, debit=self._euros(p.debit, p.before), credit=self._euros(p.credit, p.before),
                    foreign=p.debit + p.credit)
            for p in self.postings
        ]  # fmt: skip
        difference = sum((p.debit - p.credit for p in postings), ZERO)
        others = [i for i, p in enumerate(postings) if p.role != CLIENT] or list(
            range(len(postings))
        )
        if difference and others:
            largest = max(others, key=lambda i: postings[i].debit + postings[i].credit)
            posting = postings[largest]
            if posting.debit:
                postings[largest] = replace(posting, debit=posting.debit - difference)
            else:
                postings[largest] = replace(posting, credit=posting.credit + difference)
        postings = [p for p in postings if p.debit or p.credit]  # less than half a cent
        return replace(self, currency=EURO, postings=postings, foreign_currency=self.currency)

    def _euros(self, amount: Decimal, before: Decimal = ZERO) -> Decimal:
        """`amount` in euros, as the step from `before` to `before + amount` (both rounded)."""
        assert self.euro_rate is not None
        if not amount:
            return money(ZERO, EURO)
        after = money((before + amount) * self.euro_rate, EURO)
        return after - money(before * self.euro_rate, EURO)


def _sale(entry: Entry, found: Figures, accounts: Accounts) -> Transaction:
    assert entry.issue_date is not None
    sign = -1 if entry.kind == "credit_note" else 1
    move = Transaction(
        SALES, entry.issue_date, entry.number, entry.issue_date, entry.kind,
        entry.client_id, entry.client_name, entry.currency, euro_rate=found.euro_rate,
    )  # fmt: skip
    aux = client_account(entry.client_id)
    move.post(CLIENT, accounts.client, -sign * found.gross, client=aux)
    for group in found.groups:
        rate = group.rate if group.taxed else ZERO
        move.post(REVENUE, accounts.of_rate(REVENUE, rate), sign * group.base, rate=rate)
        if not group.taxed:
            continue
        if found.vat_on_debits:
            move.post(VAT, accounts.of_rate(VAT, rate), sign * group.amount, rate=rate)
            continue
        move.post(VAT, accounts.of_rate(VAT, rate), sign * group.goods_amount, rate=rate)
        pending = sign * group.services_amount
        move.post(VAT_PENDING, accounts.vat_pending, pending, rate=rate)
    return move


def _receipts(entry: Entry, found: Figures, accounts: Accounts) -> list[Transaction]:
    """One transaction per payment: money in (512 against 411), or a balance written off
    (a loss, never the bank). Both move the VAT on services of what they settle out of
    44574: a payment into the VAT due (44571), a write-off into the loss, since VAT not
    received never became due (encaissements). VAT already due (goods, debits) stays in a
    write-off's loss, for the accountant to recover once the debt is proven lost (CGI 272).
    """
    assert entry.issue_date is not None
    moves = []
    aux = client_account(entry.client_id)
    paid_before = ZERO
    vat_before: dict[Decimal, Decimal] = {}
    for payment in entry.payments:
        journal, kind = (WRITE_OFFS, "write-off") if payment.is_write_off else (BANK, "payment")
        move = Transaction(
            journal, payment.date, entry.number, entry.issue_date, kind, entry.client_id,
            entry.client_name, entry.currency, payment.method,
            (payment.reason if payment.is_write_off else payment.reference) or "",
            euro_rate=found.euro_rate,
        )  # fmt: skip
        if not payment.is_write_off:
            move.post(BANK_ACCOUNT, accounts.bank, -payment.amount, before=paid_before)
        move.post(CLIENT, accounts.client, payment.amount, client=aux, before=paid_before)
        paid_after = paid_before + payment.amount
        settled = ZERO
        for group in () if found.vat_on_debits else found.groups:
            if not group.taxed or not group.services_amount:
                continue
            # The VAT of what is settled so far, less what earlier payments moved: settled
            # in full, the VAT awaiting payment is cleared to the cent.
            done = vat_before.get(group.rate, ZERO)
            part = money(share(group.services_amount, paid_after, found.gross),
                         entry.currency) - done  # fmt: skip
            vat_before[group.rate] = done + part
            move.post(VAT_PENDING, accounts.vat_pending, -part, rate=group.rate, before=done)
            if not payment.is_write_off:
                move.post(VAT, accounts.of_rate(VAT, group.rate), part, rate=group.rate,
                          before=done)  # fmt: skip
            settled += part
        if payment.is_write_off:
            move.post(LOSS, accounts.write_off, -(payment.amount - settled))
        paid_before = paid_after
        moves.append(move)
    return moves


def transactions(
    ledger: Ledger, start: dt.date, end: dt.date, accounts: Accounts | None = None
) -> list[Transaction]:
    """The transactions dated from `start` to `end`, by date, sales before bank, by number."""
    accounts = accounts or Accounts.of(ledger.config())
    entries = [
        e for e in ledger.entries()
        if e.kind in ("invoice", "deposit", "credit_note") and e.issue_date is not None
    ]  # fmt: skip
    figures = read_figures(ledger, {e.number for e in entries})
    found: list[Transaction] = []
    for entry in entries:
        document = figures.get(entry.number)
        if document is None:
            continue
        assert entry.issue_date is not None
        if start <= entry.issue_date <= end:
            found.append(_sale(entry, document, accounts))
        if entry.kind != "credit_note":
            found += [m for m in _receipts(entry, document, accounts) if start <= m.date <= end]
    found.sort(key=lambda m: (m.date, m.journal != SALES, m.document))
    return found
