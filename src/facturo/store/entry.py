"""One issued document's summary: what list, check and numbering need.

The summary is read from the document's fields (`summarize`) or back from the index cache
(store/cached_entries.py), where anything of the wrong type makes the cache stale, never a
crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from sys import intern
from typing import Any

from facturo.errors import Problem
from facturo.files.marked import YMap
from facturo.model.account import balance_of, days_late_of, status_of
from facturo.model.document import PENDING, Payment, email_status, emails_of, is_business
from facturo.model.kinds import KINDS, is_receivable
from facturo.model.money import is_currency, round_money
from facturo.model.platform_status import platform_state
from facturo.store.seal import seal_problems, seal_version

ZERO = Decimal(0)
_RECEIVABLE = {kind: is_receivable(kind) for kind in KINDS}  # asked for every entry listed
UNREAD = "_unread"  # the columns of the index cache an entry read back left unread
# The seal's fields: only the commands that verify files (check, issue) read them.
SEAL_FIELDS = (
    "seal",
    "previous",
    "previous_line",
    "seal_version",
    "source_sha256",
    "content_sha256",
)
_LISTS = frozenset(("deducts", "payments", "reminders", "problems"))  # made when first used


@dataclass(slots=True)
class Entry:
    """What `list`, `check` and numbering need to know of one issued document."""

    path: str
    number: str = ""
    kind: str = ""
    series: str | None = None  # a named numbering series (numbering.series); None: its kind's
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    valid_until: dt.date | None = None
    client_id: str = ""
    client_name: str = ""
    currency: str = ""
    gross: Decimal = ZERO
    due: Decimal = ZERO
    paid: Decimal = ZERO
    written_off: Decimal = ZERO  # small balances given up on (`pay --write-off`)
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
    # What reminders, statements and accounts need, so that they never open the file:
    payments: list[Payment] = field(default_factory=list)  # as recorded, dated
    reminders: list[tuple[int, dt.date]] = field(default_factory=list)  # (level, date) sent
    penalty_rate: Decimal | None = None  # the late-penalty rate the document stated
    business: bool = True  # the client, as the document recorded it, owes the indemnity
    # A reminder recorded as about to be sent and never confirmed: level, date, message_id,
    # started (model/document.py: it may have gone out, so nothing more is sent).
    pending_reminder: dict[str, Any] | None = None
    subscription: str | None = None  # invoices `facturo recur` made: the subscription's id
    service_start: dt.date | None = None  # the first day of the service period
    # Where the document stands on the approved platform (model/platform_status.py): the
    # state code (None: never transmitted), the last lifecycle status code and its rule.
    platform: str | None = None
    platform_code: int | None = None
    platform_rule: str | None = None
    problems: list[Problem] = field(default_factory=list)
    # Derived across documents on every read (never cached): credit notes on an invoice.
    credited: Decimal = ZERO
    # The index cache's columns left unread that this entry reads from when first asked
    # (store/cached_entries.py: Unread); None once every field is its own.
    _unread: Any = field(default=None, init=False, repr=False, compare=False)

    def __getattr__(self, name: str) -> Any:
        # Only for a field not set, on an entry read back from the cache (store/
        # cached_entries.py makes them without __init__): one of a column left unread,
        # else its default (a new empty list for a list field).
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            unread = _UNREAD_SLOT.__get__(self)
        except AttributeError:
            unread = None
        value: Any
        if unread is not None and name in unread.names:
            value = unread.value(name, self.path)
        elif name in _LISTS:
            value = []
        elif name in _DEFAULTS:
            value = _DEFAULTS[name]
        else:
            raise AttributeError(name)
        setattr(self, name, value)
        return value

    def __getstate__(self) -> tuple[Any, ...]:
        # Pickled (sent to another process): every field its own, none left to a cache.
        return tuple(getattr(self, name) for name in FIELD_NAMES)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        values = _shared(state)
        for setter, value in zip(SETTERS, values, strict=True):
            setter(self, value)
        self._unread = None
        for at, deleter in _LIST_DELETERS:  # an empty list is made when first used
            if values[at] == []:
                deleter(self)

    def take(self, other: Entry) -> None:
        """Every field as `other` holds it (an entry read again from its file)."""
        for name in FIELD_NAMES:
            setattr(self, name, getattr(other, name))
        self._unread = None

    @property
    def is_receivable(self) -> bool:
        """Invoices and deposit invoices are owed; quotes and credit notes are not."""
        return _RECEIVABLE.get(self.kind, False)

    @property
    def balance(self) -> Decimal:
        """What the client still owes: due - payments - write-offs - credit notes (0 unless
        receivable)."""
        return balance_of(self)

    def days_late(self, today: dt.date) -> int:
        return days_late_of(self, today)

    def status(self, today: dt.date) -> str:
        """A status code, derived, never stored (model/account.py lists them)."""
        return status_of(self, today)


# An entry's fields are slots (no dictionary each: 50,000 entries are held at once), and
# one not set goes through __getattr__: its value is an unread column's, or its default.
FIELD_NAMES = tuple(found.name for found in fields(Entry) if found.name != UNREAD)
_DEFAULTS = {found.name: found.default for found in fields(Entry) if found.default is not MISSING}
_UNREAD_SLOT = vars(Entry)[UNREAD]
AMOUNTS = ("gross", "due", "paid", "written_off", "penalty_rate")  # the amounts of a document
SETTERS = tuple(vars(Entry)[name].__set__ for name in FIELD_NAMES)  # by the slots themselves
_LIST_DELETERS = tuple(
    (FIELD_NAMES.index(name), vars(Entry)[name].__delete__) for name in sorted(_LISTS)
)


def peek(entry: Entry, name: str) -> Any:
    """Field `name` of `entry` as __getattr__ would give it, without keeping a list made for
    it (the index cache reads every field of 50,000 entries: most lists are empty)."""
    try:
        return _SLOTS[name].__get__(entry)
    except AttributeError:
        pass
    if name in _LISTS:
        try:
            unread = _UNREAD_SLOT.__get__(entry)
        except AttributeError:
            unread = None
        if unread is None or name not in unread.names:
            return []
    return getattr(entry, name)


_SLOTS = {name: vars(Entry)[name] for name in FIELD_NAMES}


# Entries received from worker processes come in chunks, each with its own copy of every
# value: the texts, dates and amounts many documents repeat (a client, a day, a price) are
# made one object each as they arrive (50,000 entries are held at once), until `forget_shared`.
_TEXTS = "kind series client_id client_name currency subscription platform platform_rule"
_DATES = "issue_date due_date valid_until accepted declined sent service_start"
_SHARED_TEXTS = tuple(FIELD_NAMES.index(name) for name in _TEXTS.split())
_SHARED_DATES = tuple(FIELD_NAMES.index(name) for name in _DATES.split())
_SHARED_AMOUNTS = tuple(FIELD_NAMES.index(name) for name in (*AMOUNTS, "credited"))
_PAYMENTS = FIELD_NAMES.index("payments")
_DAYS: dict[dt.date, dt.date] = {}
_AMOUNTS: dict[str, Decimal] = {}  # by their text: 0.00 is not 0
KEPT_SHARED = 20_000  # values of each kind shared at most


def _shared(state: tuple[Any, ...]) -> list[Any]:
    """An entry's pickled fields with the values other entries hold made the same objects
    (once KEPT_SHARED dates or amounts are, those of later entries are kept as they are)."""
    values = list(state)
    for at in _SHARED_TEXTS:
        value = values[at]
        if type(value) is str:
            values[at] = intern(value)
    days, amounts = _DAYS, _AMOUNTS
    if len(days) >= KEPT_SHARED or len(amounts) >= KEPT_SHARED:
        return values
    for at in _SHARED_DATES:
        value = values[at]
        if type(value) is dt.date:
            values[at] = days.setdefault(value, value)
    # an entry's amounts are often one object (paid is what was due): each looked up once
    seen: dict[int, Decimal] = {}  # id -> shared, of objects `state` keeps alive meanwhile
    for at in _SHARED_AMOUNTS:
        value = values[at]
        if type(value) is Decimal:
            shared = seen.get(id(value))
            if shared is None:
                shared = seen[id(value)] = amounts.setdefault(str(value), value)
            values[at] = shared
    payments = values[_PAYMENTS]
    if payments and type(payments) is list:
        values[_PAYMENTS] = [_payment(payment, seen) for payment in payments]
    return values


def _payment(payment: Any, seen: dict[int, Decimal]) -> Any:
    if type(payment) is not Payment or type(payment.amount) is not Decimal:
        return payment
    amount = seen.get(id(payment.amount))
    if amount is None:
        amount = _AMOUNTS.setdefault(str(payment.amount), payment.amount)
    day = payment.date
    return Payment(
        payment.index, _DAYS.setdefault(day, day) if type(day) is dt.date else day, amount,
        intern(payment.method), payment.reference, payment.reason,
    )  # fmt: skip


def forget_shared() -> None:
    """Let go of the values entries received were made to share (see _shared)."""
    _DAYS.clear()
    _AMOUNTS.clear()


def summarize(data: YMap, entry: Entry) -> None:
    """Fill `entry` from an issued document's fields, and record a seal that does not hold.

    The seal is verified whichever way the ledger is opened: everything that sends money
    data (reminders, statements, receipts) relies on `entry.problems` telling it.
    """
    entry.number = str(data.get("number"))
    kind = data.get("kind")
    entry.kind = kind if isinstance(kind, str) and kind in KINDS else ""
    series = data.get("series")
    entry.series = series if isinstance(series, str) and series else None
    for key in ("issue_date", "due_date", "valid_until"):
        value = data.get(key)
        if isinstance(value, dt.date):
            setattr(entry, key, value)
    entry.client_id = str(_inner(data, "client", "id") or "")
    entry.client_name = str(_inner(data, "client", "name") or "")
    entry.currency = str(data.get("currency") or "")
    entry.gross = amount_or_zero(_inner(data, "totals", "gross"))
    due = _inner(data, "totals", "due")
    entry.due = amount_or_zero(due) if due is not None else entry.gross
    entry.payments = _payments(data)
    for key, write_off in (("paid", False), ("written_off", True)):
        amount = sum((p.amount for p in entry.payments if p.is_write_off is write_off), ZERO)
        exact = round_money(amount, entry.currency) if is_currency(entry.currency) else amount
        setattr(entry, key, exact)
    tracking = data.get("tracking")
    # Emails and transmissions are looked for only in a tracking section that has them.
    recorded = tracking if isinstance(tracking, (dict, Mapping)) else {}
    if "reminders" in recorded:
        entry.reminders = _reminders(data)
        entry.pending_reminder = _pending_reminder(data)
    else:
        entry.reminders, entry.pending_reminder = [], None
    rate = _inner(data, "payment", "late_penalty_rate_percent")
    entry.penalty_rate = amount_or_zero(rate) if rate is not None else None
    client = data.get("client")
    entry.business = is_business(client if isinstance(client, dict) else None)
    subscription = data.get("subscription")
    entry.subscription = subscription if isinstance(subscription, str) else None
    start = _inner(data, "service_period", "start")
    entry.service_start = start if isinstance(start, dt.date) else None
    entry.credit_note_of = _stored_text(_inner(data, "credit_note_of", "number"))
    entry.quote = _stored_text(_inner(data, "quote", "number"))
    for line in data.get("lines") or []:
        deposit = line.get("deposit") if isinstance(line, dict) else None
        if isinstance(deposit, dict) and deposit.get("number") not in entry.deducts:
            entry.deducts.append(str(deposit.get("number")))
    if isinstance(tracking, dict):
        for key in ("accepted", "declined"):
            event = tracking.get(key)
            if isinstance(event, dict) and isinstance(event.get("date"), dt.date):
                setattr(entry, key, event["date"])
        sendings = emails_of(data, "sendings") if "sendings" in tracking else []
        if sendings:
            first = sendings[0].get("date")
            entry.sent = first if isinstance(first, dt.date) else None
    state = platform_state(data) if "transmissions" in recorded else None
    if state is not None:
        entry.platform, entry.platform_code, entry.platform_rule = (
            state.state,
            state.code,
            state.rule,
        )
    entry.source_sha256 = _stored_text(_inner(data, "source", "sha256"))
    seal = data.get("seal")
    if isinstance(seal, YMap):
        entry.seal = _stored_text(seal.get("sha256"))
        entry.previous = _stored_text(seal.get("previous"))
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


def _stored_text(value: Any) -> str | None:
    """A stored text, or None for anything else (a damaged file can hold any shape)."""
    return value if isinstance(value, str) else None


def _payments(data: YMap) -> list[Payment]:
    """The payments recorded; one without a date or amount counts for nothing (check says)."""
    tracking = data.get("tracking")
    records = tracking.get("payments") if isinstance(tracking, dict) else None
    found = []
    for index, item in enumerate(records if isinstance(records, list) else [], start=1):
        if not isinstance(item, dict):
            continue
        day, amount = item.get("date"), item.get("amount")
        if not isinstance(day, dt.date) or isinstance(amount, bool):
            continue
        if isinstance(amount, Decimal | int):
            found.append(
                Payment(
                    index=index,
                    date=day,
                    amount=Decimal(amount),
                    method=str(item.get("method") or "other"),
                    reference=str(item["reference"]) if item.get("reference") else None,
                    reason=str(item["reason"]) if item.get("reason") else None,
                )
            )
    return found


def _reminders(data: YMap) -> list[tuple[int, dt.date]]:
    """The reminders that went out or may have (pending); not those known never sent."""
    return [
        (r["level"], r["date"])
        for r in emails_of(data, "reminders")
        if isinstance(r.get("level"), int) and isinstance(r.get("date"), dt.date)
    ]


def _pending_reminder(data: YMap) -> dict[str, Any] | None:
    for record in emails_of(data, "reminders"):
        if email_status(record) == PENDING:
            level, day = record.get("level"), record.get("date")
            return {
                "level": level if isinstance(level, int) else None,
                "date": day if isinstance(day, dt.date) else None,
                "message_id": str(record.get("message_id") or ""),
                "started": str(record.get("started") or ""),
            }
    return None
