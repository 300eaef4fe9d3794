"""A local approved platform for tests: the XP Z12-013 Flow and Directory endpoints on 127.0.0.1.

It follows the OpenAPI files in ../shared/validation/pa-api/: the posted `flowInfo` is
checked against FlowInfo (required keys, enumerations, sha256 pattern and value), the file
must be a PDF carrying Factur-X XML for the invoice it names, tokens are OAuth2 client
credentials that a test can expire, and lifecycle statuses are CDAR messages served as
incoming CustomerInvoiceLC flows.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import json
import re
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

API = Path(__file__).resolve().parents[2] / "shared" / "validation" / "pa-api"
CLIENT_ID = "facturo-test"
SECRET = "s3cret-for-tests"
CDAR_NS = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"


def _schemas() -> dict[str, Any]:
    spec = json.loads((API / "flow-service-1.3.0.json").read_text("utf-8"))
    schemas: dict[str, Any] = spec["components"]["schemas"]
    return schemas


SCHEMAS = _schemas()


def flow_info_problems(info: Any) -> list[str]:
    """What is wrong with a posted flowInfo, against FlowInfo (CoreFlowInfo + extension)."""
    if not isinstance(info, dict):
        return ["flowInfo is not an object"]
    core, extension = SCHEMAS["CoreFlowInfo"], SCHEMAS["FlowInfoExtension"]
    known = {**core["properties"], **extension["properties"]}
    problems = [f"missing {key}" for key in core["required"] if key not in info]
    problems += [f"unknown {key}" for key in info if key not in known]
    for key, enum in (
        ("flowSyntax", "FlowSyntax"), ("flowProfile", "FlowProfile"),
        ("processingRule", "ProcessingRule"),
    ):  # fmt: skip
        if key in info and info[key] not in SCHEMAS[enum]["enum"]:
            problems.append(f"{key} {info[key]!r} not in {SCHEMAS[enum]['enum']}")
    pattern = extension["properties"]["sha256"]["pattern"]
    if "sha256" in info and not re.fullmatch(pattern, str(info["sha256"])):
        problems.append("sha256 does not match its pattern")
    tracking = info.get("trackingId")
    if tracking is not None and not 0 < len(str(tracking)) <= SCHEMAS["NotOnlyUuid"]["maxLength"]:
        problems.append("trackingId length")
    return problems


def cdar(
    number: str, code: int, reason: str = "", reason_code: str = "", about_flow: str = "",
    issuer: str = "",
) -> bytes:  # fmt: skip
    """A CDAR lifecycle message about invoice `number` with status `code` (naming the flow
    of the invoice in a GlobalID of the referenced document when `about_flow` is given, and
    the SIREN of the invoice's issuer when `issuer` is)."""
    status = ""
    named = f"<ram:GlobalID>{about_flow}</ram:GlobalID>" if about_flow else ""
    if issuer:
        named += (
            f'<ram:IssuerTradeParty><ram:GlobalID schemeID="0002">{issuer}</ram:GlobalID>'
            f"</ram:IssuerTradeParty>"
        )
    if reason or reason_code:
        status = (
            f"<ram:SpecifiedDocumentStatus><ram:ReasonCode>{reason_code}</ram:ReasonCode>"
            f"<ram:Reason>{reason}</ram:Reason></ram:SpecifiedDocumentStatus>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="{CDAR_NS}" xmlns:ram="{RAM_NS}">'
        f"<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>"
        f"<ram:ID>urn.cpro.gouv.fr:1p0:CDV:invoice</ram:ID>"
        f"</ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>"
        f"<rsm:ExchangedDocument><ram:ID>{uuid.uuid4()}</ram:ID></rsm:ExchangedDocument>"
        f"<rsm:AcknowledgementDocument><ram:ReferenceReferencedDocument>"
        f"<ram:IssuerAssignedID>{number}</ram:IssuerAssignedID>{named}"
        f"<ram:ProcessConditionCode>{code}</ram:ProcessConditionCode>{status}"
        f"</ram:ReferenceReferencedDocument></rsm:AcknowledgementDocument>"
        f"</rsm:CrossDomainAcknowledgementAndResponse>"
    ).encode()


@dataclass
class Flow:
    """A flow the platform holds: its metadata (the Flow schema) and its file."""

    meta: dict[str, Any]
    data: bytes


@dataclass
class PlatformServer:
    """State of the local platform; tests read and steer it."""

    url: str = ""
    flows: list[Flow] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)  # every flowInfo received
    tokens: set[str] = field(default_factory=set)
    tokens_issued: int = 0
    refused: list[str] = field(default_factory=list)  # why posts were refused
    refuse_next: str = ""  # answer the next invoice post with 422 and this reason
    hang_after_store: bool = False  # store the next flow, then never answer that request
    release: threading.Event = field(default_factory=threading.Event)
    stored: threading.Event = field(default_factory=threading.Event)  # a flow was kept
    lock: threading.Lock = field(default_factory=threading.Lock)
    directory: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 50  # flows per page of a search: more come with a nextCursor
    searches: list[dict[str, Any]] = field(default_factory=list)  # every search's `where`

    def config(self, timeout_seconds: int = 30) -> str:
        return (
            "pa:\n"
            f"  flow_url: {self.url}/flow-service\n"
            f"  token_url: {self.url}/auth/token\n"
            f"  client_id: {CLIENT_ID}\n"
            f"  directory_url: {self.url}/directory-service\n"
            f"  timeout_seconds: {timeout_seconds}\n"
        )

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def keep(
        self, fields: dict[str, Any], data: bytes, flow_type: str, direction: str,
        updated_at: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Store a flow (the caller holds the lock); its metadata, as the Flow schema has it."""
        now = dt.datetime.now(dt.UTC).isoformat()
        prefix = "flow" if flow_type == "CustomerInvoice" else "lc"
        meta = {
            "processingRuleSource": "Input", **fields, "flowId": f"{prefix}-{uuid.uuid4()}",
            "submittedAt": now, "updatedAt": updated_at or now, "flowType": flow_type,
            "flowDirection": direction, "acknowledgement": {"status": "Ok"},
        }  # fmt: skip
        self.flows.append(Flow(meta, data))
        return meta

    def add_status(
        self, number: str, code: int, reason: str = "", reason_code: str = "",
        updated_at: dt.datetime | None = None, tracking_id: str = "", about_flow: str = "",
        issuer: str = "",
    ) -> str:  # fmt: skip
        """An incoming lifecycle flow (CDAR) about invoice `number`, updated at `updated_at`
        (now by default); its flow id. `tracking_id` is the status flow's trackingId, and
        `about_flow` a flow id the CDAR names: how a platform may say which deposit it is about."""
        fields = {
            "flowSyntax": "CDAR", "flowProfile": "CIUS", "processingRule": "B2B",
            "processingRuleSource": "Computed", **({"trackingId": tracking_id} if tracking_id else {}),
        }  # fmt: skip
        when = updated_at.isoformat() if updated_at else None
        message = cdar(number, code, reason, reason_code, about_flow, issuer)
        with self.lock:
            meta = self.keep(fields, message, "CustomerInvoiceLC", "In", when)
            meta["name"] = f"{meta['flowId']}.xml"
        return str(meta["flowId"])

    def posted(self, tracking_id: str) -> list[Flow]:
        return [
            f for f in self.flows
            if f.meta.get("trackingId") == tracking_id and f.meta["flowDirection"] == "Out"
        ]  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    server_state: PlatformServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization") or ""
        if header.removeprefix("Bearer ") in self.server_state.tokens:
            return True
        self._send(401, {"errorCode": "UNAUTHORIZED", "errorMessage": "token expired"})
        return False

    def do_POST(self) -> None:
        state = self.server_state
        path = urllib.parse.urlsplit(self.path).path
        body = self._body()
        if path == "/auth/token":
            form = urllib.parse.parse_qs(body.decode())
            if (
                form.get("grant_type") != ["client_credentials"]
                or form.get("client_id") != [CLIENT_ID]
                or form.get("client_secret") != [SECRET]
            ):
                return self._send(401, {"error": "invalid_client"})
            token = uuid.uuid4().hex
            with state.lock:
                state.tokens.add(token)
                state.tokens_issued += 1
            return self._send(200, {"access_token": token, "token_type": "Bearer",
                                    "expires_in": 3600})  # fmt: skip
        if not self._authorised():
            return None
        if path == "/flow-service/v1/flows":
            return self._post_flow(body)
        if path == "/flow-service/v1/flows/search":
            query = json.loads(body)
            where = query["where"]
            assert where, "SearchFlowFilters: at least one criterion"
            start = int(query.get("cursor") or 0)
            with state.lock:
                state.searches.append(where)
                found = sorted(
                    (f.meta for f in state.flows if _matches(f.meta, where)),
                    key=lambda meta: _instant(meta["updatedAt"]),
                )
            page = found[start : start + state.page_size]
            answer = {"results": page, "filters": where}
            if start + state.page_size < len(found):
                answer["nextCursor"] = str(start + state.page_size)
            return self._send(200, answer)
        if path == "/directory-service/v1/directory-line/search":
            siren = json.loads(body)["filters"]["siren"]["value"]
            lines = state.directory.get(siren, {}).get("lines", [])
            return self._send(200, {"results": lines, "total_number_results": len(lines)})
        return self._send(404, {"errorCode": "NOT_FOUND"})

    def _post_flow(self, body: bytes) -> None:
        from facturx import get_xml_from_pdf

        state = self.server_state
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = email.message_from_bytes(head + body, policy=email.policy.HTTP)
        parts = {part.get_param("name", header="content-disposition"): part
                 for part in message.iter_parts()}  # type: ignore[attr-defined]  # fmt: skip
        info = json.loads(parts["flowInfo"].get_payload(decode=True))
        pdf = parts["file"].get_payload(decode=True)
        problems = flow_info_problems(info)
        if info.get("sha256") != hashlib.sha256(pdf).hexdigest():
            problems.append("sha256 is not the file's")
        if info.get("flowSyntax") == "CDAR":
            return self._post_status(info, pdf, problems)
        try:
            _, xml = get_xml_from_pdf(pdf, check_xsd=False)
        except Exception as error:
            xml = b""
            problems.append(f"not a PDF: {error}")
        if not xml or b"CrossIndustryInvoice" not in xml:
            problems.append("no Factur-X XML in the PDF")
        if state.refuse_next:
            problems.append(state.refuse_next)
            state.refuse_next = ""
        with state.lock:
            meta = self._take(info, pdf, problems, "CustomerInvoice")
            hang = meta is not None and state.hang_after_store
            if hang:
                state.hang_after_store = False
        if meta is None:
            return None
        state.stored.set()
        if hang:
            state.release.wait(60)  # the client gives up first: its answer never comes
            return None
        return self._send(202, {key: meta[key] for key in ("flowId", "submittedAt", *info)})

    def _take(
        self, info: dict[str, Any], data: bytes, problems: list[str], flow_type: str
    ) -> dict[str, Any] | None:
        """Record a post (the caller holds the lock): refused with 422 when it has problems
        (None), else stored as an outgoing flow of `flow_type` (its metadata)."""
        state = self.server_state
        state.posts.append(info)
        if problems:
            state.refused.extend(problems)
            self._send(422, {"errorCode": "INVALID_FLOW", "errorMessage": "; ".join(problems)})
            return None
        return state.keep(info, data, flow_type, "Out")

    def _post_status(self, info: dict[str, Any], data: bytes, problems: list[str]) -> None:
        """A lifecycle status the seller sends (212 paid): the CDV rule on its amounts."""
        from xml.etree import ElementTree

        state = self.server_state
        root = ElementTree.fromstring(data)
        ram = f"{{{RAM_NS}}}"
        status = root.find(f".//{ram}SpecifiedDocumentStatus")
        code = root.findtext(f".//{ram}ReferenceReferencedDocument/{ram}ProcessConditionCode")
        men = [
            c for c in (status if status is not None else [])
            if c.tag == f"{ram}SpecifiedDocumentCharacteristic"
            and c.findtext(f"{ram}TypeCode") == "MEN"
        ]  # fmt: skip
        if code == "212" and (
            not men or any(c.find(f"{ram}ValueAmount") is None for c in men)
            or any(c.find(f"{ram}ValuePercent") is None for c in men)
        ):  # fmt: skip
            problems.append("BR-FR-CDV: a 212 status needs MEN amounts with their rate")
        with state.lock:
            meta = self._take(info, data, problems, "CustomerInvoiceLC")
        if meta is None:
            return None
        return self._send(202, {key: meta[key] for key in ("flowId", "submittedAt", *info)})

    def do_GET(self) -> None:
        state = self.server_state
        parts = urllib.parse.urlsplit(self.path)
        if not self._authorised():
            return None
        prefix = "/flow-service/v1/flows/"
        if parts.path.startswith(prefix):
            flow_id = urllib.parse.unquote(parts.path[len(prefix) :])
            with state.lock:
                found = [f for f in state.flows if f.meta["flowId"] == flow_id]
            if not found:
                return self._send(404, {"errorCode": "NOT_FOUND"})
            if "docType=Original" in parts.query:
                kind = (
                    "application/xml" if found[0].data.startswith(b"<?xml") else "application/pdf"
                )
                return self._send(200, found[0].data, kind)
            return self._send(200, found[0].meta)
        prefix = "/directory-service/v1/siren/code-insee:"
        if parts.path.startswith(prefix):
            siren = parts.path[len(prefix) :]
            if siren not in state.directory:
                return self._send(404, {"errorCode": "NOT_FOUND"})
            unit = {k: v for k, v in state.directory[siren].items() if k != "lines"}
            return self._send(200, unit)
        return self._send(404, {"errorCode": "NOT_FOUND"})


def _instant(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _matches(meta: dict[str, Any], where: dict[str, Any]) -> bool:
    updated = _instant(meta["updatedAt"])
    if "updatedAfter" in where and not updated > _instant(where["updatedAfter"]):  # strict
        return False
    if "updatedBefore" in where and not updated < _instant(where["updatedBefore"]):
        return False
    for key, wanted in where.items():
        if key in ("updatedAfter", "updatedBefore"):
            continue
        value = (
            meta.get("acknowledgement", {}).get("status") if key == "ackStatus" else meta.get(key)
        )
        if isinstance(wanted, list) and value not in wanted:
            return False
        if not isinstance(wanted, list) and value != wanted:
            return False
    return True


def transmissions(folder: Path, number: str) -> list[dict[str, Any]]:
    """The transmission records in the tracking of issued document `number` of `folder`."""
    from facturo.files.yamlio import load_mapping

    [path] = folder.rglob(f"{number}.yaml")
    data, problems = load_mapping(path, path.name)
    assert data is not None and problems == [], problems
    return [dict(item) for item in (data.get("tracking") or {}).get("transmissions") or []]


@contextmanager
def running() -> Iterator[PlatformServer]:
    """A platform on 127.0.0.1 (a free port) for the duration of the block."""
    state = PlatformServer()
    handler = type("Handler", (_Handler,), {"server_state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
