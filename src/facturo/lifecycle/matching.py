"""Matching bank credits to open invoices: by number, IBAN, name, then sums of invoices.

Pure decisions over values (no I/O): lifecycle/bank.py gathers the open invoices and the
transactions already recorded, and records what is decided here. The rules run in order
and the first that finds something decides; a rule that finds several answers makes the
credit ambiguous rather than guess.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from facturo.files.bank import Transaction
from facturo.model.numbering import Series, field_regex, field_width, pattern_pieces

ZERO = Decimal(0)
_SEPARATORS = r"[\s\-_./]*"
_CREDITOR_REFERENCE = re.compile(r"^RF[0-9]{2}", re.IGNORECASE)
# Words of legal forms and titles that banks add, drop or truncate in payers' names.
_NAME_NOISE = frozenset(
    "sarl sas sasu eurl sa sci ei eirl snc scop selarl gmbh ag kg ug ltd llc inc bv srl "
    "spa cie co et and the m mme mlle mr mrs ms dr monsieur madame ste societe".split()
)
MAX_SUM_INVOICES = 14  # subsets of more open invoices of one client are not searched


class Outcome(StrEnum):
    MATCHED = "matched"  # recorded (or to be recorded) on the allocations
    KNOWN = "known"  # this transaction id is recorded already
    AMBIGUOUS = "ambiguous"  # several answers, or one that does not fit: a hand decision
    UNMATCHED = "unmatched"
    FOREIGN = "foreign"  # another currency: always a hand decision
    DEBIT = "debit"  # money out (fees, purchases): ignored
    REFUSED = "refused"  # matched, but the payment could not be recorded
    IGNORED = "ignored"  # set aside by hand: not a payment of an invoice


class Rule(StrEnum):
    REFERENCE = "reference"
    IBAN = "iban"
    NAME = "name"
    SUM = "sum"
    HAND = "hand"


@dataclass(frozen=True)
class Invoice:
    """What matching knows of one receivable."""

    number: str
    client_id: str
    names: tuple[str, ...]  # the client's name as issued and as in its file now
    ibans: frozenset[str]
    currency: str
    balance: Decimal
    issue_date: dt.date | None
    due_date: dt.date | None


@dataclass(frozen=True)
class Allocation:
    number: str
    amount: Decimal
    shortfall: Decimal = ZERO  # below the balance within the tolerance: a write-off to propose


@dataclass(frozen=True)
class Decision:
    transaction: Transaction
    outcome: Outcome
    rule: Rule | None = None
    allocations: tuple[Allocation, ...] = ()
    candidates: tuple[str, ...] = ()  # invoice numbers, best first
    why: str = ""  # a code: already-paid, over-balance, several, no-client, ...
    message: str = ""  # a refusal's message


def normal_iban(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


@functools.lru_cache(maxsize=4096)
def name_words(name: str) -> frozenset[str]:
    """The words of a name that identify a payer: no accents, case, legal forms or titles."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return frozenset(w for w in re.findall(r"[a-z0-9]+", plain) if w not in _NAME_NOISE)


def same_payer(client_names: Iterable[str], counterparty: str) -> bool:
    return _fits(name_words(counterparty), [name_words(name) for name in client_names])


def _fits(payer: frozenset[str], names: Iterable[frozenset[str]]) -> bool:
    """One of a client's names is all in the payer's, or the payer's all in it."""
    return bool(payer) and any(words and (words <= payer or payer <= words) for words in names)


@functools.cache
def _tolerant(pattern: str) -> re.Pattern[str]:
    """A pattern's numbers as people type them: any case, spaces, dashes or dots anywhere."""
    pieces = pattern_pieces(pattern)
    has_letters = any(not is_field and any(c.isalpha() for c in v) for is_field, v in pieces)
    parts: list[str] = []
    for is_field, value in pieces:
        if is_field:  # a padded sequence may be typed unpadded when letters mark the number
            parts.append(field_regex(value, 1 if has_letters else field_width(value)))
        else:
            parts.extend(re.escape(c) for c in value if c.isalnum())
    return re.compile(r"(?<![A-Za-z0-9])" + _SEPARATORS.join(parts) + r"(?![0-9])", re.IGNORECASE)


