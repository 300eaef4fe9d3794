"""Defects found reviewing the cold check's lean reading: each test failed before its fix."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import facturo.store.index as index
import facturo.store.issued as issued
from conftest import index_cache

BIG = 2**63  # an inode number no signed 64-bit integer holds (NFS, FUSE, overlay file ids)


class _BigInodes:
    """The `os` module as store/index.py sees it, on a file system whose inode numbers of
    issued files are past 2**63 (no such file system can be made in a test)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        found = os.stat(path, *args, **kwargs)
        fields = list(found)
        fields[1] = found.st_ino + BIG
        extra = ("st_atime", "st_mtime", "st_ctime", "st_atime_ns", "st_mtime_ns", "st_ctime_ns")
        return os.stat_result(fields, {name: getattr(found, name) for name in extra})


def test_stat_keys_of_inodes_past_eight_bytes_are_saved_whole_and_serve(
    cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft("a")
    draft("b")
    assert cli("issue", "drafts/a.yaml", "drafts/b.yaml", "--date", "2026-03-01").exit_code == 0
    monkeypatch.setattr(index, "os", _BigInodes())
    assert cli("list").exit_code == 0
    parsed: list[str] = []
    original = index.read_issued

    def spy(file: Path, display: str, *args: Any) -> index.Entry:
        parsed.append(display)
        return original(file, display, *args)

    monkeypatch.setattr(index, "read_issued", spy)
    monkeypatch.setattr(issued, "read_issued", spy)

    assert cli("list").exit_code == 0

    cache = index_cache(folder / ".facturo" / "cache" / "issued.json")
    paths = cache["entries"]["path"]
    stats = [os.stat(folder / path) for path in paths]
    assert cache["keys"] == [
        [stat.st_size, stat.st_mtime_ns, stat.st_ino + BIG, stat.st_ctime_ns] for stat in stats
    ]
    assert parsed == []  # the cache served every file: none was read again
