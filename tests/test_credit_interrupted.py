"""A credit interrupted at any point never leads to a second credit note."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DRAFT, Cli, issue

# Runs `facturo credit` in a real process that kills itself (SIGKILL: no cleanup can run)
# or is interrupted (Ctrl-C) when the credit note's draft is about to be issued.
KILLED_CREDIT = """\
import os, signal, sys
import facturo.lifecycle.issuing as issuing
from facturo.cli import full_app

how = sys.argv[1]

def interrupted(*args, **kwargs):
    if how.startswith("kill"):
        os.kill(os.getpid(), signal.SIGKILL)
    raise KeyboardInterrupt

if how == "kill-after-claim":  # the credit note is issued, its draft not yet removed
    issuing.keep_copy = interrupted
else:
    issuing.prepare_draft = interrupted
full_app()(sys.argv[2:])
"""


def credit_interrupted(folder: Path, how: str, *args: str) -> int:
    command = [sys.executable, "-c", KILLED_CREDIT, how, "--dir", str(folder)]
    result = subprocess.run(
        [*command, "--today", "2026-11-22", "credit", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return result.returncode


def credit_drafts(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "drafts").glob("credit-*"))


@pytest.mark.parametrize("how", ["kill", "interrupt"])
def test_a_credit_interrupted_then_run_again_makes_one_credit_note(
    cli: Cli, draft, folder: Path, how: str
) -> None:
    assert issue(cli, draft, "2026-11-20") == "F-2026-0001"
    args = ("F-2026-0001", "--amount", "100", "--reason", "remise")

    code = credit_interrupted(folder, how, *args)

    assert code == (-signal.SIGKILL if how == "kill" else 130) or code != 0
    again = cli("credit", *args)
    assert again.exit_code == 0, again.output
    assert again.stdout.split() == ["AV-2026-0001"]
    assert credit_drafts(folder) == [], "a credit draft is left to be issued a second time"
    assert cli("check").exit_code == 0


def test_check_warns_on_a_credit_draft_whose_invoice_has_a_credit_note(
    cli: Cli, draft, folder: Path
) -> None:
    assert issue(cli, draft, "2026-11-20") == "F-2026-0001"
    written = cli("credit", "F-2026-0001", "--amount", "100", "--reason", "remise", "--draft")
    assert written.exit_code == 0, written.output
    assert cli("credit", "F-2026-0001", "--amount", "100", "--reason", "remise").exit_code == 0

    result = cli("check")

    assert result.exit_code == 0, result.output
    assert (
        "drafts/credit-F-2026-0001.yaml:8:1: warning: F-2026-0001 already has credit note "
        "AV-2026-0001"
    ) in result.stdout, result.stdout


def test_a_credit_draft_on_an_invoice_without_credit_notes_gets_no_warning(
    cli: Cli, draft, folder: Path
) -> None:
    assert issue(cli, draft, "2026-11-20", text=f"{DRAFT}notes: x\n") == "F-2026-0001"
    assert cli("credit", "F-2026-0001", "--full", "--reason", "annulée", "--draft").exit_code == 0

    result = cli("check")

    assert result.exit_code == 0 and result.stdout == "", result.output


def test_a_credit_killed_once_its_note_was_issued_is_not_issued_again(
    cli: Cli, draft, folder: Path
) -> None:
    assert issue(cli, draft, "2026-11-20") == "F-2026-0001"
    args = ("F-2026-0001", "--amount", "100", "--reason", "remise")
    assert credit_interrupted(folder, "kill-after-claim", *args) == -signal.SIGKILL
    assert (folder / "credit-notes/2026/AV-2026-0001.yaml").is_file()

    again = cli("credit", *args)  # the user did not see the number: runs it again

    assert again.exit_code == 1, again.output
    assert "AV-2026-0001" in again.stderr and "interrupted" in again.stderr, again.stderr
    assert sorted(p.name for p in (folder / "credit-notes/2026").iterdir()) == ["AV-2026-0001.yaml"]
    assert credit_drafts(folder) == []
    assert cli("check").exit_code == 0
