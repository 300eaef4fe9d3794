"""Sending email: SMTP settings from facturo.yaml, the password from outside the folder,
messages built with `email.message` (so a name holding a newline cannot inject a header)."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from types import TracebackType
from typing import Any

from facturo.errors import FacturoError

PASSWORD_VARIABLE = "FACTURO_SMTP_PASSWORD"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class MailError(FacturoError):
    """The mail server refused or could not be reached."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str
    sender: Address
    user: str | None = None
    password: str | None = None
    bcc: tuple[str, ...] = ()
    timeout: int = 30


def _address(text: str, what: str) -> Address:
    pairs = getaddresses([text])
    if len(pairs) != 1 or "@" not in pairs[0][1]:
        raise FacturoError(
            f"{what}: expected an address like 'Name <you@example.fr>', got {text!r}"
        )
    name, email = pairs[0]
    local, _, domain = email.rpartition("@")
    return Address(display_name=_one_line(name), username=local, domain=domain)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def settings_from(
    config: dict[str, Any], root: Path, environ: dict[str, str] | None = None
) -> MailSettings:
    """SMTP settings; the password from FACTURO_SMTP_PASSWORD or mail.password_file."""
    environ = dict(os.environ) if environ is None else environ
    mail = config.get("mail")
    if not isinstance(mail, dict):
        raise FacturoError(
            "no mail settings: add a `mail:` section to facturo.yaml "
            "(host, port, security, user, from)"
        )
    security = mail.get("security", "starttls")
    password = environ.get(PASSWORD_VARIABLE)
    if password is None and mail.get("password_file"):
        secret = (root / Path(mail["password_file"]).expanduser()).resolve()
        if secret.is_relative_to(root.resolve()):
            raise FacturoError("mail.password_file must be outside the billing folder")
        try:
            password = secret.read_text("utf-8").strip()
        except OSError as error:
            raise FacturoError(
                f"cannot read mail.password_file {secret}: {error.strerror}"
            ) from None
    return MailSettings(
        host=mail["host"],
        port=int(mail.get("port") or DEFAULT_PORTS[security]),
        security=security,
        sender=_address(mail["from"], "mail.from"),
        user=mail.get("user"),
        password=password,
        bcc=tuple(mail.get("bcc") or ()),
        timeout=int(mail.get("timeout_seconds") or 30),
    )


def preview_settings(config: dict[str, Any]) -> MailSettings:
    """Settings to compose emails for a dry run when facturo.yaml has no `mail:` section:
    the seller's name and email as sender, no server (nothing can be sent with them)."""
    seller = config.get("seller") or {}
    email = str(seller.get("email") or "you@example.invalid")
    local, _, domain = email.rpartition("@")
    name = _one_line(seller.get("name") or "")
    return MailSettings(
        host="", port=0, security="none", sender=Address(name, local or email, domain)
    )


@dataclass
class Outgoing:
    """An email ready to send, and what to record once the server accepted it."""

    message: EmailMessage
    to: list[str]
    cc: list[str]
    message_id: str
    attachments: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)  # envelope only: never in a header


def build_message(
    settings: MailSettings,
    *,
    to: Sequence[tuple[str, str]],
    cc: Sequence[str],
    subject: str,
    text: str,
    html: str,
    attachments: Sequence[tuple[str, bytes, str]],
    when: Any,
) -> Outgoing:
    """An email with text and HTML parts and attachments (filename, data, mime type)."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = [_address_of(name, email) for name, email in to]
    if cc:
        message["Cc"] = [_address_of("", email) for email in cc]
    message["Subject"] = _one_line(subject)
    message["Date"] = format_datetime(when)
    message_id = make_msgid(domain=settings.sender.domain)
    message["Message-ID"] = message_id
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for filename, data, mime in attachments:
        main, _, sub = mime.partition("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    return Outgoing(
        message=message,
        to=[address.addr_spec for address in message["To"].addresses],
        cc=[address.addr_spec for address in message["Cc"].addresses] if cc else [],
        message_id=message_id,
        attachments=[name for name, _, _ in attachments],
        bcc=list(settings.bcc),
    )


def _address_of(name: str, email: str) -> Address:
    """An address from what a user typed ("a@b.fr" or "Name <a@b.fr>"); one, and no CR/LF."""
    from facturo.files.identifiers import check_email

    if "\r" in email or "\n" in email:
        raise FacturoError(f"invalid email address {email!r} (a line break)")
    pairs = getaddresses([email])
    if len(pairs) != 1 or check_email(pairs[0][1]) is not None:
        raise FacturoError(f"invalid email address {email!r}")
    typed_name, addr = pairs[0]
    local, _, domain = addr.rpartition("@")
    return Address(display_name=_one_line(typed_name or name), username=local, domain=domain)


class Mailer:
    """One SMTP connection for a run: `with Mailer(settings) as mailer: mailer.send(out)`."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        s = self.settings
        try:
            if s.security == "ssl":
                self._smtp = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                self._smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    self._smtp.starttls(context=ssl.create_default_context())
            if s.user:
                if s.password is None:
                    raise MailError(
                        f"mail.user is set but no password: set {PASSWORD_VARIABLE} "
                        "or mail.password_file"
                    )
                self._smtp.login(s.user, s.password)
        except (OSError, smtplib.SMTPException) as error:
            self._close()
            raise MailError(f"cannot connect to {s.host}:{s.port}: {_reason(error)}") from None
        return self

    def send(self, outgoing: Outgoing) -> dict[str, str]:
        """Send; returns the copies (cc, bcc) the server refused, with its reply.

        Raises MailError when the message did not reach every main recipient.
        """
        assert self._smtp is not None
        try:
            refused = self._smtp.send_message(
                outgoing.message, to_addrs=outgoing.to + outgoing.cc + outgoing.bcc
            )
        except smtplib.SMTPRecipientsRefused as error:
            refused = error.recipients
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"{self.settings.host} refused the message: {_reason(error)}") from None
        replies = {address: _reply(reply) for address, reply in refused.items()}
        lost = {a: r for a, r in replies.items() if a in outgoing.to}
        if lost:
            details = "; ".join(f"{address}: {reply}" for address, reply in lost.items())
            raise MailError(f"{self.settings.host} refused {details}")
        return replies

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._close()

    def _close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None


def _reply(reply: tuple[int, bytes] | Any) -> str:
    if isinstance(reply, tuple) and len(reply) == 2:
        code, text = reply
        words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{code} {words}"
    return str(reply)


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        message = (
            error.smtp_error.decode("utf-8", "replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        return f"{error.smtp_code} {message}"
    return str(error) or type(error).__name__
