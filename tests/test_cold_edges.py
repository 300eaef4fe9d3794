"""The cold check's lean reading at its edges: stat keys past eight bytes, a file written
while the check memo hashes it after the checks."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import facturo.store.index as index
from conftest import index_cache, watch_parsing

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
    parsed = watch_parsing(monkeypatch)

    assert cli("list").exit_code == 0

    cache = index_cache(folder / ".facturo" / "cache" / "issued.json")
    paths = cache["entries"]["path"]
    stats = [os.stat(folder / path) for path in paths]
    assert cache["keys"] == [
        [stat.st_size, stat.st_mtime_ns, stat.st_ino + BIG, stat.st_ctime_ns] for stat in stats
    ]
    assert parsed == []  # the cache served every file: none was read again


def test_a_file_written_while_the_memo_hashes_it_after_a_cold_check_is_not_kept(
    cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing remembered, the files the checks did not read as issued documents are
    hashed after the checks: one written between the time taken when it was opened and its
    bytes is not what the checks read, and their result must not be kept for those bytes."""
    import facturo.reports.check as checking

    draft("a")
    assert cli("issue", "drafts/a.yaml", "--date", "2026-03-01").exit_code == 0
    client = folder / "clients" / "dupont.yaml"
    inode = client.stat().st_ino
    real_fstat, real_remember = os.fstat, checking.remember
    armed: list[bool] = []
    remembered: list[bool] = []

    def fstat(handle: int) -> os.stat_result:
        found = real_fstat(handle)
        if armed and found.st_ino == inode:
            armed.clear()  # another program writes the file once, just after it was opened
            with open(client, "ab") as writer:
                writer.write(b"bogus: 1\n")
        return found

    def remember(*args: Any) -> None:
        if not remembered:  # the first check only
            armed.append(True)
        remembered.append(True)
        real_remember(*args)

    monkeypatch.setattr(os, "fstat", fstat)
    monkeypatch.setattr(checking, "remember", remember)
    assert cli("check").exit_code == 0  # checked before the write: nothing wrong then
    assert not armed  # the client file was hashed for the memo, and written meanwhile

    result = cli("check")

    assert "bogus" in result.output  # checked again, not served for bytes never checked
