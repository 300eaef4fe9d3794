"""The index cache: JSON under .facturo/, keyed by file stat, never stale, bypassable."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import cached_entry, index_cache, watch_parsing, write_index_cache
from facturo.checks.documents import open_ledger
from facturo.errors import Problem
from facturo.model.document import Payment
from facturo.store.cached_entries import from_columns, to_columns
from facturo.store.entry import FIELD_NAMES, UNREAD
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
    data = index_cache(cache)
    assert sorted(data["entries"]["path"]) == [
        "invoices/2026/F-2026-0001.yaml",
        "invoices/2026/F-2026-0002.yaml",
    ]
    # A cached entry is served as long as the file's size, mtime and inode are unchanged.
    cached_entry(data, "invoices/2026/F-2026-0001.yaml", client_name="from the cache")
    write_index_cache(cache, data, signed=True)  # as facturo writes it, with this user's key
    names = {e.client_name for e in open_ledger(folder).entries()}
    assert "from the cache" in names


def test_a_cache_facturo_did_not_sign_is_ignored(cli, draft, folder: Path) -> None:
    _issue_two(cli, draft)
    assert cli("list").exit_code == 0
    cache = folder / ".facturo" / "cache" / "issued.json"
    data = index_cache(cache)
    cached_entry(data, "invoices/2026/F-2026-0001.yaml", client_name="from the cache")
    write_index_cache(cache, data, signed=False)  # edited by hand, or copied from elsewhere

    names = {e.client_name for e in open_ledger(folder).entries()}

    assert names == {"Atelier Dupont SARL"}


def test_a_warm_check_parses_no_file_whose_bytes_are_unchanged(
    cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _issue_two(cli, draft)
    assert cli("check").exit_code == 0
    path = folder / "invoices" / "2026" / "F-2026-0002.yaml"
    os.utime(path)  # touched: its times changed, its bytes did not
    parsed = watch_parsing(monkeypatch)
    assert cli("check").exit_code == 0  # the folder's bytes are unchanged: the last result
    assert parsed == []
    config = folder / "facturo.yaml"
    config.write_text(config.read_text() + "# every check runs again\n")
    assert cli("check").exit_code == 0
    assert cli("check").exit_code == 0

    assert parsed == ["invoices/2026/F-2026-0002.yaml"]  # once, its times being new


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
    assert index_cache(cache)["version"] == CACHE_VERSION  # rewritten
    data = index_cache(cache)
    cached_entry(data, "invoices/2026/F-2026-0001.yaml", problems=[], client_name="stale")
    write_index_cache(cache, data, signed=False)
    listed = json.loads(cli("list", "--json", "--no-cache").stdout)
    assert {d["client_name"] for d in listed} == {"Atelier Dupont SARL"}


def test_entries_read_without_the_check_are_never_served_as_checked(
    cli, draft, folder: Path
) -> None:
    _issue_two(cli, draft)
    (folder / "invoices/2026/F-2026-0002.yaml").rename(folder / "invoices/2026/F-2026-0009.yaml")
    summaries = Ledger(Folder(folder)).entries()  # summaries only, cached as such
    assert [p for e in summaries for p in e.problems] == []
    cache = index_cache(folder / ".facturo" / "cache" / "issued.json")
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
    """from_columns skips __init__ for speed: a field it forgets would be missing, not default."""
    blank = Entry(path="x")
    assert from_columns(to_columns([blank]), 1) == [blank]
    _issue_two(cli, draft)
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-03-02").exit_code == 0
    fresh = open_ledger(folder, use_cache=False).entries()
    assert from_columns(to_columns(fresh), len(fresh)) == fresh
    every = _every_field_set()
    assert set(FIELD_NAMES) - {"credited"} == set(to_columns([every]))
    assert from_columns(json.loads(json.dumps(to_columns([every, blank]))), 2) == [every, blank]


def test_the_cache_is_encoded_a_few_cells_at_a_time_as_it_was_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from facturo.store import cached_entries
    from facturo.store.cached_entries import column_lines, decode_index, encode_index

    entries = [_every_field_set(), Entry(path="x"), Entry(path="y", number="F-1")] * 3
    keys = list(range(4 * len(entries)))
    whole = to_columns(entries)
    monkeypatch.setattr(cached_entries, "ENCODED_AT_ONCE", 2)  # 9 entries: 5 pieces each

    lines = [(name, b"".join(pieces)) for name, pieces in column_lines(entries)]
    raw = b"".join(encode_index({"version": 1}, keys, column_lines(entries)))

    assert [name for name, _ in lines] == list(whole)
    assert [json.loads(line) for _, line in lines] == json.loads(json.dumps(list(whole.values())))
    decoded = decode_index(raw)
    assert decoded["keys"] == [keys[at : at + 4] for at in range(0, len(keys), 4)]
    assert decoded["entries"] == json.loads(json.dumps(whole))
    assert from_columns(decoded["entries"], len(entries)) == entries


def _every_field_set() -> Entry:
    """An entry with no field at its default."""
    day = dt.date(2026, 3, 2)
    return Entry(
        path="invoices/2026/F-2026-0007.yaml", number="F-2026-0007", kind="invoice",
        series="shop", issue_date=day, due_date=day, valid_until=day, client_id="acme",
        client_name="Acme", currency="EUR", gross=Decimal("12.00"), due=Decimal("10.00"),
        paid=Decimal("4.00"), written_off=Decimal("1.00"), seal="a" * 64, previous="b" * 64,
        previous_line=7, seal_version=2, source_sha256="c" * 64, content_sha256="d" * 64,
        credit_note_of="F-2026-0001", quote="D-2026-0001", accepted=day, declined=day, sent=day,
        deducts=["F-2026-0002"],
        payments=[Payment(1, day, Decimal("4.00"), "transfer", "VIR 1", None)],
        reminders=[(1, day)], penalty_rate=Decimal("12.15"), business=False,
        pending_reminder={"level": 2, "date": day, "message_id": "<m@x>", "started": "t"},
        subscription="hosting", service_start=day, platform="rejected", platform_code=213,
        platform_rule="REJ_SEMAN", problems=[Problem("x", 1, 2, "wrong", "warning")],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("number", 7), ("issue_date", "2026-13-01"), ("gross", "NaN"), ("gross", 12),
        ("previous_line", "7"), ("business", 1), ("payments", [[["2026-03-02", "x"]]]),
        ("payments", [None]), ("payments", [[["2026-13-01", "1.00", "transfer", None, None]]]),
        ("payments", [[["2026-03-01", "NaN", "transfer", None, None]]]), ("reminders", [[[1]]]), ("problems", [[{"severity": "bad"}]]),
        ("deducts", [[3]]), ("pending_reminder", ["x"]), ("nonsense", [1]),
    ],
)  # fmt: skip
def test_a_cache_column_of_the_wrong_type_is_stale(name: str, value: list[Any] | Any) -> None:
    columns = to_columns([_every_field_set()])
    columns[name] = value if isinstance(value, list) else [value]
    with pytest.raises(ValueError):
        from_columns(columns, 1)
    columns = to_columns([_every_field_set()])
    columns["gross"] = ["1.00", "2.00"]  # not one per entry
    with pytest.raises(ValueError):
        from_columns(columns, 1)


def test_a_cache_saved_again_is_the_cache_made_from_scratch(cli, draft, folder: Path) -> None:
    """Entries unchanged keep their cells as they were when one file changes: the result
    must be, cell for cell, what reading every file gives."""
    for name in ("a", "b", "c"):
        draft(name)
    drafts = [f"drafts/{name}.yaml" for name in ("a", "b", "c")]
    assert cli("issue", *drafts, "--date", "2026-03-01").exit_code == 0
    assert cli("check").exit_code == 0
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-03-02").exit_code == 0
    (folder / "invoices/2026/F-2026-0002.yaml").unlink()
    assert cli("list").exit_code == 0  # one entry read again, one gone, one moved up

    saved = index_cache(folder / ".facturo" / "cache" / "issued.json")
    fresh = open_ledger(folder, use_cache=False).entries()

    assert saved["entries"] == json.loads(json.dumps(to_columns(fresh)))
    assert [e.path for e in open_ledger(folder).entries()] == [e.path for e in fresh]


def test_a_cache_saved_again_while_verifying_is_the_cache_made_from_scratch(
    cli, draft, folder: Path
) -> None:
    """Verifying (check, issue) keeps the cells as read; the saved cache must still be what
    reading every file gives."""
    for name in ("a", "b", "c"):
        draft(name)
    drafts = [f"drafts/{name}.yaml" for name in ("a", "b", "c")]
    assert cli("issue", *drafts, "--date", "2026-03-01").exit_code == 0
    assert cli("pay", "F-2026-0003", "100", "--date", "2026-03-02").exit_code == 0
    (folder / "invoices/2026/F-2026-0001.yaml").unlink()
    assert cli("check").exit_code == 1  # a number is missing; the cache is saved all the same

    saved = index_cache(folder / ".facturo" / "cache" / "issued.json")
    fresh = open_ledger(folder, use_cache=False).entries()

    assert saved["entries"] == json.loads(json.dumps(to_columns(fresh)))


def test_listing_leaves_payments_and_seals_unread_until_asked(cli, draft, folder: Path) -> None:
    _issue_two(cli, draft)
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-03-02").exit_code == 0
    assert cli("list").exit_code == 0
    fresh = open_ledger(folder, use_cache=False).entries()

    cached = open_ledger(folder).entries()  # as `list` reads them

    assert all(UNREAD in held(e) for e in cached)
    assert not {"payments", "seal", "content_sha256"} & held(cached[0])
    assert cached[0].payments == fresh[0].payments != []  # read when asked for
    assert cached == fresh  # every field, seal included, the files' own


def test_a_damaged_column_read_late_is_read_from_the_files(cli, draft, folder: Path) -> None:
    """The cache is facturo's (signed) but a column read late has the wrong type: the
    entries that ask for it are read from their files, never served the cache's value."""
    _issue_two(cli, draft)
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-03-02").exit_code == 0
    assert cli("list").exit_code == 0
    cache = folder / ".facturo" / "cache" / "issued.json"
    data = index_cache(cache)
    data["entries"]["payments"] = [[["2026-03-02", "NaN", "transfer", None, None]], []]
    data["entries"]["seal"] = [7, 7]
    write_index_cache(cache, data, signed=True)
    fresh = open_ledger(folder, use_cache=False).entries()

    cached = open_ledger(folder).entries()

    assert [e.payments for e in cached] == [e.payments for e in fresh]
    assert [e.seal for e in cached] == [e.seal for e in fresh]
    assert fresh[0].payments[0].amount == Decimal("100.00")


