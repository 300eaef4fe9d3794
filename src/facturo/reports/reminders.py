"""Payment reminders: which invoices are late, what they owe in penalties, which level is due.

Levels escalate (0 courtesy before the due date, 1 friendly, 2 firm, 3 formal notice) and
each is sent at most once. A level is due when the invoice is late enough for it and no
level as high was sent: after an outage only the highest level now due goes out, once.
Late-payment penalties (Code de commerce L441-10) run per day on the balance, at the
annual rate the invoice stated, without any reminder; business clients also owe a fixed 40 EUR
recovery indemnity (D441-5), in euros whatever the invoice's currency. A balance below
`reminders.minimum_amount` (euros) gets reminders but never a formal notice. The arithmetic
is the account's (model/account.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from facturo.lifecycle.exchange_rates import euros_of, minimum_amount
from facturo.model.account import Account, Claim
from facturo.model.statuses import CANCELLED
from facturo.store.index import Entry, Ledger

TONES = {0: "courtesy", 1: "friendly", 2: "firm", 3: "formal"}


@dataclass(frozen=True)
class Level:
    """One reminder level: sent `days` after the due date (negative: before it)."""

    level: int
    days: int
    letter: bool = False

    @property
    def tone(self) -> str:
        return TONES[self.level]


DEFAULT_LEVELS = (Level(1, 1), Level(2, 15), Level(3, 30, letter=True))


def levels_of(policy: Any) -> tuple[Level, ...]:
    """Levels from a `reminders:` mapping (facturo.yaml or a client file), sorted."""
    if not isinstance(policy, dict) or not policy.get("levels"):
        return DEFAULT_LEVELS
    levels = [
        Level(int(item["level"]), int(item["days"]), bool(item.get("letter", item["level"] == 3)))
        for item in policy["levels"]
    ]
    return tuple(sorted(levels, key=lambda level: level.level))


def policy_for(config: dict[str, Any], client: dict[str, Any] | None) -> tuple[Level, ...] | None:
    """The client's levels, the folder's, or None when the client is never reminded."""
    own = (client or {}).get("reminders")
    if own is False:
        return None
    if isinstance(own, dict):
        return levels_of(own)
    return levels_of(config.get("reminders"))


@dataclass(frozen=True)
class Late:
    """An invoice with a balance that is late (or nearly due), and what to do about it."""

    entry: Entry
    account: Account
    claim: Claim
    last_level: int | None
    last_date: dt.date | None
    level_due: Level | None  # the level to send now, if any
    reminders_off: bool = False
    below_minimum: bool = False  # under reminders.minimum_amount: no formal notice
    # A reminder recorded as about to be sent, never confirmed: it may have gone out, so
    # nothing more is sent for this invoice until the user says whether it did.
    pending: Mapping[str, Any] | None = None

    @property
    def days_late(self) -> int:
        return self.claim.days_late

    @property
    def balance(self) -> Decimal:
        return self.claim.balance


def review(ledger: Ledger, today: dt.date) -> list[Late]:
    """Every invoice with a balance that is late or inside the courtesy window, oldest first."""
    config = ledger.config()
    defaults = config.get("defaults") or {}
    rate = Decimal(defaults.get("late_penalty_rate_percent") or 0)
    clients = ledger.clients_with_problems()
    found: list[Late] = []
    for entry in ledger.entries():
        if not entry.is_receivable or entry.due_date is None or entry.balance <= 0:
            continue
        if entry.status(today) == CANCELLED:
            continue
        client, _ = clients.get(entry.client_id, (None, []))
        levels = policy_for(config, client)
        days_late = (today - entry.due_date).days
        earliest = min((level.days for level in levels or DEFAULT_LEVELS), default=1)
        if days_late < min(earliest, 1):
            continue
        # The index holds what is needed: no file is opened for an invoice not yet due a reminder.
        last = max(entry.reminders) if entry.reminders else None
        last_level = last[0] if last else None
        account = ledger.account_of(entry)
        minimum = minimum_amount(config, client)
        below = False
        if minimum is not None and account.balance > 0:
            # Only a foreign-currency invoice is opened: for its own exchange rate.
            euro = entry.currency == "EUR"
            raw = {"currency": "EUR"} if euro else ledger.document(entry.number)
            euros = euros_of(account.balance, raw, today)
            below = euros is not None and euros < minimum
        pending = entry.pending_reminder
        due_now = _level_due(levels, days_late, last_level, letters=not below)
        # The rate the invoice stated is the one owed, even if facturo.yaml changed since.
        stated = entry.penalty_rate
        claim = account.claim(
            today, stated if stated is not None else rate, business=entry.business
        )
        found.append(
            Late(
                entry=entry,
                account=account,
                claim=claim,
                last_level=last_level,
                last_date=last[1] if last else None,
                level_due=None if pending else due_now,
                reminders_off=levels is None,
                below_minimum=below,
                pending=pending,
            )
        )
    return sorted(found, key=lambda late: (late.entry.due_date or today, late.entry.number))


def _level_due(
    levels: tuple[Level, ...] | None, days_late: int, last: int | None, *, letters: bool = True
) -> Level | None:
    """The highest level reached and not sent yet; without `letters`, formal notices (the
    levels with a letter) are never due: a small balance gets reminders, not a formal notice."""
    if levels is None:
        return None
    reached = [
        level
        for level in levels
        if days_late >= level.days and (letters or not (level.letter or level.level == 3))
    ]
    if not reached:
        return None
    highest = max(reached, key=lambda level: level.level)
    if last is not None and highest.level <= last:
        return None
    return highest
