"""Render workers die with the process that started them: a SIGKILLed `render` leaves no
worker behind (they used to wait forever for work that would never come); they hand over to
fresh ones after their share of documents."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def test_workers_are_replaced_after_their_share_of_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The libraries under WeasyPrint keep a little memory per document: a worker hands over
    # to a fresh one after its share, so `render --all` stays flat at any folder size.
    from facturo.output.pdf import pool

    def by_pid(renderer: object, job: pool.RenderJob) -> pool.RenderOutcome:
        job.output.write_text(str(os.getpid()))  # which worker made it, instead of a PDF
        return pool.RenderOutcome(job.output)

    monkeypatch.setattr(pool, "_run_job", by_pid)  # workers are forked with it
    monkeypatch.setattr(pool, "JOBS_PER_WORKER", 2)
    jobs = (pool.RenderJob({"kind": "invoice"}, tmp_path / f"{n}.pdf") for n in range(12))
    outcomes = list(pool.render_batch(jobs, workers=2))
    assert len(outcomes) == 12
    assert not [outcome.error for outcome in outcomes if outcome.error]
    makers = {path.read_text() for path in tmp_path.glob("*.pdf")}
    assert str(os.getpid()) not in makers
    assert len(makers) >= 3, makers  # three pools of two workers, each for four documents


def test_workers_freeze_what_they_hold_and_collect_garbage_less_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A document makes some hundred thousand objects: collecting every 700 new ones, over
    # everything the worker holds, was a tenth of a document's time.
    import gc

    from facturo.output.pdf import pool

    def garbage_settings(renderer: object, job: pool.RenderJob) -> pool.RenderOutcome:
        frozen, (young, *_) = gc.get_freeze_count(), gc.get_threshold()
        job.output.write_text(f"{frozen} {young}")
        return pool.RenderOutcome(job.output)

    monkeypatch.setattr(pool, "_run_job", garbage_settings)  # workers are forked with it
    before = (gc.get_freeze_count(), gc.get_threshold())
    jobs = (pool.RenderJob({"kind": "invoice"}, tmp_path / f"{n}.pdf") for n in range(4))
    assert not [outcome.error for outcome in pool.render_batch(jobs, workers=2) if outcome.error]
    made = list(tmp_path.glob("*.pdf"))
    assert len(made) == 4
    for path in made:
        frozen, young = map(int, path.read_text().split())
        # a worker starts with its parent's frozen objects (importing facturo.cli froze
        # some): what it froze itself is what it holds beyond them
        assert frozen - before[0] > 10_000
        assert young == 10_000
    assert (gc.get_freeze_count(), gc.get_threshold()) == before  # not this process's
