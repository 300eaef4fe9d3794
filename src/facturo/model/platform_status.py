"""Where a transmitted document stands on the approved platform: CDAR codes and the derived state.

The states are codes, not words (output/words.py says them): `pending` (a post recorded and
never answered), `sent` (the platform took the flow, no status read yet), then the name of
the last lifecycle status read back (XP Z12-012: 200 deposited ... 213 rejected).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PENDING = "pending"
SENT = "sent"
DEPOSITED = 200
REFUSED = 210  # refused by the buyer: the invoice exists; a credit note cancels it
PAID = 212
REJECTED = 213  # rejected by the platform: the invoice is deemed never issued as an e-invoice

# The lifecycle statuses of XP Z12-012 (the CDV rules), by code.
CODES: dict[int, str] = {
    200: "deposited", 201: "issued", 202: "received", 203: "made-available", 204: "in-hand",
    205: "approved", 206: "partly-approved", 207: "disputed", 208: "suspended",
    209: "completed", 210: "refused", 211: "payment-sent", 212: "paid", 213: "rejected",
    214: "endorsed",
}  # fmt: skip
OTHER = "other"  # a code outside the list: shown with its number
STATES = (PENDING, SENT, *CODES.values(), OTHER)

# Why a platform rejects (213): the reason codes XP Z12-012 allows (BR-FR-CDV-CL-09), by
# what can be done about them. An issued invoice is sealed: when its content is at fault, the
# same file would be rejected again, and the correction is a credit note and a new invoice.
# When the addressing is at fault (the buyer not yet reachable in the directory), the same
# invoice may be deposited again once that is fixed: a new attempt, with its own tracking id.
ADDRESSING_REASONS = frozenset({"DEST_INC", "ADR_ERR", "REJ_ADR"})
DUPLICATE_REASON = "DOUBLON"  # the platform has this invoice already: never post it again
CONTENT_REASONS = frozenset(
    {"MONTANTTOTAL_ERR", "CALCUL_ERR", "REJ_SEMAN", "REJ_UNI", "REJ_COH", "REJ_CONT_B2G",
     "REJ_REF_PJ", "REJ_ASS_PJ"}
)  # fmt: skip
ADDRESSING, CONTENT, DUPLICATE, UNKNOWN = "addressing", "content", "duplicate", "unknown"


def rejection_kind(reason_code: str | None) -> str:
    """What a rejection (213) is about, from its reason code: addressing, content, duplicate,
    or unknown (no code, or one outside the list)."""
    if reason_code in ADDRESSING_REASONS:
        return ADDRESSING
    if reason_code == DUPLICATE_REASON:
        return DUPLICATE
    if reason_code in CONTENT_REASONS:
        return CONTENT
    return UNKNOWN


def state_of_code(code: int) -> str:
    """The state a lifecycle status code puts a document in: `rejected` for 213."""
    return CODES.get(code, OTHER)


@dataclass(frozen=True)
class PlatformState:
    """A document's last transmission and the last status read for it."""

    state: str
    code: int | None = None
    rule: str | None = None
    reason: str | None = None
    reason_code: str | None = None  # REJ_SEMAN, DEST_INC...: what a rejection is about
    date: dt.date | None = None
    attempts: int = 1  # transmissions recorded: more than one after `transmit --again`


def transmissions_of(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The transmission records of a document's tracking (malformed ones left out)."""
    tracking = document.get("tracking")
    records = tracking.get("transmissions") if isinstance(tracking, Mapping) else None
    return [r for r in records if isinstance(r, Mapping)] if isinstance(records, list) else []


def confirmed_statuses(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The statuses of one transmission the platform has: read back, or sent and answered
    (a paid status recorded before its post and never answered does not count yet)."""
    statuses = record.get("statuses")
    found = statuses if isinstance(statuses, list) else []
    return [
        s for s in found
        if isinstance(s, Mapping) and isinstance(s.get("code"), int) and s.get("flow_id")
    ]  # fmt: skip


def platform_state(document: Mapping[str, Any]) -> PlatformState | None:
    """Where the document stands on the platform; None when it was never transmitted."""
    records = transmissions_of(document)
    if not records:
        return None
    last = records[-1]
    day = last.get("date") if isinstance(last.get("date"), dt.date) else None
    if last.get("status") != SENT:
        return PlatformState(PENDING, date=day, attempts=len(records))
    statuses = confirmed_statuses(last)
    if not statuses:
        return PlatformState(SENT, date=day, attempts=len(records))
    status = statuses[-1]
    code = int(status["code"])
    status_day = status.get("date")
    return PlatformState(
        state_of_code(code),
        code=code,
        rule=_text(status.get("rule")),
        reason=_text(status.get("reason")),
        reason_code=_text(status.get("reason_code")),
        date=status_day if isinstance(status_day, dt.date) else day,
        attempts=len(records),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
