"""One issued document's summary: what list, check and numbering need, and its cached form.

The summary is read from the document's fields (`summarize`) or back from the JSON cache
(`Entry.from_json`), where anything of the wrong type makes the entry stale, never a crash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from facturo.errors import Problem
from facturo.files.yamlio import YMap
from facturo.model.account import ISSUED, quote_status, receivable_status
from facturo.model.kinds import is_receivable
from facturo.model.money import is_currency, round_money
from facturo.store.seal import seal_problems, seal_version

ZERO = Decimal(0)


@dataclass
class Entry:
    """What `list`, `check` and numbering need to know of one issued document."""

    path: str
    number: str = ""
    kind: str = ""
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    valid_until: dt.date | None = None
    client_id: str = ""
    client_name: str = ""
    currency: str = ""
    gross: Decimal = ZERO
    due: Decimal = ZERO
    paid: Decimal = ZERO
    seal: str | None = None
    previous: str | None = None
    previous_line: int = 0
    seal_version: int = 1  # the rule of the seal (store/seal.py): its chain is per period
    source_sha256: str | None = None
    content_sha256: str | None = None  # of the file's bytes: what the cached summary is of
    credit_note_of: str | None = None  # credit notes: the invoice they correct
    quote: str | None = None  # invoices and deposits made from a quote
    accepted: dt.date | None = None  # quotes
    declined: dt.date | None = None  # quotes
    sent: dt.date | None = None  # first sending by email
    deducts: list[str] = field(default_factory=list)  # deposit invoices deducted by an invoice
    problems: list[Problem] = field(default_factory=list)
    # Derived across documents on every read (never cached): credit notes on an invoice.
    credited: Decimal = ZERO

    @property
    def is_receivable(self) -> bool:
        """Invoices and deposit invoices are owed; quotes and credit notes are not."""
        return is_receivable(self.kind)

    @property
    def balance(self) -> Decimal:
        """What the client still owes: due - payments - credit notes (0 unless receivable)."""
        if not self.is_receivable:
            return self.due * 0  # zero, with the currency's decimals
        return self.due - self.paid - self.credited

    def days_late(self, today: dt.date) -> int:
        if not self.is_receivable or self.due_date is None or self.balance <= 0:
            return 0
        return max(0, (today - self.due_date).days)

    def status(self, today: dt.date) -> str:
        """A status code, derived, never stored (model/account.py lists them)."""
        if self.kind == "quote":
            return quote_status(
                today,
                valid_until=self.valid_until,
                sent=self.sent,
                accepted=self.accepted,
                declined=self.declined,
            )
        if not self.is_receivable:
            return ISSUED
        return receivable_status(self.due, self.paid, self.credited, self.due_date, today)

    def to_json(self) -> dict[str, Any]:
        def text(value: Any) -> Any:
            if isinstance(value, Decimal):
                return format(value, "f")
            if isinstance(value, dt.date):
                return value.isoformat()
            return value

        data = {k: text(v) for k, v in self.__dict__.items() if k not in ("problems", "credited")}
        data["problems"] = [p.as_dict() for p in self.problems]
        return data

    @classmethod
    def from_json(cls, data: Any) -> Entry:
        """An entry read back from the cache; ValueError when anything has the wrong type
        (a damaged or crafted cache is stale, never a crash)."""
        if not isinstance(data, dict):
            raise ValueError("not an entry")
        entry = cls(path=_text(data.get("path")))
        for key in (
            "number", "kind", "client_id", "client_name", "currency",
        ):  # fmt: skip
            setattr(entry, key, _text(data.get(key)))
        for key in ("seal", "previous", "credit_note_of", "quote", "source_sha256"):
            setattr(entry, key, _text_or_none(data.get(key)))
        entry.content_sha256 = _text_or_none(data.get("content_sha256"))
        entry.previous_line = _integer(data.get("previous_line", 0))
        entry.seal_version = _integer(data.get("seal_version", 1))
        deducts = data.get("deducts", [])
        if not isinstance(deducts, list):
            raise ValueError("deducts")
        entry.deducts = [_text(number) for number in deducts]
        for key in ("issue_date", "due_date", "valid_until", "accepted", "declined", "sent"):
            value = _text_or_none(data.get(key))
            setattr(entry, key, dt.date.fromisoformat(value) if value else None)
        for key in ("gross", "due", "paid"):
            value = _text(data.get(key, "0"))
            try:
                amount = Decimal(value)
            except ArithmeticError:
                raise ValueError(key) from None
            if not amount.is_finite():
                raise ValueError(key)
            setattr(entry, key, amount)
        problems = data.get("problems", [])
        if not isinstance(problems, list):
            raise ValueError("problems")
        entry.problems = [_problem(item) for item in problems]
        return entry


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return value


def _text_or_none(value: Any) -> str | None:
    return None if value is None else _text(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {type(value).__name__}")
    return value


def _problem(item: Any) -> Problem:
    if not isinstance(item, dict):
        raise ValueError("problem")
    severity = _text(item.get("severity"))
    if severity not in ("error", "warning"):
        raise ValueError("severity")
    line, col = _integer(item.get("line")), _integer(item.get("col"))
    return Problem(_text(item.get("path")), line, col, _text(item.get("message")), severity)


def summarize(data: YMap, entry: Entry) -> None:
    """Fill `entry` from an issued document's fields, and record a seal that does not hold.

    The seal is verified whichever way the ledger is opened: everything that sends money
    data (reminders, statements, receipts) relies on `entry.problems` telling it.
    """
    entry.number = str(data.get("number"))
    kind = data.get("kind")
    entry.kind = kind if isinstance(kind, str) else ""
    for key in ("issue_date", "due_date", "valid_until"):
        value = data.get(key)
        if isinstance(value, dt.date):
            setattr(entry, key, value)
    entry.client_id = str(_inner(data, "client", "id") or "")
    entry.client_name = str(_inner(data, "client", "name") or "")
    entry.currency = str(data.get("currency") or "")
    entry.gross = amount_or_zero(_inner(data, "totals", "gross"))
    entry.due = amount_or_zero(_inner(data, "totals", "due"))
    paid = _payments(data)
    entry.paid = round_money(paid, entry.currency) if is_currency(entry.currency) else paid
    entry.credit_note_of = _inner(data, "credit_note_of", "number")
    entry.quote = _inner(data, "quote", "number")
    for line in data.get("lines") or []:
        deposit = line.get("deposit") if isinstance(line, dict) else None
        if isinstance(deposit, dict) and deposit.get("number") not in entry.deducts:
            entry.deducts.append(str(deposit.get("number")))
    tracking = data.get("tracking")
    if isinstance(tracking, dict):
        for key in ("accepted", "declined"):
            event = tracking.get(key)
            if isinstance(event, dict) and isinstance(event.get("date"), dt.date):
                setattr(entry, key, event["date"])
        sendings = tracking.get("sendings")
        if isinstance(sendings, list) and sendings and isinstance(sendings[0], dict):
            first = sendings[0].get("date")
            entry.sent = first if isinstance(first, dt.date) else None
    entry.source_sha256 = _inner(data, "source", "sha256")
    seal = data.get("seal")
    if isinstance(seal, YMap):
        entry.seal = seal.get("sha256")
        entry.previous = seal.get("previous")
        entry.previous_line = seal.mark("previous")[0]
        entry.seal_version = seal_version(data)
        entry.problems.extend(seal_problems(data, entry.path))


def _inner(data: YMap, section: str, key: str) -> Any:
    """`data[section][key]`, or None when the section is not a mapping."""
    section_data = data.get(section)
    return section_data.get(key) if isinstance(section_data, dict) else None


def amount_or_zero(value: Any) -> Decimal:
    """A stored amount as a Decimal; 0 for anything that is not a number."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return ZERO


def _payments(data: YMap) -> Decimal:
    tracking = data.get("tracking")
    if not isinstance(tracking, dict):
        return ZERO
    payments = tracking.get("payments")
    if not isinstance(payments, list):
        return ZERO
    return sum((amount_or_zero(p.get("amount")) for p in payments if isinstance(p, dict)), ZERO)
