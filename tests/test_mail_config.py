"""The `mail:` and `pdf:` settings of facturo.yaml: `check` reports every wrong value at its
line and column, and commands that would use one stop with that report, never a traceback;
a password never crosses the network in clear text."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CONFIG, Cli, issue, write
from facturo.errors import FacturoError
from facturo.files.yamlio import load_mapping
from facturo.output.mail.smtp import settings_from
from helpers_process import snapshot
from smtp_server import AUTH_WITHOUT_TLS, SmtpServer, running

MAIL_LINE = CONFIG.count("\n") + 1  # the line of `mail:`
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"


def local_address() -> str | None:
    """An address of this machine that is not loopback (None when it has none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: only a route is chosen
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if ipaddress.ip_address(address).is_loopback else address


@pytest.fixture
def remote() -> Iterator[SmtpServer]:
    """A server asking for a password, on an address of this machine other than loopback."""
    address = local_address()
    if address is None:
        pytest.skip("this machine has no address other than loopback")
    with running(password="s3cret", host=address) as server:
        yield server


@AUTH_WITHOUT_TLS
def test_a_password_is_never_sent_in_clear_to_another_host(
    cli: Cli, draft, folder: Path, remote: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = issue(cli, draft, "2026-11-20")
    write(folder / "facturo.yaml", CONFIG + remote.mail_config(user="camille"))
    monkeypatch.setenv("FACTURO_SMTP_PASSWORD", "s3cret")
    before = snapshot(folder)
    result = cli("send", number)
    assert result.exit_code == 3, result.output
    assert f"facturo.yaml:{MAIL_LINE + 3}:" in result.stderr  # security: none
    assert "in clear" in result.stderr and "Traceback" not in result.output
    assert remote.logins == [] and remote.messages == []
    assert snapshot(folder) == before


@AUTH_WITHOUT_TLS
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_relay_on_this_machine_may_take_a_password_without_tls(
    cli: Cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    number = issue(cli, draft, "2026-11-20")
    with running(password="s3cret") as server:
        config = server.mail_config(user="camille").replace("host: 127.0.0.1", f"host: {host}")
        write(folder / "facturo.yaml", CONFIG + config)
        monkeypatch.setenv("FACTURO_SMTP_PASSWORD", "s3cret")
        assert cli("check").exit_code == 0
        result = cli("send", number)
        assert result.exit_code == 0, result.output
        assert server.logins == [("camille", True)]


@pytest.mark.parametrize("host", ["smtp.example.fr", "192.168.1.10", "::ffff:10.0.0.1"])
def test_settings_refuse_a_clear_text_password_to_another_host(tmp_path: Path, host: str) -> None:
    mail = f"mail:\n  host: '{host}'\n  security: none\n  user: me\n  from: me@example.fr\n"
    path = write(tmp_path / "facturo.yaml", CONFIG + mail)
    data, _ = load_mapping(path, "facturo.yaml")
    assert data is not None
    with pytest.raises(FacturoError, match="in clear"):
        settings_from(dict(data), tmp_path, {"FACTURO_SMTP_PASSWORD": "x"})


BAD_MAIL = [
    ("host", '"smtp\\0.example.fr"', 1, "control character U+0000"),
    ("host", "smtp_mail!.example.fr", 1, "expected a host name"),
    ("host", "smtp example.fr", 1, "expected a host name"),
    ("from", "not an address", 4, "expected an address"),
    ("from", "a@example.fr, b@example.fr", 4, "expected an address"),
    ("from", "Camille <camille@>", 4, "expected an address"),
    ("port", "0", 2, "between 1 and 65535"),
    ("port", "70000", 2, "between 1 and 65535"),
    ("port", "-25", 2, "between 1 and 65535"),
    ("timeout_seconds", "0", 5, "between 1 and 600"),
    ("timeout_seconds", "-5", 5, "between 1 and 600"),
    ("timeout_seconds", "100000000000000000000", 5, "at most 12 digits"),
]


@pytest.mark.parametrize(("key", "value", "offset", "message"), BAD_MAIL)
def test_check_reports_mail_values_out_of_range_and_send_stops_cleanly(
    cli: Cli, draft, folder: Path, key: str, value: str, offset: int, message: str
) -> None:
    number = issue(cli, draft, "2026-11-20")
    with running() as server:
        config = server.mail_config()
        lines = [
            f"  {key}: '{value}'" if key == "from" and line.startswith("  from:") else
            (f"  {key}: {value}" if line.startswith(f"  {key}:") else line)
            for line in config.splitlines()
        ]  # fmt: skip
        write(folder / "facturo.yaml", CONFIG + "\n".join(lines) + "\n")
        result = cli("check")
        assert result.exit_code == 1
        assert f"facturo.yaml:{MAIL_LINE + offset}:" in result.stdout, result.stdout
        assert message in result.stdout
        before = snapshot(folder)
        for command in (("send", number), ("remind", "--send")):
            sent = cli(*command)
            assert sent.exit_code == 3, sent.output
            assert message in sent.stderr and "Traceback" not in sent.output
        assert server.messages == []
        assert snapshot(folder) == before


@pytest.fixture
def outside_png(tmp_path: Path) -> Path:
    path = tmp_path / "outside.png"
    path.write_bytes(PNG)
    return path


@pytest.mark.parametrize(
    ("logo", "message"),
    [
        ("assets/missing.png", "no such file"),
        ("../outside.png", "outside the billing folder"),
        ("assets/link.png", "outside the billing folder"),
        ("assets/notes.txt", "an SVG, PNG or JPEG image"),
        ("assets/fake.png", "not a PNG image"),
        ("assets/fake.svg", "not an SVG image"),
        ("https://example.com/logo.png", "a URL"),
    ],
)
def test_check_reports_a_logo_that_cannot_be_drawn(
    cli: Cli, folder: Path, outside_png: Path, logo: str, message: str
) -> None:
    (folder / "assets").mkdir()
    (folder / "assets" / "link.png").symlink_to(outside_png)
    (folder / "assets" / "notes.txt").write_text("hello")
    (folder / "assets" / "fake.png").write_text("not a png")
    (folder / "assets" / "fake.svg").write_text("<html>not svg</html>")
    write(folder / "facturo.yaml", CONFIG + f"pdf:\n  logo: {logo}\n")
    result = cli("check")
    assert result.exit_code == 1, result.output
    assert f"facturo.yaml:{MAIL_LINE + 1}:3: pdf.logo {logo}: " in result.stdout, result.stdout
    assert message in result.stdout


@pytest.mark.parametrize("name", ["logo.png", "logo.svg", "logo.jpg"])
def test_check_accepts_a_logo_weasyprint_reads(cli: Cli, folder: Path, name: str) -> None:
    content = {
        "logo.png": PNG,
        "logo.svg": b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
        "logo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    }[name]
    (folder / "assets").mkdir()
    (folder / "assets" / name).write_bytes(content)
    write(folder / "facturo.yaml", CONFIG + f"pdf:\n  logo: assets/{name}\n")
    result = cli("check")
    assert result.exit_code == 0, result.output
