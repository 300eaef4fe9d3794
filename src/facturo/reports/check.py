"""`facturo check`: every file on its own, then across files, sorted by file and line."""

from __future__ import annotations

import datetime as dt

from facturo.checks.git import deleted_in_git
from facturo.checks.numbering import check_numbering
from facturo.errors import Problem
from facturo.store.index import Ledger


def check_folder(ledger: Ledger, today: dt.date, only: list[str] | None = None) -> list[Problem]:
    """Every problem of the folder (or of the files under `only`), sorted by file and line."""
    from facturo.lifecycle.issuing import draft_sha256, prepare_draft

    folder = ledger.folder
    problems: list[Problem] = []
    config, config_problems = ledger.config_with_problems()
    problems.extend(config_problems)
    for _, client_problems in ledger.clients_with_problems().values():
        problems.extend(client_problems)
    entries = ledger.entries()
    pending = folder.issuing()
    issued_from = {e.source_sha256: e.number for e in entries if e.source_sha256 in pending}
    for path in folder.draft_files():
        number = issued_from.get(draft_sha256(path))
        if number is not None:
            problems.append(
                Problem(
                    folder.display(path), 0, 0,
                    f"already issued as {number} (an interrupted issue): the next "
                    "`facturo issue` of it removes it",
                    "warning",
                )
            )  # fmt: skip
            continue
        _, draft_problems = prepare_draft(ledger, path, today)
        problems.extend(draft_problems)
    for entry in entries:
        problems.extend(entry.problems)
    problems.extend(check_numbering(entries, config or {}))
    problems.extend(deleted_in_git(folder.root))
    if only:
        problems = [p for p in problems if any(_under(p.path, prefix) for prefix in only)]
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.col, p.message))


def _under(path: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return prefix in (".", "") or path == prefix or path.startswith(prefix + "/")
