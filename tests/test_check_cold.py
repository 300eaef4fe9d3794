"""A cold `check` over many documents: files read by worker processes, git read meanwhile."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import facturo.checks.history as history
import facturo.store.index as index
import facturo.store.issued as issued
from facturo.store.issued import NO_SEAL, SEAL_SHA, seal_in
from test_numbers_never_reused import THIRD, another_document, git, in_git, issue_three


@pytest.fixture
def folder_with_history(cli, draft, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    """Three invoices in git, the third replaced under its number, the second deleted."""
    issue_three(cli, draft)
    in_git(folder)
    another_document(folder / THIRD)
    (folder / "invoices/2026/F-2026-0002.yaml").unlink()
    in_git(folder, "replace F-2026-0003, remove F-2026-0002")
    return folder


def cold_check(cli, folder: Path) -> Any:  # type: ignore[no-untyped-def]
    shutil.rmtree(folder / ".facturo" / "cache", ignore_errors=True)
    return cli("check")


def test_git_is_read_while_workers_read_the_files(
    cli, folder_with_history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_by_one = cold_check(cli, folder_with_history)
    assert "issued document deleted" in one_by_one.stdout, one_by_one.output
    assert "not the only document sealed" in one_by_one.stdout, one_by_one.output

    reading: list[bool] = []  # for each read of git: whether workers were reading files
    workers = [False]
    read_all, read_history, start = index._read_all, history.read_history, history.start_history

    def counted_read_all(*args: Any) -> Any:
        workers[0] = True
        try:
            return read_all(*args)
        finally:
            workers[0] = False

    def counted_history(*args: Any, **kwargs: Any) -> Any:
        reading.append(workers[0])
        return read_history(*args, **kwargs)

    def counted_start(*args: Any, **kwargs: Any) -> Any:
        reading.append(workers[0])
        return start(*args, **kwargs)

    monkeypatch.setattr(issued, "PARALLEL_FROM", 1)
    monkeypatch.setattr(index, "_read_all", counted_read_all)
    monkeypatch.setattr(history, "read_history", counted_history)
    monkeypatch.setattr(history, "start_history", counted_start)
    in_parallel = cold_check(cli, folder_with_history)

    assert reading == [True], "git was read once, while the workers read the files"
    assert (in_parallel.exit_code, in_parallel.stdout) == (one_by_one.exit_code, one_by_one.stdout)


def test_config_and_clients_are_read_while_workers_read_the_files(
    cli, folder_with_history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder_with_history / "clients/dupont.yaml").write_text(
        (folder_with_history / "clients/dupont.yaml").read_text("utf-8") + "bogus: 1\n", "utf-8"
    )
    one_by_one = cold_check(cli, folder_with_history)
    assert "bogus" in one_by_one.stdout, one_by_one.output

    order: list[str] = []  # "git" and "client" as each is read, "files" once the workers end
    with_blobs, start = issued._with_blobs, history.start_history
    load_client = index.Ledger._load_client

    def collected(*args: Any) -> Any:
        result = with_blobs(*args)
        order.append("files")
        return result

    def started(*args: Any, **kwargs: Any) -> Any:
        order.append("git")
        return start(*args, **kwargs)

    def loaded(self: Any, path: Path) -> Any:
        order.append("client")
        return load_client(self, path)

    monkeypatch.setattr(issued, "PARALLEL_FROM", 1)
    monkeypatch.setattr(issued, "_with_blobs", collected)
    monkeypatch.setattr(history, "start_history", started)
    monkeypatch.setattr(index.Ledger, "_load_client", loaded)
    in_parallel = cold_check(cli, folder_with_history)

    clients = len(list((folder_with_history / "clients").glob("*.yaml")))
    assert order == ["git", *["client"] * clients, "files"], "git, then clients, meanwhile"
    assert (in_parallel.exit_code, in_parallel.stdout) == (one_by_one.exit_code, one_by_one.stdout)


def test_git_read_that_fails_alongside_is_read_again(
    cli, folder_with_history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = cold_check(cli, folder_with_history)
    calls: list[str] = []
    read_history = history.read_history

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append("alongside")
        raise RuntimeError("git vanished")

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append("after")
        return read_history(*args, **kwargs)

    monkeypatch.setattr(issued, "PARALLEL_FROM", 1)
    monkeypatch.setattr(history, "start_history", failing)
    monkeypatch.setattr(history, "read_history", counted)
    again = cold_check(cli, folder_with_history)

    assert calls == ["alongside", "after"]
    assert (again.exit_code, again.stdout) == (expected.exit_code, expected.stdout)


def test_subscriptions_read_alongside_that_fail_are_read_again_by_their_check(
    cli, folder_with_history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder_with_history / "subscriptions").mkdir()
    for name, every in (("a-support", "month"), ("b-support", "fortnight")):
        (folder_with_history / "subscriptions" / f"{name}.yaml").write_text(
            f"client: dupont\nschedule: {{every: {every}}}\nstart: 2026-01-01\nlines:\n"
            "  - {description: Support, quantity: 1, unit_price: 100.00}\n",
            "utf-8",
        )
    expected = cold_check(cli, folder_with_history)
    assert "subscriptions/b-support.yaml" in expected.stdout, expected.output
    failed: list[Path] = []
    catalog_for = index.Ledger.catalog_for

    def failing_once(self: Any, data: Any) -> Any:  # the first subscription read fails
        if not failed:
            failed.append(self.folder.root)
            raise OSError("catalog.yaml was being replaced")
        return catalog_for(self, data)

    monkeypatch.setattr(issued, "PARALLEL_FROM", 1)  # subscriptions read while workers read
    monkeypatch.setattr(index.Ledger, "catalog_for", failing_once)
    again = cold_check(cli, folder_with_history)

    assert failed, "a subscription was read while the workers read the files, and failed"
    assert (again.exit_code, again.stdout) == (expected.exit_code, expected.stdout)


def test_git_read_alongside_serves_only_the_entries_read_with_it(
    folder_with_history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facturo.checks.documents import open_ledger

    monkeypatch.setattr(issued, "PARALLEL_FROM", 1)
    ledger = open_ledger(folder_with_history, use_cache=False)
    history.entries_with_history(ledger, use_cache=False)
    assert ledger in history._READ_AHEAD
    ledger.invalidate()  # the files are read again: so is git
    calls: list[int] = []
    read_history = history.read_history

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return read_history(*args, **kwargs)

    monkeypatch.setattr(history, "read_history", counted)
    monkeypatch.setattr(issued, "PARALLEL_FROM", 10**9)  # one by one: nothing alongside
    numbers = history.read_numbers(ledger, use_cache=False)
    assert calls == [1] and ledger not in history._READ_AHEAD
    assert "F-2026-0002" in numbers.known() - set(numbers.present)


def test_a_file_read_names_its_git_blob_and_the_seal_git_would_give(
    folder_with_history: Path,
) -> None:
    from facturo.checks.documents import open_ledger
    from facturo.checks.git import read_history

    ledger = open_ledger(folder_with_history, use_cache=False)
    entries = ledger.entries()
    assert len(ledger.blob_seals) == len(entries) == 2
    for entry in entries:
        blob = git(folder_with_history, "hash-object", entry.path).strip()
        assert ledger.blob_seals[blob] == entry.seal
    from_git = read_history(ledger.folder, use_cache=False)
    with_files = read_history(ledger.folder, use_cache=False, known=ledger.blob_seals)
    assert with_files == from_git
    assert set(ledger.blob_seals) < set(from_git.seals), "the replaced and deleted ones: git"


def test_the_seals_of_blobs_are_held_once(
    folder_with_history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facturo.checks.documents import open_ledger

    monkeypatch.setattr(issued, "PARALLEL_FROM", 1)  # git is read while workers read files
    ledger = open_ledger(folder_with_history, use_cache=False)
    (folder_with_history / "invoices/2026/uncommitted.yaml").write_text("kind: invoice\n")
    entries = history.entries_with_history(ledger, use_cache=False)
    read = history._READ_AHEAD[ledger][1]

    assert ledger.blob_seals is read.seals
    committed = [(e.path, next(p for p in read.paths if p == e.path)) for e in entries[:2]]
    assert [entry is known for entry, known in committed] == [True, True]
    blob = git(folder_with_history, "hash-object", "invoices/2026/uncommitted.yaml").strip()
    assert ledger.blob_seals[blob] == ""  # read from the file alone: no seal
    for entry in entries:
        if entry.seal is not None:
            found = git(folder_with_history, "hash-object", entry.path).strip()
            assert ledger.blob_seals[found] is entry.seal


def test_a_blob_whose_seal_is_known_is_not_read_from_git(folder_with_history: Path) -> None:
    from facturo.checks.git import read_history
    from facturo.store.folder import Folder

    blob = git(folder_with_history, "hash-object", THIRD).strip()
    history = read_history(Folder(folder_with_history), use_cache=False, known={blob: "told"})
    assert history.seals[blob] == "told"
    assert sorted(set(history.seals.values()) - {"told"}) != [], "the others come from git"


PIECES = [
    "seal:\n", "  sha256: " + "a" * 64 + "\n", "  previous: null\n", "\tsha256: " + "b" * 64 + "\n",
    "xseal:\n", " seal:\n", "number: F-1\n", "  sha256: short\n", "seal: x\n", "\n", "seal:",
    "  fields: seal: sha256\n",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_the_seal_of_a_blob_is_found_as_the_pattern_finds_it(pieces: list[str]) -> None:
    content = "".join(pieces).encode()
    match = SEAL_SHA.search(content)
    assert seal_in(content) == (match[1].decode() if match else NO_SEAL)


def test_worker_processes_are_forked_with_the_yaml_reader_already_imported(
    cli, draft, folder: Path, tmp_path: Path
) -> None:
    """A cold `list` of many documents reads them in worker processes: the reader of the
    files is imported once, before they are forked, not again in each of them."""
    import subprocess
    import sys

    from conftest import TODAY, issue

    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        issue(cli, draft, day)
    imported_again = tmp_path / "imported-again"
    code = (
        "import os, sys\n"
        "import facturo.store.issued as issued\n"
        "issued.PARALLEL_FROM = 1\n"
        "os.cpu_count = lambda: 2\n"
        "original = issued._read_one\n"
        "def _read_one(item):\n"
        "    if 'facturo.files.written' not in sys.modules:\n"
        f"        open({str(imported_again)!r}, 'a').write(str(os.getpid()) + '\\n')\n"
        "    return original(item)\n"
        "issued._read_one = _read_one\n"
        f"sys.argv = ['facturo', '--dir', {str(folder)!r}, '--today', {str(TODAY)!r},"
        " 'list', '--no-cache']\n"
        "from facturo.cli import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "F-2026-0003" in result.stdout
    assert not imported_again.exists(), imported_again.read_text()


def test_a_path_keeps_each_blob_with_the_first_commit_that_had_it() -> None:
    from facturo.checks.git import PathHistory

    item = PathHistory()
    for blob, commit in [("b1", "c3"), ("b1", "c2"), ("b2", "c2"), ("b3", "c1"), ("b2", "c1")]:
        item.add(blob, commit)

    assert item.blobs == {"b1": "c3", "b2": "c2", "b3": "c1"}
    assert list(item.blobs) == ["b1", "b2", "b3"]
    assert PathHistory.of(item.blobs, "c9") == PathHistory(
        "b1", "c3", {"b2": "c2", "b3": "c1"}, "c9"
    )
    assert PathHistory.of({}).blobs == {} and PathHistory.of({"b": "c"}).more is None


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_the_tips_of_a_walk_are_the_commits_no_commit_read_has_for_parent(data: Any) -> None:
    from facturo.checks.git import Walk

    ids = [f"{n:040x}" for n in range(data.draw(st.integers(1, 12)))]
    read = data.draw(st.permutations(ids))
    walked = [(commit, data.draw(st.lists(st.sampled_from(ids), max_size=2))) for commit in read]
    before = data.draw(st.lists(st.sampled_from([*ids, "f" * 40]), max_size=3))
    walk = Walk()
    for commit, parents in walked:
        walk.read(commit, parents)

    parents = {parent for _, named in walked for parent in named}
    expected = [c for c, _ in walked if c not in parents] + [t for t in before if t not in parents]
    assert walk.tips(before) == list(dict.fromkeys(expected))
    assert walk.count == len(walked)


def test_documents_read_by_workers_keep_no_empty_list_of_problems(
    folder_with_history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from facturo.checks.documents import open_ledger
    from facturo.checks.registry import document_problems

    monkeypatch.setattr(issued, "PARALLEL_FROM", 1)  # entries sent back from workers
    ledger = open_ledger(folder_with_history, use_cache=False)
    ledger.read_files()

    assert document_problems(ledger, dt.date(2026, 12, 1)) == []
    for entry in ledger.entries():
        with pytest.raises(AttributeError):  # the slot is not set: made when first used
            object.__getattribute__(entry, "problems")
    assert [entry.problems for entry in ledger.entries()] == [[], []]


def test_history_read_alongside_is_let_go_of_once_its_problems_are_found(
    folder_with_history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from facturo.checks.documents import open_ledger
    from facturo.checks.registry import document_problems, git_problems

    today = dt.date(2026, 12, 1)
    expected = git_problems(open_ledger(folder_with_history, use_cache=False), today)
    monkeypatch.setattr(issued, "PARALLEL_FROM", 1)  # git is read while workers read files
    ledger = open_ledger(folder_with_history, use_cache=False)
    ledger.read_files()

    document_problems(ledger, today)

    assert ledger not in history._READ_AHEAD and ledger in history._FOUND_AHEAD
    assert git_problems(ledger, today) == expected and len(expected) == 2
    assert ledger not in history._FOUND_AHEAD
