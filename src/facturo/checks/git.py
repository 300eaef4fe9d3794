"""What git remembers of issued documents: those deleted from the folder or its history."""

from __future__ import annotations

import subprocess
from pathlib import Path

from facturo.errors import Problem


def deleted_in_git(root: Path) -> list[Problem]:
    """Issued files git knows of that are gone: deleted in the work tree or in history."""
    dirs = ["invoices", "credit-notes", "quotes"]
    try:
        inside = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-prefix"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        if inside.returncode != 0:
            return []
        prefix = inside.stdout.strip()
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--deleted", "--", *dirs],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        history = subprocess.run(
            ["git", "-C", str(root), "log", "--diff-filter=D", "--name-only", "--format=",
             "--relative", "--", *dirs],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return []
    del prefix
    gone = {line.strip() for line in listed.stdout.splitlines() if line.strip()}
    gone |= {line.strip() for line in history.stdout.splitlines() if line.strip()}
    return [
        Problem(
            name,
            0,
            0,
            "issued document deleted (git still knows it): issued documents are kept 10 "
            "years; restore it with git checkout, and cancel it with a credit note if needed",
        )
        for name in sorted(gone)
        if name.endswith(".yaml") and not (root / name).exists()
    ]
