"""An email is never sent twice, even when facturo is killed after the server accepted it.

The intent (level, Message-ID, time) is recorded in tracking before the SMTP transaction; a
run that finds it still pending reports it and sends nothing until the user says whether it
went out. The kill is deterministic: the test server SIGKILLs the client process once it
has stored the message, before its reply reaches the client.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import CLIENT_DUPONT, CONFIG, DRAFT, Cli, issue, write
from facturo.files.yamlio import load_mapping
from helpers_process import facturo_command, snapshot
from smtp_server import SmtpServer, running

BILLING = "compta@dupont.example"


@pytest.fixture
def mailing(folder: Path) -> Iterator[SmtpServer]:
    with running() as server:
        write(folder / "facturo.yaml", CONFIG + server.mail_config())
        write(folder / "clients" / "dupont.yaml", CLIENT_DUPONT)
        yield server


def tracking(folder: Path, number: str, key: str = "reminders") -> list[dict[str, Any]]:
    [path] = folder.rglob(f"{number}.yaml")
    data, problems = load_mapping(path, path.name)
    assert data is not None and problems == [], problems
    return [dict(item) for item in (data.get("tracking") or {}).get(key) or []]


def killed_at_data(folder: Path, server: SmtpServer, *args: str) -> None:
    """Run facturo ARGS in a process the server kills once it accepted the message."""
    server.kill_client_at_data()
    process = subprocess.Popen(
        facturo_command(folder, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    server.client_is(process.pid)
    out, err = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, (out, err)


def test_a_reminder_killed_after_acceptance_is_reported_never_resent(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")  # 3 days late: level 1 due
    killed_at_data(folder, mailing, "remind", "--send")
    [received] = mailing.messages
    message_id = received.message["Message-ID"]
    [intent] = tracking(folder, number)
    assert intent["status"] == "pending"
    assert (intent["level"], intent["message_id"]) == (1, message_id)
    assert str(intent["started"]).startswith("2026-11-22T")

    for day in ("2026-11-22", "2026-12-10"):  # the same day, and when level 2 is due
        again = cli("--today", day, "remind", "--send")
        assert again.exit_code == 1, again.output
        assert again.stdout == ""
        assert f"{number}: level 1 reminder sent or not: check your outbox" in again.stderr
        assert f"Message-ID {message_id}" in again.stderr
        assert f"facturo remind --confirm-sent {number}" in again.stderr
        assert f"facturo remind --resend {number}" in again.stderr
        assert "Traceback" not in again.output
    assert len(mailing.messages) == 1

    listed = cli("remind")
    assert "pending" in listed.stdout

    confirmed = cli("remind", "--confirm-sent", number)
    assert confirmed.exit_code == 0, confirmed.output
    [record] = tracking(folder, number)
    assert record["status"] == "sent" and record["message_id"] == message_id
    before = snapshot(folder)
    quiet = cli("remind", "--send")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
    assert snapshot(folder) == before
    assert len(mailing.messages) == 1
    assert cli("check").exit_code == 0

    later = cli("--today", "2026-12-10", "remind", "--send")  # level 2 goes out normally
    assert later.exit_code == 0, later.output
    assert len(mailing.messages) == 2
    assert [(r["level"], r["status"]) for r in tracking(folder, number)] == [
        (1, "sent"),
        (2, "sent"),
    ]


def test_resend_sends_a_pending_reminder_again_only_when_asked(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")
    killed_at_data(folder, mailing, "remind", "--send")
    assert len(mailing.messages) == 1
    first_id = mailing.messages[0].message["Message-ID"]
    result = cli("remind", "--resend", number)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"sent level 1 reminder for {number} to {BILLING}\n"
    assert len(mailing.messages) == 2
    second_id = mailing.messages[1].message["Message-ID"]
    assert second_id != first_id
    records = tracking(folder, number)
    assert [(r["message_id"], r["status"]) for r in records] == [
        (first_id, "not-sent"),
        (second_id, "sent"),
    ]
    assert cli("remind", "--send").stdout == ""
    assert len(mailing.messages) == 2


def test_resolving_what_is_not_pending_is_refused(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")
    before = snapshot(folder)
    for option in ("--confirm-sent", "--resend"):
        result = cli("remind", option, number)
        assert result.exit_code == 1
        assert f"{number} has no reminder waiting" in result.stderr
    assert snapshot(folder) == before
    assert mailing.messages == []


def test_a_document_killed_after_acceptance_is_not_sent_again(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-11-20")
    killed_at_data(folder, mailing, "send", number)
    [received] = mailing.messages
    message_id = received.message["Message-ID"]
    again = cli("send", number)
    assert again.exit_code == 1
    assert f"{number}: email sent or not: check your outbox for Message-ID {message_id}" in (
        again.stderr
    )
    assert f"facturo send {number} --confirm-sent" in again.stderr
    assert len(mailing.messages) == 1
    confirmed = cli("send", number, "--confirm-sent")
    assert confirmed.exit_code == 0, confirmed.output
    assert [s["status"] for s in tracking(folder, number, "sendings")] == ["sent"]
    assert len(mailing.messages) == 1
    resent = cli("send", number)  # a later, deliberate sending goes out as before
    assert resent.exit_code == 0, resent.output
    assert len(mailing.messages) == 2


def test_a_refused_message_leaves_no_intent(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")
    mailing.reject.add(BILLING)
    before = snapshot(folder)
    result = cli("remind", "--send")
    assert result.exit_code == 1
    assert f"{number}: " in result.stderr and "554" in result.stderr
    assert "sent or not" not in result.stderr
    assert snapshot(folder) == before  # refused for sure: retried by the next run


def test_a_connection_lost_after_data_leaves_the_reminder_pending(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    first = issue(cli, draft, "2026-10-20", "d1")
    second = issue(cli, draft, "2026-10-21", "d2", DRAFT.replace("3", "2"))
    mailing.hang_up = True
    result = cli("remind", "--send")
    assert result.exit_code == 1
    assert f"{first}: level 1 reminder sent or not" in result.stderr
    assert f"{second}: the connection broke" in result.stderr
    assert len(mailing.messages) == 1
    assert [r["status"] for r in tracking(folder, first)] == ["pending"]
    assert tracking(folder, second) == []  # never tried: the next run sends it

    mailing.hang_up = False
    again = cli("remind", "--send")
    assert again.exit_code == 1
    assert again.stdout == f"sent level 1 reminder for {second} to {BILLING}\n"
    assert f"{first}: level 1 reminder sent or not" in again.stderr
    assert len(mailing.for_number(first)) == 1


def test_resend_sends_a_pending_document_again(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-11-20")
    killed_at_data(folder, mailing, "send", number)
    first_id = mailing.messages[0].message["Message-ID"]
    refused = cli("send", number, "--dry-run")
    assert refused.exit_code == 1 and "sent or not" in refused.stderr
    result = cli("send", number, "--resend")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"sent {number} to {BILLING}\n"
    assert len(mailing.messages) == 2
    records = tracking(folder, number, "sendings")
    assert [(r["message_id"] == first_id, r["status"]) for r in records] == [
        (True, "not-sent"),
        (False, "sent"),
    ]
