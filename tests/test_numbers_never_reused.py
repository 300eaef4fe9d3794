"""Numbers are never handed out again: renamed, deleted or reset files, in git or not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import DRAFT, snapshot, write
from facturo.files.canonical import dump
from facturo.files.yamlio import load_mapping
from facturo.store.seal import compute_seal

THIRD = "invoices/2026/F-2026-0003.yaml"


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    result = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def issue_three(cli, draft) -> None:  # type: ignore[no-untyped-def]
    drafts = [str(draft(f"d{i}", f"{DRAFT}notes: n{i}\n")) for i in (1, 2, 3)]
    result = cli("issue", *drafts)
    assert result.stdout.split() == ["F-2026-0001", "F-2026-0002", "F-2026-0003"], result.output


def in_git(root: Path, message: str = "invoices") -> None:
    if not (root / ".git").exists():
        write(root / ".gitignore", ".facturo/\n")
        git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def refused(cli, draft, folder: Path, number: str) -> str:  # type: ignore[no-untyped-def]
    """`issue` of a new draft refuses, naming `number`, and changes no file; its message."""
    new = draft("next", f"{DRAFT}notes: next\n")
    before = snapshot(folder)
    result = cli("issue", str(new))
    assert result.exit_code == 1, result.output
    assert result.stdout == "", "a number was handed out"
    assert number in result.stderr and "put the file back" in result.stderr, result.stderr
    assert snapshot(folder) == before
    return str(result.stderr)


def check_lines(cli) -> list[str]:  # type: ignore[no-untyped-def]
    result = cli("check")
    assert result.exit_code == 1, result.output
    return str(result.stdout).splitlines()


@pytest.mark.parametrize(
    "renamed",
    [
        "invoices/2026/F-2026-0003.yaml.bak",
        "invoices/2026/.F-2026-0003.yaml",
        "invoices/2026/old/F-2026-0003.yaml",
        "invoices/2026/F-2026-0003.yml",
    ],
    ids=["bak", "dotfile", "subfolder", "yml"],
)
@pytest.mark.parametrize("committed", [True, False], ids=["committed", "not-in-git"])
def test_a_renamed_last_file_keeps_its_number(
    cli, draft, folder: Path, renamed: str, committed: bool
) -> None:
    issue_three(cli, draft)
    if committed:
        in_git(folder)
    (folder / renamed).parent.mkdir(exist_ok=True)
    (folder / THIRD).rename(folder / renamed)
    if committed:
        in_git(folder, "tidy up")

    lines = check_lines(cli)

    assert f"{THIRD}: issued document renamed to {renamed}" in "\n".join(lines), lines
    refused(cli, draft, folder, "F-2026-0003")
    (folder / renamed).rename(folder / THIRD)
    assert cli("issue", "drafts/next.yaml").stdout.split() == ["F-2026-0004"]


def test_a_git_reset_after_an_issue_does_not_free_the_number(cli, draft, folder: Path) -> None:
    issue_three(cli, draft)
    in_git(folder)
    assert cli("issue", str(draft("d4", f"{DRAFT}notes: n4\n"))).stdout.split() == ["F-2026-0004"]
    in_git(folder, "F-2026-0004")
    git(folder, "reset", "-q", "--hard", "HEAD~1")
    shutil.rmtree(folder / ".facturo")  # even without facturo's own record: git's reflog

    lines = check_lines(cli)

    assert any(
        line.startswith("invoices/2026/F-2026-0004.yaml: issued document deleted") for line in lines
    ), lines
    refused(cli, draft, folder, "F-2026-0004")


def test_an_issue_never_committed_and_lost_is_known_from_the_record(
    cli, draft, folder: Path
) -> None:
    issue_three(cli, draft)
    in_git(folder)
    assert cli("issue", str(draft("d4", f"{DRAFT}notes: n4\n"))).stdout.split() == ["F-2026-0004"]
    fourth = folder / "invoices/2026/F-2026-0004.yaml"
    issued = fourth.read_bytes()
    git(folder, "stash", "-q", "--include-untracked")  # the new invoice goes with the stash
    git(folder, "stash", "drop", "-q")
    assert not fourth.exists()

    lines = check_lines(cli)

    copy = ".facturo/issued/invoices/2026/F-2026-0004.yaml.issued"
    assert any(
        line.startswith("invoices/2026/F-2026-0004.yaml: issued document missing") and copy in line
        for line in lines
    ), lines
    refused(cli, draft, folder, "F-2026-0004")
    shutil.copy(folder / copy, fourth)
    assert fourth.read_bytes() == issued
    assert cli("check").exit_code == 0
    assert cli("issue", "drafts/next.yaml").stdout.split() == ["F-2026-0005"]


@pytest.mark.parametrize("committed", [True, False], ids=["git-rm-committed", "not-in-git"])
def test_a_deleted_last_file_is_never_reused(cli, draft, folder: Path, committed: bool) -> None:
    issue_three(cli, draft)
    if committed:
        in_git(folder)
        git(folder, "rm", "-q", THIRD)
        in_git(folder, "oops")
    else:
        (folder / THIRD).unlink()

    lines = check_lines(cli)

    assert any(line.startswith(f"{THIRD}: issued document") for line in lines), lines
    refused(cli, draft, folder, "F-2026-0003")


def test_a_copy_beside_an_issued_file_is_a_warning(cli, draft, folder: Path) -> None:
    issue_three(cli, draft)
    shutil.copy(folder / THIRD, folder / f"{THIRD}.bak")

    result = cli("check")

    assert result.exit_code == 0, result.output
    assert f"{THIRD}.bak: warning: a copy of issued document F-2026-0003" in result.stdout
    assert cli("issue", str(draft("next"))).stdout.split() == ["F-2026-0004"]


def another_document(path: Path) -> None:
    """Replace an issued file by another valid sealed document under the same number."""
    data, _ = load_mapping(path, "x")
    assert data is not None
    data["client"]["name"] = "Someone Else SARL"
    data["seal"] = compute_seal(data, data["seal"]["previous"])
    path.write_text(dump(data), "utf-8")


def test_a_committed_document_replaced_under_its_number_is_reported(
    cli, draft, folder: Path
) -> None:
    issue_three(cli, draft)
    in_git(folder)
    another_document(folder / THIRD)
    in_git(folder, "replace F-2026-0003")
    shutil.rmtree(folder / ".facturo")  # git history alone tells it

    lines = check_lines(cli)

    assert any(
        line.startswith(f"{THIRD}:")
        and "not the only document sealed under this number" in line
        and "commit " in line
        for line in lines
    ), lines


def test_a_conflict_resolved_with_ours_is_reported(
    cli, draft, folder: Path, tmp_path: Path
) -> None:
    issue_three(cli, draft)
    in_git(folder)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(folder), str(clone))
    for root, client in ((folder, "dupont"), (clone, "berlin")):
        path = write(root / "drafts" / "next.yaml", DRAFT.replace("dupont", client))
        result = subprocess.run(
            [sys.executable, "-m", "facturo", "--dir", str(root), "--today", "2026-11-22", "issue", str(path)],
            capture_output=True, text=True, check=False, env={**os.environ, "FACTURO_PDF": "0"},
        )  # fmt: skip
        assert result.stdout.split() == ["F-2026-0004"], result.stderr
        in_git(root, "F-2026-0004")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(
        ["git", "pull", "-q", "--no-rebase", "--no-edit", str(clone), "main"],
        cwd=folder, env=env, capture_output=True, check=False,
    )  # fmt: skip
    git(folder, "checkout", "--ours", "invoices/2026/F-2026-0004.yaml")
    in_git(folder, "merge, keeping ours")
    shutil.rmtree(folder / ".facturo")

    lines = check_lines(cli)

    assert any(
        line.startswith("invoices/2026/F-2026-0004.yaml:")
        and "not the only document sealed under this number" in line
        and "commit " in line
        for line in lines
    ), lines


def test_git_history_is_read_once_then_only_the_new_commits(cli, draft, folder: Path) -> None:
    from facturo.checks.git import read_history
    from facturo.store.folder import Folder

    issue_three(cli, draft)
    in_git(folder)
    assert cli("check").exit_code == 0
    cache = folder / ".facturo/cache/git.json"
    first = read_git_cache(cache)
    assert first["tips"] == [git(folder, "rev-parse", "HEAD").strip()]
    git(folder, "rm", "-q", THIRD)
    in_git(folder, "oops")

    lines = check_lines(cli)

    assert any(line.startswith(f"{THIRD}: issued document deleted") for line in lines), lines
    second = read_git_cache(cache)
    assert second["tips"] == [git(folder, "rev-parse", "HEAD").strip()]
    # A tip git no longer has (history rewritten and collected): read everything again.
    second["tips"] = ["0" * 39 + "1"]
    second["paths"] = {}
    write_git_cache(cache, second)
    history = read_history(Folder(folder))
    assert THIRD in history.paths and history.paths[THIRD].deleted_in is not None


def read_git_cache(cache: Path) -> dict[str, Any]:
    """The git cache's three lines as one mapping."""
    header, seals, paths = (json.loads(line) for line in cache.read_bytes().splitlines())
    return {**header, "seals": seals, "paths": paths}


