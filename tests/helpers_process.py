"""Run facturo in real processes and audit a billing folder afterwards (no gap, nothing lost)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

TODAY = "2026-11-22"
STATE_DIR = ".facturo"
ISSUED_NAME = re.compile(r"^invoices/2026/F-2026-[0-9]{4}\.yaml$")


def facturo_command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "facturo", "--dir", str(root), "--today", TODAY, *args]


def facturo(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -m facturo --dir ROOT --today TODAY ARGS...` in a new process."""
    return subprocess.run(
        facturo_command(root, *args), capture_output=True, text=True, timeout=timeout, check=False
    )


def start_worker(
    root: Path, mode: str, drafts: list[Path], *, ready: Path, barrier: Path, log: Path
) -> subprocess.Popen[str]:
    """This module as a process that touches `ready`, waits for `barrier`, then issues.

    mode "loop": one `facturo issue` command per draft; "batch": one command for all.
    The worker leads its own process group, so a test can SIGKILL it with its child.
    """
    command = [sys.executable, __file__, mode, str(root), str(ready), str(barrier), str(log)]
    return subprocess.Popen(
        [*command, *map(str, drafts)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for(paths: list[Path], workers: list[subprocess.Popen[str]], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not all(p.exists() for p in paths):
        for worker in workers:
            if worker.poll() is not None:
                raise AssertionError(f"worker exited early: {worker.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"workers not ready after {timeout} s")
        time.sleep(0.005)


def read_log(log: Path) -> list[dict[str, object]]:
    """One record per command the worker ran: draft, start, end, returncode, stdout, stderr."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text("utf-8").splitlines() if line]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the folder by relative path, except the lock and caches in .facturo/."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] != STATE_DIR
    }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expected_numbers(count: int) -> list[str]:
    return [f"F-2026-{seq:04d}" for seq in range(1, count + 1)]


def audit(root: Path, originals: dict[str, bytes], *, done: bool) -> list[str]:
    """Assert the folder is sound after any run, interrupted or not; the issued numbers.

    `facturo check` passes (warnings only for drafts an interrupted run had issued), no
    file outside .facturo/ is a leftover, issued numbers are consecutive, every issued file
    parses and its seal and chain verify, and each draft is either still there, untouched,
    or issued exactly once (matched by sha256). With `done`, every draft was issued.
    """
    from facturo.files.yamlio import load_mapping
    from facturo.store.seal import verify

    check = facturo(root, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    for line in check.stdout.splitlines():
        assert "warning: already issued as F-2026-" in line, line

    files = snapshot(root)
    leftovers = [
        name
        for name in files
        if name not in ("facturo.yaml", "clients/dupont.yaml", "clients/berlin.yaml")
        and name not in originals
        and not ISSUED_NAME.match(name)
    ]
    assert leftovers == [], f"files that should not exist: {leftovers}"

    issued = sorted(name for name in files if ISSUED_NAME.match(name))
    numbers = [Path(name).stem for name in issued]
    assert numbers == expected_numbers(len(numbers)), f"gap or stray number: {numbers}"
    previous = None
    sources: Counter[str] = Counter()
    for name in issued:
        data, problems = load_mapping(root / name, name)
        assert problems == [] and data is not None, (name, problems)
        assert data["number"] == Path(name).stem
        assert verify(data), f"{name}: seal does not verify (half-written file?)"
        assert data["seal"]["previous"] == previous, f"{name}: chain broken"
        previous = data["seal"]["sha256"]
        sources[data["source"]["sha256"]] += 1

    by_sha = {sha256(raw): name for name, raw in originals.items()}
    assert len(by_sha) == len(originals), "the test's drafts must differ"
    assert set(sources) <= set(by_sha), "an issued document comes from no known draft"
    assert all(count == 1 for count in sources.values()), f"draft issued twice: {sources}"
    for name, raw in originals.items():
        if name in files:
            assert files[name] == raw, f"{name} was changed"
        else:
            assert sha256(raw) in sources, f"{name} is gone but was never issued: lost"
    if done:
        assert not any(name in files for name in originals), "drafts left after a full run"
        assert set(sources) == set(by_sha)
    return numbers


def _worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    for name in ("mode", "root", "ready", "barrier", "log"):
        parser.add_argument(name)
    parser.add_argument("drafts", nargs="+")
    args = parser.parse_args(argv)
    root = Path(args.root)
    Path(args.ready).touch()
    while not Path(args.barrier).exists():
        time.sleep(0.001)
    if args.mode == "batch":
        command = facturo_command(root, "issue", *args.drafts)
        os.execv(command[0], command)
    failures = 0
    with open(args.log, "a", encoding="utf-8") as log:
        for draft in args.drafts:
            start = time.time()
            result = facturo(root, "issue", draft)
            record = {
                "draft": draft,
                "start": start,
                "end": time.time(),
                "returncode": result.returncode,
                "stdout": result.stdout,
                "stderr": result.stderr,
            }
            log.write(json.dumps(record) + "\n")
            log.flush()
            failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1:]))
