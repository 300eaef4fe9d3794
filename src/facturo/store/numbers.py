"""The record of every number issued here, kept under .facturo/ where git cannot reset it.

Git history forgets what was never committed: `git reset --hard` after an issue, or a file
renamed before the commit. So each number a writing command sees is also appended to
`.facturo/numbers.jsonl` (number, path, seal) with a copy of the document as issued,
`.facturo/issued/<path>.issued`: a number in the record is never handed out again, and a
missing file can be put back from its copy. The record only grows; a torn last line is
ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facturo.store.folder import Folder

RECORD_NAME = "numbers.jsonl"
COPIES_DIR = "issued"


@dataclass(frozen=True)
class Recorded:
    """One number as the record knows it: where it was filed and its seal."""

    number: str
    path: str
    seal: str | None


def record_path(folder: Folder) -> Path:
    return folder.state_dir / RECORD_NAME


def copy_path(folder: Folder, path: str) -> Path:
    """Where the copy of the issued document filed at `path` is kept (not named .yaml, so
    that nothing looking for documents takes it for one)."""
    return folder.state_dir / COPIES_DIR / f"{path}.issued"


def read_record(folder: Folder) -> dict[str, Recorded]:
    """Every recorded number (the first record of a number wins)."""
    try:
        text = record_path(folder).read_text("utf-8", errors="replace")
    except OSError:
        return {}
    known: dict[str, Recorded] = {}
    for item in _items(text):
        if not isinstance(item, dict):
            continue
        number, path, seal = item.get("number"), item.get("path"), item.get("seal")
        if isinstance(number, str) and isinstance(path, str) and number not in known:
            known[number] = Recorded(number, path, seal if isinstance(seal, str) else None)
    return known


def _items(text: str) -> list[Any]:
    """The record's lines as JSON values, a line torn by a crash left out. Read as one JSON
    list when every line is whole (one call for 10,000 lines), else line by line."""
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        items = json.loads("[" + ",".join(lines) + "]")
    except ValueError:
        items = None
    if isinstance(items, list) and len(items) == len(lines):
        return items  # one value a line: no torn line joined another
    found = []
    for line in lines:
        try:
            found.append(json.loads(line))
        except ValueError:
            continue  # a line torn by a crash
    return found


def add_to_record(
    folder: Folder, seen: list[Recorded], known: Collection[str] | None = None
) -> None:
    """Append the numbers of `seen` the record does not hold yet (under the folder lock;
    `known`: the record as the caller read it under this lock, or it is read again)."""
    if known is None:
        known = read_record(folder)
    lines = [
        json.dumps({"number": r.number, "path": r.path, "seal": r.seal}, ensure_ascii=False)
        for r in seen
        if r.number not in known
    ]
    if not lines:
        return
    folder.state_dir.mkdir(exist_ok=True)
    with open(record_path(folder), "a", encoding="utf-8") as handle:
        if handle.tell() and not _ends_with_newline(record_path(folder)):
            handle.write("\n")
        handle.write("".join(line + "\n" for line in lines))
        handle.flush()
        os.fsync(handle.fileno())


def keep_copy(folder: Folder, path: str, text: str, *, later: set[Path] | None = None) -> None:
    """Keep the document filed at `path` as issued, to put it back if it is lost (with
    `later`: its directory is fsynced at the end of the batch, see Folder.remove)."""
    folder.write_atomic(copy_path(folder, path), text, later=later)


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"
