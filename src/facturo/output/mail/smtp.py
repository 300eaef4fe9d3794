"""Sending email: SMTP settings from facturo.yaml, the password from outside the folder,
messages built with `email.message` (so a name holding a newline cannot inject a header)."""

from __future__ import annotations

import re
import smtplib
import ssl
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from types import TracebackType
from typing import Any

from facturo.errors import FacturoError
from facturo.files.identifiers import check_port, is_loopback
from facturo.files.rules import clear_text_login_problem
from facturo.store.services import service_section

PASSWORD_VARIABLE = "FACTURO_SMTP_PASSWORD"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class MailError(FacturoError):
    """The mail server refused or could not be reached."""


class MailUncertain(MailError):
    """The connection broke while a message was handed over: it may have been accepted."""


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
    from facturo.files.identifiers import check_mailbox

    problem = check_mailbox(str(text))
    if problem:
        raise FacturoError(f"{what}: {problem}")
    [(name, email)] = getaddresses([str(text)])
    local, _, domain = email.rpartition("@")
    return Address(display_name=display_name(name, what), username=local, domain=domain)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# Characters that give an address header its structure. Python's header folder drops the
# quotes around a long display name when it folds it, so that "Acme, Bcc: x@y" would become
# a second recipient: a display name never holds them (they become spaces), nor a dot that
# does not end a word (as in "S.A.", which parses without quotes).
_STRUCTURE = str.maketrans(dict.fromkeys('()<>[]:;@\\,"', " "))
_LOOSE_DOT = re.compile(r"(?<!\w)\.")


def display_name(name: str, what: str = "a name") -> str:
    """A name fit for an address header: one line, no control character, no structure."""
    flat = _one_line(name)
    for character in flat:
        if unicodedata.category(character) == "Cc":
            raise FacturoError(
                f"{what} {flat!r}: a control character ({ord(character):#04x}) cannot go "
                "into an email header"
            )
    return _one_line(_LOOSE_DOT.sub(" ", flat.translate(_STRUCTURE)))


def settings_from(
    config: dict[str, Any], root: Path, environ: dict[str, str] | None = None
) -> MailSettings:
    """SMTP settings; the password from FACTURO_SMTP_PASSWORD or mail.password_file."""
    section = service_section(
        config, "mail", root, environ, what="mail", needs="host, port, security, user, from",
        secret=(PASSWORD_VARIABLE, "password_file"),
    )  # fmt: skip
    mail = section.values
    security = mail.get("security", "starttls")
    host = str(mail["host"])
    if security == "none" and mail.get("user") and not is_loopback(host):
        raise FacturoError(f"mail.security: {clear_text_login_problem(host)}")
    port = int(mail.get("port") or DEFAULT_PORTS[security])
    problem = check_port(port)
    if problem:
        raise FacturoError(f"mail.port: {problem}")
    return MailSettings(
        host=host,
        port=port,
        security=security,
        sender=_address(mail["from"], "mail.from"),
        user=mail.get("user"),
        password=section.secret,
        bcc=tuple(mail.get("bcc") or ()),
        timeout=section.timeout,
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
    shown = display_name(typed_name or name, f"the name of {addr}")
    return Address(display_name=shown, username=local, domain=domain)


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
        except (OSError, smtplib.SMTPException, ValueError, OverflowError) as error:
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
        except smtplib.SMTPServerDisconnected as error:
            raise MailUncertain(
                f"{self.settings.host}: connection lost: {_reason(error)}"
            ) from None
        except smtplib.SMTPException as error:  # the server answered: it refused the message
            raise MailError(f"{self.settings.host} refused the message: {_reason(error)}") from None
        except OSError as error:  # a timeout or a reset while the message was on its way
            raise MailUncertain(
                f"{self.settings.host}: connection lost: {_reason(error)}"
            ) from None
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
