"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, keeping every message and envelope."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    """One message the server accepted: envelope, raw bytes, parsed message, who logged in."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str | None

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None
        return str(body.get_content()).replace("\r\n", "\n")

    def html(self) -> str:
        body = self.message.get_body(("html",))
        assert body is not None
        return str(body.get_content()).replace("\r\n", "\n")

    def attachments(self) -> list[tuple[str, str, bytes]]:
        """(filename, content type, data) of each attachment."""
        return [
            (str(part.get_filename()), part.get_content_type(), part.get_payload(decode=True))
            for part in self.message.iter_attachments()
        ]


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.server.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if set(envelope.rcpt_tos) & self.server.reject:
            return "554 5.7.1 message rejected"
        login = session.auth_data.login.decode() if session.authenticated else None
        with self.server.lock:
            self.server.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, login)
            )
        self.server.kill_client_if_armed()
        if self.server.hang_up:
            server.transport.close()  # stored, but the client never hears so
        return "250 Message accepted for delivery"


AUTH_WITHOUT_TLS = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    """`start()` / `stop()` a server on a fixed port; `messages` is what it accepted.

    With `password`, clients must log in (AUTH LOGIN or PLAIN, over plain text: tests only;
    mark such tests with AUTH_WITHOUT_TLS to silence aiosmtpd's warning about it).
    """

    port: int = field(default_factory=free_port)
    password: str | None = None
    host: str = "127.0.0.1"
    refuse: set[str] = field(default_factory=set)  # recipients refused at RCPT
    reject: set[str] = field(default_factory=set)  # whole messages to them refused at DATA
    hang_up: bool = False  # close the connection once a message is stored, before replying
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    logins: list[tuple[str, bool]] = field(default_factory=list)
    _controller: Controller | None = None
    _armed: bool = False
    _client: int | None = None
    _client_known: threading.Event = field(default_factory=threading.Event)

    def kill_client_at_data(self) -> None:
        """SIGKILL the next client (see `client_is`) once its message is stored, before the
        server's reply reaches it: the window between acceptance and the client's record."""
        self._armed = True
        self._client = None
        self._client_known.clear()

    def client_is(self, pid: int) -> None:
        """The process the armed kill is for (the server waits for it at DATA)."""
        self._client = pid
        self._client_known.set()

    def kill_client_if_armed(self) -> None:
        if not self._armed:
            return
        self._armed = False
        if not self._client_known.wait(timeout=60) or self._client is None:
            raise AssertionError("kill_client_at_data: no client pid given")
        os.kill(self._client, signal.SIGKILL)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = data.password.decode() == self.password
        self.logins.append((data.login.decode(), ok))
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    def start(self) -> None:
        options: dict[str, Any] = {}
        if self.password is not None:
            options = {
                "auth_required": True,
                "auth_require_tls": False,
                "authenticator": self._authenticate,
            }
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, **options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def mail_config(self, **extra: str) -> str:
        """The `mail:` section of facturo.yaml pointing at this server."""
        lines = [
            "mail:",
            f"  host: {self.host}",
            f"  port: {self.port}",
            "  security: none",
            "  from: Camille Martin <camille@example.fr>",
            "  timeout_seconds: 10",
        ]
        lines += [f"  {key}: {value}" for key, value in extra.items()]
        return "\n".join(lines) + "\n"

    def for_number(self, number: str) -> list[Received]:
        """Messages whose subject or text names `number`."""
        return [m for m in self.messages if number in m.subject or number in m.text()]


@contextmanager
def running(**options: Any) -> Iterator[SmtpServer]:
    server = SmtpServer(**options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
