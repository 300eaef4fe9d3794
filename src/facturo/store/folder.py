"""The billing folder on disk: finding it, its paths, the lock and atomic writes.

Every write goes through a temporary file in `.facturo/tmp` that is fsynced, then renamed
over the target (`write_atomic`) or hard-linked to a name that must not exist yet
(`claim`): a crash at any point leaves either the old file or the new one, never half.
A batch may leave the fsync of the directories its renames and removals changed to its end
(`later`, `sync_directories`: lifecycle/filing.py says when that is sound); a claim's
directory is always synced at once.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from facturo.errors import FacturoError, FolderBusy, NotFound, Remedy, display_path

CONFIG_NAME = "facturo.yaml"
STATE_DIR = ".facturo"
ISSUED_DIRS = ("invoices", "credit-notes", "quotes")


def find_root(start: Path, explicit: Path | None = None) -> Path:
    """The billing folder: `explicit`, or the first parent of `start` holding facturo.yaml."""
    if explicit is not None:
        if not (explicit / CONFIG_NAME).is_file():
            raise NotFound(
                f"{explicit}: no {CONFIG_NAME} here (create one with: facturo init {explicit})"
            )
        return explicit.resolve()
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_NAME).is_file():
            return candidate
    raise NotFound(
        f"no billing folder here or above {here} (no {CONFIG_NAME}): create one with facturo init",
        remedy=Remedy.FOLDER,
    )


class Folder:
    """A billing folder: paths of its parts, its lock, and safe writes inside it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._on_lock: list[Callable[[], None]] = []
        self._lock_depth = 0  # the lock is re-entered by a step of a larger locked command

    def on_lock(self, callback: Callable[[], None]) -> None:
        """Call `callback` each time the lock is taken, before the locked work starts."""
        self._on_lock.append(callback)

    def tracked_state(self) -> list[str]:
        """Files of facturo's own state (.facturo/) that git tracks: they never should be."""
        try:
            result = subprocess.run(
                ["git", "-C", str(self.root), "ls-files", "--", STATE_DIR],
                capture_output=True, text=True, timeout=30, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return []
        return result.stdout.splitlines() if result.returncode == 0 else []

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def clients_dir(self) -> Path:
        return self.root / "clients"

    @property
    def drafts_dir(self) -> Path:
        return self.root / "drafts"

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    def display(self, path: Path) -> str:
        return display_path(path, self.root)

    def typed_path(self, path: Path) -> Path:
        """A path as the user typed it: relative to here, or else to the billing folder."""
        if path.is_absolute() or path.exists():
            return path.absolute()
        inside = self.root / path
        return inside if inside.exists() else path.absolute()

    def client_path(self, client_id: str) -> Path:
        return self.clients_dir / f"{client_id}.yaml"

    def client_files(self) -> list[Path]:
        return sorted(self.clients_dir.glob("*.yaml"))

    @property
    def subscriptions_dir(self) -> Path:
        return self.root / "subscriptions"

    def subscription_files(self) -> list[Path]:
        return sorted(self.subscriptions_dir.glob("*.yaml"))

    def draft_files(self) -> list[Path]:
        return sorted(p for p in self.drafts_dir.rglob("*.yaml") if p.is_file())

    def issued_files(self) -> list[Path]:
        """Every issued document file, in a stable order."""
        return [Path(path) for _, path in self.issued_names()]

    def issued_names(self, dirs: tuple[str, ...] = ISSUED_DIRS) -> list[tuple[str, str]]:
        """Every issued document file (of `dirs`) as (its display path, its path), in the
        order of `issued_files`, built as text: no pathlib work per file on a large folder."""
        found: list[tuple[str, str]] = []
        for name in sorted(dirs):  # as paths sort: part by part
            try:
                with os.scandir(self.root / name) as years:
                    year_dirs = sorted((e.name, e.path) for e in years if e.is_dir())
            except (FileNotFoundError, NotADirectoryError):
                continue
            for year, year_dir in year_dirs:
                shown, at = f"{name}/{year}/", year_dir + os.sep
                files = [n for n in os.listdir(year_dir) if n.endswith(".yaml")]
                found.extend((shown + n, at + n) for n in sorted(files) if n[0] != ".")
        return found

    def issued_named(self, stem: str) -> list[tuple[str, str]]:
        """The issued files named `<stem>.yaml`, in any series folder and year (display path,
        path): a number is found by its file's name without listing every file."""
        found = []
        for name in ISSUED_DIRS:
            try:
                with os.scandir(self.root / name) as years:
                    year_dirs = sorted((e.name, e.path) for e in years if e.is_dir())
            except (FileNotFoundError, NotADirectoryError):
                continue
            for year, year_dir in year_dirs:
                path = os.path.join(year_dir, f"{stem}.yaml")
                if os.path.isfile(path):
                    found.append((f"{name}/{year}/{stem}.yaml", path))
        return found

    def resolve_inside(self, relative: str) -> Path | None:
        """`relative` as a path inside the folder, or None when it escapes it."""
        candidate = (self.root / relative).resolve()
        try:
            candidate.relative_to(self.root.resolve())
        except ValueError:
            return None
        return candidate

    def _tmp_dir(self) -> Path:
        tmp = self.state_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp

    @contextlib.contextmanager
    def _writing(self, path: Path) -> Iterator[None]:
        """A full disk, a read-only folder or a missing permission: one line, no traceback."""
        try:
            yield
        except OSError as exc:
            if isinstance(exc, FileExistsError):
                raise
            reason = exc.strerror or str(exc)
            raise FacturoError(f"cannot write {self.display(path)}: {reason}") from exc

    @contextlib.contextmanager
    def lock(self, timeout: float = 30.0) -> Iterator[None]:
        """Serialise writing commands (two cron runs, two terminals) with an flock.

        Re-entrant on one Folder: a command that holds it (a bank import) can call steps that
        take it (recording each payment) without waiting on itself.
        """
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        with self._writing(self.state_dir / "lock"):
            self.state_dir.mkdir(exist_ok=True)
            handle = open(self.state_dir / "lock", "a+")  # noqa: SIM115 - closed below
        with handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        raise FolderBusy(
                            f"another facturo command is writing to {self.root} "
                            f"(waited {timeout:.0f} s for {self.display(Path(handle.name))})"
                        ) from None
                    time.sleep(0.05)
            self._lock_depth = 1
            try:
                self._remove_stale_temporaries()
                for callback in self._on_lock:
                    callback()
                yield
            finally:
                self._lock_depth = 0
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _remove_stale_temporaries(self) -> None:
        # Under the lock no write is in progress: temporaries are leftovers of a crash.
        leftovers = [*self.state_dir.glob("tmp/*"), *self.state_dir.glob("cache/*.tmp")]
        for leftover in leftovers:
            with contextlib.suppress(OSError):
                leftover.unlink()

    def _write_temporary(self, data: bytes) -> Path:
        fd, name = tempfile.mkstemp(dir=self._tmp_dir(), prefix="write-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
        return Path(name)

    def write_atomic(
        self, path: Path, data: bytes | str, mode: int = 0o644, *, later: set[Path] | None = None
    ) -> None:
        """Replace `path` with `data` all at once (the data is durable before the rename;
        with `later`, the rename is made durable by `sync_directories`, see `remove`)."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        with self._writing(path):
            _make_directories(path.parent)
            temporary = self._write_temporary(raw)
            try:
                os.chmod(temporary, mode)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
            _sync_or_add(path.parent, later)

    def claim(self, path: Path, data: bytes | str) -> bool:
        """Create `path` with `data` only if it does not exist yet; False if it does."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        with self._writing(path):
            _make_directories(path.parent)
            temporary = self._write_temporary(raw)
            try:
                os.chmod(temporary, 0o644)
                os.link(temporary, path)
            except FileExistsError:
                return False
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            _fsync_dir(path.parent)
        return True

    def claim_draft(self, stem: str, text: str | Callable[[Path], str]) -> Path:
        """Write a new draft `drafts/<stem>.yaml` (or `<stem>-2.yaml`, ...: never over one
        that exists); `text` may depend on the path the draft gets."""
        self.drafts_dir.mkdir(exist_ok=True)
        for attempt in range(1, 1000):
            name = stem if attempt == 1 else f"{stem}-{attempt}"
            path = self.drafts_dir / f"{name}.yaml"
            if self.claim(path, text(path) if callable(text) else text):
                return path
        raise FacturoError(f"too many drafts named {stem}-*.yaml")

    def mark_issuing(self, drafts: list[tuple[str, Path]], *, alone: bool = True) -> str:
        """Record, durably and before the first claim, that `drafts` (sha256, path) are being
        issued: one mark for them all (one file, fsynced with its directory). Its name.

        The mark names each draft file itself (path, inode, mtime, size), not only its
        content: a later draft with the same bytes is another file, issued normally. The
        mark of one draft, `alone` (the only mark of its command), is the file
        `issuing/<sha256>` it always was; any other is named after its content.
        """
        marks = [
            (sha, {"draft": self.display(p), "identity": file_identity(p)}) for sha, p in drafts
        ]
        if len(marks) == 1 and alone:
            name, mark = marks[0]
            text = json.dumps(mark)
        else:
            text = json.dumps({"drafts": [{"sha256": sha, **mark} for sha, mark in marks]})
            name = "batch-" + hashlib.sha256(text.encode()).hexdigest()
        self.write_atomic(self.state_dir / "issuing" / name, text)
        return name

    def issuing(self) -> dict[str, IssuingMark]:
        """Drafts (by sha256) whose issue started and was not seen through."""
        return {sha: mark for marks in self._marks("issuing").values() for sha, mark in marks}

    def clear_issuing(self, name: str) -> None:
        """Remove the mark `name` (once every draft it names that was issued is removed)."""
        (self.state_dir / "issuing" / name).unlink(missing_ok=True)

    def settle_marks(self, issued_from: dict[str, str]) -> dict[Path, str]:
        """Settle the marks a crash left (under the lock): a marked draft that was issued
        (`issued_from`: source sha256 -> number) is removed, and so is a draft a command
        wrote for itself and never issued; every mark is cleared. The drafts removed as
        issued (resolved paths), with the number each became."""
        removed: dict[Path, str] = {}
        for mark_path, marks in self._marks("issuing").items():
            for sha, mark in marks:
                number = issued_from.get(sha)
                draft = self.resolve_inside(mark.draft) if mark.draft else None
                if number is not None and draft is not None and draft.is_file():
                    same = hashlib.sha256(draft.read_bytes()).hexdigest() == sha
                    if same and mark.is_the_file(draft, self.display(draft)):
                        self.remove(draft)
                        removed[draft.resolve()] = number
            self.clear_issuing(mark_path.name)
        for mark_path, marks in self._marks("transient").items():
            for _, mark in marks:
                draft = self.resolve_inside(mark.draft) if mark.draft and mark.identity else None
                if (
                    draft is not None
                    and draft.is_file()
                    and mark.is_the_file(draft, mark.draft or "")
                ):
                    self.remove(draft)  # written by a command that died before issuing it
            mark_path.unlink(missing_ok=True)
        return removed

    def mark_transient(self, draft: Path) -> None:
        """Record that `draft` was written by a command for its own use: if the command
        dies before it is issued, the next command under the lock removes it."""
        mark = {"draft": self.display(draft), "identity": file_identity(draft)}
        name = hashlib.sha256(self.display(draft).encode()).hexdigest()
        self.write_atomic(self.state_dir / "transient" / name, json.dumps(mark))

    def clear_transient(self, draft: Path) -> None:
        name = hashlib.sha256(self.display(draft).encode()).hexdigest()
        (self.state_dir / "transient" / name).unlink(missing_ok=True)

    def _marks(self, kind: str) -> dict[Path, list[tuple[str, IssuingMark]]]:
        """Each mark file of `kind` and the drafts it names, each with its sha256 (a mark
        of one draft is named by it)."""
        marks = self.state_dir / kind
        if not marks.is_dir():
            return {}
        found: dict[Path, list[tuple[str, IssuingMark]]] = {}
        for path in marks.iterdir():
            try:
                data = json.loads(path.read_text("utf-8") or "{}")
            except (OSError, ValueError):
                data = {}
            named = data.get("drafts") if isinstance(data, dict) else None
            if isinstance(named, list):
                found[path] = [
                    (item["sha256"], _mark(item))
                    for item in named
                    if isinstance(item, dict) and isinstance(item.get("sha256"), str)
                ]
            else:
                found[path] = [(path.name, _mark(data))]
        return found

    def remove(self, path: Path, *, later: set[Path] | None = None) -> None:
        """Delete a file durably (with `later`, its directory is added there to be fsynced
        by `sync_directories`, once for a whole batch)."""
        with self._writing(path):
            path.unlink()
            _sync_or_add(path.parent, later)

    def sync_directories(self, directories: set[Path]) -> None:
        """fsync each directory a batch of writes changed (`later`), making them durable."""
        while directories:
            directory = directories.pop()
            with self._writing(directory):
                _fsync_dir(directory)


@dataclass(frozen=True)
class IssuingMark:
    """A draft whose issue started: its path and file identity (None in an older mark)."""

    draft: str | None
    identity: list[int] | None

    def is_the_file(self, path: Path, display: str) -> bool:
        """True when `path` is the very file marked (not a later one with the same bytes)."""
        if self.draft is not None and self.draft != display:
            return False
        return self.identity is None or self.identity == file_identity(path)


def hashed(path: str) -> tuple[str, os.stat_result]:
    """The SHA-256 of a file's bytes, and its times once they were read (one read of its
    size and one to see its end, without a file object: ten years of documents are hashed).
    A file written while it is read has the new times: never the old times with new bytes."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        digest = hashlib.sha256(os.read(handle, os.fstat(handle).st_size + 1))
        while chunk := os.read(handle, 1 << 16):  # it grew meanwhile
            digest.update(chunk)
        return digest.hexdigest(), os.fstat(handle)
    finally:
        os.close(handle)


def file_identity(path: Path) -> list[int]:
    """What tells one file from another with the same bytes written later."""
    try:
        stat = path.stat()
    except OSError:
        return []
    return [stat.st_ino, stat.st_mtime_ns, stat.st_size]


def _mark(data: object) -> IssuingMark:
    draft = data.get("draft") if isinstance(data, dict) else None
    identity = data.get("identity") if isinstance(data, dict) else None
    return IssuingMark(
        draft if isinstance(draft, str) else None,
        identity if isinstance(identity, list) else None,
    )


def _sync_or_add(directory: Path, later: set[Path] | None) -> None:
    if later is None:
        _fsync_dir(directory)
    else:
        later.add(directory)


def _make_directories(directory: Path) -> None:
    """Create `directory` and the parents it lacks, each one made durable in its parent: the
    folder of a new year survives a power loss with the first document filed in it."""
    missing = []
    while not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for new in reversed(missing):
        try:
            new.mkdir()
        except FileExistsError:
            continue  # made by another process just now
        _fsync_dir(new.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
