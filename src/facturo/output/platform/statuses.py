"""Lifecycle statuses read back from the platform (CDAR messages) into tracking, once each.

The platform delivers statuses as incoming flows of type CustomerInvoiceLC whose file is a
CDAR message (CrossDomainAcknowledgementAndResponse): the invoice it is about
(IssuerAssignedID), the status (ProcessConditionCode: 200 deposited, 210 refused, 212 paid,
213 rejected...) and, for a refusal or a rejection, the reason. Each status flow is recorded
once, by its flow id, in the transmission it belongs to: the attempt whose flow id or tracking
id it names (the status flow's trackingId, or a GlobalID of the document it references), the
newest attempt when it names none (a document deposited again has several). A status that
cannot be recorded yet (its document or its transmission record not here: another clone
issued or transmitted it; its attempt still pending) is read again on a later run, unless
its number is none of this folder's numbering series or it names another seller.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from facturo.errors import FacturoError
from facturo.model.numbering import all_series
from facturo.output.platform.client import Platform, PlatformUncertain, settings_from
from facturo.output.platform.transmission import KEY, SENT
from facturo.store.cache import read_cache, write_cache
from facturo.store.folder import Folder
from facturo.store.index import Ledger
from facturo.store.tracking import load_for_update, write_tracking

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
REFUSED = {210, 213}  # 210: refused by the buyer, 213: rejected by the platform
OVERLAP = dt.timedelta(minutes=10)  # each search goes back this far before the last mark
EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)
MARK = "statuses"  # .facturo/cache/statuses.json: where the last search ended
MARK_VERSION = 1
RECORDED, STRANGER, LATER = "recorded", "stranger", "later"
RULE = re.compile(r"\b(BR-[A-Z0-9-]*\d+[A-Z0-9-]*|CII-SR-\d+|FX-[A-Z0-9-]+)\b")


@dataclass(frozen=True)
class Status:
    """One lifecycle status of a transmitted document, as recorded."""

    number: str
    code: int
    reason: str
    rule: str
    flow_id: str
    sent: bool = False  # a status facturo sent (212 paid), not one it read
    reason_code: str = ""  # REJ_SEMAN, DEST_INC...: what a rejection or refusal is about
    names: frozenset[str] = frozenset()  # flow or tracking ids naming the attempt it is about
    issuer: str = ""  # the SIREN of the invoice's issuer, when the message gives one

    @property
    def rejected(self) -> bool:
        return self.code in REFUSED


def read_cdar(data: bytes) -> tuple[str, int, str, str, str]:
    """The invoice number, status code, reason, rule and reason code of a CDAR message."""
    from xml.etree import ElementTree

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # a CDAR message declares no entities
        raise FacturoError("a status message declares a DOCTYPE: refused")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise FacturoError(f"a status message is not XML: {error}") from None

    def first(name: str) -> str:
        found = root.find(f".//{{{RAM}}}{name}")
        return (found.text or "").strip() if found is not None else ""

    number = first("IssuerAssignedID")
    code_text = first("ProcessConditionCode") or first("StatusCode")
    if not number or not code_text.isdigit():
        raise FacturoError("a status message names no invoice or no status code")
    reason = " ".join(first("Reason").split())
    reason_code = first("ReasonCode")
    rule = next(iter(RULE.findall(reason)), "") or reason_code
    return number, int(code_text), reason, rule, reason_code


def cdar_references(data: bytes) -> frozenset[str]:
    """The ids a CDAR message gives the document it is about besides its number (the GlobalIDs
    of its ReferenceReferencedDocument): a platform may name the flow of the invoice there."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(data)  # read_cdar parsed it first: no entities, well formed
    return frozenset(
        (found.text or "").strip()
        for document in root.iter(f"{{{RAM}}}ReferenceReferencedDocument")
        for found in document.findall(f"{{{RAM}}}GlobalID")
        if (found.text or "").strip()
    )


