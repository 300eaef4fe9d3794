"""The index cache: JSON under .facturo/, keyed by file stat, never stale, bypassable."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import facturo.store.index as index
from facturo.checks.registry import open_ledger
from facturo.store.cache import write_signed
from facturo.store.folder import Folder
from facturo.store.index import CACHE_VERSION, Entry, Ledger


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
    write_signed(cache, data)  # as facturo writes it, with this user's key
    names = {e.client_name for e in open_ledger(folder).entries()}
    assert "from the cache" in names


def test_a_cache_facturo_did_not_sign_is_ignored(cli, draft, folder: Path) -> None:
    _issue_two(cli, draft)
    assert cli("list").exit_code == 0
    cache = folder / ".facturo" / "cache" / "issued.json"
    data = json.loads(cache.read_text())
    data["files"]["invoices/2026/F-2026-0001.yaml"]["entry"]["client_name"] = "from the cache"
    cache.write_text(json.dumps(data))  # edited by hand, or copied from elsewhere

    names = {e.client_name for e in open_ledger(folder).entries()}

    assert names == {"Atelier Dupont SARL"}


def test_a_warm_check_parses_no_file_whose_bytes_are_unchanged(
    cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _issue_two(cli, draft)
    assert cli("check").exit_code == 0
    path = folder / "invoices" / "2026" / "F-2026-0002.yaml"
    os.utime(path)  # touched: its times changed, its bytes did not
    parsed: list[str] = []
    original = index.read_issued

    def spy(file: Path, display: str, check: Any = None) -> index.Entry:
        parsed.append(display)
        return original(file, display, check)

    monkeypatch.setattr(index, "read_issued", spy)
    assert cli("check").exit_code == 0
    assert cli("check").exit_code == 0

    assert parsed == ["invoices/2026/F-2026-0002.yaml"]  # once, after the touch


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


def test_entries_read_without_the_check_are_never_served_as_checked(
    cli, draft, folder: Path
) -> None:
    _issue_two(cli, draft)
    (folder / "invoices/2026/F-2026-0002.yaml").rename(folder / "invoices/2026/F-2026-0009.yaml")
    summaries = Ledger(Folder(folder)).entries()  # summaries only, cached as such
    assert [p for e in summaries for p in e.problems] == []
    cache = json.loads((folder / ".facturo" / "cache" / "issued.json").read_text())
    assert cache["check"] == ""
    checked = open_ledger(folder).entries()
    assert any("the file name does not match" in p.message for e in checked for p in e.problems)


def test_a_ledger_without_the_check_still_knows_a_broken_seal(cli, draft, folder: Path) -> None:
    _issue_two(cli, draft)
    path = folder / "invoices" / "2026" / "F-2026-0002.yaml"
    path.write_text(path.read_text().replace("Atelier Dupont SARL", "Atelier Dupont SAS"))
    entry = Ledger(Folder(folder), use_cache=False).find("F-2026-0002")
    assert any(p.is_error and "changed after issue" in p.message for p in entry.problems)


def test_an_entry_read_back_from_the_cache_has_every_field(cli, draft, folder: Path) -> None:
    """from_json skips __init__ for speed: a field it forgets would be missing, not default."""
    assert Entry.from_json(Entry(path="x").to_json()) == Entry(path="x")
    _issue_two(cli, draft)
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-03-02").exit_code == 0
    fresh = open_ledger(folder, use_cache=False).entries()
    assert [Entry.from_json(e.to_json()) for e in fresh] == fresh
