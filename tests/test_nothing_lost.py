"""Nothing lost: bad input changes no file, a killed or crashed issue leaves a sound folder."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import time
from pathlib import Path

import pytest

from conftest import DRAFT
from facturo.store.folder import Folder
from helpers_process import (
    audit,
    expected_numbers,
    facturo,
    snapshot,
    start_worker,
    wait_for,
)

INVOICES = Path("invoices/2026")


def _drafts(draft, count: int) -> list[Path]:
    return [draft(f"d{i:02d}", f"{DRAFT}notes: draft {i}\n") for i in range(count)]


def _originals(folder: Path, drafts: list[Path]) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in drafts}


def _issued_count(folder: Path) -> int:
    try:
        return len(os.listdir(folder / INVOICES))
    except FileNotFoundError:
        return 0


@pytest.mark.parametrize("trial", range(5))
def test_sigkill_at_a_random_moment_loses_nothing(
    folder: Path, draft, tmp_path: Path, trial: int
) -> None:
    rng = random.Random(trial)  # a different, reproducible moment in each trial
    batch = trial % 2 == 0  # one command for every draft, or one command per draft
    drafts = _drafts(draft, 60 if batch else 12)
    originals = _originals(folder, drafts)
    ready, barrier = tmp_path / "ready", tmp_path / "go"
    worker = start_worker(
        folder, "batch" if batch else "loop", drafts,
        ready=ready, barrier=barrier, log=tmp_path / "log",
    )  # fmt: skip
    try:
        wait_for([ready], [worker])
        barrier.touch()
        if batch:
            target, deadline = rng.randint(1, 25), time.monotonic() + 30
            while _issued_count(folder) < target and worker.poll() is None:
                assert time.monotonic() < deadline, "the issue did not progress"
                time.sleep(0.0005)
        else:
            time.sleep(rng.uniform(0.2, 1.5))
        time.sleep(rng.uniform(0, 0.004))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)  # the worker and the facturo it runs
        worker.communicate(timeout=30)
    assert worker.returncode == -signal.SIGKILL, "the run ended before it was killed"

    interrupted = audit(folder, originals, done=False)
    assert len(interrupted) < len(drafts)

    remaining = sorted(str(p) for p in (folder / "drafts").glob("*.yaml"))
    result = facturo(folder, "issue", *remaining)
    assert result.returncode == 0, result.stderr
    assert audit(folder, originals, done=True) == expected_numbers(len(drafts))


def test_a_crash_between_claim_and_draft_removal_is_recovered(cli, draft, folder: Path) -> None:
    drafts = _drafts(draft, 3)
    originals = _originals(folder, drafts)

    def crash(self: Folder, path: Path, **_: object) -> None:
        raise RuntimeError("simulated crash after the number was claimed")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Folder, "remove", crash)
        with pytest.raises(RuntimeError, match="simulated crash"):
            cli("issue", *map(str, drafts))
    assert os.listdir(folder / INVOICES) == ["F-2026-0001.yaml"]
    assert all(p.exists() for p in drafts)
    assert audit(folder, originals, done=False) == ["F-2026-0001"]
    check = facturo(folder, "check")
    assert "drafts/d00.yaml: warning: already issued as F-2026-0001" in check.stdout

    result = cli("issue", *map(str, drafts))

    assert result.exit_code == 0, result.output
    assert result.stdout.split() == expected_numbers(3)
    assert "drafts/d00.yaml had already been issued as F-2026-0001" in result.stderr
    assert audit(folder, originals, done=True) == expected_numbers(3)


@pytest.fixture
def one_issued(cli, draft, folder: Path) -> Path:
    """A folder holding F-2026-0001, issued on 2026-11-20."""
    result = cli("issue", str(draft("first", f"{DRAFT}notes: first\n")), "--date", "2026-11-20")
    assert result.stdout.split() == ["F-2026-0001"], result.output
    return folder


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "client: dupond\nlines:\n  - description: X\n    unit_price: 10\n",
            "drafts/bad.yaml:1:1: unknown client 'dupond' (did you mean 'dupont'?)",
        ),
        (
            "client: dupont\nlines:\n  - description: X\n    unit_price: 12,50\n",
            "drafts/bad.yaml:4:5: expected a number, got '12,50'",
        ),
        (
            "number: F-2026-0002\nclient: dupont\nlines:\n  - description: X\n    unit_price: 1\n",
            "drafts/bad.yaml:1:1: unknown key 'number'",
        ),
        (
            "client: dupont\nlines:\n  - description: X\n    unit_prize: 10\n",
            "drafts/bad.yaml:4:5: unknown key 'unit_prize' (did you mean 'unit_price'?)",
        ),
    ],
    ids=["unknown-client", "bad-number", "unknown-top-key", "unknown-line-key"],
)
def test_an_invalid_draft_changes_no_file(
    cli, draft, one_issued: Path, text: str, expected: str
) -> None:
    bad = draft("bad", text)
    before = snapshot(one_issued)

    result = cli("issue", str(bad))

    assert result.exit_code == 3, result.output
    assert any(line.startswith(expected) for line in result.stderr.splitlines()), result.stderr
    assert "Traceback" not in result.output
    assert snapshot(one_issued) == before


def test_one_invalid_draft_stops_the_valid_one_too(cli, draft, one_issued: Path) -> None:
    good = draft("good", f"{DRAFT}notes: good\n")
    bad = draft("bad", "client: nobody\nlines:\n  - description: X\n    unit_price: 10\n")
    before = snapshot(one_issued)

    result = cli("issue", str(good), str(bad))

    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert any(
        line.startswith("drafts/bad.yaml:1:1: unknown client")
        for line in result.stderr.splitlines()
    )
    assert snapshot(one_issued) == before


def test_issuing_before_the_last_issue_date_changes_no_file(cli, draft, one_issued: Path) -> None:
    late = draft("late", f"{DRAFT}notes: late\n")
    before = snapshot(one_issued)

    result = cli("issue", str(late), "--date", "2026-11-19")

    assert result.exit_code == 3, result.output
    assert (
        "drafts/late.yaml: cannot issue on 2026-11-19: F-2026-0001 was issued on 2026-11-20"
        in result.stderr
    )
    assert snapshot(one_issued) == before


def test_a_yaml_syntax_error_is_reported_with_line_and_column(draft, one_issued: Path) -> None:
    broken = draft("broken", "client: dupont\nlines:\n  - description: [X\n    unit_price: 1\n")
    before = snapshot(one_issued)

    result = facturo(one_issued, "issue", str(broken))

    assert result.returncode == 3
    assert "drafts/broken.yaml:4:15: YAML syntax error: did not find expected ',' or ']'" in (
        result.stderr.splitlines()
    ), result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(one_issued) == before


def test_dry_run_prints_the_numbers_and_changes_nothing(cli, draft, one_issued: Path) -> None:
    drafts = [str(draft(f"next{i}", f"{DRAFT}notes: next {i}\n")) for i in (1, 2)]
    before = snapshot(one_issued)

    result = cli("issue", "--dry-run", *drafts)

    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["F-2026-0002", "F-2026-0003"]
    assert "drafts/next1.yaml would become invoices/2026/F-2026-0002.yaml" in result.stderr
    assert snapshot(one_issued) == before


def test_a_new_draft_identical_to_an_issued_one_is_issued_not_discarded(
    cli, draft, folder: Path
) -> None:
    # A monthly retainer: the same client, the same line, the same file every month.
    october = draft("retainer")
    assert cli("issue", str(october), "--date", "2026-10-31").stdout.split() == ["F-2026-0001"]
    november = draft("retainer")

    result = cli("issue", str(november), "--date", "2026-11-21")

    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["F-2026-0002"], result.output
    assert (folder / INVOICES / "F-2026-0002.yaml").is_file(), "the November invoice was lost"


def test_check_does_not_take_a_new_identical_draft_for_an_interrupted_issue(
    cli, draft, folder: Path
) -> None:
    october = draft("retainer")
    assert cli("issue", str(october), "--date", "2026-10-31").stdout.split() == ["F-2026-0001"]
    draft("retainer")

    result = cli("check")

    assert result.exit_code == 0
    assert result.stdout == "", "a new draft was reported as already issued"


def test_a_draft_named_twice_in_one_command_is_issued_once(cli, draft, folder: Path) -> None:
    path = draft("d1")
    same = folder / "drafts" / ".." / "drafts" / "d1.yaml"  # e.g. two overlapping shell globs

    result = cli("issue", str(path), str(same))

    assert os.listdir(folder / INVOICES) == ["F-2026-0001.yaml"], "one draft, two invoices"
    assert result.exit_code in (0, 3), result.output


def test_a_stale_issuing_mark_never_swallows_a_later_identical_draft(
    cli, draft, folder: Path
) -> None:
    october = draft("retainer")

    def crash(self: Folder, sha256: str) -> None:
        raise RuntimeError("simulated crash after the draft was removed")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Folder, "clear_issuing", crash)
        with pytest.raises(RuntimeError, match="simulated crash"):
            cli("issue", str(october), "--date", "2026-10-31")
    assert not october.exists() and Folder(folder).issuing(), "a stale mark is left"
    november = draft("retainer")  # the same bytes, a month later

    check = cli("check")
    result = cli("issue", str(november), "--date", "2026-11-21")

    assert check.exit_code == 0 and check.stdout == "", check.output
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["F-2026-0002"], result.output
    assert (folder / INVOICES / "F-2026-0002.yaml").is_file(), "the November invoice was lost"
    assert not Folder(folder).issuing(), "the mark was resolved under the lock"


def test_any_command_under_the_lock_settles_the_marks_of_an_interrupted_issue(
    cli, draft, folder: Path
) -> None:
    drafts = _drafts(draft, 2)

    def crash(self: Folder, path: Path, **_: object) -> None:
        raise RuntimeError("simulated crash after the number was claimed")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Folder, "remove", crash)
        with pytest.raises(RuntimeError, match="simulated crash"):
            cli("issue", *map(str, drafts))
    assert Folder(folder).issuing() and drafts[0].exists()

    assert cli("pay", "F-2026-0001", "100").exit_code == 0

    assert not Folder(folder).issuing()
    assert not drafts[0].exists(), "the draft issued as F-2026-0001 is removed"
    assert drafts[1].exists(), "a draft never issued stays"
    assert cli("check").stdout == ""


def test_a_new_folder_is_made_durable_in_its_parent(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first invoice of a year creates its folder: a power loss must not lose it with
    the invoice inside, so the new folder's parent is synced too."""
    import facturo.store.folder as folders

    synced: list[Path] = []
    real = folders._fsync_dir

    def spy(directory: Path) -> None:
        synced.append(directory)
        real(directory)

    monkeypatch.setattr(folders, "_fsync_dir", spy)
    target = folder / "invoices" / "2027" / "F-2027-0001.yaml"

    assert Folder(folder).claim(target, "number: F-2027-0001\n")

    assert synced == [folder, folder / "invoices", folder / "invoices" / "2027"]
    synced.clear()
    assert Folder(folder).claim(target.with_name("F-2027-0002.yaml"), "number: F-2027-0002\n")
    assert synced == [folder / "invoices" / "2027"]  # nothing new but the file
