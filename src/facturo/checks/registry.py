"""The one way to open a ledger whose issued documents are checked as `facturo check` does."""

from __future__ import annotations

from pathlib import Path

from facturo.checks.documents import inspect_document
from facturo.store.folder import Folder
from facturo.store.index import Ledger


def open_ledger(root: Path | Folder, *, use_cache: bool = True) -> Ledger:
    """The ledger of a billing folder whose issued documents are inspected as `check` does."""
    folder = root if isinstance(root, Folder) else Folder(root)
    return Ledger(folder, use_cache=use_cache, inspect=inspect_document)
