"""`check` warns about French business clients the directory does not confirm, offline.

The answers come from .facturo/cache/directory.json, which `facturo directory` and
`facturo transmit` fill from the local platform (tests/pa_server.py); `check` never asks it.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import CLIENT_DUPONT, CONFIG, Cli, issue, write
from pa_server import PlatformServer

DUPONT = "clients/dupont.yaml"


def _line(siren: str, address: str, status: str = "Enabled") -> dict[str, str]:
    return {
        "addressingIdentifier": address, "siren": siren, "directoryLineStatus": status,
        "platformType": "WK",
    }  # fmt: skip


def _company(platform: PlatformServer, siren: str, *lines: dict[str, str]) -> None:
    platform.directory[siren] = {
        "siren": siren, "businessName": "Atelier Dupont SARL", "entityType": "Assujetti",
        "administrativeStatus": "A", "lines": list(lines),
    }  # fmt: skip


def _warnings(cli: Cli) -> list[str]:
    result = cli("check", "--json")
    assert result.exit_code == 0, result.output
    problems = json.loads(result.stdout)["problems"]
    return [
        f"{p['path']}:{p['line']}: {p['message']}"
        for p in problems
        if p["path"].startswith("clients/") and "directory" in p["message"]
    ]


def test_check_warns_from_the_directory_answers_kept_never_online(
    cli: Cli, folder: Path, platform: PlatformServer
) -> None:
    [unknown] = _warnings(cli)
    assert unknown.startswith(f"{DUPONT}:3: no electronic_address for this French business")
    assert "`facturo directory 552100554`" in unknown
    tokens = platform.tokens_issued
    _company(platform, "552100554", _line("552100554", "552100554_00012"))
    assert cli("directory", "552100554").exit_code == 0
    assert platform.tokens_issued == tokens + 1
    [elsewhere] = _warnings(cli)
    assert elsewhere == (
        f"{DUPONT}:3: the directory (looked up 2026-11-22) has no enabled line at the SIREN "
        "552100554 (no electronic_address): it receives e-invoices at 552100554_00012; write "
        "electronic_address: 552100554_00012"
    )
    write(folder / DUPONT, CLIENT_DUPONT + 'electronic_address: "552100554_00012"\n')
    assert _warnings(cli) == []
    _company(platform, "552100554", _line("552100554", "552100554_00012", "Disabled"))
    assert cli("directory", "552100554").exit_code == 1  # no enabled line: said, and kept
    [disabled] = _warnings(cli)
    assert disabled.startswith(f"{DUPONT}:5: the directory (looked up 2026-11-22) has no enabled")
    del platform.directory["552100554"]
    assert cli("directory", "552100554").exit_code == 1
    [gone] = _warnings(cli)
    assert "does not know SIREN 552100554: platforms cannot deliver" in gone
    assert platform.tokens_issued == tokens + 3  # one per `directory` run, none for `check`


def test_transmit_keeps_the_directory_answer_of_each_buyer(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    _company(platform, "552100554", _line("552100554", "552100554"))
    number = issue(cli, draft, "2026-11-02")
    assert len(_warnings(cli)) == 1
    assert cli("transmit", number).exit_code == 0
    assert _warnings(cli) == []  # the directory has the client at its SIREN, as written
    kept = json.loads((folder / ".facturo/cache/directory.json").read_text("utf-8"))
    assert kept["companies"]["552100554"]["lines"] == [["552100554", "Enabled"]]


def test_without_a_platform_check_says_nothing_of_the_directory(cli: Cli, folder: Path) -> None:
    write(folder / "facturo.yaml", CONFIG)
    assert _warnings(cli) == []


def test_a_damaged_directory_cache_counts_as_none(
    cli: Cli, folder: Path, platform: PlatformServer
) -> None:
    cache = folder / ".facturo/cache/directory.json"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text('{"version": 1, "companies": {"552100554": {"found": "yes"}}}', "utf-8")
    [warning] = _warnings(cli)
    assert "no electronic_address for this French business" in warning
