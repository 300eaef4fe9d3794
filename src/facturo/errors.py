"""Problems found in bulk (values) and the one exception family that stops a command."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Exit codes of every command; documented in the README and stable."""

    OK = 0
    FAILURE = 1  # check found problems, a sending failed, a command was refused
    USAGE = 2  # bad command line (typer/click's own code)
    INVALID_DATA = 3  # a file the command needs is invalid
    BUSY = 4  # another facturo command holds the folder lock


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, at a line and column (1-based; 0 when unknown)."""

    path: str
    line: int
    col: int
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, item: object) -> Problem:
        """A problem read back from `as_dict` (a cache); ValueError on anything else."""
        if type(item) is not dict:
            raise ValueError("problem")
        path, line, col = item.get("path"), item.get("line"), item.get("col")
        message, severity = item.get("message"), item.get("severity")
        if not (type(path) is str and type(message) is str and severity in ("error", "warning")):
            raise ValueError("problem")
        if type(line) is not int or type(col) is not int:
            raise ValueError("problem")
        return cls(path, line, col, message, severity)


class Remedy(StrEnum):
    """What lets a refused call through; the CLI names the option that gives it."""

    FORCE = "force"  # the same call with force=True
    REASON = "reason"  # the same call with a reason
    FOLDER = "folder"  # the billing folder named explicitly


class FacturoError(Exception):
    """A problem that stops a command; the CLI prints it and exits with `exit_code`.

    Messages speak of values, never of command-line options: `remedy` says what would let
    the call through, and the CLI adds how to give it.
    """

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(
        self,
        message: str,
        *,
        problems: list[Problem] | None = None,
        remedy: Remedy | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.remedy = remedy


class InvalidData(FacturoError):
    """Files the command needs are invalid; `problems` says where and why."""

    exit_code = ExitCode.INVALID_DATA


class NotFound(FacturoError):
    """A named client, draft or document does not exist."""

    exit_code = ExitCode.FAILURE


class FolderBusy(FacturoError):
    """Another facturo command is writing to the folder."""

    exit_code = ExitCode.BUSY


def display_path(path: Path, root: Path | None) -> str:
    """A path relative to the billing folder when inside it, as users type it."""
    if root is not None:
        # Fast path for paths facturo built itself under the (resolved) root: no syscalls.
        if path.is_absolute() and ".." not in path.parts and path.is_relative_to(root):
            return path.relative_to(root).as_posix()
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)
