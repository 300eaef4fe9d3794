"""What `check` found, kept with a fingerprint of every file and commit it came from.

A warm check of an unchanged folder reads its files and git once, and checks nothing again.

Every problem `check` reports comes from the folder's files, its git history and the day it
runs. The result is kept (`.facturo/cache/check.json`, signed like every cache: see
store/cache.py) with a fingerprint of all of them:

- the SHA-256 of every file of the folder (its path and bytes), except `.git/`, `out/` (the
  PDFs `check` never reads) and facturo's caches, lock and scratch files; the cached answers
  of the company directory are included (the `directory` check reads them);
- the commits git knows: `git log --all --reflog` from the commits seen last time lists no
  new one (a rewritten history, a new repository or a removed one changes the answer);
- the day, facturo's version and the user's home (a `~/` password file is looked for there).

The result is served only when the fingerprint is the same as the one it was found with: a
changed byte anywhere, a new or removed file, a commit or another day means every check runs
again. The files are hashed, never trusted for their size and times: the guarantee is the
one of a cold check, the same bytes give the same problems. A folder holding a link to a
directory (whose files a walk would not see), a pipe or a broken link is never remembered.
What a check found while files changed under it is not kept: the files' times are read
again after the checks, and the result is kept only when none moved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facturo import __version__
from facturo.checks.git import known_tips
from facturo.errors import Problem
from facturo.store.cache import read_cache, write_cache
from facturo.store.folder import Folder

CACHE = "check"
CACHE_VERSION = 1
SKIPPED = {".git", "out"}  # at the folder's top: never read by `check`
STATE_READ = {"cache/directory.json", "cache/directory.json.sig"}  # state the checks read
STATE_SKIPPED = ("cache/", "tmp/", "lock")


@dataclass(frozen=True)
class Fingerprint:
    """The folder's files as `check` may read them (their digest), and the times of each."""

    files: str
    times: tuple[tuple[str, int, int, int], ...]  # path, size, mtime, ctime

    def with_commits(self, root: Path, tips: list[str]) -> str | None:
        """The whole fingerprint: the files, and git's commits not reached from `tips`."""
        commits = _new_commits(root, tips)
        if commits is None:
            return None
        return hashlib.sha256(self.files.encode() + b"\n" + commits).hexdigest()


def fingerprint(folder: Folder, today: dt.date) -> Fingerprint | None:
    """The fingerprint of the folder's files as they are now; None when it cannot be taken
    (a link to a directory, a file that cannot be read)."""
    files = _files(folder.root)
    if files is None:
        return None
    digest = hashlib.sha256()
    for part in (CACHE_VERSION, __version__, today.isoformat(), os.path.expanduser("~")):
        digest.update(f"{part}\n".encode())
    times = []
    for relative, path in files:
        try:
            with open(path, "rb", buffering=0) as handle:
                content = hashlib.sha256(handle.readall()).hexdigest()
                stat = os.fstat(handle.fileno())
        except OSError:
            return None
        digest.update(f"{relative}\0{content}\n".encode("utf-8", "surrogateescape"))
        times.append((relative, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))
    return Fingerprint(digest.hexdigest(), tuple(times))


def _files(root: Path) -> list[tuple[str, str]] | None:
    """Every file `check` may read, as (path in the folder, path), sorted; None when a link
    to a directory hides some from the walk."""
    found: list[tuple[str, str]] = []
    pending = [("", str(root))]
    while pending:
        where, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                relative = where + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if not where and entry.name in SKIPPED:
                        continue
                    pending.append((relative + "/", entry.path))
                elif entry.is_dir() or not entry.is_file():
                    return None  # a link to a directory, a pipe, a link to nowhere
                elif relative.startswith(".facturo/") and _skipped_state(relative[9:]):
                    continue
                else:
                    found.append((relative, entry.path))
    found.sort()
    return found


def _skipped_state(state: str) -> bool:
    return state not in STATE_READ and state.startswith(STATE_SKIPPED)


def _new_commits(root: Path, tips: list[str]) -> bytes | None:
    """What git answers for the commits not reached from `tips`: nothing when no commit was
    made since (its exit status counts: not a repository, or a tip gone)."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "log", "--all", "--reflog", "--stdin", "--format=%H"],
            input="".join(f"^{tip}\n" for tip in tips).encode(),
            capture_output=True, timeout=300, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return f"git {result.returncode}\n".encode() + result.stdout


@dataclass(frozen=True)
class Remembered:
    """A check's result as remembered: its problems and how many issued documents it read."""

    problems: list[Problem]
    documents: int


def recall(folder: Folder, today: dt.date) -> tuple[Remembered | None, Fingerprint | None]:
    """The remembered result if the folder and its git history are as they were then, and
    the fingerprint of the folder's files (None when it cannot be taken)."""
    now = fingerprint(folder, today)
    if now is None:
        return None, None
    data = read_cache(folder, CACHE, CACHE_VERSION)
    tips = data.get("tips")
    if type(tips) is not list or not all(type(tip) is str for tip in tips):
        return None, now
    if data.get("fingerprint") != now.with_commits(folder.root, tips):
        return None, now
    try:
        problems = [_problem(item) for item in data["problems"]]
        documents = data["documents"]
    except (KeyError, TypeError, ValueError):
        return None, now
    if type(documents) is not int:
        return None, now
    return Remembered(problems, documents), now


def remember(folder: Folder, before: Fingerprint, result: Remembered) -> None:
    """Keep `result` under the fingerprint of the files taken `before` the checks ran and
    git's commits as the checks read them, unless a file moved while they ran."""
    for relative, size, mtime, ctime in before.times:
        try:
            stat = os.stat(folder.root / relative)
        except OSError:
            return
        if (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns) != (size, mtime, ctime):
            return
    if [relative for relative, _ in _files(folder.root) or []] != [r for r, *_ in before.times]:
        return
    tips = known_tips(folder)
    whole = before.with_commits(folder.root, tips)
    if whole is None:
        return
    value: dict[str, Any] = {
        "fingerprint": whole,
        "tips": tips,
        "documents": result.documents,
        "problems": [problem.as_dict() for problem in result.problems],
    }
    write_cache(folder, CACHE, CACHE_VERSION, value)


def _problem(item: Any) -> Problem:
    if type(item) is not dict:
        raise ValueError("problem")
    path, line, col, message, severity = (
        item["path"], item["line"], item["col"], item["message"], item["severity"],
    )  # fmt: skip
    if not (type(path) is str and type(message) is str and severity in ("error", "warning")):
        raise ValueError("problem")
    if type(line) is not int or type(col) is not int:
        raise ValueError("problem")
    return Problem(path, line, col, message, severity)
