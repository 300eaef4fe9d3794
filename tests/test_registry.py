"""The named checks of `facturo check`: each is listed, each catches its own broken file."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import TODAY, Cli
from facturo.checks.documents import open_ledger
from facturo.checks.registry import CHECKS
from facturo.errors import Problem
from facturo.reports.check import FOLDER_CHECKS, check_folder
from facturo.store.folder import Folder
from facturo.store.index import Ledger

FIRST = "invoices/2026/F-2026-0001.yaml"
SECOND = "invoices/2026/F-2026-0002.yaml"


def _issue_two(cli: Cli, draft: Callable[..., Path]) -> None:
    drafts = [str(draft("a")), str(draft("b"))]
    assert cli("issue", *drafts, "--date", "2026-03-01").exit_code == 0


def _break_config(folder: Path, cli: Cli, draft: Callable[..., Path]) -> None:
    with (folder / "facturo.yaml").open("a", encoding="utf-8") as config:
        config.write("colour: blue\n")


def _break_clients(folder: Path, cli: Cli, draft: Callable[..., Path]) -> None:
    (folder / "clients" / "Dupont.yaml").write_bytes((folder / "clients/dupont.yaml").read_bytes())


def _break_subscriptions(folder: Path, cli: Cli, draft: Callable[..., Path]) -> None:
    (folder / "subscriptions").mkdir()
    (folder / "subscriptions" / "support.yaml").write_text(
        "client: dupont\nschedule: {every: fortnight}\nstart: 2026-01-01\n"
        "lines: [{description: Support, unit_price: 100.00}]\n",
        "utf-8",
    )


def _break_catalog(folder: Path, cli: Cli, draft: Callable[..., Path]) -> None:
    (folder / "catalog.yaml").write_text(
        "items:\n  - id: audit\n    description: Audit\n    unit_price: cher\n", "utf-8"
    )


def _break_documents(folder: Path, cli: Cli, draft: Callable[..., Path]) -> None:
    _issue_two(cli, draft)
    (folder / SECOND).rename(folder / "invoices/2026/F-2026-0009.yaml")


def _break_numbering(folder: Path, cli: Cli, draft: Callable[..., Path]) -> None:
    _issue_two(cli, draft)
    (folder / FIRST).unlink()


def _break_git(folder: Path, cli: Cli, draft: Callable[..., Path]) -> None:
    _issue_two(cli, draft)
    (folder / ".gitignore").write_text(".facturo/\n", "utf-8")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "two invoices"]):
        subprocess.run(
            ["git", "-c", "init.defaultBranch=main", *args], cwd=folder, check=True, timeout=60
        )
    (folder / SECOND).unlink()


def _break_directory(folder: Path, cli: Cli, draft: Callable[..., Path]) -> None:
    with (folder / "facturo.yaml").open("a", encoding="utf-8") as config:
        config.write(
            "pa:\n  flow_url: https://pa.example/flow\n  token_url: https://pa.example/token\n"
            "  client_id: me\n"
        )


def _break_drafts(folder: Path, cli: Cli, draft: Callable[..., Path]) -> None:
    draft("late", "client: dupont\nservice_date: 2026/03/31\n")


def _break_time(folder: Path, cli: Cli, draft: Callable[..., Path]) -> None:
    (folder / "time").mkdir()
    (folder / "time" / "mine.csv").write_text(
        "date,client,project,task,hours,rate\n2026-11-31,dupont,Site,,2,70\n", "utf-8"
    )


BROKEN: dict[str, tuple[Callable[[Path, Cli, Callable[..., Path]], None], str]] = {
    "config": (_break_config, "facturo.yaml:18:1: unknown key 'colour'"),
    "clients": (_break_clients, "clients/Dupont.yaml: invalid client id 'Dupont'"),
    "subscriptions": (
        _break_subscriptions,
        "subscriptions/support.yaml:2:12: unknown value 'fortnight'",
    ),
    "catalog": (_break_catalog, "catalog.yaml:4:5: expected a number, got 'cher'"),
    "documents": (
        _break_documents,
        "invoices/2026/F-2026-0009.yaml:5:1: the file name does not match the number",
    ),
    "numbering": (_break_numbering, f"{SECOND}:1:1: gap in the numbering: F-2026-0001 missing"),
    "git": (_break_git, f"{SECOND}: issued document deleted (git still knows it)"),
    "directory": (
        _break_directory,
        "clients/dupont.yaml:3:1: warning: no electronic_address for this French business",
    ),
    "drafts": (_break_drafts, "drafts/late.yaml:2:1: expected a date like 2026-03-31"),
    "time": (_break_time, "time/mine.csv:2:1: expected a date like 2026-03-31, got '2026-11-31'"),
}


def test_the_registry_lists_each_named_check() -> None:
    assert list(CHECKS) == [
        "config", "clients", "subscriptions", "catalog", "documents", "numbering", "git",
        "directory",
    ]  # fmt: skip
    assert list(FOLDER_CHECKS) == [*CHECKS, "drafts", "time"]
    assert sorted(BROKEN) == sorted(FOLDER_CHECKS)


@pytest.mark.parametrize("name", list(BROKEN))
def test_each_named_check_catches_its_broken_file_and_check_folder_runs_it(
    cli: Cli, draft: Callable[..., Path], folder: Path, name: str
) -> None:
    breaking, expected = BROKEN[name]
    breaking(folder, cli, draft)
    ledger = open_ledger(folder, use_cache=False)

    found = [str(p) for p in FOLDER_CHECKS[name](ledger, TODAY)]
    everything = [str(p) for p in check_folder(ledger, TODAY)]

    assert any(p.startswith(expected) for p in found), found
    assert any(p.startswith(expected) for p in everything), everything


def test_check_folder_runs_whatever_the_registry_holds(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = Problem("somewhere.yaml", 1, 1, "found by an added check")
    monkeypatch.setitem(FOLDER_CHECKS, "extra", lambda ledger, today: [extra])
    assert check_folder(open_ledger(folder), TODAY) == [extra]


def test_documents_are_checked_only_through_a_ledger_that_checks_them(folder: Path) -> None:
    with pytest.raises(ValueError, match="open_ledger"):
        check_folder(Ledger(Folder(folder)), TODAY)
