"""`facturo remind --send` and `facturo send` against a real SMTP server (aiosmtpd), no mocks.

Each reminder is sent once and recorded right after the server accepted it; failures record
nothing and are retried; two runs at once send each reminder once.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest

from conftest import CLIENT_BERLIN, CLIENT_DUPONT, CONFIG, DRAFT, Cli, issue, write
from facturo.files.yamlio import load_mapping
from helpers_process import facturo_command, snapshot
from smtp_server import AUTH_WITHOUT_TLS, Received, SmtpServer, running

BILLING = "compta@dupont.example"
ACCOUNTANT = "expert@cabinet.example"
ARCHIVE = "archive@example.fr"
QUOTE = "kind: quote\n" + DRAFT


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running() as server:
        yield server


@pytest.fixture
def mailing(folder: Path, smtp: SmtpServer) -> SmtpServer:
    """The folder sends through `smtp`, blind copy to the archive; dupont's accountant in cc."""
    write(folder / "facturo.yaml", CONFIG + smtp.mail_config(bcc=f"[{ARCHIVE}]"))
    write(folder / "clients" / "dupont.yaml", CLIENT_DUPONT + f"cc: [{ACCOUNTANT}]\n")
    return smtp


def tracking(folder: Path, number: str, key: str = "reminders") -> list[dict[str, Any]]:
    [path] = folder.rglob(f"{number}.yaml")
    data, problems = load_mapping(path, path.name)
    assert data is not None and problems == [], problems
    return [dict(item) for item in (data.get("tracking") or {}).get(key) or []]


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def flat(text: str) -> str:
    """Text without any kind of space, to find amounts whatever the locale's separators."""
    return re.sub(r"\s", "", text)


def pdfs(received: Received) -> list[tuple[str, bytes]]:
    found = [
        (name, data) for name, kind, data in received.attachments() if kind == "application/pdf"
    ]
    assert len(found) == len(received.attachments())
    return found


# -- remind --send -------------------------------------------------------------------------


