"""What `check` found, kept with a fingerprint of every file and commit it came from.

A warm check of an unchanged folder reads its files and git once, and checks nothing again.

Every problem `check` reports comes from the folder's files, the files its configuration
names, its git history, the code that checks and the day it runs. The result is kept
(`.facturo/cache/check.json`, signed like every cache: see store/cache.py) with a
fingerprint of all of them:

- the SHA-256 of every file of the folder (its path, its bytes, and where it leads if it is
  a link), except `.git/`, `out/` (the PDFs) and facturo's caches, lock and scratch files;
  the cached answers of the company directory are included (the `directory` check reads
  them);
- where the logo and the password file named in facturo.yaml lead, and their bytes,
  wherever they are;
- the commits git knows: `git log --all --reflog` from the commits seen last time lists no
  new one (a rewritten history, a new repository or a removed one changes the answer);
- facturo's own files and the libraries that judge identifiers, amounts and e-invoices as
  installed (their sizes and times), the day, facturo's version and the user's home.

The result is served only when the fingerprint is the same as the one it was found with: a
changed byte anywhere, a new or removed file, a commit, an upgrade or another day means
every check runs again. The files are hashed, never trusted for their size and times: the
guarantee is the one of a cold check, the same bytes give the same problems. Whether git
tracks `.facturo/` is asked on every run, remembered or not. Nothing is remembered while a
folder hides files from the walk (a link to a directory, a pipe, a broken link, a folder
that cannot be read) or an interrupted issue waits to be settled (its draft is recognised
by its inode and times, not its bytes). What a check found while files changed or a
commit was made is not kept: the files' times and git are read again after the checks.
With nothing remembered yet, only the files' times are taken before the checks, and the
fingerprint is made after them from the bytes they read (a cold check reads every issued
file: hashing them all again first would read ten years of documents twice).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facturo import __version__
from facturo.checks.git import known_tips
from facturo.errors import Problem
from facturo.store.cache import code_identity, read_cache, write_cache
from facturo.store.folder import CONFIG_NAME, Folder, hashed

CACHE = "check"
CACHE_VERSION = 1
SKIPPED = {".git", "out"}  # at the folder's top: never read by `check`
STATE_READ = {"cache/directory.json", "cache/directory.json.sig"}  # state the checks read
UNSETTLED = ".facturo/issuing/"  # marks of an interrupted issue


@dataclass(frozen=True)
class Fingerprint:
    """The folder's files as `check` may read them (their digest), and the times of each."""

    files: str  # "" when only their times were taken (see `stated`)
    times: tuple[tuple[str, int, int, int], ...]  # path, size, mtime, ctime
    today: dt.date
    named: bytes = b""  # the files facturo.yaml names, as `stated` found them

    def with_commits(self, commits: bytes) -> str:
        """The whole fingerprint: the files, and what git answered for new commits."""
        return hashlib.sha256(self.files.encode() + b"\n" + commits).hexdigest()


