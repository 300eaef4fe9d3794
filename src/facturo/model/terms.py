"""Payment terms: the grammar users write, due dates, and the French legal maximum."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

GRAMMAR = (
    '"on receipt", "30 days", "45 days end of month" (or "à réception", "30 jours", '
    '"45 jours fin de mois")'
)

_ON_RECEIPT = re.compile(r"^(?:on receipt|upon receipt|(?:à|a|dès|des) r[ée]ception)$")
_DAYS = re.compile(
    r"^(?P<days>[0-9]{1,3})\s*(?:days?|jours?|j)(?:\s+(?P<eom>end of month|fin de mois))?$"
)

# Code de commerce L441-10: agreed terms may not exceed 60 days after issue,
# or 45 days end of month when the contract says so.
LEGAL_MAX_DAYS = 60
LEGAL_MAX_DAYS_END_OF_MONTH = 45


@dataclass(frozen=True)
class PaymentTerms:
    """Days after issue, optionally rounded up to the end of that month (0 = on receipt)."""

    days: int
    end_of_month: bool = False

    def due_date(self, issue_date: dt.date) -> dt.date:
        due = issue_date + dt.timedelta(days=self.days)
        if self.end_of_month:
            last = calendar.monthrange(due.year, due.month)[1]
            due = due.replace(day=last)
        return due

    def legal_excess(self) -> str | None:
        """Why these terms exceed the French maximum between businesses, or None."""
        if self.end_of_month and self.days > LEGAL_MAX_DAYS_END_OF_MONTH:
            return (
                f"{self.days} days end of month exceed the legal maximum of "
                f"{LEGAL_MAX_DAYS_END_OF_MONTH} days end of month (Code de commerce L441-10)"
            )
        if not self.end_of_month and self.days > LEGAL_MAX_DAYS:
            return (
                f"{self.days} days exceed the legal maximum of {LEGAL_MAX_DAYS} days "
                "after issue (Code de commerce L441-10)"
            )
        return None


def parse_terms(text: str) -> PaymentTerms:
    """Read payment terms; raise ValueError naming the grammar."""
    normal = " ".join(text.strip().lower().split())
    if _ON_RECEIPT.match(normal):
        return PaymentTerms(0)
    match = _DAYS.match(normal)
    if match:
        return PaymentTerms(int(match.group("days")), match.group("eom") is not None)
    raise ValueError(f"unknown payment terms {text!r} (expected {GRAMMAR})")


def due_date_excess(issue_date: dt.date, due_date: dt.date) -> str | None:
    """Why an explicit due date exceeds the French maximum, or None."""
    days = (due_date - issue_date).days
    if days > LEGAL_MAX_DAYS:
        return (
            f"the due date is {days} days after issue, beyond the legal maximum of "
            f"{LEGAL_MAX_DAYS} days (Code de commerce L441-10)"
        )
    return None
