"""Render workers die with the process that started them: a SIGKILLed `render` leaves no
worker behind (they used to wait forever for work that would never come)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

TESTS = Path(__file__).parent


def children_of(pid: int) -> list[int]:
    """Processes whose parent is `pid`, read from /proc (no psutil)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for its reaper does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def wait_until(condition, what: str, limit: float = 60) -> None:  # type: ignore[no-untyped-def]
    """Poll `condition` (a generous bound so that a hang fails instead of blocking CI)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {limit} s: {what}")
        time.sleep(0.02)


def test_workers_die_when_their_parent_is_killed_mid_batch(tmp_path: Path) -> None:
    mark = tmp_path / "started"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
    }
    parent = subprocess.Popen(
        [sys.executable, str(TESTS / "render_until_killed.py"), str(tmp_path / "out"), str(mark)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    workers: list[int] = []
    try:
        wait_until(lambda: mark.exists() or parent.poll() is not None, "the first PDF")
        assert parent.poll() is None, parent.communicate()
        workers = children_of(parent.pid)
        assert len(workers) >= 2, workers  # the pool's workers (and its resource tracker)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        wait_until(lambda: not any(alive(pid) for pid in workers), f"workers {workers} to end")
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in workers:  # whatever the outcome, leave nothing running
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert not [pid for pid in workers if alive(pid)]