def test_the_seals_left_unread_come_from_the_same_cache_or_from_the_files(
    cli, draft, folder: Path
) -> None:
    """Listing keeps no seal column in memory: asked later, they are read from the cache
    again if it is the same bytes, else from the files, never from a cache written since."""
    _issue_two(cli, draft)
    assert cli("list").exit_code == 0
    cache = folder / ".facturo" / "cache" / "issued.json"
    fresh = open_ledger(folder, use_cache=False).entries()
    cached = open_ledger(folder).entries()
    assert cached[0].seal == fresh[0].seal is not None  # the same cache, read again
    others = open_ledger(folder).entries()
    data = index_cache(cache)
    data["entries"]["seal"] = ["f" * 64, "e" * 64]  # written anew, by facturo, since
    write_index_cache(cache, data, signed=True)

    assert [e.seal for e in others] == [e.seal for e in fresh]


def test_stat_keys_past_what_eight_bytes_hold_are_kept_as_numbers(cli, draft, folder: Path) -> None:
    _issue_two(cli, draft)
    assert cli("list").exit_code == 0
    cache = folder / ".facturo" / "cache" / "issued.json"
    data = index_cache(cache)
    data["keys"][0][2] = 2**64 - 1  # an inode number no signed 64-bit integer holds
    write_index_cache(cache, data, signed=True)

    result = cli("list", "--json")

    assert result.exit_code == 0, result.output
    assert index_cache(cache)["keys"][0][2] != 2**64 - 1  # that file read again, the key fixed


