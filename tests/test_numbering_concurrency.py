"""Numbers under concurrency: two processes, two git clones, never a reused number."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

from conftest import DRAFT, write
from helpers_process import audit, expected_numbers, facturo, read_log, start_worker, wait_for


def _drafts(draft, prefix: str, count: int) -> list[Path]:
    return [draft(f"{prefix}{i:02d}", f"{DRAFT}notes: {prefix} {i}\n") for i in range(count)]


def _originals(folder: Path, drafts: list[Path]) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in drafts}


def _run_together(folder: Path, tmp_path: Path, mode: str, groups: list[list[Path]]):
    barrier = tmp_path / "go"
    ready = [tmp_path / f"ready-{i}" for i in range(len(groups))]
    logs = [tmp_path / f"log-{i}" for i in range(len(groups))]
    workers = [
        start_worker(folder, mode, group, ready=r, barrier=barrier, log=log)
        for group, r, log in zip(groups, ready, logs, strict=True)
    ]
    try:
        wait_for(ready, workers)
        barrier.touch()
        outputs = [w.communicate(timeout=120) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(w.pid, signal.SIGKILL)
                w.communicate()
    return workers, outputs, [read_log(log) for log in logs]


def test_two_processes_issuing_one_draft_per_command_get_40_consecutive_numbers(
    folder: Path, draft, tmp_path: Path
) -> None:
    groups = [_drafts(draft, "a", 20), _drafts(draft, "b", 20)]
    originals = _originals(folder, groups[0] + groups[1])

    workers, outputs, logs = _run_together(folder, tmp_path, "loop", groups)

    assert [w.returncode for w in workers] == [0, 0], outputs
    numbers = [[record["stdout"].strip() for record in log] for log in logs]
    assert [len(n) for n in numbers] == [20, 20], logs
    for mine in numbers:
        assert mine == sorted(mine), "each process's numbers follow its own order"
    assert sorted(numbers[0] + numbers[1]) == expected_numbers(40)
    spans = [(log[0]["start"], log[-1]["end"]) for log in logs]
    assert max(s for s, _ in spans) < min(e for _, e in spans), f"runs did not overlap: {spans}"
    assert audit(folder, originals, done=True) == expected_numbers(40)


def test_two_processes_issuing_20_drafts_in_one_command_each(
    folder: Path, draft, tmp_path: Path
) -> None:
    groups = [_drafts(draft, "a", 20), _drafts(draft, "b", 20)]
    originals = _originals(folder, groups[0] + groups[1])

    workers, outputs, _ = _run_together(folder, tmp_path, "batch", groups)

    assert [w.returncode for w in workers] == [0, 0], outputs
    numbers = [stdout.split() for stdout, _ in outputs]
    assert [len(n) for n in numbers] == [20, 20], outputs
    assert sorted(numbers[0] + numbers[1]) == expected_numbers(40)
    assert audit(folder, originals, done=True) == expected_numbers(40)


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Camille",
        "GIT_AUTHOR_EMAIL": "camille@example.fr",
        "GIT_COMMITTER_NAME": "Camille",
        "GIT_COMMITTER_EMAIL": "camille@example.fr",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_two_clones_issuing_the_same_number_conflict_when_merged(
    folder: Path, draft, tmp_path: Path
) -> None:
    write(folder / ".gitignore", ".facturo/\n")
    assert _ok(facturo(folder, "issue", str(draft("first")))).split() == ["F-2026-0001"]
    _ok(_git(folder, "init", "-q"))
    _ok(_git(folder, "add", "-A"))
    _ok(_git(folder, "commit", "-q", "-m", "F-2026-0001"))
    clones = [tmp_path / "laptop", tmp_path / "desktop"]
    for clone, client in zip(clones, ["dupont", "berlin"], strict=True):
        _ok(_git(tmp_path, "clone", "-q", str(folder), str(clone)))
        text = f"{DRAFT}notes: {clone.name}\n".replace("dupont", client)
        path = write(clone / "drafts" / "next.yaml", text)
        assert _ok(facturo(clone, "issue", str(path))).split() == ["F-2026-0002"]
        _ok(_git(clone, "add", "-A"))
        _ok(_git(clone, "commit", "-q", "-m", "F-2026-0002"))

    merge = _git(clones[1], "pull", "--no-rebase", "--no-edit", str(clones[0]), "main")

    output = merge.stdout + merge.stderr
    assert merge.returncode != 0, output
    assert "CONFLICT (add/add)" in output and "invoices/2026/F-2026-0002.yaml" in output, output
    check = facturo(clones[1], "check")
    assert check.returncode == 1
    assert "invoices/2026/F-2026-0002.yaml:" in check.stdout, check.stdout
