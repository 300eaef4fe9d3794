"""Display names cannot add recipients: the message the SMTP server received, parsed by two
parsers, has exactly the intended To and Cc, no Bcc header, and the intended envelope."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Iterator
from email.utils import getaddresses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CLIENT_DUPONT, CONFIG, Cli, issue, write
from facturo.output.mail.smtp import build_message, settings_from
from smtp_server import Received, SmtpServer, running

BILLING = "compta@dupont.example"
ACCOUNTANT = "expert@cabinet.example"
LONG = " and partners of the Lyon workshop of the Rhône valley " * 2

NAMES = [
    "Acme, Bcc: x@evil.example",
    '"a" <b@evil.example>',
    "Acme; x@evil.example",
    "Acme: x@evil.example;",
    "Acme (Bcc: x@evil.example",
    "Acme\nBcc: x@evil.example",
    "Société Générale, Bcc: x@evil.example",
    "Atelier" + LONG.replace("Rhône", "Rhone") + ", Bcc: x@evil.example " + "x" * 70,
    '", Bcc: x@evil.example ' + "x" * 70,
    " <x@evil.example>, " + "y" * 70,
    ";x@evil.example " + "z" * 70,
    "Zoë" + LONG + '"<x@evil.example>,',
]


@pytest.fixture
def mailing(folder: Path) -> Iterator[SmtpServer]:
    with running() as server:
        write(folder / "facturo.yaml", CONFIG + server.mail_config())
        yield server


def recipients(received: Received, header: str) -> tuple[list[str], list[str]]:
    """The addresses of a header as the modern parser and the compat32 parser read them."""
    modern = received.message[header]
    old = email.message_from_bytes(received.raw, policy=email.policy.compat32)
    return (
        [a.addr_spec for a in modern.addresses] if modern is not None else [],
        [address for _, address in getaddresses(old.get_all(header) or [])],
    )


def quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@pytest.mark.parametrize("name", NAMES)
def test_a_client_name_cannot_add_a_recipient(
    cli: Cli, draft, folder: Path, mailing: SmtpServer, name: str
) -> None:
    client = CLIENT_DUPONT.replace("Atelier Dupont SARL", quoted(name))
    write(folder / "clients" / "dupont.yaml", client + f"cc: [{ACCOUNTANT}]\n")
    number = issue(cli, draft, "2026-11-20")
    result = cli("send", number)
    assert result.exit_code == 0, result.output
    [received] = mailing.messages
    assert sorted(received.rcpt_tos) == [BILLING, ACCOUNTANT]
    assert recipients(received, "To") == ([BILLING], [BILLING])
    assert recipients(received, "Cc") == ([ACCOUNTANT], [ACCOUNTANT])
    assert received.message["Bcc"] is None
    assert "evil" not in "".join(received.message.keys()).lower()
    shown = received.message["To"].addresses[0].display_name
    first_word = name.split()[0].strip('"<;')
    if first_word.isalpha():
        assert first_word in shown  # the name is still recognisable


def test_the_sender_name_cannot_add_a_recipient(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    config = mailing.mail_config().replace(
        "from: Camille Martin <camille@example.fr>",
        'from: "\\"Camille, Bcc: x@evil.example' + "x" * 70 + '\\" <camille@example.fr>"',
    )
    write(folder / "facturo.yaml", CONFIG + config)
    number = issue(cli, draft, "2026-11-20")
    result = cli("send", number)
    assert result.exit_code == 0, result.output
    [received] = mailing.messages
    assert received.mail_from == "camille@example.fr"
    assert recipients(received, "From") == (["camille@example.fr"], ["camille@example.fr"])
    assert recipients(received, "To") == ([BILLING], [BILLING])
    assert received.rcpt_tos == [BILLING]


def test_a_name_with_control_characters_is_refused_before_sending(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-11-20")
    result = cli("send", number, "--to", "Jean\x07 <jean@dupont.example>")
    assert result.exit_code == 1
    assert "control character" in result.stderr and "Traceback" not in result.output
    assert mailing.messages == []


def test_a_client_name_with_control_characters_is_refused_where_it_is_written(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    client = CLIENT_DUPONT.replace("Atelier Dupont SARL", '"Atelier\\x1b[2J Dupont\\x00"')
    write(folder / "clients" / "dupont.yaml", client)
    checked = cli("check")
    assert checked.exit_code == 1
    assert "clients/dupont.yaml:1:" in checked.output and "control character" in checked.output
    assert cli("issue", str(draft()), "--date", "2026-11-20").exit_code == 3
    assert mailing.messages == []


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(
        st.sampled_from(
            [*"abcXYZ éüŒ中 ,;:<>\"@()[]\\.'&=?-_", "Bcc", "x@y.example", "=?utf-8?q?"]
        ),
        max_size=60,
    ).map(lambda parts: "".join(parts) * 3)
)
def test_no_name_makes_the_to_header_hold_another_address(name: str) -> None:
    sender = "Camille Martin <camille@example.fr>"
    mail = {"host": "localhost", "from": sender, "security": "none"}
    outgoing = build_message(
        settings_from({"mail": mail}, Path("/nonexistent"), environ={}),
        to=[(name, BILLING)], cc=[ACCOUNTANT], subject=name, text="x", html="<p>x</p>",
        attachments=[], when=dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC),
    )  # fmt: skip
    raw = outgoing.message.as_bytes(policy=email.policy.SMTP)
    received = Received("camille@example.fr", [BILLING, ACCOUNTANT], raw, None)
    assert recipients(received, "To") == ([BILLING], [BILLING])
    assert recipients(received, "Cc") == ([ACCOUNTANT], [ACCOUNTANT])
    assert received.message["Bcc"] is None
    assert outgoing.to == [BILLING] and outgoing.cc == [ACCOUNTANT]