def write_git_cache(cache: Path, data: dict[str, Any]) -> None:
    """`data` (as read_git_cache reads it) written as the git cache, signed as facturo signs."""
    from facturo.store.cache import write_signed_lines

    header = {"version": data["version"], "tips": data["tips"]}
    lines = [json.dumps(part).encode() + b"\n" for part in (header, data["seals"], data["paths"])]
    write_signed_lines(cache, lines)


def test_git_history_reads_back_as_saved_a_few_paths_at_a_time(
    cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facturo.checks import git as git_history
    from facturo.store.folder import Folder

    issue_three(cli, draft)
    in_git(folder)
    git(folder, "mv", THIRD, "invoices/2026/moved.yaml")
    in_git(folder, "moved")
    monkeypatch.setattr(git_history, "SAVED_AT_ONCE", 2)  # 4 paths: pieces, commas between
    read = git_history.read_history(Folder(folder))

    again = git_history._load(Folder(folder))

    assert len(read.paths) == 4 and len(read.seals) == 3
    assert (again.paths, again.seals, again.tips) == (read.paths, read.seals, read.tips)


def test_a_known_tip_is_read_from_the_first_line_alone(cli, draft, folder: Path) -> None:
    from facturo.checks import git as git_history
    from facturo.checks.git import known_tips
    from facturo.store.folder import Folder

    issue_three(cli, draft)
    in_git(folder)
    assert cli("check").exit_code == 0
    cache = folder / ".facturo/cache/git.json"
    head = git(folder, "rev-parse", "HEAD").strip()
    assert known_tips(Folder(folder)) == [head]  # as this process read it
    git_history._READ_TIPS.clear()  # another process: the cache's first line
    assert known_tips(Folder(folder)) == [head]
    data = read_git_cache(cache)
    write_git_cache(cache, {**data, "tips": ["0" * 40]})
    assert known_tips(Folder(folder)) == ["0" * 40]
    cache.write_bytes(cache.read_bytes().replace(b"0" * 40, b"1" * 40))  # not signed so
    assert known_tips(Folder(folder)) == []
    write_git_cache(cache, {**data, "tips": [5]})
    assert known_tips(Folder(folder)) == []


def test_a_stray_copy_alone_keeps_its_number(cli, draft, folder: Path) -> None:
    issue_three(cli, draft)
    shutil.rmtree(folder / ".facturo")  # a folder issued before facturo kept its record
    (folder / THIRD).rename(folder / "invoices/2026/.F-2026-0003.yaml")

    lines = check_lines(cli)

    expected = f"{THIRD}: issued document renamed to invoices/2026/.F-2026-0003.yaml"
    assert any(line.startswith(expected) for line in lines), lines
    refused(cli, draft, folder, "F-2026-0003")


def test_a_damaged_issued_file_blocks_nothing_once_restored(cli, draft, folder: Path) -> None:
    issue_three(cli, draft)
    shutil.rmtree(folder / ".facturo")  # issued before facturo kept its record
    path = folder / THIRD
    text = path.read_text("utf-8")
    path.write_text(text.replace("number: F-2026-0003\n", ""), "utf-8")
    assert cli("issue", str(draft("next"))).exit_code != 0
    path.write_text(text, "utf-8")

    result = cli("issue", "drafts/next.yaml")

    assert result.stdout.split() == ["F-2026-0004"], result.output


@pytest.mark.parametrize(
    "damage",
    [
        {"tips": [1]},
        {"seals": {"a": 5}},
        {"paths": {THIRD: {"blobs": [1, 2]}}},
        {"paths": {THIRD: {"blobs": {}, "deleted_in": 3}}},
        {"paths": []},
    ],
    ids=["tips", "seals", "blobs", "deleted", "paths"],
)
def test_a_damaged_git_cache_is_read_again(cli, draft, folder: Path, damage: dict) -> None:  # type: ignore[type-arg]
    issue_three(cli, draft)
    in_git(folder)
    git(folder, "rm", "-q", THIRD)
    in_git(folder, "oops")
    assert cli("check").exit_code == 1
    cache = folder / ".facturo/cache/git.json"
    write_git_cache(cache, {**read_git_cache(cache), **damage})  # signed: read, found wrong

    lines = check_lines(cli)

    assert any(line.startswith(f"{THIRD}: issued document deleted") for line in lines), lines


def test_a_committed_document_replaced_in_the_work_tree_is_reported(
    cli, draft, folder: Path
) -> None:
    issue_three(cli, draft)
    in_git(folder)
    another_document(folder / THIRD)  # not committed (yet)
    shutil.rmtree(folder / ".facturo")

    lines = check_lines(cli)

    assert any(
        line.startswith(f"{THIRD}:") and "not the only document sealed" in line for line in lines
    ), lines


def test_a_billing_folder_inside_a_larger_repository(cli, draft, folder: Path) -> None:
    """Only the billing folder's own issued paths count: not the rest of the repository,
    even where it has folders of the same names."""
    issue_three(cli, draft)
    repo = folder.parent
    write(repo / ".gitignore", ".facturo/\n")
    write(repo / "invoices" / "2026" / "X-2026-0009.yaml", "number: X-2026-0009\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "all")
    git(folder, "rm", "-q", THIRD)
    git(repo, "commit", "-q", "-m", "oops")

    lines = check_lines(cli)

    assert any(line.startswith(f"{THIRD}: issued document deleted") for line in lines), lines
    assert not any("X-2026-0009" in line for line in lines), lines
    history = read_git_cache(folder / ".facturo" / "cache" / "git.json")
    assert sorted(history["paths"]) == [f"invoices/2026/F-2026-000{n}.yaml" for n in (1, 2, 3)], (
        history["paths"]
    )


def test_a_batch_reads_the_record_of_numbers_once(
    cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issuing many drafts in one call reads facturo's record once, under the lock, and
    still records each number (the record is read back in full afterwards)."""
    import facturo.checks.history as history
    import facturo.store.numbers as numbers

    reads: list[int] = []
    original = numbers.read_record

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(numbers, "read_record", counted)
    monkeypatch.setattr(history, "read_record", counted)
    paths = [str(draft(name)) for name in ("a", "b", "c", "d")]

    result = cli("issue", *paths, "--date", "2026-03-01")

    assert result.exit_code == 0, result.output
    assert len(reads) == 1
    recorded = original(numbers.Folder(folder))
    assert sorted(recorded) == [f"F-2026-000{i}" for i in range(1, 5)]


@pytest.mark.parametrize(
    "torn",
    ['{"number": "F-2026-0009", "path": "inv', '{"number": "F-2026-0009"', "{", '"x"', "[1, 2"],
)
def test_the_record_reads_every_whole_line_and_leaves_a_torn_one(folder: Path, torn: str) -> None:
    from facturo.store.folder import Folder
    from facturo.store.numbers import read_record, record_path

    whole = [
        json.dumps({"number": f"F-2026-000{n}", "path": f"invoices/2026/F-2026-000{n}.yaml",
                    "seal": "a" * 64})
        for n in (1, 2, 3)
    ]  # fmt: skip
    record = record_path(Folder(folder))
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text("\n".join([whole[0], torn, whole[1], "", whole[2], torn]) + "\n")

    found = read_record(Folder(folder))

    assert sorted(found) == ["F-2026-0001", "F-2026-0002", "F-2026-0003"]
    record.write_text("\n".join(whole) + "\n")  # every line whole: read as one list
    assert read_record(Folder(folder)) == found
