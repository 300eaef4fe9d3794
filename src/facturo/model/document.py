"""Typed views over documents: parties, payments and the issued document, with the defaults.

The sealed YAML stays the record (the seal and tracking need its raw mapping); these views
read it once, with every default applied here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from facturo.model.account import WRITE_OFF, Account, Movement
from facturo.model.kinds import KINDS, Kind


@dataclass(frozen=True)
class Defaults:
    """What a document gets when neither the draft, the client nor facturo.yaml says."""

    currency: str = "EUR"
    language: str = "fr"
    payment_terms: str = "30 days"
    client_kind: str = "business"
    vat_regime: str = "standard"
    operation: str = "services"
    quote_validity_days: int = 30


DEFAULTS = Defaults()

# An email recorded in tracking (a reminder, a sending) is written "pending" before the mail
# server is contacted and "sent" once it accepted the message, so that a crash in between
# is never taken for "not sent"; "not-sent" is a pending one the user found never went out.
# Records without a status were written before statuses existed: they were sent.
PENDING = "pending"
SENT = "sent"
NOT_SENT = "not-sent"


def email_status(record: Mapping[str, Any]) -> str:
    """The status of an email recorded in tracking: pending, sent or not-sent."""
    status = record.get("status")
    return status if status in (PENDING, NOT_SENT) else SENT


def emails_of(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The records of `tracking.<key>` (reminders, sendings) that may have gone out."""
    tracking = raw.get("tracking") or {}
    records = tracking.get(key) if isinstance(tracking, Mapping) else None
    return [r for r in records or [] if isinstance(r, Mapping) and email_status(r) != NOT_SENT]


def pick(key: str, *sources: Any, default: Any = None) -> Any:
    """The first value of `key` that is set (not missing, None or empty) in `sources`."""
    for source in sources:
        if isinstance(source, Mapping) and source.get(key) not in (None, ""):
            return source[key]
    return default


def language_of(*sources: Any) -> str:
    return str(pick("language", *sources, default=DEFAULTS.language))


def currency_of(*sources: Any) -> str:
    return str(pick("currency", *sources, default=DEFAULTS.currency))


def payment_terms_of(*sources: Any) -> str:
    return str(pick("payment_terms", *sources, default=DEFAULTS.payment_terms))


def is_business(party: Mapping[str, Any] | None) -> bool:
    """Businesses (the default) owe the recovery indemnity; private individuals do not."""
    return bool(pick("kind", party, default=DEFAULTS.client_kind) == "business")


# The French directory's addresses (scheme 0225): SIREN, SIREN_SIRET or SIREN_suffix.
_DIRECTORY_ADDRESS = re.compile(r"^[0-9]{9}(_[A-Za-z0-9.-]+)?$")
_SCHEMED_ADDRESS = re.compile(r"^([0-9]{4}):(\S+)$")  # e.g. 0088:5412345000013 (Peppol)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DIRECTORY_SCHEME = "0225"
EMAIL_SCHEME = "EM"


def parse_electronic_address(text: str) -> tuple[str, str] | None:
    """(scheme, identifier) of a written electronic address, None when it is none of:
    SIREN[_SIRET or _suffix] (French directory, 0225), an email (EM), SCHEME:identifier."""
    text = text.strip()
    if _DIRECTORY_ADDRESS.match(text):
        return DIRECTORY_SCHEME, text
    schemed = _SCHEMED_ADDRESS.match(text)
    if schemed:
        return schemed.group(1), schemed.group(2)
    if _EMAIL.match(text):
        return EMAIL_SCHEME, text
    return None


@dataclass(frozen=True)
class Party:
    """A seller or client as a document recorded it."""

    name: str
    kind: str
    address: Mapping[str, Any]
    siren: str | None
    vat_number: str | None
    email: str | None
    electronic_address: str | None = None

    @property
    def endpoint(self) -> tuple[str, str] | None:
        """Where e-invoices reach this party (BT-34, BT-49) as (scheme, identifier): the
        address written, else a French party's SIREN in the directory (0225), else its email."""
        if self.electronic_address:
            written = parse_electronic_address(self.electronic_address)
            if written:
                return written
        if self.country == "FR" and self.siren:
            return DIRECTORY_SCHEME, "".join(str(self.siren).split())
        if self.email:
            return EMAIL_SCHEME, self.email.strip()
        return None

    @property
    def is_business(self) -> bool:
        return self.kind == "business"

    @property
    def country(self) -> str | None:
        country = self.address.get("country")
        return str(country) if country else None

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> Party:
        data = data or {}
        address = data.get("address")
        return cls(
            name=str(data.get("name") or ""),
            kind=str(pick("kind", data, default=DEFAULTS.client_kind)),
            address=address if isinstance(address, Mapping) else {},
            siren=data.get("siren") or None,
            vat_number=data.get("vat_number") or None,
            email=data.get("email") or None,
            electronic_address=data.get("electronic_address") or None,
        )