@pytest.mark.parametrize("content", [b"", b"{}", b"[]\n[]", b'{"version": 13, "keys": []}'])
def test_a_signed_cache_of_another_form_is_stale(cli, draft, folder: Path, content: bytes) -> None:
    """Empty, a single line, an older cache: read as no cache, rebuilt, never a crash."""
    from facturo.store.cache import write_signed_bytes

    _issue_two(cli, draft)
    cache = folder / ".facturo" / "cache" / "issued.json"
    write_signed_bytes(cache, content)

    result = cli("list", "--json")

    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2
    assert index_cache(cache)["version"] == CACHE_VERSION


def test_an_entry_read_back_from_the_cache_can_be_sent_to_another_process(
    cli, draft, folder: Path
) -> None:
    import pickle

    _issue_two(cli, draft)
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-03-02").exit_code == 0
    assert cli("list").exit_code == 0
    cached = open_ledger(folder).entries()
    assert UNREAD in held(cached[0])

    sent = pickle.loads(pickle.dumps(cached))

    assert sent == open_ledger(folder, use_cache=False).entries()
    assert all(UNREAD not in held(entry) for entry in sent)
    assert all(held(entry) == set(FIELD_NAMES) for entry in sent)


def test_entries_sent_apart_arrive_whole_sharing_what_they_repeat() -> None:
    import pickle

    from facturo.store.entry import forget_shared, peek

    every = _every_field_set()
    blank = Entry(path="x", client_name="Acme", gross=Decimal("12.00"), due=Decimal("0.00"))
    # two chunks from two workers: each arrives with its own copy of every value
    first, again = pickle.loads(pickle.dumps(every)), pickle.loads(pickle.dumps(every))
    (other,) = pickle.loads(pickle.dumps([blank]))
    forget_shared()

    assert first.client_name is again.client_name is other.client_name
    assert first.gross is again.gross is other.gross and str(other.due) == "0.00"
    assert first.issue_date is again.payments[0].date and first.payments[0] == every.payments[0]
    assert first.deducts == ["F-2026-0002"] and held(first) == set(FIELD_NAMES)
    empty = {"deducts", "payments", "reminders", "problems"}
    assert held(other) == set(FIELD_NAMES) - empty, "an empty list is made when first used"
    assert [peek(other, name) for name in sorted(empty)] == [[], [], [], []]
    assert held(other) == set(FIELD_NAMES) - empty, "peek makes none"
    other.problems.append(Problem("x", 1, 1, "kept"))
    assert [p.message for p in other.problems] == ["kept"] and "problems" in held(other)
    other.problems.clear()
    assert first == again == every and other == blank


