"""Payment reminders: which invoices are late, what they owe in penalties, which level is due.

Levels escalate (0 courtesy before the due date, 1 friendly, 2 firm, 3 formal notice) and
each is sent at most once. A level is due when the invoice is late enough for it and no
level as high was sent: after an outage only the highest level now due goes out, once.
Late-payment penalties (Code de commerce L441-10) run per day on the balance, at the
annual rate of facturo.yaml, without any reminder; business clients also owe a fixed 40 EUR
recovery indemnity (D441-5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from facturo.model.money import round_money
from facturo.store.index import Entry, Ledger

ZERO = Decimal(0)
DAYS_PER_YEAR = Decimal(365)
TONES = {0: "courtesy", 1: "friendly", 2: "firm", 3: "formal"}
RECOVERY_INDEMNITY_EUR = Decimal("40.00")
# A formal notice gives the client this many days to pay, counted from the letter's date.
LETTER_DEADLINE_DAYS = 8


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


@dataclass
class Late:
    """An invoice with a balance that is late (or nearly due), and what to do about it."""

    entry: Entry
    days_late: int
    balance: Decimal
    interest: Decimal
    indemnity: Decimal | None
    rate_percent: Decimal
    last_level: int | None
    last_date: dt.date | None
    due: Level | None  # the level to send now, if any
    reminders_off: bool = False


def penalty_interest(
    due_date: dt.date,
    today: dt.date,
    balance_changes: list[tuple[dt.date, Decimal]],
    opening: Decimal,
    rate_percent: Decimal,
    currency: str,
) -> Decimal:
    """Interest from the day after the due date to today, per day on the balance of that day.

    `opening` is what was owed on the due date; `balance_changes` are later payments and
    credit notes (negative amounts) and payment corrections (positive), by date. The annual
    rate is prorated over 365 days; the sum is rounded once, at the end.
    """
    if today <= due_date:
        return round_money(ZERO, currency)
    total = ZERO
    balance = opening
    day = due_date
    for when, change in sorted(balance_changes):
        if when > today:
            break
        if when > day:
            total += max(balance, ZERO) * (when - day).days
            day = when
        balance += change
    total += max(balance, ZERO) * (today - day).days
    return round_money(total * rate_percent / 100 / DAYS_PER_YEAR, currency)


def _history(document: dict[str, Any], credit_notes: list[Entry]) -> list[tuple[dt.date, Decimal]]:
    tracking = document.get("tracking") or {}
    changes = [
        (p["date"], -p["amount"]) for p in tracking.get("payments") or [] if isinstance(p, dict)
    ]
    return changes + [(n.issue_date, -n.gross) for n in credit_notes if n.issue_date is not None]


def review(ledger: Ledger, today: dt.date) -> list[Late]:
    """Every invoice with a balance that is late or inside the courtesy window, oldest first."""
    config = ledger.config()
    defaults = config.get("defaults") or {}
    rate = Decimal(defaults.get("late_penalty_rate_percent") or 0)
    clients = ledger.clients_with_problems()
    entries = ledger.entries()
    found: list[Late] = []
    for entry in entries:
        if not entry.is_claim or entry.due_date is None or entry.balance <= 0:
            continue
        if entry.status(today) == "cancelled":
            continue
        client, _ = clients.get(entry.client_id, (None, []))
        levels = policy_for(config, client)
        days_late = (today - entry.due_date).days
        earliest = min((level.days for level in levels or DEFAULT_LEVELS), default=1)
        if days_late < min(earliest, 1):
            continue
        document = ledger.document(entry.number)
        sent = [
            r
            for r in (document.get("tracking") or {}).get("reminders") or []
            if isinstance(r, dict)
        ]
        last = max(sent, key=lambda r: (r.get("level", -1), str(r.get("date")))) if sent else None
        last_level = int(last["level"]) if last else None
        business = (document.get("client") or {}).get("kind", "business") == "business"
        # The rate the invoice stated is the one owed, even if facturo.yaml changed since.
        stated = (document.get("payment") or {}).get("late_penalty_rate_percent")
        invoice_rate = Decimal(stated) if stated is not None else rate
        interest = penalty_interest(
            entry.due_date,
            today,
            _history(document, ledger.credit_notes_of(entry.number)),
            entry.due,
            invoice_rate,
            entry.currency,
        )
        found.append(
            Late(
                entry=entry,
                days_late=max(days_late, 0),
                balance=entry.balance,
                interest=interest,
                indemnity=RECOVERY_INDEMNITY_EUR if business and days_late > 0 else None,
                rate_percent=invoice_rate,
                last_level=last_level,
                last_date=last.get("date") if last else None,
                due=_level_due(levels, days_late, last_level),
                reminders_off=levels is None,
            )
        )
    return sorted(found, key=lambda late: (late.entry.due_date or today, late.entry.number))


def _level_due(levels: tuple[Level, ...] | None, days_late: int, last: int | None) -> Level | None:
    if levels is None:
        return None
    reached = [level for level in levels if days_late >= level.days]
    if not reached:
        return None
    highest = max(reached, key=lambda level: level.level)
    if last is not None and highest.level <= last:
        return None
    return highest
