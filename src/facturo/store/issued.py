"""Issued files read into entries: one file, or many on every core with work alongside.

A cold `check` of ten years of documents reads every file: worker processes share them out
(each parses, summarizes and checks its files), and this process, which would only wait,
does the work it is given `alongside` (the git history `check` reads) meanwhile. Each file
read also names its git blob and the seal those bytes hold: git's history of a document
whose content never changed need not be read from git a second time.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from facturo.errors import FacturoError, Problem
from facturo.files.marked import YMap
from facturo.store.entry import Entry, summarize

# What a ledger may add to each entry: the problems of one issued document on its own.
# A module-level function, so that worker processes can receive it by name.
DocumentCheck = Callable[[YMap, Path, Entry], list[Problem]]
SEAL_SHA = re.compile(rb"^seal:\s*\n(?:[ \t]+.*\n)*?[ \t]+sha256:[ \t]*([0-9a-f]{64})", re.M)
NO_SEAL = ""
_Item = TypeVar("_Item")
_Result = TypeVar("_Result")


def seal_in(content: bytes) -> str:
    """The seal hash a file's bytes hold (SEAL_SHA's first match), else NO_SEAL: the regex
    is tried only where a line starts with `seal:` (found far faster than by searching)."""
    start = 0
    while (at := content.find(b"seal:", start)) >= 0:
        if at == 0 or content[at - 1] == 0x0A:  # "\n"
            match = SEAL_SHA.match(content, at)
            if match:
                return match[1].decode()
        start = at + 1
    return NO_SEAL


def blob_of(content: bytes) -> tuple[str, str]:
    """The git blob id of `content` (what `git hash-object` answers) and its seal."""
    blob = hashlib.sha1(b"blob %d\0" % len(content), usedforsecurity=False)
    blob.update(content)
    return blob.hexdigest(), seal_in(content)


def read_issued(
    path: Path,
    display: str,
    check: DocumentCheck | None = None,
    blobs: dict[str, str] | None = None,
) -> Entry:
    """Read one issued file: its summary, and with `check` the problems it has on its own
    (with `blobs`: the git blob of the bytes read is added to it, with the seal they hold)."""
    try:
        with open(path, "rb") as handle:  # what path.read_bytes() does, at a third of its cost
            raw: bytes | None = handle.read()
    except OSError:
        raw = None  # load_mapping reports what is wrong
    content = None if raw is None else hashlib.sha256(raw).hexdigest()
    if raw is not None and blobs is not None:
        blob, seal = blob_of(raw)
        blobs[blob] = seal
    from facturo.files.written import load_mapping_written  # a YAML parser: when reading

    data, problems = load_mapping_written(path, display, raw)
    entry = Entry(path=display, problems=list(problems), content_sha256=content)
    if data is None:
        return entry
    summarize(data, entry)
    if check is not None:
        entry.problems.extend(check(data, path, entry))
    for name in AMOUNTS:  # one object for each amount as written (sent and held as one)
        value = getattr(entry, name)
        if value is not None and len(_AMOUNTS) < KEPT_AMOUNTS:
            setattr(entry, name, _AMOUNTS.setdefault(str(value), value))
    return entry


# Amounts repeat from one document to the next (what is paid is what was due, nothing was
# written off): each entry's are made the same objects, by their text (0.00 is not 0).
AMOUNTS = ("gross", "due", "paid", "written_off", "penalty_rate")
_AMOUNTS: dict[str, Decimal] = {}
KEPT_AMOUNTS = 20_000

PARALLEL_FROM = 400  # below this, starting worker processes costs more than it saves
WORKER_STOPPED = (
    "a process reading the issued files stopped (the system ends processes when memory "
    "runs out): nothing was changed; run the command again"
)


def _read_one(item: tuple[str, str, DocumentCheck | None]) -> tuple[Entry, dict[str, str]]:
    path, display, check = item
    blobs: dict[str, str] = {}
    return read_issued(Path(path), display, check, blobs), blobs


# Work this process does while worker processes read files, instead of waiting for them
# (`check` reads git history then, and the files its first checks read): given by
# `alongside`, run only when workers read, the last one given first (the innermost: git's
# history, whose own process then works meanwhile too).
_ALONGSIDE: list[Callable[[], object]] = []


@contextlib.contextmanager
def alongside(job: Callable[[], object]) -> Iterator[None]:
    """Run `job` here while worker processes read issued files, if they do meanwhile
    (`job` handles its own errors: one it raises stops the reading of the files); jobs
    given later run first."""
    _ALONGSIDE.append(job)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            _ALONGSIDE.remove(job)


def read_all(
    items: list[tuple[str, str]], check: DocumentCheck | None
) -> tuple[list[Entry], dict[str, str]]:
    """Read files (path, display path) on every core when there are many (a cold cache on
    a big folder): their entries, and the seal of each one's git blob; this process does
    the work given `alongside` meanwhile."""
    if items:  # the reader, imported here once (workers are forked with it)
        import facturo.files.written  # noqa: F401

    work = [(path, display, check) for path, display in items]
    return _with_blobs(on_every_core(_read_one, work, meanwhile=_alongside_jobs))


def _alongside_jobs() -> None:
    while _ALONGSIDE:  # in this thread: nothing runs here while a worker is forked
        _ALONGSIDE.pop()()


def on_every_core(
    function: Callable[[_Item], _Result],
    work: list[_Item],
    *,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[_Result]:
    """`map(function, work)`, on every core when there is enough work to pay for starting
    worker processes (PARALLEL_FROM), this process running `meanwhile` once they are started.
    `function` is module-level, so that workers receive it by name."""
    workers = min(os.cpu_count() or 1, 8)
    if len(work) < PARALLEL_FROM or workers < 2:
        yield from map(function, work)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # Forked on Linux (Python 3.14 defaults to forkserver): workers start with what this
    # process imported.
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    # chunks small enough that the workers end together (the last one is the tail)
    chunk = max(50, len(work) // (workers * 16))
    # A worker's garbage collector leaves alone what it inherited from this process: it
    # would walk all of it (and copy every page it touches) on each full collection.
    with ProcessPoolExecutor(workers, mp_context=context, initializer=gc.freeze) as pool:
        done = pool.map(function, work, chunksize=chunk)  # the workers exist from here on
        if meanwhile is not None:
            meanwhile()
        try:
            yield from done
        except BrokenProcessPool:
            raise FacturoError(WORKER_STOPPED) from None


def _with_blobs(read: Iterator[tuple[Entry, dict[str, str]]]) -> tuple[list[Entry], dict[str, str]]:
    entries, seals = [], {}
    chain: dict[str | None, str | None] = {}  # a seal is the next document's `previous`
    for entry, blobs in read:
        entries.append(entry)
        seals.update(blobs)
        entry.seal = chain.setdefault(entry.seal, entry.seal)
        entry.previous = chain.setdefault(entry.previous, entry.previous)
    return entries, seals
