"""One account per receivable: paid, credited, balance, status, aging, penalties and the claim.

Every place that shows what a client owes today (list, show, statements, receipts,
reminders, the formal notice) asks an `Account`; none adds payments up on its own. The
issued document itself (its PDF and e-invoice) shows what was owed at issue, never this.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol

from facturo.model.money import round_money
from facturo.model.statuses import (
    CANCELLED,
    ISSUED,
    OVERDUE,
    PAID,
    PARTIALLY_PAID,
)

ZERO = Decimal(0)
DAYS_PER_YEAR = Decimal(365)
RECOVERY_INDEMNITY_EUR = Decimal("40.00")  # Code de commerce D441-5
INDEMNITY_CURRENCY = "EUR"  # the indemnity is 40 euros whatever the invoice's currency
WRITE_OFF = "write-off"  # the method of a tracking.payments entry that writes a balance off
LETTER_DEADLINE_DAYS = 8  # the time a formal notice gives to pay
AGING_BUCKETS = ("not_due", "1-30", "31-60", "61-90", "over_90")


@dataclass(frozen=True)
class Movement:
    """A change to what is owed: a payment (positive), a correction (negative), a credit note."""

    date: dt.date
    amount: Decimal  # what it takes off the balance
    write_off: bool = False  # a small balance given up on: settles, but nothing was paid


@dataclass(frozen=True)
class Claim:
    """What a reminder asks for: the balance, the interest and, from a business, the indemnity.

    The indemnity is 40 EUR (D441-5) on an invoice in any currency: on an invoice in another
    currency it is claimed beside the total, never converted nor added into it.
    """

    balance: Decimal
    interest: Decimal
    indemnity: Decimal | None  # None: not owed (private individuals, not yet late); in EUR
    rate_percent: Decimal
    days_late: int
    deadline: dt.date  # the date a formal notice sent today gives
    currency: str = INDEMNITY_CURRENCY

    @property
    def indemnity_apart(self) -> bool:
        """True when the indemnity (in EUR) is claimed beside a total in another currency."""
        return self.indemnity is not None and self.currency != INDEMNITY_CURRENCY

    @property
    def total(self) -> Decimal:
        """Balance and interest, in the invoice's currency, and the indemnity when it is EUR."""
        indemnity = ZERO if self.indemnity_apart else (self.indemnity or ZERO)
        return self.balance + self.interest + indemnity


@dataclass(frozen=True)
class Account:
    """What the client owes on one receivable document, from its movements."""

    currency: str
    due: Decimal  # owed at issue (BT-115): the total less what was deducted at issue
    due_date: dt.date | None
    payments: tuple[Movement, ...] = ()
    credit_notes: tuple[Movement, ...] = ()

    @property
    def paid(self) -> Decimal:
        """What the client paid (write-offs are not payments)."""
        return sum((p.amount for p in self.payments if not p.write_off), self.due * 0)

    @property
    def written_off(self) -> Decimal:
        """Small balances given up on (`pay --write-off`): settled, not paid."""
        return sum((p.amount for p in self.payments if p.write_off), self.due * 0)

    @property
    def credited(self) -> Decimal:
        return sum((c.amount for c in self.credit_notes), self.due * 0)

    @property
    def balance(self) -> Decimal:
        """What the client still owes: due - payments - write-offs - credit notes."""
        return self.due - self.paid - self.written_off - self.credited

    def until(self, day: dt.date) -> Account:
        """The account as it stood at the end of `day`."""
        return replace(
            self,
            payments=tuple(p for p in self.payments if p.date <= day),
            credit_notes=tuple(c for c in self.credit_notes if c.date <= day),
        )

    def at_payment(self, index: int) -> Account:
        """The account as the receipt of payment `index` (1-based) shows it: the payments
        recorded up to it, the credit notes issued by its date."""
        day = self.payments[index - 1].date
        return replace(
            self,
            payments=self.payments[:index],
            credit_notes=tuple(c for c in self.credit_notes if c.date <= day),
        )

    def status(self, today: dt.date) -> str:
        """issued, partially-paid, paid, overdue or cancelled (fully credited)."""
        settled = self.paid + self.written_off
        return receivable_status(self.due, settled, self.credited, self.due_date, today)

    def days_late(self, today: dt.date) -> int:
        if self.due_date is None or self.balance <= 0:
            return 0
        return max(0, (today - self.due_date).days)

    def aging_bucket(self, today: dt.date) -> str:
        return aging_bucket(self.days_late(today))

    def penalty_interest(self, today: dt.date, rate_percent: Decimal) -> Decimal:
        """Interest from the day after the due date to today, per day on that day's balance.

        The annual rate is prorated over 365 days; the sum is rounded once, at the end.
        """
        if self.due_date is None or today <= self.due_date:
            return round_money(ZERO, self.currency)
        changes = sorted((m.date, -m.amount) for m in self.payments + self.credit_notes)
        total = ZERO
        balance = self.due
        day = self.due_date
        for when, change in changes:
            if when > today:
                break
            if when > day:
                total += max(balance, ZERO) * (when - day).days
                day = when
            balance += change
        total += max(balance, ZERO) * (today - day).days
        return round_money(total * rate_percent / 100 / DAYS_PER_YEAR, self.currency)

    def claim(self, today: dt.date, rate_percent: Decimal, *, business: bool) -> Claim:
        """The claim of a reminder sent today (L441-10: interest; D441-5: 40 EUR indemnity)."""
        days_late = self.days_late(today)
        late = self.due_date is not None and today > self.due_date
        return Claim(
            balance=self.balance,
            interest=self.penalty_interest(today, rate_percent),
            indemnity=RECOVERY_INDEMNITY_EUR if business and late else None,
            rate_percent=rate_percent,
            days_late=days_late,
            deadline=today + dt.timedelta(days=LETTER_DEADLINE_DAYS),
            currency=self.currency,
        )