def numbers_in(texts: Sequence[str], series: Sequence[Series]) -> list[str]:
    """The document numbers of `series` written in `texts`, canonical, in order of mention."""
    found: list[str] = []
    for text in texts:
        text = _CREDITOR_REFERENCE.sub("", text.strip())
        for one in series:
            for match in _tolerant(one.pattern).finditer(text):
                groups = match.groupdict()
                year = int(groups["year"]) if groups.get("year") else None
                if year is None and groups.get("yy"):
                    year = 2000 + int(groups["yy"])
                number = one.format(year or 0, int(groups["seq"]))
                if number not in found:
                    found.append(number)
    return found


@dataclass
class Matcher:
    """Decides each credit of a statement in turn, keeping balances up to date between them."""

    invoices: dict[str, Invoice]
    recorded: dict[str, dict[str, Decimal]]  # transaction id -> amount recorded per number
    series: Sequence[Series]
    tolerance: Decimal = ZERO
    balances: dict[str, Decimal] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.balances = {n: i.balance for n, i in self.invoices.items()}
        # By client, so that a credit is compared with each client once, not each invoice.
        self._of_client: dict[str, list[Invoice]] = {}
        self._names: dict[str, set[frozenset[str]]] = {}
        self._clients_of_iban: dict[str, set[str]] = {}
        for invoice in self.invoices.values():
            self._of_client.setdefault(invoice.client_id, []).append(invoice)
            names = self._names.setdefault(invoice.client_id, set())
            names.update(name_words(name) for name in invoice.names)
            for iban in invoice.ibans:
                self._clients_of_iban.setdefault(iban, set()).add(invoice.client_id)

    def decide(self, tx: Transaction) -> Decision:
        if not tx.credit:
            return Decision(tx, Outcome.DEBIT)
        if tx.id in self.recorded:
            on = self.recorded[tx.id]
            if not tx.foreign and sum(on.values(), ZERO) < tx.amount:
                # An import stopped between the invoices of one transfer: say so, never guess.
                return Decision(tx, Outcome.AMBIGUOUS, candidates=tuple(on), why="partly-recorded")
            return Decision(tx, Outcome.KNOWN, candidates=tuple(on))
        if tx.id in self.seen:
            return Decision(tx, Outcome.KNOWN)
        self.seen.add(tx.id)
        decision = self._by_rules(tx)
        numbers = [a.number for a in decision.allocations] or list(decision.candidates)
        foreign = tx.foreign or any(self.invoices[n].currency != tx.currency for n in numbers)
        if foreign:
            return Decision(tx, Outcome.FOREIGN, decision.rule, candidates=tuple(numbers))
        for allocation in decision.allocations:  # a shortfall is proposed as a write-off
            self.balances[allocation.number] -= allocation.amount + allocation.shortfall
        return decision

    def _open(self, tx: Transaction, invoice: Invoice) -> bool:
        issued = invoice.issue_date
        return self.balances[invoice.number] > 0 and (issued is None or issued <= tx.booking_date)

    def _fits(self, amount: Decimal, balance: Decimal) -> bool:
        return balance - self.tolerance <= amount <= balance

    def _allocate(self, tx: Transaction, numbers: list[str], rule: Rule) -> Decision:
        """The credit spread over `numbers` in order, the last one taking what is left."""
        left = tx.amount
        allocations = []
        for position, number in enumerate(numbers):
            balance = self.balances[number]
            last = position == len(numbers) - 1
            amount = left if last else min(balance, left)
            if amount <= 0:
                break
            short = balance - amount
            shortfall = short if last and 0 < short <= self.tolerance else abs(short) * 0
            allocations.append(Allocation(number, amount, shortfall))
            left -= amount
        return Decision(tx, Outcome.MATCHED, rule, tuple(allocations))

    def _by_rules(self, tx: Transaction) -> Decision:
        mentioned = [
            n for n in numbers_in((*tx.references, tx.remittance), self.series)
            if n in self.invoices
        ]  # fmt: skip
        if mentioned:
            return self._by_reference(tx, mentioned)
        payer = name_words(tx.counterparty)
        by_iban = [
            invoice
            for client in sorted(self._clients_of_iban.get(normal_iban(tx.iban), ()))
            for invoice in self._of_client[client]
        ]
        by_name = [
            invoice
            for client, names in self._names.items()
            if _fits(payer, names)
            for invoice in self._of_client[client]
        ]
        for rule, pool in ((Rule.IBAN, by_iban), (Rule.NAME, by_name)):
            fitting = [
                i
                for i in pool
                if self._open(tx, i) and self._fits(tx.amount, self.balances[i.number])
            ]
            exact = [i for i in fitting if self.balances[i.number] == tx.amount]
            chosen = exact or fitting
            if len(chosen) == 1:
                return self._allocate(tx, [chosen[0].number], rule)
            if len(chosen) > 1:
                return Decision(
                    tx, Outcome.AMBIGUOUS, rule, candidates=_numbers(chosen), why="several"
                )
        client = by_iban or by_name
        if client:
            owed = sorted(
                (i for i in client if self._open(tx, i)),
                key=lambda i: (i.due_date or dt.date.max, i.number),
            )
            sums = self._sums(tx.amount, owed)
            if len(sums) == 1:
                return self._allocate(tx, sums[0], Rule.SUM)
            if len(sums) > 1:
                best = tuple(dict.fromkeys(n for s in sums for n in s))
                return Decision(tx, Outcome.AMBIGUOUS, Rule.SUM, candidates=best, why="several")
            return Decision(
                tx, Outcome.UNMATCHED, candidates=self._closest(tx, owed), why="no-amount"
            )
        pool = [i for i in self.invoices.values() if self._open(tx, i)]
        return Decision(tx, Outcome.UNMATCHED, candidates=self._closest(tx, pool), why="no-client")

    def _by_reference(self, tx: Transaction, numbers: list[str]) -> Decision:
        owed = [n for n in numbers if self._open(tx, self.invoices[n])]
        if not owed:
            return Decision(
                tx, Outcome.AMBIGUOUS, Rule.REFERENCE, candidates=tuple(numbers), why="already-paid"
            )
        total = sum((self.balances[n] for n in owed), ZERO)
        if tx.amount > total:
            return Decision(
                tx, Outcome.AMBIGUOUS, Rule.REFERENCE, candidates=tuple(owed), why="over-balance"
            )
        owed.sort(key=lambda n: (self.invoices[n].due_date or dt.date.max, n))
        return self._allocate(tx, owed, Rule.REFERENCE)

    def _sums(self, amount: Decimal, owed: list[Invoice]) -> list[list[str]]:
        """The sets of two or more of `owed` whose balances add up to exactly `amount`."""
        owed = owed[:MAX_SUM_INVOICES]
        found = []
        for size in range(2, len(owed) + 1):
            for combination in itertools.combinations(owed, size):
                if sum((self.balances[i.number] for i in combination), ZERO) == amount:
                    found.append([i.number for i in combination])
                    if len(found) > 3:
                        return found
        return found

    def _closest(self, tx: Transaction, pool: list[Invoice]) -> tuple[str, ...]:
        ranked = sorted(
            pool,
            key=lambda i: (
                i.currency != tx.currency,
                abs(self.balances[i.number] - tx.amount),
                i.due_date or dt.date.max,
            ),
        )
        return _numbers(ranked[:3])


def _numbers(invoices: Iterable[Invoice]) -> tuple[str, ...]:
    return tuple(i.number for i in invoices)
