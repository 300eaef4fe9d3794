"""The paid status (212) of domestic B2B services invoices, sent to the platform once each.

VAT on services is due when they are paid, so the platform must learn the payment: once an
invoice selling services to a French business is fully paid, a CDAR message with status
212 and the amount collected per VAT rate (MEN characteristics) is posted as a flow. Like an
invoice, it is recorded with its tracking id before the post and searched for after a post
that got no answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from facturo.model.platform_status import REJECTED, platform_state, transmissions_of
from facturo.output.platform.client import Platform, PlatformError, PlatformUncertain
from facturo.output.platform.transmission import KEY, SENT
from facturo.reports.ereporting import processing_rule
from facturo.reports.figures import figures_of
from facturo.store.index import Ledger
from facturo.store.tracking import load_for_update, write_tracking

PAID = 212
CDAR = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"


def collected_by_rate(document: dict[str, Any]) -> list[tuple[Decimal, Decimal]]:
    """(VAT rate, amount collected including VAT) of the services a paid invoice sold."""
    figures = figures_of(document)
    return [
        (group.rate, group.services_base + group.services_amount)
        for group in figures.groups
        if group.services_base
    ]


def paid_message(document: dict[str, Any], now: dt.datetime) -> bytes:
    """The CDAR message telling the platform that invoice `document` was paid."""
    seller = document.get("seller") or {}
    amounts = "".join(
        f"<ram:SpecifiedDocumentCharacteristic><ram:TypeCode>MEN</ram:TypeCode>"
        f"<ram:ValueAmount>{amount}</ram:ValueAmount>"
        f"<ram:ValuePercent>{rate}</ram:ValuePercent></ram:SpecifiedDocumentCharacteristic>"
        for rate, amount in collected_by_rate(document)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="{CDAR}" xmlns:ram="{RAM}" '
        f'xmlns:udt="{UDT}">'
        f"<rsm:ExchangedDocumentContext><ram:BusinessProcessSpecifiedDocumentContextParameter>"
        f"<ram:ID>REGULATED</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter>"
        f"<ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn.cpro.gouv.fr:1p0:CDV:invoice"
        f"</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>"
        f"<rsm:ExchangedDocument><ram:ID>{uuid.uuid4()}</ram:ID><ram:TypeCode>23</ram:TypeCode>"
        f'<ram:IssueDateTime><udt:DateTimeString format="204">{now:%Y%m%d%H%M%S}'
        f"</udt:DateTimeString></ram:IssueDateTime>"
        f"<ram:SenderTradeParty><ram:RoleCode>SE</ram:RoleCode>"
        f'<ram:GlobalID schemeID="0002">{escape(str(seller.get("siren") or ""))}</ram:GlobalID>'
        f"</ram:SenderTradeParty></rsm:ExchangedDocument>"
        f"<rsm:AcknowledgementDocument><ram:ReferenceReferencedDocument>"
        f"<ram:IssuerAssignedID>{escape(str(document['number']))}</ram:IssuerAssignedID>"
        f"<ram:StatusCode>10</ram:StatusCode><ram:TypeCode>380</ram:TypeCode>"
        f'<ram:FormattedIssueDateTime><udt:DateTimeString format="102">'
        f"{document['issue_date']:%Y%m%d}</udt:DateTimeString></ram:FormattedIssueDateTime>"
        f"<ram:ProcessConditionCode>{PAID}</ram:ProcessConditionCode>"
        f'<ram:IssuerTradeParty><ram:GlobalID schemeID="0002">'
        f"{escape(str(seller.get('siren') or ''))}</ram:GlobalID></ram:IssuerTradeParty>"
        f"<ram:SpecifiedDocumentStatus><ram:ProcessConditionCode>{PAID}"
        f"</ram:ProcessConditionCode>{amounts}</ram:SpecifiedDocumentStatus>"
        f"</ram:ReferenceReferencedDocument></rsm:AcknowledgementDocument>"
        f"</rsm:CrossDomainAcknowledgementAndResponse>"
    ).encode()


def due_for_paid_status(ledger: Ledger) -> list[str]:
    """Transmitted domestic B2B invoices selling services, fully paid, with no 212 sent yet
    (none while the last deposit is pending: after a rejection, the new attempt may be the
    one the platform keeps, or be rejected too)."""
    numbers = []
    for entry in ledger.entries():
        if entry.kind not in ("invoice", "deposit") or entry.problems:
            continue
        if entry.paid <= 0 or entry.balance > 0:
            continue
        _, data, _ = load_for_update(ledger, entry.number)
        document = dict(data)
        records = [
            r for r in (document.get("tracking") or {}).get(KEY) or []
            if isinstance(r, dict) and r.get("status") == SENT
        ]  # fmt: skip
        if not records or processing_rule(document) != "B2B":
            continue
        if transmissions_of(document)[-1].get("status") != SENT:
            continue  # the last deposit is not settled: its fate decides
        state = platform_state(document)  # the last record is the last sent one
        if state is not None and state.code == REJECTED:
            continue  # deemed never issued on the platform: no status of it to send
        done = any(
            isinstance(s, dict) and s.get("code") == PAID and s.get("flow_id")
            for s in records[-1].get("statuses") or []
        )
        if not done and collected_by_rate(document):
            numbers.append(entry.number)
    return numbers


def _update(ledger: Ledger, number: str, change: Any) -> None:
    path, data, text = load_for_update(ledger, number)
    records = [r for r in data["tracking"][KEY] if isinstance(r, dict) and r.get("status") == SENT]
    statuses = records[-1].get("statuses")
    if not isinstance(statuses, list):
        statuses = []
        records[-1]["statuses"] = statuses
    change(statuses)
    write_tracking(ledger, path, data, text)


def send_paid(
    ledger: Ledger, platform: Platform, number: str, today: dt.date, now: dt.datetime
) -> str:
    """Post the paid status of invoice `number` once; the flow id."""
    _, data, _ = load_for_update(ledger, number)
    document = dict(data)
    sent = [r for r in document["tracking"][KEY] if isinstance(r, dict) and r.get("status") == SENT]
    tracking_id = f"{sent[-1].get('tracking_id')}-{PAID}"[-64:]
    pending = [
        s for s in sent[-1].get("statuses") or []
        if isinstance(s, dict) and s.get("code") == PAID and s.get("tracking_id") == tracking_id
    ]  # fmt: skip
    if pending:
        found = platform.search_flows({"trackingId": tracking_id})
        if found:
            flow_id = str(found[0].get("flowId"))
            _update(ledger, number, lambda statuses: _settle(statuses, tracking_id, flow_id))
            return flow_id
    else:
        intent = {"date": today, "code": PAID, "tracking_id": tracking_id}
        _update(ledger, number, lambda statuses: statuses.append(intent))
    message = paid_message(document, now)
    info = {
        "trackingId": tracking_id, "name": f"{number}-{PAID}.xml", "processingRule": "B2B",
        "flowSyntax": "CDAR", "flowProfile": "CIUS",
        "sha256": hashlib.sha256(message).hexdigest(),
    }  # fmt: skip
    try:
        flow = platform.post_flow(info, info["name"], message, "application/xml")
    except PlatformUncertain:
        raise
    except PlatformError:
        _update(ledger, number, lambda statuses: _drop(statuses, tracking_id))
        raise
    flow_id = str(flow.get("flowId"))
    _update(ledger, number, lambda statuses: _settle(statuses, tracking_id, flow_id))
    return flow_id


def _settle(statuses: list[Any], tracking_id: str, flow_id: str) -> None:
    for status in statuses:
        if isinstance(status, dict) and status.get("tracking_id") == tracking_id:
            status["flow_id"] = flow_id


def _drop(statuses: list[Any], tracking_id: str) -> None:
    statuses[:] = [
        s
        for s in statuses
        if not (
            isinstance(s, dict) and s.get("tracking_id") == tracking_id and not s.get("flow_id")
        )
    ]
