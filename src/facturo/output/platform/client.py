"""The AFNOR XP Z12-013 APIs of an approved platform over HTTPS: OAuth2 token, flows, directory.

Only the standard library: urllib for requests, a multipart body built by hand (two parts).
The client secret never lives in the billing folder: FACTURO_PA_SECRET or `pa.secret_file`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError
from facturo.store.services import service_section

SECRET_VARIABLE = "FACTURO_PA_SECRET"


class PlatformError(FacturoError):
    """The platform answered with an error, or could not be reached before anything was sent."""


class PlatformUncertain(PlatformError):
    """The connection broke after the request left: the platform may have taken it."""


@dataclass(frozen=True)
class PlatformSettings:
    flow_url: str
    token_url: str
    client_id: str
    secret: str | None
    directory_url: str | None = None
    timeout: int = 30


def _url(value: Any, key: str) -> str:
    text = str(value or "").rstrip("/")
    parsed = urllib.parse.urlsplit(text)
    local = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme != "https" and not (parsed.scheme == "http" and local):
        raise FacturoError(f"pa.{key}: {text!r} is not an https:// address")
    return text


def settings_from(
    config: dict[str, Any], root: Path, environ: dict[str, str] | None = None
) -> PlatformSettings:
    """The platform settings of facturo.yaml; the secret from the environment or a file."""
    section = service_section(
        config, "pa", root, environ, what="platform", needs="flow_url, token_url, client_id",
        secret=(SECRET_VARIABLE, "secret_file"),
    )  # fmt: skip
    pa = section.values
    directory = pa.get("directory_url")
    return PlatformSettings(
        flow_url=_url(pa.get("flow_url"), "flow_url"),
        token_url=_url(pa.get("token_url"), "token_url"),
        client_id=str(pa.get("client_id") or ""),
        secret=section.secret,
        directory_url=_url(directory, "directory_url") if directory else None,
        timeout=section.timeout,
    )


def multipart(fields: list[tuple[str, str, bytes, str | None]]) -> tuple[bytes, str]:
    """A multipart/form-data body of (name, content type, data, filename) parts."""
    boundary = uuid.uuid4().hex
    chunks: list[bytes] = []
    for name, content_type, data, filename in fields:
        disposition = f'form-data; name="{name}"'
        if filename:
            disposition += f'; filename="{filename}"'
        head = (
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
            f"Content-Type: {content_type}\r\n\r\n"
        )
        chunks += [head.encode(), data, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


class Platform:
    """One platform for a run: the token is fetched once and again when it expires."""

    def __init__(
        self, settings: PlatformSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0

    def _open(self, request: urllib.request.Request, *, sent: bool) -> tuple[int, bytes]:
        """Send; HTTP errors are returned; a failure after sending is uncertain when `sent`."""
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as answer:
                return int(answer.status), answer.read()
        except urllib.error.HTTPError as error:
            return int(error.code), error.read()
        except (OSError, ValueError) as error:
            reason = getattr(error, "reason", None) or error
            where = urllib.parse.urlsplit(request.full_url).netloc
            if sent and not isinstance(reason, ConnectionRefusedError):
                raise PlatformUncertain(f"{where}: no answer ({reason})") from None
            raise PlatformError(f"cannot reach {where}: {reason}") from None

    def token(self) -> str:
        """An access token (OAuth2 client credentials), reused until it expires."""
        if self._token and self._clock() < self._expires:
            return self._token
        s = self.settings
        if s.secret is None:
            raise PlatformError(
                f"no platform secret: set {SECRET_VARIABLE} or pa.secret_file outside the folder"
            )
        body = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "client_id": s.client_id,
             "client_secret": s.secret}
        ).encode()  # fmt: skip
        request = urllib.request.Request(s.token_url, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        status, data = self._open(request, sent=False)
        if status != 200:
            raise PlatformError(f"the platform refused the client id {s.client_id!r} ({status})")
        answer = _json(data, s.token_url)
        self._token = str(answer.get("access_token") or "")
        self._expires = self._clock() + max(int(answer.get("expires_in") or 300) - 30, 1)
        return self._token

    def call(
        self, method: str, url: str, body: bytes | None = None, content_type: str | None = None,
        *, sent: bool = False,
    ) -> tuple[int, bytes]:  # fmt: skip
        """One authorised request; a 401 (token expired early) gets one new token and a retry."""
        for attempt in (0, 1):
            request = urllib.request.Request(url, data=body, method=method)
            request.add_header("Authorization", f"Bearer {self.token()}")
            request.add_header("Request-Id", str(uuid.uuid4()))
            if content_type:
                request.add_header("Content-Type", content_type)
            status, data = self._open(request, sent=sent)
            if status != 401 or attempt:
                return status, data
            self._token = None
        raise AssertionError("unreachable")

    def post_flow(
        self, info: dict[str, Any], filename: str, data: bytes, kind: str = "application/pdf"
    ) -> dict[str, Any]:
        """POST /v1/flows: the flow info (JSON) and the file; the platform's FullFlowInfo."""
        body, content_type = multipart(
            [("flowInfo", "application/json", json.dumps(info).encode(), None),
             ("file", kind, data, filename)]
        )  # fmt: skip
        url = f"{self.settings.flow_url}/v1/flows"
        status, data = self.call("POST", url, body, content_type, sent=True)
        if status not in (200, 201, 202):
            raise PlatformError(f"the platform refused the flow: {_error(status, data)}")
        return _json(data, url)

    def search_flows(self, where: dict[str, Any]) -> list[dict[str, Any]]:
        """POST /v1/flows/search with the filters `where`, every page."""
        url = f"{self.settings.flow_url}/v1/flows/search"
        results: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            query: dict[str, Any] = {"where": where}
            if cursor:
                query["cursor"] = cursor
            status, data = self.call("POST", url, json.dumps(query).encode(), "application/json")
            if status != 200:
                raise PlatformError(f"flow search failed: {_error(status, data)}")
            page = _json(data, url)
            results += [r for r in page.get("results") or [] if isinstance(r, dict)]
            cursor = page.get("nextCursor")
            if not cursor:
                return results

    def download(self, flow_id: str) -> bytes:
        """GET /v1/flows/{flowId}?docType=Original: the file of a flow (a CDAR message...)."""
        quoted = urllib.parse.quote(flow_id, safe="")
        url = f"{self.settings.flow_url}/v1/flows/{quoted}?docType=Original"
        status, data = self.call("GET", url)
        if status != 200:
            raise PlatformError(f"cannot download flow {flow_id}: {_error(status, data)}")
        return data

    def siren(self, siren: str) -> dict[str, Any] | None:
        """GET /v1/siren/code-insee:{siren} and the directory lines of that SIREN; None when
        the directory does not know it."""
        base = self.settings.directory_url
        if not base:
            raise PlatformError("pa.directory_url is not set in facturo.yaml")
        status, data = self.call("GET", f"{base}/v1/siren/code-insee:{siren}")
        if status == 404:
            return None
        if status != 200:
            raise PlatformError(f"directory lookup failed: {_error(status, data)}")
        unit = _json(data, base)
        query = json.dumps({"filters": {"siren": {"op": "strict", "value": siren}}}).encode()
        url = f"{base}/v1/directory-line/search"
        status, data = self.call("POST", url, query, "application/json")
        lines = _json(data, url).get("results") if status == 200 else []
        unit["directoryLines"] = [line for line in lines or [] if isinstance(line, dict)]
        return unit


def _json(data: bytes, url: str) -> dict[str, Any]:
    try:
        answer = json.loads(data or b"{}")
    except ValueError:
        raise PlatformError(f"{url} answered something that is not JSON") from None
    if not isinstance(answer, dict):
        raise PlatformError(f"{url} answered an unexpected JSON value")
    return answer


def _error(status: int, data: bytes) -> str:
    try:
        answer = json.loads(data)
    except ValueError:
        return f"HTTP {status}"
    if isinstance(answer, dict):
        keys = ("errorCode", "errorMessage", "details")
        words = [str(answer[key]) for key in keys if answer.get(key)]
        return f"HTTP {status} " + ": ".join(words)
    return f"HTTP {status}"
