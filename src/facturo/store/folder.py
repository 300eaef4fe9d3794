"""The billing folder on disk: finding it, its paths, the lock and atomic writes.

Every write goes through a temporary file in `.facturo/tmp` that is fsynced, then renamed
over the target (`write_atomic`) or hard-linked to a name that must not exist yet
(`claim`): a crash at any point leaves either the old file or the new one, never half.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from facturo.errors import FolderBusy, NotFound, Remedy, display_path

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
        self._lock_depth = 0  # the lock is re-entered by a step of a larger locked command

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
        files: list[Path] = []
        for name in ISSUED_DIRS:
            base = self.root / name
            if not base.is_dir():
                continue
            with os.scandir(base) as years:
                year_dirs = sorted(entry.path for entry in years if entry.is_dir())
            for year_dir in year_dirs:
                with os.scandir(year_dir) as entries:
                    files.extend(
                        Path(entry.path)
                        for entry in entries
                        if entry.name.endswith(".yaml") and not entry.name.startswith(".")
                    )
        return sorted(files)

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
        self.state_dir.mkdir(exist_ok=True)
        with open(self.state_dir / "lock", "a+") as handle:
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

    def write_atomic(self, path: Path, data: bytes | str, mode: int = 0o644) -> None:
        """Replace `path` with `data` all at once."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._write_temporary(raw)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
        _fsync_dir(path.parent)

    def claim(self, path: Path, data: bytes | str) -> bool:
        """Create `path` with `data` only if it does not exist yet; False if it does."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._write_temporary(raw)
        os.chmod(temporary, 0o644)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        _fsync_dir(path.parent)
        return True

    def mark_issuing(self, sha256: str) -> None:
        """Record, durably and before the claim, that a draft is being issued."""
        self.write_atomic(self.state_dir / "issuing" / sha256, b"")

    def issuing(self) -> set[str]:
        """Drafts (by sha256) whose issue started and was not seen through."""
        marks = self.state_dir / "issuing"
        return {p.name for p in marks.iterdir()} if marks.is_dir() else set()

    def clear_issuing(self, sha256: str) -> None:
        (self.state_dir / "issuing" / sha256).unlink(missing_ok=True)

    def remove(self, path: Path) -> None:
        """Delete a file durably."""
        path.unlink()
        _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
