"""The amounts, dates and claim of a document or reminder read back from a context mapping."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from facturo.model.account import INDEMNITY_CURRENCY, LETTER_DEADLINE_DAYS, Claim
from facturo.model.document import is_business


def as_decimal(value: Any) -> Decimal:
    """An amount as a Decimal: missing or empty is zero, a float goes through its text."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if value is None or value == "":
        return Decimal(0)
    return Decimal(value)


def as_date(value: Any) -> datetime.date | None:
    """A date from a date, a datetime or an ISO string; None when there is none."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value)
    return None


def entries_of(value: Any) -> Iterator[Mapping[str, Any]]:
    """The mappings of a list (payments, rows...), skipping anything else."""
    for entry in value or []:
        if isinstance(entry, Mapping):
            yield entry


def claim_of(context: Mapping[str, Any], today: datetime.date) -> Claim | None:
    """The claim of a reminder context (what the email and the letter ask for), or None.

    `balance` and `penalties` (rate_percent, interest, indemnity) come from the account (see
    mail/sending.py); the fixed indemnity is owed by business clients only (L441-10), and is
    claimed in EUR beside a total in another currency (D441-5): `Claim` does that arithmetic.
    """
    if context.get("balance") is None:
        return None
    penalties: Mapping[str, Any] = context.get("penalties") or {}
    client: Mapping[str, Any] = context.get("client") or {}
    document = context.get("document")
    business = is_business(client)
    indemnity = penalties.get("indemnity") if business else None
    currency = (
        context.get("currency")
        or (document.get("currency") if isinstance(document, Mapping) else None)
        or INDEMNITY_CURRENCY
    )
    return Claim(
        balance=as_decimal(context["balance"]),
        interest=as_decimal(penalties.get("interest")),
        indemnity=None if indemnity in (None, "") else as_decimal(indemnity),
        rate_percent=as_decimal(penalties.get("rate_percent")),
        days_late=int(context.get("days_late") or 0),
        deadline=today + datetime.timedelta(days=LETTER_DEADLINE_DAYS),
        currency=str(currency),
    )
