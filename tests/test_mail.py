"""facturo.output.mail.smtp against a real SMTP server: settings, password sources, headers, failures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CONFIG, Cli, write
from facturo.errors import FacturoError
from facturo.files.yamlio import load_mapping
from facturo.output.mail.smtp import Mailer, MailError, build_message, settings_from
from smtp_server import AUTH_WITHOUT_TLS, SmtpServer, free_port, running

WHEN = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.7\n%fake\n"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running() as server:
        yield server


def config_of(text: str, root: Path) -> dict:
    path = write(root / "facturo.yaml", text)
    data, problems = load_mapping(path, "facturo.yaml")
    assert data is not None and problems == []
    return dict(data)


def send_one(settings, name: str = "Atelier Dupont", cc: tuple[str, ...] = ()) -> str:
    out = build_message(
        settings,
        to=[(name, "compta@dupont.example")],
        cc=list(cc),
        subject="Facture F-2026-0001",
        text="Bonjour,\nveuillez trouver la facture.\n",
        html="<p>Bonjour,</p>",
        attachments=[("facture-F-2026-0001.pdf", PDF, "application/pdf")],
        when=WHEN,
    )
    with Mailer(settings) as mailer:
        mailer.send(out)
    return out.message_id


# -- settings ------------------------------------------------------------------------------


def test_settings_default_port_follows_security(tmp_path: Path) -> None:
    for security, port in (("starttls", 587), ("ssl", 465), ("none", 25)):
        mail = f"mail:\n  host: smtp.example.fr\n  security: {security}\n  from: me@example.fr\n"
        settings = settings_from(config_of(CONFIG + mail, tmp_path), tmp_path, {})
        assert (settings.port, settings.security) == (port, security)
    mail = "mail:\n  host: smtp.example.fr\n  from: me@example.fr\n"
    assert settings_from(config_of(CONFIG + mail, tmp_path), tmp_path, {}).port == 587


def test_settings_without_a_mail_section_say_what_to_add(tmp_path: Path) -> None:
    with pytest.raises(FacturoError, match=r"add a `mail:` section to facturo\.yaml"):
        settings_from(config_of(CONFIG, tmp_path), tmp_path, {})


def test_password_comes_from_the_environment_first(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    root = tmp_path / "billing"
    mail = f"mail:\n  host: h\n  user: u\n  from: me@example.fr\n  password_file: {secret}\n"
    config = config_of(CONFIG + mail, root)
    assert settings_from(config, root, {"FACTURO_SMTP_PASSWORD": "from-env"}).password == "from-env"
    assert settings_from(config, root, {}).password == "from-file"


def test_password_file_inside_the_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "billing"
    write(root / "secrets" / "smtp", "hunter2\n")
    mail = "mail:\n  host: h\n  user: u\n  from: me@example.fr\n  password_file: secrets/smtp\n"
    config = config_of(CONFIG + mail, root)
    with pytest.raises(FacturoError, match="outside the billing folder"):
        settings_from(config, root, {})


def test_a_missing_password_file_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "billing"
    mail = f"mail:\n  host: h\n  from: me@example.fr\n  password_file: {tmp_path / 'nope'}\n"
    with pytest.raises(FacturoError, match=r"cannot read mail\.password_file .*nope"):
        settings_from(config_of(CONFIG + mail, root), root, {})


# -- facturo check: secrets never in the folder ---------------------------------------------


def test_check_flags_a_password_written_in_facturo_yaml(cli: Cli, folder: Path) -> None:
    mail = "mail:\n  host: h\n  from: me@example.fr\n  password: hunter2\n"
    write(folder / "facturo.yaml", CONFIG + mail)
    result = cli("check")
    assert result.exit_code == 1
    line = CONFIG.count("\n") + 4
    assert f"facturo.yaml:{line}:" in result.stdout
    assert "never write the SMTP password" in result.stdout


def test_check_flags_a_password_file_inside_the_folder(cli: Cli, folder: Path) -> None:
    write(folder / "smtp-password", "hunter2\n")
    mail = "mail:\n  host: h\n  from: me@example.fr\n  password_file: smtp-password\n"
    write(folder / "facturo.yaml", CONFIG + mail)
    result = cli("check")
    assert result.exit_code == 1
    assert f"facturo.yaml:{CONFIG.count(chr(10)) + 4}:" in result.stdout
    assert "password file is inside the billing folder" in result.stdout


def test_check_accepts_a_password_file_outside_the_folder(cli: Cli, folder: Path) -> None:
    secret = folder.parent / "smtp-password"
    secret.write_text("hunter2\n")
    mail = f"mail:\n  host: h\n  from: me@example.fr\n  password_file: {secret}\n"
    write(folder / "facturo.yaml", CONFIG + mail)
    result = cli("check")
    assert result.exit_code == 0, result.output


# -- sending to a real server --------------------------------------------------------------


def test_envelope_holds_to_cc_and_bcc_but_bcc_is_not_a_header(
    smtp: SmtpServer, tmp_path: Path
) -> None:
    mail = smtp.mail_config(bcc="[archive@example.fr]")
    settings = settings_from(config_of(CONFIG + mail, tmp_path), tmp_path, {})
    message_id = send_one(settings, cc=("expert@cabinet.example",))
    [received] = smtp.messages
    assert received.mail_from == "camille@example.fr"
    assert sorted(received.rcpt_tos) == [
        "archive@example.fr",
        "compta@dupont.example",
        "expert@cabinet.example",
    ]
    message = received.message
    assert message["Bcc"] is None
    assert b"archive@example.fr" not in received.raw
    assert message["To"] == "Atelier Dupont <compta@dupont.example>"
    assert message["Cc"] == "expert@cabinet.example"
    assert message["From"] == "Camille Martin <camille@example.fr>"
    assert message["Message-ID"] == message_id
    assert message_id.endswith("@example.fr>")
    assert received.subject == "Facture F-2026-0001"
    assert "veuillez trouver la facture" in received.text()
    assert received.html() == "<p>Bonjour,</p>\n"
    assert received.attachments() == [("facture-F-2026-0001.pdf", "application/pdf", PDF)]


def test_a_name_holding_a_newline_cannot_inject_a_header(smtp: SmtpServer, tmp_path: Path) -> None:
    settings = settings_from(config_of(CONFIG + smtp.mail_config(), tmp_path), tmp_path, {})
    send_one(settings, name="Evil\nBcc: victim@example.org")
    [received] = smtp.messages
    assert received.rcpt_tos == ["compta@dupont.example"]
    assert received.message["Bcc"] is None
    assert not any(line.lower().startswith(b"bcc:") for line in received.raw.splitlines())
    assert "victim@example.org" not in received.rcpt_tos


@AUTH_WITHOUT_TLS
def test_login_uses_the_password_from_the_environment(tmp_path: Path) -> None:
    with running(password="s3cret") as smtp:
        mail = smtp.mail_config(user="camille")
        config = config_of(CONFIG + mail, tmp_path)
        settings = settings_from(config, tmp_path, {"FACTURO_SMTP_PASSWORD": "s3cret"})
        send_one(settings)
        assert [m.login for m in smtp.messages] == ["camille"]

        wrong = settings_from(config, tmp_path, {"FACTURO_SMTP_PASSWORD": "guess"})
        with pytest.raises(MailError, match=r"cannot connect to 127\.0\.0\.1:\d+: 535"):
            send_one(wrong)
        with pytest.raises(MailError, match="FACTURO_SMTP_PASSWORD"):
            send_one(settings_from(config, tmp_path, {}))
        assert len(smtp.messages) == 1
        assert smtp.logins[0] == ("camille", True)
        assert smtp.logins[1:] and all(not ok for _, ok in smtp.logins[1:])


def test_a_closed_port_is_a_clear_mail_error(tmp_path: Path) -> None:
    port = free_port()
    mail = SmtpServer(port=port).mail_config()
    settings = settings_from(config_of(CONFIG + mail, tmp_path), tmp_path, {})
    with pytest.raises(MailError, match=rf"cannot connect to 127\.0\.0\.1:{port}: .*refused"):
        send_one(settings)


def test_a_refused_recipient_is_a_mail_error(smtp: SmtpServer, tmp_path: Path) -> None:
    smtp.refuse.add("compta@dupont.example")
    settings = settings_from(config_of(CONFIG + smtp.mail_config(), tmp_path), tmp_path, {})
    with pytest.raises(MailError, match="550"):
        send_one(settings)
    assert smtp.messages == []