@dataclass(frozen=True, slots=True)
class Payment:
    """One entry of `tracking.payments`: money received (or a negative correction)."""

    index: int  # 1-based position in tracking.payments
    date: dt.date
    amount: Decimal
    method: str
    reference: str | None
    reason: str | None

    @property
    def is_correction(self) -> bool:
        return self.amount <= 0

    @property
    def is_write_off(self) -> bool:
        return self.method == WRITE_OFF


def payments_of(document: Mapping[str, Any]) -> tuple[Payment, ...]:
    """The payments recorded on a document, in the order they were recorded."""
    tracking = document.get("tracking") or {}
    found = tracking.get("payments") if isinstance(tracking, Mapping) else None
    return tuple(
        Payment(
            index=index,
            date=item["date"],
            amount=Decimal(item["amount"]),
            method=str(item.get("method") or "other"),
            reference=item.get("reference") or None,
            reason=item.get("reason") or None,
        )
        for index, item in enumerate(found if isinstance(found, list) else [], start=1)
        if isinstance(item, Mapping)
    )


@dataclass(frozen=True)
class IssuedDocument:
    """An issued document read from its sealed mapping (kept in `raw`)."""

    raw: Mapping[str, Any]

    @property
    def number(self) -> str:
        return str(self.raw["number"])

    @property
    def kind(self) -> Kind:
        return KINDS[str(self.raw["kind"])]

    @property
    def issue_date(self) -> dt.date:
        value: dt.date = self.raw["issue_date"]
        return value

    @property
    def due_date(self) -> dt.date | None:
        value = self.raw.get("due_date")
        return value if isinstance(value, dt.date) else None

    @property
    def currency(self) -> str:
        return currency_of(self.raw)

    @property
    def language(self) -> str:
        return language_of(self.raw)

    @property
    def seller(self) -> Party:
        return Party.of(self.raw.get("seller"))

    @property
    def client(self) -> Party:
        return Party.of(self.raw.get("client"))

    @property
    def gross(self) -> Decimal:
        return Decimal(self.raw["totals"]["gross"])

    @property
    def due_at_issue(self) -> Decimal:
        """What the client owed at issue (BT-115): the total less deposits deducted then."""
        totals = self.raw.get("totals") or {}
        return Decimal(totals.get("due", totals.get("gross", 0)))

    @property
    def payments(self) -> tuple[Payment, ...]:
        return payments_of(self.raw)

    @property
    def stated_penalty_rate(self) -> Decimal | None:
        """The late-penalty rate the invoice printed: the one owed, whatever changed since."""
        rate = (self.raw.get("payment") or {}).get("late_penalty_rate_percent")
        return Decimal(rate) if rate is not None else None

    @property
    def reminders_sent(self) -> list[Mapping[str, Any]]:
        """The reminders that went out, or may have (pending): never sent again."""
        return emails_of(self.raw, "reminders")

    def pending_email(self, key: str) -> Mapping[str, Any] | None:
        """The first email of `tracking.<key>` that may or may not have gone out."""
        pending = [r for r in emails_of(self.raw, key) if email_status(r) == PENDING]
        return pending[0] if pending else None

    def account(self, credit_notes: Sequence[tuple[dt.date, Decimal]] = ()) -> Account:
        """The account of this document given the (date, gross) of its credit notes."""
        return account_from(
            self.currency, self.due_at_issue, self.due_date, self.payments, credit_notes
        )


def account_from(
    currency: str,
    due: Decimal,
    due_date: dt.date | None,
    payments: Sequence[Payment],
    credit_notes: Sequence[tuple[dt.date, Decimal]],
) -> Account:
    """The account of a receivable from what was due at issue, its payments (write-offs
    included) and the (date, gross) of its credit notes: the file's or the index's."""
    return Account(
        currency=currency,
        due=due,
        due_date=due_date,
        payments=tuple(Movement(p.date, p.amount, p.is_write_off) for p in payments),
        credit_notes=tuple(Movement(day, gross) for day, gross in credit_notes),
    )


LINK_FIELDS = ("number", "amount", "currency")  # what a payment link template may name


def payment_link(template: str | None, number: str, amount: Decimal, currency: str) -> str | None:
    """The online payment page of a document: `template` with its number, the amount to
    pay (plain, e.g. 1234.50) and the currency put in, URL-quoted; None without a template."""
    if not template:
        return None
    from urllib.parse import quote

    values = {"number": number, "amount": format(amount, "f"), "currency": currency}
    return template.format(**{key: quote(value, safe="") for key, value in values.items()})
