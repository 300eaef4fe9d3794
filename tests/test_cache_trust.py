"""The index cache is never trusted: check reads the files, money commands verify what they
use, a damaged cache is only stale, and a cache tracked by git is refused."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, cached_entry, index_cache, issue, write_index_cache

CACHE = Path(".facturo/cache/issued.json")
FIRST = "invoices/2026/F-2026-0001.yaml"


def cache_of(folder: Path) -> dict[str, Any]:
    return index_cache(folder / CACHE)


def forge(folder: Path, path: str, **values: Any) -> None:
    """Rewrite the cache entry of `path` with `values`, keyed to the file as it is now."""
    data = cache_of(folder)
    stat = (folder / path).stat()
    key = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]
    cached_entry(data, path, key, **values)
    write_index_cache(folder / CACHE, data, signed=False)


def test_check_verifies_seals_from_the_files_whatever_the_cache_says(
    cli: Cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-20")
    assert cli("check").exit_code == 0
    assert cli("list").exit_code == 0  # the cache knows F-2026-0001, without problems
    path = folder / FIRST
    path.write_text(path.read_text().replace("unit_price: 450.00", "unit_price: 45.00"))
    forge(folder, FIRST, problems=[])

    result = cli("check")

    assert result.exit_code == 1, result.output
    assert "sealed field 'lines[1].unit_price' was changed" in result.stdout, result.stdout


def test_check_ignores_a_forged_cache_even_with_the_hash_of_the_changed_file(
    cli: Cli, draft, folder: Path
) -> None:
    """Whoever changes an invoice can compute its new hash: the cache must be facturo's."""
    issue(cli, draft, "2026-11-20")
    assert cli("check").exit_code == 0
    path = folder / FIRST
    path.write_text(path.read_text().replace("unit_price: 450.00", "unit_price: 45.00"))
    content = hashlib.sha256(path.read_bytes()).hexdigest()
    forge(folder, FIRST, problems=[], content_sha256=content)

    result = cli("check")

    assert result.exit_code == 1, result.output
    assert "sealed field 'lines[1].unit_price' was changed" in result.stdout, result.stdout


def test_pay_never_takes_its_balance_from_a_forged_cache(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-20")
    assert cli("list").exit_code == 0
    forge(folder, FIRST, due="10.00", gross="10.00")

    result = cli("pay", "F-2026-0001")  # no amount: the whole balance

    assert result.exit_code == 0, result.output
    text = (folder / FIRST).read_text()
    assert "amount: 1620.00" in text, text


def test_credit_never_takes_what_is_left_from_a_forged_cache(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-20")
    assert cli("list").exit_code == 0
    forge(folder, FIRST, due="99999.00", gross="99999.00")

    result = cli("credit", "F-2026-0001", "--amount", "5000", "--reason", "x")

    assert result.exit_code != 0, "a credit note larger than the invoice"
    assert "exceeds what is left to credit" in result.output


@pytest.mark.parametrize(
    "damage",
    [
        {"number": 5},
        {"issue_date": 20261120},
        {"issue_date": "not a date"},
        {"gross": [1]},
        {"due": "abc"},
        {"problems": "none"},
        {"problems": [{"path": 1}]},
        {"deducts": 3},
        {"previous_line": "x"},
        {"seal_version": None, "kind": {"a": 1}},
    ],
    ids=lambda d: "-".join(d),
)
def test_wrong_types_in_the_cache_are_only_stale(
    cli: Cli, draft, folder: Path, damage: dict[str, Any]
) -> None:
    issue(cli, draft, "2026-11-20")
    assert cli("list").exit_code == 0
    forge(folder, FIRST, **damage)

    result = cli("list", "--json")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["number"], Decimal(r["total"])) for r in rows] == [
        ("F-2026-0001", Decimal("1620.00"))
    ]


@pytest.mark.parametrize(
    "text",
    ['{"version": 4, "check": 1, "files": []}', '{"version": 4, "files": {"x": 1}}', "[]"],
)
def test_a_cache_of_the_wrong_shape_is_ignored(cli: Cli, draft, folder: Path, text: str) -> None:
    issue(cli, draft, "2026-11-20")
    assert cli("list").exit_code == 0
    (folder / CACHE).write_text(text)
    assert cli("list").exit_code == 0
    assert cli("check").exit_code == 0


def test_a_cache_tracked_by_git_is_refused(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-20")
    assert cli("list").exit_code == 0
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (["init", "-q"], ["add", "-A", "-f"], ["commit", "-q", "-m", "all"]):
        subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)

    result = cli("list")

    assert result.exit_code == 1, result.output
    assert "tracked by git" in result.stderr and ".gitignore" in result.stderr, result.stderr


def test_a_signed_cache_copied_to_another_folder_is_not_trusted(tmp_path: Path) -> None:
    import shutil

    from facturo.store.cache import read_signed, write_signed

    first = tmp_path / "a" / ".facturo" / "cache" / "statuses.json"
    write_signed(first, {"version": 1, "updated_after": "2026-12-01T00:00:00+00:00"})
    assert read_signed(first) is not None
    second = tmp_path / "b" / ".facturo" / "cache" / "statuses.json"
    second.parent.mkdir(parents=True)
    for name in ("statuses.json", "statuses.json.sig"):
        shutil.copy(first.parent / name, second.parent / name)
    assert read_signed(second) is None
