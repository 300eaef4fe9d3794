"""Many documents on every core: long-lived workers fed lazily, each PDF written as it ends.

Jobs are taken from an iterable as workers free up (a few per worker wait in line), and each
worker hands over to a fresh one after JOBS_PER_WORKER documents, so memory stays the same
whatever the number of documents; outcomes come back as they finish.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from facturo.output.pdf.engine import PdfAttachment, Renderer, RenderError, check_settings

# Jobs handed to the pool per worker: one being rendered, one ready to start at once.
_QUEUED_PER_WORKER = 2
# Documents a worker renders before a fresh one (forked again) takes over.
JOBS_PER_WORKER = 200
_STOPPED = "the rendering process stopped"
# New objects between two collections of the youngest generation in a worker (Python: 700).
_YOUNG_OBJECTS_PER_COLLECTION = 10_000


@dataclass(frozen=True)
class RenderJob:
    """One document to render to `output`; picklable, so worker processes can take it."""

    document: Mapping[str, Any]
    output: Path
    draft: bool = False
    attachments: tuple[PdfAttachment, ...] = ()
    xmp_metadata: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class RenderOutcome:
    """What became of a job: its PDF was written to `output`, or `error` says why not."""

    output: Path
    error: str | None = None


def render_batch(
    jobs: Iterable[RenderJob],
    *,
    folder_root: Path | None = None,
    template: str | None = None,
    logo: Path | str | None = None,
    accent_color: str | None = None,
    workers: int | None = None,
) -> Iterator[RenderOutcome]:
    """Render jobs on all cores, one Renderer per process, yielding outcomes as they finish.

    `jobs` is read lazily, a few jobs ahead of the workers. Each PDF is written atomically
    (temporary file, then rename). A document that cannot be rendered gives an outcome with
    its error; settings that are wrong raise RenderError before any work starts; an error
    raised while making a job stops the batch (the PDFs already written stay).
    """
    root = folder_root.resolve() if folder_root is not None else None
    check_settings(root, template=template, logo=logo, accent_color=accent_color)
    settings = (os.getpid(), root, template, logo, accent_color)
    pending = iter(jobs)
    wanted = max(1, workers or _usable_cores())
    first = list(islice(pending, wanted))
    count = min(wanted, len(first))
    if count <= 1:  # one document, or one core: no process to start
        renderer = Renderer(root, template=template, logo=logo, accent_color=accent_color)
        for job in chain(first, pending):
            yield _run_job(renderer, job)
        return
    yield from _on_workers(chain(first, pending), count, settings)


def _on_workers(
    jobs: Iterator[RenderJob], count: int, settings: tuple[Any, ...]
) -> Iterator[RenderOutcome]:
    # Workers are replaced after JOBS_PER_WORKER documents each: the libraries under
    # WeasyPrint keep memory per document (in a folder of 100 clients, a worker held 85 MiB
    # after 50 invoices, 95 after 200, 103 after 500), which would otherwise add up. A new
    # pool costs about one document's time.
    while True:
        share = iter(islice(jobs, count * JOBS_PER_WORKER))
        first = next(share, None)
        if first is None:
            return
        yield from _on_pool(chain([first], share), count, settings)


def _on_pool(
    jobs: Iterator[RenderJob], count: int, settings: tuple[Any, ...]
) -> Iterator[RenderOutcome]:
    running: dict[Future[RenderOutcome], Path] = {}
    # Forked on Linux (Python 3.14 defaults to forkserver): a worker's parent is this process,
    # which _die_with watches.
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    with ProcessPoolExecutor(
        count, mp_context=context, initializer=_start_worker, initargs=settings
    ) as pool:

        def hand_out(limit: int) -> Iterator[RenderOutcome]:
            """Give the pool jobs until `limit` run; a broken pool fails each one left."""
            while len(running) < limit:
                job = next(jobs, None)
                if job is None:
                    return
                try:
                    running[pool.submit(_run_in_worker, job)] = job.output
                except BrokenProcessPool:
                    yield RenderOutcome(job.output, _STOPPED)

        try:
            yield from hand_out(count * _QUEUED_PER_WORKER)
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    output = running.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:  # a worker was killed (out of memory, a signal)
                        yield RenderOutcome(output, _STOPPED)
                yield from hand_out(count * _QUEUED_PER_WORKER)
        finally:
            for future in running:
                future.cancel()


_worker_renderer: Renderer | None = None


def _start_worker(
    parent: int,
    root: Path | None,
    template: str | None,
    logo: Path | str | None,
    accent_color: str | None,
) -> None:
    global _worker_renderer
    _die_with(parent)
    _worker_renderer = Renderer(root, template=template, logo=logo, accent_color=accent_color)
    _collect_garbage_for_documents()


def _collect_garbage_for_documents() -> None:
    """Let the garbage collector skip what a worker keeps and run less often per document.

    What the worker holds once started (modules, the parent's data, the stylesheet, fonts)
    is never garbage: frozen, no collection looks at it again. A document makes some hundred
    thousand objects, most of them kept to its end: collecting every 700 of them (Python's
    default) went through them over and over, a tenth of a document's time.
    """
    gc.freeze()
    gc.set_threshold(_YOUNG_OBJECTS_PER_COLLECTION, *gc.get_threshold()[1:])


def _die_with(parent: int) -> None:
    """End this worker when `parent` ends, even by SIGKILL: a pool's workers otherwise wait
    forever for work that will never come."""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)
    # Elsewhere (and should the signal be lost), watch for the parent to go away.
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _run_in_worker(job: RenderJob) -> RenderOutcome:
    if _worker_renderer is None:
        raise RuntimeError("render worker started without its renderer")
    return _run_job(_worker_renderer, job)


def _run_job(renderer: Renderer, job: RenderJob) -> RenderOutcome:
    try:
        pdf = renderer.render_pdf(
            job.document,
            draft=job.draft,
            attachments=job.attachments,
            xmp_metadata=job.xmp_metadata,
        )
    except RenderError as error:
        return RenderOutcome(job.output, str(error))
    partial = job.output.with_name(f".{job.output.name}.{os.getpid()}.tmp")
    try:
        job.output.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(pdf)
        os.replace(partial, job.output)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink()
        return RenderOutcome(job.output, f"cannot write {job.output}: {error.strerror or error}")
    return RenderOutcome(job.output)


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