def cdar_issuer(data: bytes) -> str:
    """The SIREN (scheme 0002) of the issuer of the document a CDAR message is about, or ""."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(data)  # read_cdar parsed it first: no entities, well formed
    for document in root.iter(f"{{{RAM}}}ReferenceReferencedDocument"):
        for party in document.findall(f"{{{RAM}}}IssuerTradeParty"):
            for found in party.findall(f"{{{RAM}}}GlobalID"):
                if found.get("schemeID") == "0002" and (found.text or "").strip():
                    return (found.text or "").strip()
    return ""


def follow(
    ledger: Ledger, today: dt.date, now: dt.datetime, *, wait: float = 300
) -> tuple[list[Status], list[tuple[str, str]]]:
    """Read the new statuses from the platform and record them, then send the paid statuses
    due; what changed, and what failed (number, why)."""
    from facturo.output.platform.paid import PAID, due_for_paid_status, send_paid

    platform = Platform(settings_from(ledger.config(), ledger.folder.root))
    changes: list[Status] = []
    failed: list[tuple[str, str]] = []
    with ledger.folder.lock(timeout=wait):
        ledger.invalidate()
        changes += _read_statuses(ledger, platform, today)
        for number in due_for_paid_status(ledger):
            try:
                flow_id = send_paid(ledger, platform, number, today, now)
            except PlatformUncertain as error:
                failed.append((number, error.message))
                break
            except FacturoError as error:
                failed.append((number, error.message))
                continue
            changes.append(Status(number, PAID, "", "", flow_id, sent=True))
    return changes, failed


def _read_statuses(ledger: Ledger, platform: Platform, today: dt.date) -> list[Status]:
    """The status flows updated since the last run (all of them on a first run), each
    recorded once by its flow id; the mark of the next search kept only once all are read.

    The mark is the platform's own `updatedAt`, never this machine's clock; each search goes
    back OVERLAP before it, for flows the platform makes visible late with an earlier time.
    A status about a document whose transmission is still pending is read again next time:
    the mark never passes it."""
    where: dict[str, Any] = {"flowType": ["CustomerInvoiceLC"], "flowDirection": ["In"]}
    mark = _read_mark(ledger.folder)
    if mark is not None:
        where["updatedAfter"] = (mark - OVERLAP).isoformat()
    flows = platform.search_flows(where)
    seen = _seen(ledger)
    changes: list[Status] = []
    newest, held = mark, None
    for flow in sorted(flows, key=lambda f: _instant(f.get("updatedAt")) or EPOCH):
        flow_id = str(flow.get("flowId") or "")
        updated = _instant(flow.get("updatedAt"))
        if updated is not None:
            newest = updated if newest is None else max(newest, updated)
        if not flow_id or flow_id in seen:
            continue
        data = platform.download(flow_id)
        try:
            number, code, reason, rule, reason_code = read_cdar(data)
        except FacturoError:
            continue  # not a status of ours to read: left for the platform's own screens
        names = cdar_references(data) | ({str(flow.get("trackingId") or "")} - {""})
        status = Status(
            number, code, reason, rule, flow_id, reason_code=reason_code, names=names,
            issuer=cdar_issuer(data),
        )  # fmt: skip
        outcome = _record(ledger, status, today)
        if outcome == RECORDED:
            changes.append(status)
            seen.add(flow_id)
        elif outcome == LATER:
            if updated is None:
                return changes  # a status to read again that has no time: keep the mark
            held = updated if held is None else min(held, updated)
    if held is not None:
        newest = held if newest is None else min(newest, held)
    if newest is not None and newest != mark:
        _write_mark(ledger.folder, newest)
    return changes


def _instant(value: Any) -> dt.datetime | None:
    """A time the platform wrote (ISO 8601), aware (UTC when it says no zone); None if not one."""
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _read_mark(folder: Folder) -> dt.datetime | None:
    """Where the last run's search ended; None before the first (or when the file is lost:
    a full search, each status still recorded once)."""
    return _instant(read_cache(folder, MARK, MARK_VERSION).get("updated_after"))


def _write_mark(folder: Folder, mark: dt.datetime) -> None:
    write_cache(folder, MARK, MARK_VERSION, {"updated_after": mark.isoformat()})


def _seen(ledger: Ledger) -> set[str]:
    seen: set[str] = set()
    for entry in ledger.entries():
        if entry.problems or entry.platform is None:  # never transmitted: no status of its own
            continue
        _, data, _ = load_for_update(ledger, entry.number)
        for record in (data.get("tracking") or {}).get(KEY) or []:
            for status in (record.get("statuses") or []) if isinstance(record, dict) else []:
                if isinstance(status, dict) and status.get("flow_id"):
                    seen.add(str(status["flow_id"]))
    return seen


def _record(ledger: Ledger, status: Status, today: dt.date) -> str:
    """Append the status to the document's sent transmission it names (the newest when it
    names none): RECORDED; LATER while the transmission it is about is pending (the attempt
    it names, or the last one when it names none) or not here yet (a number of ours whose
    document or transmission record another clone has: read again once pulled); STRANGER
    for a number of none of our series, or a document of another seller."""
    try:
        path, data, text = load_for_update(ledger, status.number)
    except FacturoError:
        return LATER if _ours(ledger, status) else STRANGER
    transmissions = [r for r in (data.get("tracking") or {}).get(KEY) or [] if isinstance(r, dict)]
    if not transmissions:
        return LATER if _ours(ledger, status) else STRANGER
    named = [
        r
        for r in transmissions
        if {str(r.get("flow_id") or ""), str(r.get("tracking_id") or "")} & status.names
    ]
    if not named and transmissions[-1].get("status") != SENT:
        return LATER  # most likely about the attempt whose post is not settled yet
    records = [r for r in named[-1:] or transmissions if r.get("status") == SENT]
    if not records:
        return LATER
    entry: dict[str, Any] = {"date": today, "code": status.code}
    if status.reason:
        entry["reason"] = status.reason
    if status.rule:
        entry["rule"] = status.rule
    if status.reason_code:
        entry["reason_code"] = status.reason_code
    entry["flow_id"] = status.flow_id
    statuses = records[-1].get("statuses")
    if not isinstance(statuses, list):
        statuses = []
        records[-1]["statuses"] = statuses
    statuses.append(entry)
    write_tracking(ledger, path, data, text)
    return RECORDED


def _ours(ledger: Ledger, status: Status) -> bool:
    """Whether a status may be about a document of this folder: its number is one an invoice
    or credit note series of ours gives (letters compared ignoring case, as numbers are looked
    up), and the message names no other seller as the issuer."""
    try:
        config = ledger.config()
    except FacturoError:
        return True  # cannot tell: read it again rather than lose it
    siren = str((config.get("seller") or {}).get("siren") or "")
    if status.issuer and siren and status.issuer != siren:
        return False
    return any(
        re.match(series.regex.pattern, status.number, re.IGNORECASE)
        for series in all_series(config)
        if series.series_kind != "quote"  # quotes are never transmitted
    )