def receivable_status(
    due: Decimal, paid: Decimal, credited: Decimal, due_date: dt.date | None, today: dt.date
) -> str:
    """The status of a receivable from its totals (what `Account.status` and the index use)."""
    if due > 0 and credited >= due:
        return CANCELLED
    if due - paid - credited <= 0:
        return PAID
    if due_date is not None and today > due_date:
        return OVERDUE
    return PARTIALLY_PAID if paid > 0 else ISSUED


class Summarized(Protocol):
    """What a document's balance, lateness and status are derived from: an index entry
    (store/entry.py) or a row `list` reads straight from the cache (reports/listing.py)."""

    @property
    def kind(self) -> str: ...
    @property
    def is_receivable(self) -> bool: ...
    @property
    def due(self) -> Decimal: ...
    @property
    def paid(self) -> Decimal: ...
    @property
    def written_off(self) -> Decimal: ...
    @property
    def credited(self) -> Decimal: ...
    @property
    def due_date(self) -> dt.date | None: ...
    @property
    def valid_until(self) -> dt.date | None: ...
    @property
    def sent(self) -> dt.date | None: ...
    @property
    def accepted(self) -> dt.date | None: ...
    @property
    def declined(self) -> dt.date | None: ...


def balance_of(document: Summarized) -> Decimal:
    """What the client still owes: due - payments - write-offs - credit notes (0 unless
    receivable)."""
    if not document.is_receivable:
        return document.due * 0  # zero, with the currency's decimals
    return document.due - document.paid - document.written_off - document.credited


def days_late_of(document: Summarized, today: dt.date) -> int:
    """Days past the due date while something is owed (0 otherwise)."""
    if not document.is_receivable or document.due_date is None or balance_of(document) <= 0:
        return 0
    return max(0, (today - document.due_date).days)


def status_of(document: Summarized, today: dt.date) -> str:
    """A status code, derived, never stored (model/statuses.py lists them)."""
    if document.kind == "quote":
        return quote_status(
            today,
            valid_until=document.valid_until,
            sent=document.sent,
            accepted=document.accepted,
            declined=document.declined,
        )
    if not document.is_receivable:
        return ISSUED
    settled = document.paid + document.written_off
    return receivable_status(document.due, settled, document.credited, document.due_date, today)


def aging_bucket(days_late: int) -> str:
    """The aging column of an open amount `days_late` days past its due date."""
    if days_late <= 0:
        return "not_due"
    if days_late <= 30:
        return "1-30"
    if days_late <= 60:
        return "31-60"
    if days_late <= 90:
        return "61-90"
    return "over_90"


def quote_status(
    today: dt.date,
    *,
    valid_until: dt.date | None,
    sent: dt.date | None,
    accepted: dt.date | None,
    declined: dt.date | None,
) -> str:
    """issued, sent, accepted, declined or expired."""
    if declined:
        return "declined"
    if accepted:
        return "accepted"
    if valid_until and today > valid_until:
        return "expired"
    return "sent" if sent else "issued"
