"""Issued files read into entries: one file, or many on every core with work alongside.

A cold `check` of ten years of documents reads every file: worker processes share them out
(each parses, summarizes and checks its files), and this process, which would only wait,
does the work it is given `alongside` (the git history `check` reads) meanwhile.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from facturo.errors import Problem
from facturo.files.written import read_written
from facturo.files.yamlio import YMap, load_mapping
from facturo.store.entry import Entry, summarize

# What a ledger may add to each entry: the problems of one issued document on its own.
# A module-level function, so that worker processes can receive it by name.
DocumentCheck = Callable[[YMap, Path, Entry], list[Problem]]


def read_issued(path: Path, display: str, check: DocumentCheck | None = None) -> Entry:
    """Read one issued file: its summary, and with `check` the problems it has on its own."""
    try:
        raw: bytes | None = path.read_bytes()
    except OSError:
        raw = None  # load_mapping reports what is wrong
    content = None if raw is None else hashlib.sha256(raw).hexdigest()
    data = None if raw is None else read_written(raw)  # the form facturo writes, fast
    problems: list[Problem] = []
    if data is None:
        data, problems = load_mapping(path, display, raw)
    entry = Entry(path=display, problems=list(problems), content_sha256=content)
    if data is None:
        return entry
    summarize(data, entry)
    if check is not None:
        entry.problems.extend(check(data, path, entry))
    return entry


PARALLEL_FROM = 400  # below this, starting worker processes costs more than it saves


def _read_one(item: tuple[Path, str, DocumentCheck | None]) -> Entry:
    return read_issued(*item)


# Work this process does while worker processes read files, instead of waiting for them
# (`check` reads git history then): given by `alongside`, run only when workers read.
_ALONGSIDE: list[Callable[[], object]] = []


@contextlib.contextmanager
def alongside(job: Callable[[], object]) -> Iterator[None]:
    """Run `job` here while worker processes read issued files, if they do meanwhile
    (`job` handles its own errors: one it raises stops the reading of the files)."""
    _ALONGSIDE.append(job)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            _ALONGSIDE.remove(job)


def read_all(items: list[tuple[Path, str, list[int]]], check: DocumentCheck | None) -> list[Entry]:
    """Read files on every core when there are many (a cold cache on a big folder)."""
    work = [(path, display, check) for path, display, _ in items]
    workers = min(os.cpu_count() or 1, 8)
    if len(work) < PARALLEL_FROM or workers < 2:
        return [_read_one(item) for item in work]
    from concurrent.futures import ProcessPoolExecutor

    # chunks small enough that the workers end together (the last one is the tail)
    chunk = max(50, len(work) // (workers * 16))
    # A worker's garbage collector leaves alone what it inherited from this process: it
    # would walk all of it (and copy every page it touches) on each full collection.
    with ProcessPoolExecutor(max_workers=workers, initializer=gc.freeze) as pool:
        read = pool.map(_read_one, work, chunksize=chunk)  # the workers exist from here on
        while _ALONGSIDE:  # in this thread: nothing runs here while a worker is forked
            _ALONGSIDE.pop(0)()
        return list(read)
