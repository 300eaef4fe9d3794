"""`facturo check`: every named check over the folder, sorted by file and line."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

from facturo.checks.registry import CHECKS, Check
from facturo.errors import Problem
from facturo.reports.check_memo import Checked, recall, remember
from facturo.store.index import Ledger
from facturo.store.issued import alongside


def draft_problems(ledger: Ledger, today: dt.date) -> list[Problem]:
    """Each draft as `issue` would prepare it today, or the issue it is left over from."""
    from facturo.lifecycle.issuing import draft_sha256, prepare_draft

    folder = ledger.folder
    problems: list[Problem] = []
    pending = folder.issuing()
    entries = ledger.entries()
    issued_from = {e.source_sha256: e.number for e in entries if e.source_sha256 in pending}
    for path in folder.draft_files():
        sha = draft_sha256(path)
        number = issued_from.get(sha)
        if number is not None and pending[sha].is_the_file(path, folder.display(path)):
            problems.append(
                Problem(
                    folder.display(path), 0, 0,
                    f"already issued as {number} (an interrupted issue): the next "
                    "`facturo issue` removes it",
                    "warning",
                )
            )  # fmt: skip
            continue
        _, found = prepare_draft(ledger, path, today)
        problems.extend(found)
        problems.extend(_credited_already(ledger, path))
    return problems


def _credited_already(ledger: Ledger, path: Path) -> list[Problem]:
    """A credit note draft on an invoice that has a credit note already: a leftover of an
    interrupted `credit` would credit it twice."""
    from facturo.files.yamlio import load_mapping

    display = ledger.folder.display(path)
    data, _ = load_mapping(path, display)
    if data is None or data.get("kind") != "credit_note":
        return []
    number = data.get("credit_note_of")
    notes = ledger.credit_notes_of(number) if isinstance(number, str) else []
    if not notes:
        return []
    line, col = data.mark("credit_note_of")
    names = ", ".join(sorted(note.number for note in notes))
    return [
        Problem(
            display, line, col,
            f"{number} already has credit note {names}: issuing this draft credits it again "
            "(remove the draft if it is left over from an interrupted credit)",
            "warning",
        )
    ]  # fmt: skip


# The registry's checks, and drafts: preparing one is the lifecycle's, a later layer.
def time_problems(ledger: Ledger, today: dt.date) -> list[Problem]:
    """The time entries of time/*.csv, and drafts that would bill one a second time."""
    from facturo.lifecycle.time_billing import time_problems as found

    return found(ledger)


FOLDER_CHECKS: dict[str, Check] = {**CHECKS, "drafts": draft_problems, "time": time_problems}
FIRST = "documents"  # what its worker processes read, the other checks read meanwhile


def _read_meanwhile(ledger: Ledger) -> None:
    """The files the config, clients and subscriptions checks read, read (and kept by the
    ledger) while worker processes read the issued files; one that fails is read again by
    its check, which says why."""
    with contextlib.suppress(Exception):
        ledger.config_with_problems()
        clients = ledger.clients_with_problems()
        for client_id in clients:
            clients[client_id]
        ledger.subscriptions_with_problems()


def check_folder(ledger: Ledger, today: dt.date, only: list[str] | None = None) -> list[Problem]:
    """Every problem of the folder (or of the files under `only`), sorted by file and line."""
    return check_all(ledger, today, only).problems


def check_all(ledger: Ledger, today: dt.date, only: list[str] | None = None) -> Checked:
    """Every problem of the folder (or of the files under `only`), sorted by file and line.

    `ledger` comes from `checks.documents.open_ledger`, which checks each issued document;
    every issued file's bytes are hashed: a cached summary and its problems (seal included)
    serve only the bytes they were read from, any other file is read and checked again. A
    folder whose files and git history are byte for byte as the last check saw them, on the
    same day, gets that check's result (reports/check_memo.py).
    """
    ledger.refuse_tracked_state()  # staged or committed, whatever is remembered
    checked, before = recall(ledger.folder, today) if ledger.use_cache else (None, None)
    if checked is None:
        ledger.read_files()
        names = sorted(FOLDER_CHECKS, key=lambda name: name != FIRST)  # the rest in order
        with alongside(lambda: _read_meanwhile(ledger)):
            found = [p for name in names for p in FOLDER_CHECKS[name](ledger, today)]
        problems = sorted(set(found), key=lambda p: (p.path, p.line, p.col, p.message))
        checked = Checked(problems, len(ledger.entries()))
        if before is not None:  # the bytes of issued files as the checks read them
            read = {e.path: e.content_sha256 for e in ledger.entries() if e.content_sha256}
            remember(ledger.folder, before, checked, read)
    if not only:
        return checked
    kept = [p for p in checked.problems if any(_under(p.path, prefix) for prefix in only)]
    return Checked(kept, checked.documents)


def _under(path: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return prefix in (".", "") or path == prefix or path.startswith(prefix + "/")
