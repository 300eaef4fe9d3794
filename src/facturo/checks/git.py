"""What git remembers of issued documents: every path and version they ever had, all branches.

One `git log` over every ref and the reflog (so a `git reset --hard` does not hide a commit),
with full history (a merge resolved with --ours still shows the other side's version), reads
each path under invoices/, credit-notes/ and quotes/ that was ever committed and each blob it
had. What was read is cached in `.facturo/cache/git.json` with the commits it ended at: the
next run reads only the commits added since. The cache is three JSON lines (the commits it
ended at first, read alone by the check's memo), written as they are encoded.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from facturo.store.cache import cache_path, read_signed_head, read_signed_lines, write_signed_lines
from facturo.store.folder import ISSUED_DIRS, Folder
from facturo.store.issued import NO_SEAL, seal_in

CACHE_VERSION = 2  # 2: three JSON lines (LINES), the tips readable alone
LINES = ("version and tips", "seals", "paths")
MAX_TIPS = 2000  # beyond this, history is read again from scratch
# Reading every commit's changes, git by default keeps up to 96 MiB of delta bases and maps
# the whole pack (its pages count as its memory): at 50,000 commits git log held 313 MB,
# with these bounds 71 MB, for the same CPU time (37 MB at 10,000 commits).
LEAN = (
    "-c", "core.deltaBaseCacheLimit=16m",
    "-c", "core.packedGitWindowSize=2m",
    "-c", "core.packedGitLimit=16m",
)  # fmt: skip


@dataclass(slots=True)
class PathHistory:
    """One path as git knew it: its blobs (with the first commit of each), how it left.

    Most paths had one blob in ten years: it is held in two slots, not in a mapping of its
    own (50,000 paths), and `blobs` makes that mapping when asked."""

    blob: str = ""  # its first blob ("": none yet)
    commit: str = ""  # a commit that had it
    more: dict[str, str] | None = None  # its other blobs -> a commit that had each
    deleted_in: str | None = None  # a commit that deleted it

    @classmethod
    def of(cls, blobs: Mapping[str, str], deleted_in: str | None = None) -> PathHistory:
        """The history of a path with `blobs` (blob -> a commit that had it)."""
        item = cls(deleted_in=deleted_in)
        for blob, commit in blobs.items():
            item.add(blob, commit)
        return item

    def add(self, blob: str, commit: str) -> None:
        """`blob`, had by `commit` (unless it was seen before: its first commit stays)."""
        if not self.blob:
            self.blob, self.commit = blob, commit
        elif blob != self.blob:
            if self.more is None:
                self.more = {}
            self.more.setdefault(blob, commit)

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Each blob with a commit that had it, in the order they were found."""
        if self.blob:
            yield self.blob, self.commit
        if self.more:
            yield from self.more.items()

    @property
    def blobs(self) -> dict[str, str]:
        """Blob -> a commit that had it."""
        return dict(self.pairs())


@dataclass
class History:
    """Every issued path git ever knew, and the seal of each blob read."""

    paths: dict[str, PathHistory] = field(default_factory=dict)
    seals: dict[str, str] = field(default_factory=dict)  # blob -> seal sha256 ("" if none)
    tips: list[str] = field(default_factory=list)
    available: bool = False  # False outside a git repository

    def renamed_to(self, path: str) -> list[str]:
        """Paths that received one of `path`'s blobs (a rename or a copy)."""
        blobs = set(self.paths[path].blobs)
        return sorted(
            other
            for other, item in self.paths.items()
            if other != path and any(blob in blobs for blob, _ in item.pairs())
        )


