"""A warm `check` of an unchanged folder serves what the last one found, and nothing else:
any changed byte, file, commit or day runs every check again."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import facturo.reports.check as checking
from conftest import DRAFT, Cli, write
from facturo.cli import full_app
from facturo.errors import Problem
from test_numbers_never_reused import THIRD, another_document, git, in_git, issue_three

app = full_app()

MEMO = Path(".facturo/cache/check.json")


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The named checks that ran, in order (each run of `check` that was not remembered
    adds every name)."""
    ran: list[str] = []

    def counted(name: str, check: Any) -> Any:
        def run(ledger: Any, today: dt.date) -> list[Problem]:
            ran.append(name)
            return list(check(ledger, today))

        return run

    wrapped = {name: counted(name, check) for name, check in checking.FOLDER_CHECKS.items()}
    monkeypatch.setattr(checking, "FOLDER_CHECKS", wrapped)
    return ran


def checked(cli: Cli, runs: list[str]) -> tuple[bool, str]:
    """Run `check`: whether the checks ran, and what it printed."""
    before = len(runs)
    result = cli("check")
    return len(runs) > before, result.stdout


def test_an_unchanged_folder_is_not_checked_twice(cli: Cli, draft, folder: Path, runs) -> None:
    issue_three(cli, draft)
    assert checked(cli, runs) == (True, "")
    assert (folder / MEMO).is_file()
    assert checked(cli, runs) == (False, "")
    assert cli("check", "--no-cache").exit_code == 0
    assert runs.count("documents") == 2  # --no-cache never takes the remembered result


@pytest.mark.parametrize(
    "change",
    [
        "issued byte", "client", "config", "new draft", "stray copy", "removed file",
        "record", "touched only",
    ],
)  # fmt: skip
def test_any_change_runs_the_checks_again(
    cli: Cli, draft, folder: Path, runs: list[str], change: str
) -> None:
    issue_three(cli, draft)
    assert checked(cli, runs)[0]
    third = folder / THIRD
    if change == "issued byte":
        third.write_text(third.read_text().replace("Atelier Dupont SARL", "Atelier Dupont SARX"))
    elif change == "client":
        client = folder / "clients" / "berlin.yaml"
        client.write_text(client.read_text() + "colour: blue\n")
    elif change == "config":
        config = folder / "facturo.yaml"
        config.write_text(config.read_text() + "\n# a comment\n")
    elif change == "new draft":
        draft("later", DRAFT.replace("dupont", "nobody"))
    elif change == "stray copy":
        shutil.copy(third, third.with_name("F-2026-0003.yaml.bak"))
    elif change == "removed file":
        third.unlink()
    elif change == "record":
        state = (folder / ".facturo").rglob("*")
        record = next(p for p in state if p.is_file() and not {"cache", "lock"} & set(p.parts))
        record.write_bytes(record.read_bytes() + b"\n")
    elif change == "touched only":
        os.utime(third)  # same bytes: the result stands

    again, printed = checked(cli, runs)

    assert again is (change != "touched only")
    expected = {
        "issued byte": "changed after issue",
        "client": "berlin.yaml",
        "new draft": "unknown client 'nobody'",
        "stray copy": "a copy of issued document F-2026-0003",
        "removed file": "F-2026-0003",
    }
    if change in expected:
        assert expected[change] in printed, printed


def test_a_commit_runs_the_checks_again_even_when_the_files_are_the_same(
    cli: Cli, draft, folder: Path, runs: list[str]
) -> None:
    issue_three(cli, draft)
    in_git(folder)
    assert checked(cli, runs) == (True, "")
    original = (folder / THIRD).read_bytes()
    another_document(folder / THIRD)
    in_git(folder, "replace F-2026-0003")
    (folder / THIRD).write_bytes(original)
    in_git(folder, "put it back")  # the files are byte for byte as the last check saw them

    again, printed = checked(cli, runs)

    assert again
    assert "not the only document sealed under this number" in printed, printed
    assert checked(cli, runs)[0] is False  # and the new history is remembered in turn


def test_another_day_runs_the_checks_again(cli: Cli, draft, folder: Path, runs) -> None:
    issue_three(cli, draft)
    assert cli("check").exit_code == 0
    count = runs.count("documents")
    env = {"FACTURO_DIR": str(folder), "FACTURO_TODAY": "2026-11-23"}
    assert cli.runner.invoke(app, ["check"], env=env).exit_code == 0
    assert runs.count("documents") == count + 1