def test_a_reminder_is_sent_to_the_client_with_copies_and_the_invoice(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")  # due 2026-11-19: 3 days late, level 1
    result = cli("remind", "--send")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"sent level 1 reminder for {number} to {BILLING}\n"

    [received] = mailing.messages
    assert received.mail_from == "camille@example.fr"
    assert sorted(received.rcpt_tos) == [ARCHIVE, BILLING, ACCOUNTANT]
    message = received.message
    assert message["To"].addresses[0].addr_spec == BILLING
    assert message["Cc"].addresses[0].addr_spec == ACCOUNTANT
    assert message["Bcc"] is None
    assert number in received.subject
    assert number in received.text() and number in received.html()
    assert "1620,00" in flat(received.text())  # the balance, in the client's language
    [(filename, data)] = pdfs(received)
    assert number in filename
    assert number in pdf_text(data)

    [record] = tracking(folder, number)
    assert str(record.pop("started")).startswith("2026-11-22T")  # the intent, before sending
    assert record == {
        "date": dt.date(2026, 11, 22),
        "level": 1,
        "to": [BILLING],
        "cc": [ACCOUNTANT],
        "message_id": message["Message-ID"],
        "status": "sent",
    }
    assert cli("check").exit_code == 0  # the seal still holds after the tracking write


def test_a_german_client_gets_its_reminder_in_german(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    write(folder / "clients" / "dupont.yaml", CLIENT_DUPONT + "language: de\n")
    number = issue(cli, draft, "2026-10-20")  # due 2026-11-19: 3 days late, level 1
    assert cli("remind", "--send").exit_code == 0
    [received] = mailing.messages
    assert received.subject == f"Zahlungserinnerung: Rechnung {number}"
    text = " ".join(received.text().split())
    for german in ("Guten Tag,", "ist die Rechnung", "1.620,00", "Verwendungszweck", "Grüßen"):
        assert german in text, german
    for other in ("Bonjour", "Hello", "Kind regards", "Rappel"):
        assert other not in text and other not in received.html(), other
    assert '<html lang="de">' in received.html()


def test_a_second_run_the_same_day_sends_nothing_and_says_nothing(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")
    assert cli("remind", "--send").exit_code == 0
    before = snapshot(folder)
    again = cli("remind", "--send")
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")
    assert len(mailing.messages) == 1
    assert snapshot(folder) == before
    listed = json.loads(cli("remind", "--json").stdout)
    assert [(i["number"], i["last_level"], i["level_due"]) for i in listed] == [(number, 1, None)]


def test_after_a_60_day_outage_only_one_formal_notice_goes_out_with_the_letter(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-08-24")  # due 2026-09-23: 60 days late, nothing sent
    result = cli("remind", "--send")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"sent level 3 reminder for {number} to {BILLING}\n"
    [received] = mailing.messages
    (invoice_name, invoice), (letter_name, letter) = pdfs(received)
    assert number in invoice_name and number in pdf_text(invoice)
    assert number in letter_name and letter_name != invoice_name
    letter_text = pdf_text(letter)
    assert number in letter_text
    # 1620 x 60 days x 12.15 % / 365 = 32.3556... and the 40 EUR recovery indemnity
    assert "32,36" in flat(letter_text) and "40,00" in flat(letter_text)
    assert "32,36" in flat(received.text()) and "40,00" in flat(received.text())
    assert [r["level"] for r in tracking(folder, number)] == [3]

    for later in ("2026-11-23", "2026-12-31"):
        result = cli("--today", later, "remind", "--send")
        assert (result.exit_code, result.stdout) == (0, ""), result.output
    assert len(mailing.messages) == 1


def test_a_first_reminder_after_an_outage_does_not_claim_earlier_ones(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    issue(cli, draft, "2026-08-24")  # 60 days late, no reminder ever sent
    assert cli("remind", "--send").exit_code == 0
    [received] = mailing.messages
    [_, (_, letter)] = pdfs(received)
    for text in (received.text(), received.html(), pdf_text(letter)):
        flat_text = " ".join(text.split())
        assert "précédent" not in flat_text, flat_text  # "malgré nos précédentes relances"


def test_an_invoice_paid_after_the_first_reminder_gets_no_second_one(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")
    assert cli("remind", "--send").exit_code == 0
    [item] = json.loads(cli("--today", "2026-12-10", "remind", "--json").stdout)
    assert item["level_due"] == 2  # unpaid, level 2 would be due on 2026-12-10
    assert cli("--today", "2026-11-25", "pay", number).exit_code == 0
    result = cli("--today", "2026-12-10", "remind", "--send")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert len(mailing.messages) == 1
    assert [r["level"] for r in tracking(folder, number)] == [1]


def test_when_the_server_is_down_nothing_is_recorded_and_the_next_run_sends(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")
    mailing.stop()
    before = snapshot(folder)
    result = cli("remind", "--send")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.search(
        rf"^error: {number}: cannot connect to 127\.0\.0\.1:{mailing.port}: .*refused",
        result.stderr,
        re.MULTILINE,
    ), result.stderr
    assert "Traceback" not in result.output
    assert snapshot(folder) == before

    mailing.start()
    result = cli("remind", "--send")
    assert result.exit_code == 0, result.output
    assert len(mailing.messages) == 1
    assert [r["level"] for r in tracking(folder, number)] == [1]


def test_a_refused_message_is_retried_while_the_others_are_recorded(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    write(folder / "clients" / "berlin.yaml", CLIENT_BERLIN + "email: ap@berlin.example\n")
    first = issue(cli, draft, "2026-10-20", "d1")
    second = issue(cli, draft, "2026-10-20", "d2", DRAFT.replace("dupont", "berlin"))
    mailing.reject.add(BILLING)
    result = cli("remind", "--send")
    assert result.exit_code == 1
    assert result.stdout == f"sent level 1 reminder for {second} to ap@berlin.example\n"
    assert re.search(rf"^error: {first}: .*554", result.stderr, re.MULTILINE), result.stderr
    assert tracking(folder, first) == []
    assert [r["to"] for r in tracking(folder, second)] == [["ap@berlin.example"]]
    [english] = mailing.messages
    assert "1,350.00" in english.text()  # reverse charge, no VAT; English formatting

    mailing.reject.clear()
    result = cli("remind", "--send")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"sent level 1 reminder for {first} to {BILLING}\n"
    assert [len(mailing.for_number(n)) for n in (first, second)] == [1, 1]


def test_two_runs_at_once_send_each_reminder_once(
    draft, cli: Cli, folder: Path, mailing: SmtpServer
) -> None:
    numbers = [issue(cli, draft, "2026-10-20", f"d{i}") for i in (1, 2)]
    command = facturo_command(folder, "remind", "--send")
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    sent_lines = "".join(out for out, _ in outputs).splitlines()
    assert sorted(sent_lines) == [
        f"sent level 1 reminder for {number} to {BILLING}" for number in numbers
    ]
    assert [len(mailing.for_number(number)) for number in numbers] == [1, 1]
    assert len(mailing.messages) == 2
    assert [len(tracking(folder, number)) for number in numbers] == [1, 1]


def test_a_client_name_holding_a_newline_cannot_add_a_recipient(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    evil = CLIENT_DUPONT.replace("Atelier Dupont SARL", '"Evil\\nBcc: victim@example.org"')
    write(folder / "clients" / "dupont.yaml", evil)
    issue(cli, draft, "2026-10-20")
    result = cli("remind", "--send")
    assert result.exit_code == 0, result.output
    [received] = mailing.messages
    assert sorted(received.rcpt_tos) == [ARCHIVE, BILLING]
    message = received.message
    assert "bcc" not in {name.lower() for name in message}
    assert [a.addr_spec for a in message["To"].addresses] == [BILLING]
    assert "\n" not in message["To"].addresses[0].display_name


def test_an_invalid_client_email_is_never_used_and_the_others_still_go(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    first = issue(cli, draft, "2026-10-20", "d1")
    second = issue(cli, draft, "2026-10-20", "d2", DRAFT.replace("dupont", "berlin"))
    bad = CLIENT_BERLIN + 'email: "ap@berlin.example\\nBcc: victim@example.org"\n'
    write(folder / "clients" / "berlin.yaml", bad)
    result = cli("remind", "--send")
    assert result.exit_code == 1
    # an invalid client file stops that reminder (never a fallback address), not the others
    assert f"error: {second}: clients/berlin.yaml is invalid: " in result.stderr
    assert result.stdout == f"sent level 1 reminder for {first} to {BILLING}\n"
    assert all("victim@example.org" not in m.rcpt_tos for m in mailing.messages)
    assert tracking(folder, second) == []


def test_dry_run_prints_the_emails_and_changes_nothing(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")
    before = snapshot(folder)
    result = cli("remind", "--send", "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"To: {BILLING}" in out
    assert f"Cc: {ACCOUNTANT}" in out
    subject = re.search(r"^Subject: (.+)$", out, re.MULTILINE)
    assert subject and number in subject.group(1)
    assert "1620,00" in flat(out)  # the body
    assert mailing.messages == []
    assert snapshot(folder) == before
    assert cli("remind", "--dry-run").stdout == out  # --dry-run alone does the same

    assert cli("remind", "--send").exit_code == 0
    [received] = mailing.messages
    assert f"Subject: {received.subject}\n" in out
    assert received.text().strip() in out  # exactly the body that was then sent


def test_dry_run_shows_the_blind_copies_too(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    issue(cli, draft, "2026-10-20")
    result = cli("remind", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"Bcc: {ARCHIVE}" in result.stdout


def test_quiet_prints_only_what_was_sent(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")
    result = cli("remind", "--send", "--quiet")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"sent level 1 reminder for {number} to {BILLING}\n"
    result = cli("remind", "--send", "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_a_client_without_email_is_reported_and_not_recorded(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20", text=DRAFT.replace("dupont", "berlin"))
    result = cli("remind", "--send")
    assert result.exit_code == 1
    assert f"error: {number}: no billing email for client 'berlin'" in result.stderr
    assert mailing.messages == []
    assert tracking(folder, number) == []


def test_a_refused_client_address_is_reported_with_the_server_reply(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")
    mailing.refuse.add(BILLING)
    result = cli("remind", "--send")
    assert result.exit_code == 1
    error = re.search(rf"^error: {number}: (.*)$", result.stderr, re.MULTILINE)
    assert error, result.stderr
    assert BILLING in error.group(1) and "550" in error.group(1)  # who, and the server's why
    assert tracking(folder, number) == []


def test_a_copy_refused_still_records_the_reminder_the_client_received(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")
    mailing.refuse.add(ACCOUNTANT)  # the server takes the message for the client only
    result = cli("remind", "--send")
    assert [m.rcpt_tos for m in mailing.messages] == [[BILLING, ARCHIVE]]
    assert ACCOUNTANT in result.stderr  # the refused copy is reported
    # The client has it: recorded, so the next run does not send it again.
    assert [r["level"] for r in tracking(folder, number)] == [1]
    cli("remind", "--send")
    assert len(mailing.messages) == 1


def test_a_formal_notice_letter_tells_payments_from_credit_notes(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-08-24")  # 1620.00, due 2026-09-23
    assert cli("pay", number, "500.00", "--date", "2026-09-30").exit_code == 0
    credited = cli(
        "credit", number, "--amount", "250", "--reason", "remise", "--date", "2026-10-01"
    )
    assert credited.exit_code == 0, credited.output
    assert cli("remind", "--send").exit_code == 0
    [received] = mailing.messages
    [_, (_, letter)] = pdfs(received)
    text = flat(pdf_text(letter))
    assert "Déjàréglé" in text and "500,00" in text  # the payment
    assert "Avoirs" in text and "300,00" in text  # the credit note, 250 + 20 % VAT
    assert "800,00" not in text  # not lumped together as paid
    assert "820,00" in text  # the balance
    # 7 days at 1620, 1 at 1120, 52 at 820: 55100 day-euros -> 18.3414...
    assert "18,34" in text


def test_a_formal_notice_letter_does_not_count_deposits_as_credit_notes(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    quote = issue(cli, draft, "2026-08-01", text=QUOTE)
    assert cli("accept", quote, "--deposit", "30%", "--date", "2026-08-02").exit_code == 0
    deposit = issue(
        cli, draft, "2026-08-03", text=(folder / "drafts" / f"{quote}-deposit.yaml").read_text()
    )
    assert cli("pay", deposit, "--date", "2026-08-10").exit_code == 0  # 486.00
    final = issue(
        cli, draft, "2026-08-20", text=(folder / "drafts" / f"{quote}-invoice.yaml").read_text()
    )
    for name in (f"{quote}-deposit", f"{quote}-invoice"):
        (folder / "drafts" / f"{name}.yaml").unlink(missing_ok=True)
    result = cli("credit", final, "--amount", "100", "--reason", "geste", "--date", "2026-09-01")
    assert result.exit_code == 0, result.output  # 120.00 with VAT
    # final: 1620.00 - deposit 486.00 = 1134.00 due 2026-09-19, minus the credit note: 1014.00
    assert cli("remind", "--send").exit_code == 0
    [received] = mailing.messages
    [_, (_, letter)] = pdfs(received)
    text = flat(pdf_text(letter))
    assert "1014,00" in text
    assert "120,00" in text  # the credit note
    assert "606,00" not in text  # not deposit + credit note lumped as "Avoirs"


def test_a_tampered_invoice_is_not_emailed(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-10-20")
    path = folder / "invoices" / "2026" / f"{number}.yaml"
    path.write_text(path.read_text("utf-8").replace("Développement", "Dévelopement"), "utf-8")
    for _ in range(2):
        result = cli("remind", "--send")
        assert result.exit_code != 0
        assert f"invoices/2026/{number}.yaml" in result.stderr
    assert mailing.messages == []  # checked before sending, not after: never sent daily


# -- facturo send --------------------------------------------------------------------------


def test_send_emails_the_invoice_and_records_the_sending(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-11-20")
    result = cli("send", number)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"sent {number} to {BILLING}\n"
    [received] = mailing.messages
    assert sorted(received.rcpt_tos) == [ARCHIVE, BILLING, ACCOUNTANT]
    assert number in received.subject
    [(filename, data)] = pdfs(received)
    assert number in filename and number in pdf_text(data)
    [sending] = tracking(folder, number, "sendings")
    assert str(sending.pop("started")).startswith("2026-11-22T")
    assert sending == {
        "date": dt.date(2026, 11, 22),
        "to": [BILLING],
        "cc": [ACCOUNTANT],
        "message_id": received.message["Message-ID"],
        "status": "sent",
    }
    assert tracking(folder, number) == []  # a sending is not a reminder

    other = cli("send", number, "--to", "boss@dupont.example")
    assert other.exit_code == 0, other.output
    assert sorted(mailing.messages[1].rcpt_tos) == [ARCHIVE, "boss@dupont.example", ACCOUNTANT]
    assert [s["to"] for s in tracking(folder, number, "sendings")] == [
        [BILLING],
        ["boss@dupont.example"],
    ]


def test_sending_a_quote_makes_it_sent(cli: Cli, draft, folder: Path, mailing: SmtpServer) -> None:
    quote = issue(cli, draft, "2026-11-20", text=QUOTE)
    status = {d["number"]: d["status"] for d in json.loads(cli("list", "--json").stdout)}
    assert status[quote] == "issued"
    assert cli("send", quote).exit_code == 0
    status = {d["number"]: d["status"] for d in json.loads(cli("list", "--json").stdout)}
    assert status[quote] == "sent"
    [received] = mailing.messages
    [(filename, data)] = pdfs(received)
    assert quote in filename and quote in pdf_text(data)


def test_send_dry_run_records_nothing(cli: Cli, draft, folder: Path, mailing: SmtpServer) -> None:
    number = issue(cli, draft, "2026-11-20")
    before = snapshot(folder)
    result = cli("send", number, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"To: {BILLING}" in result.stdout and number in result.stdout
    assert mailing.messages == []
    assert snapshot(folder) == before


def test_send_with_a_newline_in_to_is_refused_without_sending(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-11-20")
    result = cli("send", number, "--to", "a@dupont.example\nBcc: victim@example.org")
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output and "invalid" in result.stderr.lower()
    assert mailing.messages == []
    assert tracking(folder, number, "sendings") == []


def test_send_to_a_name_and_address_goes_to_the_address(
    cli: Cli, draft, folder: Path, mailing: SmtpServer
) -> None:
    number = issue(cli, draft, "2026-11-20")
    result = cli("send", number, "--to", "Jean Dupont <jean@dupont.example>")
    assert result.exit_code == 0, result.output
    [received] = mailing.messages
    assert "jean@dupont.example" in received.rcpt_tos
    assert received.message["To"].addresses[0].addr_spec == "jean@dupont.example"
    assert tracking(folder, number, "sendings")[0]["to"] == ["jean@dupont.example"]


@AUTH_WITHOUT_TLS
def test_send_logs_in_with_the_password_from_the_environment(
    cli: Cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = issue(cli, draft, "2026-11-20")
    with running(password="s3cret") as server:
        write(folder / "facturo.yaml", CONFIG + server.mail_config(user="camille"))
        monkeypatch.setenv("FACTURO_SMTP_PASSWORD", "wrong")
        result = cli("send", number)
        assert result.exit_code == 1
        assert re.search(r"^error: .*535", result.stderr, re.MULTILINE), result.stderr
        assert tracking(folder, number, "sendings") == []
        monkeypatch.setenv("FACTURO_SMTP_PASSWORD", "s3cret")
        result = cli("send", number)
        assert result.exit_code == 0, result.output
        assert [m.login for m in server.messages] == ["camille"]
        assert len(tracking(folder, number, "sendings")) == 1


def test_a_dry_run_names_the_attachments_without_rendering_them(
    cli: Cli, draft, folder: Path, mailing: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dry run prints what would be sent: rendering every PDF of a large folder's late
    invoices would make it slow for nothing (the real run renders them)."""
    import facturo.output.pdf.engine as engine

    issue(cli, draft, "2026-10-20")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a dry run rendered a PDF")

    monkeypatch.setattr(engine, "Renderer", refuse)
    result = cli("remind", "--dry-run")

    assert result.exit_code == 0, result.output
    assert re.search(r"^Attachments: .+\.pdf$", result.stdout, re.MULTILINE), result.stdout
