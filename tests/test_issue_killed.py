"""A batch of issues killed after some claims: the next command removes exactly the drafts
that were issued, whatever other drafts or documents share their bytes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from conftest import DRAFT, Cli, issue

# `facturo issue` in a real process that kills itself (SIGKILL: no cleanup runs) when the
# copy of its N-th document is about to be kept: that document is claimed, its draft not
# yet removed, the batch's directories not synced.
KILLED_ISSUE = """\
import os, signal, sys
import facturo.lifecycle.issuing as issuing
from facturo.cli import full_app

calls = 0
keep_copy = issuing.keep_copy

def killed(*args, **kwargs):
    global calls
    calls += 1
    if calls == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)
    keep_copy(*args, **kwargs)

issuing.keep_copy = killed
full_app()(sys.argv[2:])
"""


def issue_killed(folder: Path, at: int, *drafts: Path) -> int:
    command = [sys.executable, "-c", KILLED_ISSUE, str(at), "--dir", str(folder)]
    result = subprocess.run(
        [*command, "--today", "2026-11-22", "issue", "--no-pdf", *map(str, drafts)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return result.returncode


def marks(folder: Path) -> list[dict[str, object]]:
    found = []
    for path in sorted((folder / ".facturo" / "issuing").glob("*")):
        data = json.loads(path.read_text("utf-8"))
        found.extend(data.get("drafts", [data]))
    return found


def test_one_mark_names_the_batch_and_the_next_command_settles_it(
    cli: Cli, draft, folder: Path
) -> None:
    drafts = [draft(f"d{i}", f"{DRAFT}notes: draft {i}\n") for i in range(4)]

    assert issue_killed(folder, 2, *drafts) == -signal.SIGKILL

    assert len(list((folder / ".facturo" / "issuing").iterdir())) == 1
    assert [m["draft"] for m in marks(folder)] == [f"drafts/d{i}.yaml" for i in range(4)]
    assert [d.exists() for d in drafts] == [False, True, True, True]  # d1 claimed, not removed
    result = cli("issue", *map(str, drafts[1:]))
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["F-2026-0002", "F-2026-0003", "F-2026-0004"]
    assert "drafts/d1.yaml had already been issued as F-2026-0002" in result.stderr
    assert not any(d.exists() for d in drafts)
    assert marks(folder) == []
    assert cli("check").stdout == ""


def test_a_draft_with_the_bytes_of_an_issued_document_is_not_taken_for_issued(
    cli: Cli, draft, folder: Path
) -> None:
    assert issue(cli, draft, "2026-10-31", "retainer") == "F-2026-0001"  # October
    first = draft("first", f"{DRAFT}notes: first\n")
    retainer = draft("retainer")  # November's: the same bytes as October's draft
    drafts = [first, retainer, draft("last", f"{DRAFT}notes: last\n")]

    assert issue_killed(folder, 1, *drafts) == -signal.SIGKILL  # first claimed, then killed

    assert [m["draft"] for m in marks(folder)] == ["drafts/first.yaml", "drafts/last.yaml"]
    assert cli("pay", "F-2026-0001", "10").exit_code == 0  # any command settles the marks
    assert not first.exists(), "issued as F-2026-0002: removed"
    assert retainer.exists(), "never issued: it stays"
    result = cli("issue", str(retainer), str(drafts[2]))
    assert result.stdout.split() == ["F-2026-0003", "F-2026-0004"], result.output


def test_of_two_identical_drafts_in_a_batch_the_one_not_issued_stays(
    cli: Cli, draft, folder: Path
) -> None:
    twins = [draft("a"), draft("b")]

    assert issue_killed(folder, 1, *twins) == -signal.SIGKILL  # a claimed, then killed

    assert cli("pay", "F-2026-0001", "10").exit_code == 0
    assert [d.exists() for d in twins] == [False, True]
    result = cli("issue", str(twins[1]))
    assert result.stdout.split() == ["F-2026-0002"], result.output
    assert cli("check").stdout == ""