def test_a_result_facturo_did_not_keep_is_not_served(
    cli: Cli, draft, folder: Path, runs: list[str]
) -> None:
    issue_three(cli, draft)
    assert checked(cli, runs)[0]
    third = folder / THIRD
    third.write_text(third.read_text().replace("Atelier Dupont SARL", "Atelier Dupont SARX"))
    assert cli("check").exit_code == 1  # the damage is found and remembered as found
    memo = json.loads((folder / MEMO).read_text())
    assert memo["problems"]
    memo["problems"] = []
    (folder / MEMO).write_text(json.dumps(memo))  # edited by hand: not facturo's

    again, printed = checked(cli, runs)

    assert again and "changed after issue" in printed


def _changed_while_checked(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issued file at `path` changes while `check` reads the documents."""
    original = path.read_bytes()
    real = checking.FOLDER_CHECKS["documents"]

    def changing(ledger: Any, today: dt.date) -> list[Problem]:
        path.write_bytes(original.replace(b"Atelier Dupont SARL", b"Atelier Dupont SARX"))
        return list(real(ledger, today))

    monkeypatch.setitem(checking.FOLDER_CHECKS, "documents", changing)


def test_what_was_found_while_files_changed_is_not_kept(
    cli: Cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issue_three(cli, draft)
    _changed_while_checked(folder / THIRD, monkeypatch)
    cli("check")  # found under a fingerprint of the files before they changed

    assert not (folder / MEMO).exists()


def test_what_was_found_while_files_changed_does_not_replace_what_was_kept(
    cli: Cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issue_three(cli, draft)
    cli("check")
    kept = (folder / MEMO).read_bytes()
    config = folder / "facturo.yaml"
    config.write_text(config.read_text() + "# checked again\n")  # what was kept no longer serves
    _changed_while_checked(folder / THIRD, monkeypatch)
    cli("check")

    assert (folder / MEMO).read_bytes() == kept


def test_a_link_to_a_directory_is_never_remembered(
    cli: Cli, draft, folder: Path, tmp_path: Path, runs: list[str]
) -> None:
    issue_three(cli, draft)
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "note.txt", "kept outside\n")
    (folder / "assets").mkdir(exist_ok=True)
    (folder / "assets" / "shared").symlink_to(elsewhere, target_is_directory=True)

    assert checked(cli, runs)[0]
    assert checked(cli, runs)[0]
    assert not (folder / MEMO).exists()


def test_outside_git_the_result_is_remembered_too(cli: Cli, draft, folder: Path, runs) -> None:
    issue_three(cli, draft)
    assert checked(cli, runs)[0]
    assert not checked(cli, runs)[0]
    git(folder, "init", "-q")  # a repository appears (no file changed): its history is read
    assert checked(cli, runs)[0]


def test_a_staged_state_folder_is_refused_whatever_is_remembered(
    cli: Cli, draft, folder: Path
) -> None:
    issue_three(cli, draft)
    in_git(folder)  # .facturo/ ignored
    assert cli("check").exit_code == 0
    git(folder, "add", "-f", ".facturo/cache/issued.json")  # staged: no commit, no file changed

    result = cli("check")

    assert result.exit_code != 0 and "is tracked by git" in result.output, result.output


def test_a_logo_whose_link_now_leads_outside_is_checked_again(
    cli: Cli, draft, folder: Path, tmp_path: Path, runs: list[str]
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    write(folder / "assets" / "real.png", "")
    (folder / "assets" / "real.png").write_bytes(png)
    (tmp_path / "outside.png").write_bytes(png)  # the same bytes, outside the folder
    (folder / "assets" / "logo.png").symlink_to("real.png")
    config = folder / "facturo.yaml"
    config.write_text(config.read_text() + "pdf:\n  logo: assets/logo.png\n")
    issue_three(cli, draft)
    assert checked(cli, runs) == (True, "")

    (folder / "assets" / "logo.png").unlink()
    (folder / "assets" / "logo.png").symlink_to(tmp_path / "outside.png")
    again, printed = checked(cli, runs)

    assert again and "outside the billing folder" in printed, printed


def test_the_logo_is_read_wherever_it_is(cli: Cli, draft, folder: Path, runs) -> None:
    (folder / "out").mkdir()
    (folder / "out" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    config = folder / "facturo.yaml"
    config.write_text(config.read_text() + "pdf:\n  logo: out/logo.png\n")
    issue_three(cli, draft)
    assert checked(cli, runs) == (True, "")
    (folder / "out" / "logo.png").unlink()  # out/ is not walked: the logo is read as named

    again, printed = checked(cli, runs)

    assert again and "no such file" in printed, printed


def test_a_commit_made_while_checking_is_not_taken_as_seen(
    cli: Cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch, runs: list[str]
) -> None:
    issue_three(cli, draft)
    in_git(folder)
    real = checking.FOLDER_CHECKS["directory"]  # runs after the git check read history

    def committing(ledger: Any, today: dt.date) -> list[Problem]:
        git(folder, "commit", "-q", "--allow-empty", "-m", "made meanwhile")
        return list(real(ledger, today))

    monkeypatch.setitem(checking.FOLDER_CHECKS, "directory", committing)
    cli("check")
    monkeypatch.setitem(checking.FOLDER_CHECKS, "directory", real)

    assert not (folder / MEMO).exists()
    assert checked(cli, runs)[0]  # read with the new commit, then remembered
    assert not checked(cli, runs)[0]


def test_other_code_checks_again(
    cli: Cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch, runs: list[str]
) -> None:
    import facturo.reports.check_memo as memo

    issue_three(cli, draft)
    assert checked(cli, runs)[0]
    assert memo.code_identity() == memo.code_identity()  # the same installation, the same answer
    monkeypatch.setattr(memo, "code_identity", lambda: b"facturo or a library upgraded")

    assert checked(cli, runs)[0]


def test_an_issue_to_settle_is_never_remembered(cli: Cli, draft, folder: Path, runs) -> None:
    issue_three(cli, draft)
    mark = folder / ".facturo" / "issuing" / ("0" * 64)
    write(mark, "{}")
    assert checked(cli, runs)[0]
    assert checked(cli, runs)[0]
    assert not (folder / MEMO).exists()


def test_a_folder_that_cannot_be_read_is_checked_not_remembered(
    cli: Cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch, runs: list[str]
) -> None:
    import facturo.reports.check_memo as memo

    issue_three(cli, draft)
    private = folder / "notes" / "private"
    private.mkdir(parents=True)
    real = os.scandir

    def scandir(path: Any) -> Any:
        if str(path) == str(private):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(memo.os, "scandir", scandir)

    assert checked(cli, runs) == (True, "")
    assert not (folder / MEMO).exists()


def test_a_cold_check_hashes_for_its_memo_only_what_it_did_not_read(
    cli: Cli, draft, folder: Path, runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facturo.reports.check_memo as memo

    issue_three(cli, draft)
    hashed: list[str] = []
    real = memo.hashed

    def counted(path: str) -> Any:
        hashed.append(Path(path).relative_to(folder).as_posix())
        return real(path)

    monkeypatch.setattr(memo, "hashed", counted)
    shutil.rmtree(folder / ".facturo" / "cache", ignore_errors=True)  # nothing remembered
    assert checked(cli, runs)[0]
    assert hashed and not [path for path in hashed if path.startswith("invoices/")]

    assert not checked(cli, runs)[0]  # what it kept is what a warm check finds
    assert "invoices/2026/F-2026-0001.yaml" in hashed  # which hashes every file


def test_the_bytes_the_checks_read_stand_for_the_files_hashed(
    cli: Cli, draft, folder: Path
) -> None:
    from facturo.checks.documents import open_ledger
    from facturo.reports.check_memo import fingerprint

    issue_three(cli, draft)
    ledger = open_ledger(folder)
    ledger.read_files()
    read = {entry.path: str(entry.content_sha256) for entry in ledger.entries()}
    day = dt.date(2026, 11, 22)

    assert fingerprint(ledger.folder, day, read) == fingerprint(ledger.folder, day)
    wrong = {path: "0" * 64 for path in read}
    assert fingerprint(ledger.folder, day, wrong) != fingerprint(ledger.folder, day)


def test_the_memo_keeps_the_commits_the_history_read_ended_at(
    cli: Cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facturo.checks.git as git_history
    from facturo.store.cache import read_cache
    from facturo.store.folder import Folder

    issue_three(cli, draft)
    in_git(folder)
    loaded: list[Path] = []
    real = git_history._load
    monkeypatch.setattr(git_history, "_load", lambda at: loaded.append(at.root) or real(at))
    assert cli("check").exit_code == 0
    head = git(folder, "rev-parse", "HEAD").strip()
    assert read_cache(Folder(folder), "check", 1)["tips"] == real(Folder(folder)).tips == [head]
    assert len(loaded) == 1  # the history's cache is read once, not again for its tips
