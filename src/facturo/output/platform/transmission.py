"""Transmitting issued documents to the approved platform as Factur-X flows, never twice.

Each post is recorded in the document's `tracking.transmissions` before the platform sees
it, with the flow's tracking id, and marked sent with the platform's flow id once it
answered. A record still pending on a later run means the answer never came (a timeout,
facturo killed): the flows are searched by tracking id first, and the document is posted
again only when the platform has no flow of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from facturo.errors import FacturoError
from facturo.model.document import Party
from facturo.model.kinds import TAX_DOCUMENT_KINDS
from facturo.model.platform_status import (
    CONTENT,
    DUPLICATE,
    REJECTED,
    platform_state,
    rejection_kind,
    transmissions_of,
)
from facturo.output.platform.client import (
    Platform,
    PlatformError,
    PlatformSettings,
    PlatformUncertain,
    settings_from,
)
from facturo.reports.ereporting import processing_rule
from facturo.store.index import Ledger
from facturo.store.tracking import change_list, load_for_update

PENDING = "pending"
SENT = "sent"
KEY = "transmissions"
SYNTAX = "Factur-X"
PROFILE = "CIUS"  # EN 16931 with the French CTC rules (XP Z12-012)


@dataclass
class Transmitted:
    """One document posted (or, on a dry run, that would be)."""

    number: str
    tracking_id: str
    flow_id: str | None
    processing_rule: str
    found: bool = False  # the platform already had it: a pending post had gone through
    attempt: int = 1  # 2, 3...: a rejected document deposited again


@dataclass
class TransmitRun:
    """What a transmit run did."""

    transmitted: list[Transmitted] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (number, flow id)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (number, why)
    uncertain: list[str] = field(default_factory=list)  # no answer: searched next run
    clients: list[str] = field(default_factory=list)  # SIRENs of the French buyers posted to


def tracking_id(document: dict[str, Any], attempt: int = 1) -> str:
    """facturo's id of a document's flow: the seller's SIREN and the number (64 at most), and
    from the second deposit of a rejected document on, the attempt (`-2`): each attempt is
    searched for on its own."""
    siren = str((document.get("seller") or {}).get("siren") or "")
    base = f"{siren}-{document['number']}" if siren else str(document["number"])
    return (f"{base}-{attempt}" if attempt > 1 else base)[-64:]


def last_transmission(document: dict[str, Any]) -> dict[str, Any] | None:
    """The latest transmission record of a document, if any."""
    records = (document.get("tracking") or {}).get(KEY) or []
    dicts = [r for r in records if isinstance(r, dict)]
    return dicts[-1] if dicts else None


def _filename(document: dict[str, Any]) -> str:
    return f"{document['number']}.pdf"


def _render(ledger: Ledger, document: dict[str, Any], renderer: list[Any]) -> bytes:
    """The Factur-X PDF as `facturo render` makes it (one Renderer for the run)."""
    from facturo.output.publishing import job_for, renderer_options

    if not renderer:
        from facturo.output.pdf.engine import Renderer

        options = renderer_options(ledger)
        renderer.append(Renderer(options.pop("folder_root"), **options))
    job = job_for(ledger, document)
    pdf: bytes = renderer[0].render_pdf(
        job.document, attachments=job.attachments, xmp_metadata=job.xmp_metadata
    )
    return pdf


def flow_info(
    document: dict[str, Any], pdf: bytes, flow_tracking: str | None = None
) -> dict[str, Any]:
    """The `flowInfo` part of POST /v1/flows (FlowInfo in the OpenAPI)."""
    return {
        "trackingId": flow_tracking or tracking_id(document),
        "name": _filename(document),
        "processingRule": processing_rule(document),
        "flowSyntax": SYNTAX,
        "flowProfile": PROFILE,
        "sha256": hashlib.sha256(pdf).hexdigest(),
    }


def pending_numbers(ledger: Ledger) -> list[str]:
    """Issued invoices, deposits and credit notes to domestic businesses not yet transmitted."""
    numbers = []
    for entry in ledger.entries():
        if entry.kind not in TAX_DOCUMENT_KINDS or entry.problems:
            continue
        _, data, _ = load_for_update(ledger, entry.number)
        document = dict(data)
        record = last_transmission(document)
        if processing_rule(document) == "B2B" and (record is None or record.get("status") != SENT):
            numbers.append(entry.number)
    return numbers


def _settle(ledger: Ledger, number: str, flow: dict[str, Any]) -> None:
    def mark(records: list[Any]) -> None:
        records[-1]["status"] = SENT
        records[-1]["flow_id"] = str(flow.get("flowId") or "")

    change_list(ledger, number, KEY, mark)


def _platform(ledger: Ledger) -> tuple[PlatformSettings, Platform]:
    settings = settings_from(ledger.config(), ledger.folder.root)
    return settings, Platform(settings)


def transmit(
    ledger: Ledger, numbers: list[str], today: dt.date, now: dt.datetime, *,
    pending: bool = False, dry_run: bool = False, wait: float = 300, again: bool = False,
) -> TransmitRun:  # fmt: skip
    """Post each document as a flow, under the folder lock: two runs at once post it once.

    With `again`, a document the platform rejected (213) for something outside its sealed
    content is deposited again as a new attempt (again_refusal says when it may not be)."""
    run = TransmitRun()
    with ledger.folder.lock(timeout=wait):
        ledger.invalidate()
        wanted = list(dict.fromkeys([*numbers, *(pending_numbers(ledger) if pending else [])]))
        if not wanted:
            return run
        platform = None if dry_run else _platform(ledger)[1]
        renderer: list[Any] = []
        for number in wanted:
            try:
                one = _transmit_one(ledger, platform, number, today, now, renderer, run, again)
                if not one:
                    return run  # no answer: the platform may be down, stop here
            except PlatformUncertain as error:
                run.failed.append((number, error.message))
                run.uncertain.append(number)
                return run
            except FacturoError as error:
                run.failed.append((number, error.message))
    if platform is not None and run.clients:
        from facturo.output.platform.directory import refresh

        refresh(ledger.folder, platform, run.clients, today)  # what `check` reads
    return run


def again_refusal(document: dict[str, Any]) -> str | None:
    """Why a transmitted document may not be deposited again, or None when it may: only after
    a rejection (213) that is not about its content (sealed: it would be rejected again) and
    does not say the platform has it already."""
    number = document["number"]
    state = platform_state(document)
    if state is None or state.code != REJECTED:
        last = f"{state.state} ({state.code})" if state and state.code else "no status yet"
        return (
            f"{number} was not rejected by the platform (last: {last}): a document the platform "
            "took is never deposited twice"
        )
    kind = rejection_kind(state.reason_code)
    why = state.reason_code or state.rule or ""
    if kind == CONTENT:
        return (
            f"{number} was rejected for its content ({why}): the sealed invoice would be "
            "rejected again; cancel it with a credit note and issue a corrected invoice"
        )
    if kind == DUPLICATE:
        return f"the platform says it has {number} already ({why}): it is not deposited twice"
    return None


def _transmit_one(
    ledger: Ledger, platform: Platform | None, number: str, today: dt.date, now: dt.datetime,
    renderer: list[Any], run: TransmitRun, again: bool = False,
) -> bool:  # fmt: skip
    """Post one document; False when the platform did not answer (the run stops)."""
    _, data, _ = load_for_update(ledger, number)
    document = dict(data)
    if document["kind"] not in TAX_DOCUMENT_KINDS:
        raise FacturoError(f"{number} is a {document['kind']}: only tax documents are transmitted")
    record = last_transmission(document)
    attempt = len(transmissions_of(document)) or 1
    if record is not None and record.get("status") == SENT:
        if not again:
            run.skipped.append((number, str(record.get("flow_id") or "?")))
            return True
        refusal = again_refusal(document)
        if refusal:
            raise FacturoError(refusal)
        record, attempt = None, attempt + 1  # a new attempt, recorded and searched on its own
    elif again and record is None:
        raise FacturoError(f"{number} was never transmitted: there is no rejection to correct")
    flow_tracking = str(record.get("tracking_id")) if record else tracking_id(document, attempt)
    rule = processing_rule(document)
    if platform is None:
        run.transmitted.append(Transmitted(number, flow_tracking, None, rule, attempt=attempt))
        return True
    if record is not None:  # pending: the last post never got its answer
        found = platform.search_flows({"trackingId": str(record.get("tracking_id"))})
        if found:
            _settle(ledger, number, found[0])
            flow_id = str(found[0].get("flowId"))
            found_one = Transmitted(number, flow_tracking, flow_id, rule, True, attempt)
            run.transmitted.append(found_one)
            return True
    pdf = _render(ledger, document, renderer)
    info = flow_info(document, pdf, flow_tracking)
    if record is None:
        intent = {
            "date": today, "tracking_id": flow_tracking, "sha256": info["sha256"],
            "status": PENDING, "started": now.isoformat(timespec="seconds"),
        }  # fmt: skip
        if attempt > 1:
            intent["attempt"] = attempt
        change_list(ledger, number, KEY, lambda records: records.append(intent))
    else:

        def restart(records: list[Any]) -> None:
            records[-1].update(
                date=today, sha256=info["sha256"], started=now.isoformat(timespec="seconds")
            )

        change_list(ledger, number, KEY, restart)
    try:
        flow = platform.post_flow(info, _filename(document), pdf)
    except PlatformUncertain:
        run.uncertain.append(number)
        return False
    except PlatformError as error:
        change_list(ledger, number, KEY, lambda records: records.pop())
        run.failed.append((number, error.message))
        return True
    _settle(ledger, number, flow)
    flow_id = str(flow.get("flowId"))
    run.transmitted.append(Transmitted(number, flow_tracking, flow_id, rule, attempt=attempt))
    client = Party.of(document.get("client"))
    if client.country == "FR" and client.siren:
        run.clients.append("".join(str(client.siren).split()))
    return True