@contextlib.contextmanager
def _git(root: Path, *args: str, asked: bytes) -> Iterator[subprocess.Popen[bytes]]:
    """git running `args`, `asked` written to it meanwhile (it answers before it has read
    all of it: its output is read as it writes it); waited for on leaving."""
    process = subprocess.Popen(
        ["git", "-C", str(root), "-c", "core.quotepath=off", *LEAN, *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    writer = threading.Thread(target=_feed, args=(process.stdin, asked), daemon=True)
    writer.start()
    try:
        yield process
    finally:
        process.stdout.close()
        writer.join(timeout=300)
        process.wait(timeout=300)


def _load(folder: Folder) -> History:
    signed = read_signed_lines(cache_path(folder, "git"))
    if signed is None or len(signed[0]) != len(LINES):
        return History()
    lines = signed[0]
    del signed
    try:
        tips = _tips(lines[0])
        if tips is None:
            return History()
        history = History(seals=_texts(json.loads(lines[1])), tips=tips)
        lines[1] = b""  # each line let go of once read
        paths = json.loads(lines[2])
        lines[2] = b""
        blobs = [item["blobs"] for item in paths.values()]
        deleted = [item.get("deleted_in") for item in paths.values()]
        # checked all at once (one pass over 10,000 paths, not one check per path)
        if not (
            all(type(path) is str for path in paths)
            and all(type(item) is dict for item in blobs)
            and all(type(k) is str and type(v) is str for item in blobs for k, v in item.items())
            and all(gone is None or type(gone) is str for gone in deleted)
        ):
            return History()
        history.paths = {
            path: PathHistory.of(item, gone)
            for path, item, gone in zip(paths, blobs, deleted, strict=True)
        }
        return history
    except (ValueError, TypeError, KeyError, AttributeError):
        return History()  # a damaged cache: read history again


def _tips(header: bytes) -> list[str] | None:
    """The tips the git cache's first line names, None when it is not this version's."""
    data = json.loads(header)
    if type(data) is not dict or data.get("version") != CACHE_VERSION:
        return None
    tips = data.get("tips")
    if type(tips) is not list or not all(type(tip) is str for tip in tips):
        raise ValueError("tips")
    return tips


def _texts(value: Any) -> dict[str, str]:
    """A mapping of text to text, or ValueError (a damaged cache)."""
    if type(value) is not dict or not all(
        type(k) is str and type(v) is str for k, v in value.items()
    ):
        raise ValueError("expected text")
    return value


def _save(folder: Folder, history: History) -> None:
    """The cache of `history`, written as it is encoded, some paths at a time: ten years of
    history is never held a second time as one text."""
    write_signed_lines(cache_path(folder, "git"), _encoded(history))


SAVED_AT_ONCE = 2000  # paths (or seals) encoded in one piece


def _encoded(history: History) -> Iterator[bytes]:
    """The git cache's LINES (JSON each), piece by piece."""
    yield _json({"version": CACHE_VERSION, "tips": history.tips}) + b"\n{"
    yield from _pieces(history.seals.items(), lambda value: value)
    yield b"}\n{"
    yield from _pieces(
        history.paths.items(),
        lambda item: {"blobs": item.blobs, "deleted_in": item.deleted_in},
    )
    yield b"}\n"


def _pieces(items: Iterable[tuple[str, Any]], shown: Callable[[Any], Any]) -> Iterator[bytes]:
    """The members of a JSON object, SAVED_AT_ONCE in each piece, commas between them."""
    batch: dict[str, Any] = {}
    first = True
    for key, value in items:
        batch[key] = shown(value)
        if len(batch) == SAVED_AT_ONCE:
            yield (b"" if first else b",") + _json(batch)[1:-1]
            batch, first = {}, False
    if batch:
        yield (b"" if first else b",") + _json(batch)[1:-1]


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def known_tips(folder: Folder) -> list[str]:
    """The commits the history read last ended at (none when it was not cached): as this
    process read it, else the first line of the cache alone is read (the rest only hashed,
    for its signature)."""
    tips = _READ_TIPS.get(folder.root)
    if tips is not None:
        return list(tips)
    try:
        header = read_signed_head(cache_path(folder, "git"))
        tips = None if header is None else _tips(header)
    except ValueError:
        return []
    return tips or []


_READ_TIPS: dict[Path, list[str]] = {}  # by folder: where the history read here ended


def read_history(
    folder: Folder, *, use_cache: bool = True, known: Mapping[str, str] | None = None
) -> History:
    """What git remembers of the issued folders (empty outside a repository); `known`: the
    seal of blobs already read (store/issued.py), not asked of git again."""
    return start_history(folder, use_cache=use_cache).finish(known or {})


def start_history(folder: Folder, *, use_cache: bool = True) -> HistoryReading:
    """The first half of read_history: the commits and paths, not yet the seal of each new
    blob (the files being read meanwhile may name most of them)."""
    history = _load(folder) if use_cache else History()
    try:
        commits = _log(folder.root, history)
        if commits is None and history.tips:
            history = History()  # a cached commit is gone (gc): read everything again
            commits = _log(folder.root, history)
        if commits is None:
            return HistoryReading(folder, History(), Walk(), use_cache, done=True)
    except (OSError, subprocess.TimeoutExpired):
        return HistoryReading(folder, History(), Walk(), use_cache, done=True)
    return HistoryReading(folder, history, commits, use_cache)


@dataclass
class Walk:
    """The commits a `git log` read, as much as finding the tips needs: each parent named
    (its 20 bytes), and the commits read that no commit read names as its parent. Ten years
    of commits are not held as texts, each with a list of its parents."""

    count: int = 0  # how many were read
    heads: dict[str, None] = field(default_factory=dict)  # in the order they were read
    parents: set[bytes] = field(default_factory=set)

    def read(self, commit: str, parents: list[str]) -> None:
        self.count += 1
        if _raw(commit) not in self.parents:
            self.heads[commit] = None
        for parent in parents:
            self.parents.add(_raw(parent))
            self.heads.pop(parent, None)

    def tips(self, before: list[str]) -> list[str]:
        """The commits read that no other one read has for parent, then those of the tips
        `before` that none of them has for parent."""
        after = [tip for tip in before if _raw(tip) not in self.parents]
        return list(dict.fromkeys([*self.heads, *after]))


def _raw(commit: str) -> bytes:
    """A commit's id as its 20 bytes (the text's own bytes if it is not hexadecimal)."""
    try:
        return bytes.fromhex(commit)
    except ValueError:
        return commit.encode("utf-8", "surrogateescape")


@dataclass
class HistoryReading:
    """Git's history with the seals of its new blobs still to read (start_history)."""

    folder: Folder
    history: History
    commits: Walk  # the commits read
    use_cache: bool
    done: bool = False  # nothing more to read: not a repository, no commit, git failed

    def finish(self, known: Mapping[str, str]) -> History:
        """The whole history: each new blob's seal from `known`, else read from git."""
        history, commits = self.history, self.commits
        if self.done:
            _READ_TIPS[self.folder.root] = list(history.tips)
            return history
        try:
            _read_seals(self.folder.root, history, known)
        except (OSError, subprocess.TimeoutExpired):
            return History()
        history.available = True
        if commits.count or not self.use_cache:
            history.tips = commits.tips(history.tips)
            if len(history.tips) > MAX_TIPS:
                history.tips = []
            if self.use_cache:
                _save(self.folder, history)
        _READ_TIPS[self.folder.root] = list(history.tips)
        return history


def _log(root: Path, history: History) -> Walk | None:
    """The commits not reached from `history`'s tips, read into it as git writes them (ten
    years of changes are never held as one text); None when git fails (then `history`
    holds part of what it wrote)."""
    # Every commit, with no pathspec: limiting to the issued folders makes git test each
    # commit against its parents for them (three times slower); the paths are sorted out
    # while parsing. Merges list no changes here either way: the changes of both sides are
    # in the commits they merged.
    revisions = "".join(f"^{tip}\n" for tip in history.tips).encode()  # commits read before
    with _git(
        root, "log", "--all", "--reflog", "--stdin", "--no-renames",
        "--raw", "--no-abbrev", "--relative", "--format=@%H %P",
        asked=revisions,
    ) as process:  # fmt: skip
        assert process.stdout is not None
        text = io.TextIOWrapper(process.stdout, "utf-8", "surrogateescape", newline="\n")
        commits = _parse_log(text, history)
    return commits if process.returncode == 0 else None


def _parse_log(lines: Iterable[str], history: History) -> Walk:
    """Fill `history` from `git log --raw` output; the commits read."""
    commits = Walk()
    commit = ""
    for line in lines:
        if line.startswith("@"):
            commit, *parents = line[1:].split()
            commits.read(commit, parents)
        elif line.startswith(":"):
            head, _, path = line.rstrip("\n").partition("\t")
            fields = head.split()
            if len(fields) < 5:
                continue
            path = _unquote(path)
            if path.partition("/")[0] not in ISSUED_DIRS:
                continue
            old, new, status = fields[2], fields[3], fields[4]
            item = history.paths.setdefault(path, PathHistory())
            for blob in (old, new):
                if set(blob) != {"0"}:
                    item.add(blob, commit)  # a commit that had this blob
            if status == "D":
                item.deleted_in = commit
    return commits


def _unquote(path: str) -> str:
    if len(path) >= 2 and path[0] == path[-1] == '"':
        return path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return path


def _read_seals(root: Path, history: History, known: Mapping[str, str]) -> None:
    """The seal of every blob not read yet: from `known`, else from git (one `git cat-file`
    call; then cached). The blobs are read one by one as git writes them: ten years of
    history is never held at once."""
    wanted = []
    for item in history.paths.values():
        for blob, _ in item.pairs():
            if blob in history.seals:
                continue
            seal = known.get(blob)
            if seal is None:
                wanted.append(blob)
            else:
                history.seals[blob] = seal
    if not wanted:
        return
    with _git(root, "cat-file", "--batch", asked=("\n".join(wanted) + "\n").encode()) as process:
        assert process.stdout is not None
        for blob in wanted:
            header = process.stdout.readline().split()
            if not header:
                break
            if len(header) < 3 or header[1] == b"missing":
                history.seals[blob] = NO_SEAL
                continue
            content = process.stdout.read(int(header[2]) + 1)  # and the newline after it
            history.seals[blob] = seal_in(content)


def _feed(stdin: IO[bytes], data: bytes) -> None:
    try:
        stdin.write(data)
        stdin.close()
    except OSError:  # git stopped reading: what it answered is all there is
        pass