def fingerprint(
    folder: Folder,
    today: dt.date,
    known: Mapping[str, str] | None = None,
    expected: tuple[tuple[str, int, int, int], ...] | None = None,
) -> Fingerprint | None:
    """The fingerprint of the folder's files as they are now; None when it cannot be taken
    (a link to a directory, a file or folder that cannot be read, an issue to settle), or
    the files or their times are not the `expected` ones. `known`: the SHA-256 of files'
    bytes as just read (by path in the folder), not hashed again; whoever gives them makes
    sure the files have not moved since."""
    files = _files(folder.root)
    if files is None or any(relative.startswith(UNSETTLED) for relative, _ in files):
        return None  # a draft is matched to its mark by its inode and times: not remembered
    if expected is not None and len(expected) != len(files):
        return None
    digest = hashlib.sha256()
    for part in (CACHE_VERSION, __version__, today.isoformat(), os.path.expanduser("~")):
        digest.update(f"{part}\n".encode())
    digest.update(code_identity())
    times = []
    known = known or {}
    root = str(folder.root) + os.sep
    for at, (relative, link) in enumerate(files):
        path = root + relative
        try:
            content = known.get(relative)
            if content is None:
                content, stat = hashed(path)
            else:
                stat = os.stat(path)
        except OSError:
            return None
        target = os.path.realpath(path) if link else ""  # where a link leads
        digest.update(f"{relative}\0{target}\0{content}\n".encode("utf-8", "surrogateescape"))
        found = (relative, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        if expected is None:
            times.append(found)
        elif expected[at] != found:
            return None
    digest.update(_named_files(folder))
    return Fingerprint(digest.hexdigest(), tuple(times) if expected is None else expected, today)


def stated(folder: Folder, today: dt.date) -> Fingerprint | None:
    """The times of the folder's files, not their bytes (hashed after the checks, with the
    bytes the checks read: `remember`), and the files facturo.yaml names; None as for
    `fingerprint`."""
    files = _files(folder.root)
    if files is None or any(relative.startswith(UNSETTLED) for relative, _ in files):
        return None
    times = []
    root = str(folder.root) + os.sep
    for relative, _ in files:
        try:
            stat = os.stat(root + relative)
        except OSError:
            return None
        times.append((relative, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))
    return Fingerprint("", tuple(times), today, _named_files(folder))


def _named_files(folder: Folder) -> bytes:
    """The files facturo.yaml names (the logo, the password file), which may be anywhere:
    where each one leads and its bytes."""
    from facturo.files.yamlio import load_mapping

    config, _ = load_mapping(folder.config_path, CONFIG_NAME)
    named = b""
    for section, key in (("pdf", "logo"), ("mail", "password_file")):
        values = config.get(section) if config is not None else None
        value = values.get(key) if isinstance(values, dict) else None
        if not isinstance(value, str):
            continue
        path = os.path.realpath(folder.root / os.path.expanduser(value))
        try:
            content, _ = hashed(path)
        except OSError as error:
            content = f"unreadable {error.errno}"
        named += f"{section}.{key}\0{path}\0{content}\n".encode("utf-8", "surrogateescape")
    return named


def _files(root: Path) -> list[tuple[str, bool]] | None:
    """Every file `check` may read, as (path in the folder, whether it is a link), sorted;
    None when some cannot be seen: a link to a directory, a pipe, a link to nowhere, a
    folder not read."""
    found: list[tuple[str, bool]] = []
    pending = [("", str(root))]
    while pending:
        where, directory = pending.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    relative = where + entry.name
                    if not where and entry.name in SKIPPED:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((relative + "/", entry.path))
                    elif entry.is_dir() or not entry.is_file():
                        return None
                    elif not (relative.startswith(".facturo/") and _skipped(relative[9:])):
                        found.append((relative, entry.is_symlink()))
        except OSError:
            return None
    found.sort()
    return found


def _skipped(state: str) -> bool:
    """Whether a file of .facturo/ is one no check reads (caches, scratch files, the lock)."""
    return state not in STATE_READ and (state == "lock" or state.startswith(("cache/", "tmp/")))


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
class Checked:
    """What `check` found: every problem, sorted, and how many issued documents it read."""

    problems: list[Problem]
    documents: int


def recall(folder: Folder, today: dt.date) -> tuple[Checked | None, Fingerprint | None]:
    """The remembered result if the folder and its git history are as they were then, and
    the fingerprint of the folder's files (None when it cannot be taken; only their times
    when nothing is remembered: a cold check reads every file anyway)."""
    data = read_cache(folder, CACHE, CACHE_VERSION)
    tips = data.get("tips")
    if type(tips) is not list or not all(type(tip) is str for tip in tips):
        return None, stated(folder, today)
    now = fingerprint(folder, today)
    if now is None:
        return None, None
    commits = _new_commits(folder.root, tips)
    if commits is None or data.get("fingerprint") != now.with_commits(commits):
        return None, now
    try:
        problems = [Problem.from_dict(item) for item in data["problems"]]
        documents = data["documents"]
    except (KeyError, TypeError, ValueError):
        return None, now
    if type(documents) is not int:
        return None, now
    return Checked(problems, documents), now


def _unmoved(folder: Folder, before: Fingerprint) -> bool:
    """Whether the folder's files are those of `before`, with the same times."""
    for relative, size, mtime, ctime in before.times:
        try:
            stat = os.stat(folder.root / relative)
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns) != (size, mtime, ctime):
            return False
    return [relative for relative, *_ in _files(folder.root) or []] == [
        relative for relative, *_ in before.times
    ]


def remember(
    folder: Folder, before: Fingerprint, result: Checked, read: Mapping[str, str] | None = None
) -> None:
    """Keep `result` under the fingerprint of the files taken `before` the checks ran and
    git's commits as the checks read them, unless a file moved while they ran. When only
    their times were taken before, the files are hashed now (but those the checks `read`:
    the SHA-256 of their bytes, by path), and none may have moved since."""
    if not before.files:  # taken now, after the checks: the same files, the same times
        now = fingerprint(folder, before.today, read, before.times)
        if now is None or _named_files(folder) != before.named:
            return
        before = now
    elif not _unmoved(folder, before):
        return
    tips = known_tips(folder)
    commits = _new_commits(folder.root, tips)
    if commits is None or commits.partition(b"\n")[2]:
        return  # a commit made since the checks read git's history: not what they saw
    value: dict[str, Any] = {
        "fingerprint": before.with_commits(commits),
        "tips": tips,
        "documents": result.documents,
        "problems": [problem.as_dict() for problem in result.problems],
    }
    write_cache(folder, CACHE, CACHE_VERSION, value)