def held(entry: Entry) -> set[str]:
    """The fields `entry` holds itself (not left to its defaults or an unread column), and
    UNREAD when it has unread columns."""
    found = set()
    for name in (*FIELD_NAMES, UNREAD):
        try:
            value = object.__getattribute__(entry, name)
        except AttributeError:  # a slot not set
            continue
        if name != UNREAD or value is not None:
            found.add(name)
    return found


def test_cells_made_column_by_column_are_those_made_cell_by_cell() -> None:
    from facturo.store.cached_entries import _FIELD_KINDS, _cell, default_cell

    made = [
        Entry(path="a.yaml", number="F-1", issue_date=dt.date(2026, 1, 2), gross=Decimal("1.50")),
        Entry(path="b.yaml", penalty_rate=Decimal("12.15"), deducts=["A-1"], previous_line=3),
        Entry(path="c.yaml", problems=[Problem("c.yaml", 1, 2, "bad")], business=False),
        Entry(
            path="d.yaml",
            payments=[Payment(1, dt.date(2026, 2, 1), Decimal("1.50"), "transfer", None, None)],
        ),
    ]
    made[1].client_id = Decimal("3")  # type: ignore[assignment]  # a wrong type, as text
    columns = to_columns(made)
    for name, kind in _FIELD_KINDS.items():
        cells = [_cell(kind, getattr(entry, name)) for entry in made]
        if any(cell != default_cell(name) for cell in cells):
            assert columns.pop(name) == cells, name
    assert columns == {}
