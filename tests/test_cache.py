"""The index cache: JSON under .facturo/, keyed by file stat, never stale, bypassable."""

from __future__ import annotations

import json
import os
from pathlib import Path

from facturo.store.folder import Folder
from facturo.store.index import CACHE_VERSION, Ledger


def _issue_two(cli, draft) -> None:  # type: ignore[no-untyped-def]
    draft("a")
    draft("b")
    assert cli("issue", "drafts/a.yaml", "drafts/b.yaml", "--date", "2026-03-01").exit_code == 0


def test_the_cache_is_json_and_is_used(cli, draft, folder: Path) -> None:
    _issue_two(cli, draft)
    assert cli("list").exit_code == 0
    cache = folder / ".facturo" / "cache" / "issued.json"
    data = json.loads(cache.read_text())
    assert sorted(data["files"]) == [
        "invoices/2026/F-2026-0001.yaml",
        "invoices/2026/F-2026-0002.yaml",
    ]
    # A cached entry is served as long as the file's size, mtime and inode are unchanged.
    entry = data["files"]["invoices/2026/F-2026-0001.yaml"]
    entry["entry"]["client_name"] = "from the cache"
    cache.write_text(json.dumps(data))
    names = {e.client_name for e in Ledger(Folder(folder)).entries()}
    assert "from the cache" in names


def test_a_changed_file_is_read_again(cli, draft, folder: Path) -> None:
    _issue_two(cli, draft)
    assert cli("check").exit_code == 0
    path = folder / "invoices" / "2026" / "F-2026-0002.yaml"
    path.write_text(path.read_text().replace("Atelier Dupont SARL", "Atelier Dupont SAS"))
    result = cli("check")
    assert result.exit_code == 1
    assert "F-2026-0002.yaml:" in result.stdout and "changed after issue" in result.stdout


def test_same_size_same_mtime_but_replaced_file_is_read_again(cli, draft, folder: Path) -> None:
    _issue_two(cli, draft)
    assert cli("check").exit_code == 0
    path = folder / "invoices" / "2026" / "F-2026-0002.yaml"
    stat = path.stat()
    text = path.read_text().replace("Atelier Dupont SARL", "Atelier Dupont SARX")
    replacement = path.with_suffix(".new")
    replacement.write_text(text)
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, path)  # same size and mtime, new inode
    assert cli("check").exit_code == 1


def test_no_cache_and_broken_cache(cli, draft, folder: Path) -> None:
    _issue_two(cli, draft)
    cache = folder / ".facturo" / "cache" / "issued.json"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("{not json")
    assert cli("check").exit_code == 0
    assert json.loads(cache.read_text())["version"] == CACHE_VERSION  # rewritten
    data = json.loads(cache.read_text())
    data["files"]["invoices/2026/F-2026-0001.yaml"]["entry"]["problems"] = []
    data["files"]["invoices/2026/F-2026-0001.yaml"]["entry"]["client_name"] = "stale"
    cache.write_text(json.dumps(data))
    listed = json.loads(cli("list", "--json", "--no-cache").stdout)
    assert {d["client_name"] for d in listed} == {"Atelier Dupont SARL"}
