"""What `list` and `statement` read of the index cache: only what they show, each value
checked before it is served."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import DRAFT, Cli, index_cache, write_index_cache
from facturo.checks.documents import open_ledger
from facturo.reports.listing import Listed, listed

CACHE = Path(".facturo/cache/issued.json")


def _three_invoices_paid(cli: Cli, draft: Callable[..., Path]) -> None:
    for name in ("a", "b", "c"):
        draft(name)
    drafts = [f"drafts/{name}.yaml" for name in ("a", "b", "c")]
    assert cli("issue", *drafts, "--date", "2026-03-01").exit_code == 0
    for number, amount in (("F-2026-0001", "100"), ("F-2026-0002", "20"), ("F-2026-0003", "5")):
        assert cli("pay", number, amount, "--date", "2026-03-02").exit_code == 0
    assert cli("list").exit_code == 0


@pytest.mark.parametrize(
    "damaged",
    [
        {},  # a mapping: no payments to iterate, never "none"
        "2026-03-02",  # a text
        [["2026-03-02", "100.00", "transfer", None]],  # four fields
        [["2026-03-02", "Infinity", "transfer", None, None]],  # not a finite amount
        [["2026-02-30", "100.00", "transfer", None, None]],  # not a date
        [["2026-03-02", 100, "transfer", None, None]],  # an amount that is not text
        [["2026-03-02", "100.00", "transfer", 7, None]],  # a reference that is not text
        [None],
    ],
)
def test_a_damaged_payments_cell_is_read_from_its_file_the_others_from_the_cache(
    cli: Cli, draft: Callable[..., Path], folder: Path, damaged: Any
) -> None:
    _three_invoices_paid(cli, draft)
    data = index_cache(folder / CACHE)
    data["entries"]["payments"][1] = damaged
    data["entries"]["payments"][2][0][1] = "6.00"  # well formed: the cache is served
    write_index_cache(folder / CACHE, data, signed=True)
    fresh = open_ledger(folder, use_cache=False).entries()

    cached = open_ledger(folder).entries()

    assert [e.payments for e in cached[:2]] == [e.payments for e in fresh[:2]]
    assert [p.amount for p in cached[1].payments] == [20]
    assert [str(p.amount) for p in cached[2].payments] == ["6.00"]


# -- `list` straight from the cache's columns ----------------------------------------------

QUOTE = "kind: quote\n" + DRAFT


def _a_mixed_folder(cli: Cli, draft: Callable[..., Path]) -> None:
    """Invoices paid, partly paid, credited or not, quotes accepted or not."""
    for name in ("a", "b", "c", "d"):
        draft(name)
    draft("q1", QUOTE)
    draft("q2", QUOTE)
    drafts = [f"drafts/{name}.yaml" for name in ("a", "b", "c", "d", "q1", "q2")]
    assert cli("issue", *drafts, "--date", "2026-03-01").exit_code == 0
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-03-02").exit_code == 0
    assert cli("pay", "F-2026-0002", "1620.00", "--date", "2026-03-02").exit_code == 0
    assert cli("credit", "F-2026-0003", "--amount", "20", "--reason", "late").exit_code == 0
    assert cli("accept", "D-2026-0001", "--date", "2026-03-05").exit_code == 0


def _listed_from_entries(folder: Path) -> list[Listed]:
    entries = open_ledger(folder, use_cache=False).entries()
    return [Listed(*(getattr(e, name) for name in Listed._fields)) for e in entries]


LISTINGS = [
    ["list"], ["list", "--json"], ["list", "--status", "overdue"], ["list", "--kind", "quote"],
    ["list", "--client", "dupont", "--json"], ["list", "--year", "2026"],
    ["list", "--status", "cancelled"], ["list", "--platform", "none"],
]  # fmt: skip


def test_listing_from_the_columns_shows_what_the_entries_do(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    _a_mixed_folder(cli, draft)
    assert cli("list").exit_code == 0  # the cache, as every file is now

    rows = listed(open_ledger(folder))

    assert rows is not None
    assert rows == _listed_from_entries(folder)
    assert {row.kind for row in rows} == {"invoice", "credit_note", "quote"}
    assert [row.credited for row in rows if row.number == "F-2026-0003"] == [Decimal("24.00")]
    for args in LISTINGS:
        assert cli(*args).stdout == cli(*args, "--no-cache").stdout, args


def _pay(cli: Cli, folder: Path) -> None:
    assert cli("pay", "F-2026-0004", "5", "--date", "2026-03-03").exit_code == 0


def _remove(cli: Cli, folder: Path) -> None:
    (folder / "credit-notes/2026/AV-2026-0001.yaml").unlink()


def _rename(cli: Cli, folder: Path) -> None:
    quotes = folder / "quotes/2026"
    (quotes / "D-2026-0002.yaml").rename(quotes / "D-2026-0009.yaml")


def _touch(cli: Cli, folder: Path) -> None:
    path = folder / "invoices/2026/F-2026-0004.yaml"
    path.write_bytes(path.read_bytes())  # the same bytes, written again: another stat key


def _add(cli: Cli, folder: Path) -> None:
    (folder / "drafts/e.yaml").write_text(DRAFT, "utf-8")
    assert cli("issue", "drafts/e.yaml", "--date", "2026-03-04").exit_code == 0


def _forge(cli: Cli, folder: Path) -> None:
    data = index_cache(folder / CACHE)
    data["entries"]["gross"] = ["1.00"] * len(data["keys"])
    write_index_cache(folder / CACHE, data, signed=False)


def _damage(cli: Cli, folder: Path) -> None:
    data = index_cache(folder / CACHE)
    data["entries"]["gross"][0] = 1620
    write_index_cache(folder / CACHE, data, signed=True)


@pytest.mark.parametrize("change", [_pay, _remove, _rename, _touch, _add, _forge, _damage])
def test_listing_reads_the_entries_when_the_cache_does_not_serve_every_file(
    cli: Cli, draft: Callable[..., Path], folder: Path, change: Callable[[Cli, Path], None]
) -> None:
    _a_mixed_folder(cli, draft)
    assert cli("list").exit_code == 0
    assert listed(open_ledger(folder)) is not None
    change(cli, folder)

    assert listed(open_ledger(folder)) is None
    expected = cli("list", "--json", "--no-cache").stdout
    assert cli("list", "--json").stdout == expected  # the cache saved again
    assert listed(open_ledger(folder)) == _listed_from_entries(folder)


def test_listing_under_the_lock_or_without_the_cache_reads_the_entries(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    _a_mixed_folder(cli, draft)
    assert cli("list").exit_code == 0
    assert listed(open_ledger(folder, use_cache=False)) is None
    ledger = open_ledger(folder)
    with ledger.locked():  # cached summaries trusted for their bytes only
        assert listed(ledger) is None


# -- a statement makes the entries of one client alone -------------------------------------

BERLIN = DRAFT.replace("client: dupont", "client: berlin")


def test_the_entries_of_one_client_are_those_of_every_entry(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    _a_mixed_folder(cli, draft)
    draft("e", BERLIN)
    assert cli("issue", "drafts/e.yaml", "--date", "2026-03-04").exit_code == 0
    assert cli("list").exit_code == 0
    every = open_ledger(folder, use_cache=False).entries()

    for client in ("dupont", "berlin", "nobody"):
        ledger = open_ledger(folder)
        alone = ledger.entries_of(client)
        assert ledger._entries is None  # no entry made of every document
        assert alone == [e for e in every if e.client_id == client]
        assert [e.credited for e in alone] == [e.credited for e in every if e.client_id == client]
    assert [e.number for e in open_ledger(folder).entries_of("berlin")] == ["F-2026-0005"]
    for args in (["statement", "dupont"], ["statement", "dupont", "--json"]):
        fresh = cli(*args).stdout
        (folder / CACHE).unlink()
        assert cli(*args).stdout == fresh


@pytest.mark.parametrize("change", [_pay, _remove, _touch, _add, _forge, _damage])
def test_the_entries_of_one_client_are_read_anew_when_the_cache_does_not_serve(
    cli: Cli, draft: Callable[..., Path], folder: Path, change: Callable[[Cli, Path], None]
) -> None:
    _a_mixed_folder(cli, draft)
    assert cli("list").exit_code == 0
    change(cli, folder)
    every = open_ledger(folder, use_cache=False).entries()

    ledger = open_ledger(folder)
    alone = ledger.entries_of("dupont")

    assert ledger._entries is not None  # read through every entry
    assert alone == [e for e in every if e.client_id == "dupont"]


def test_a_damaged_payments_column_of_one_client_is_read_from_the_files(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    _a_mixed_folder(cli, draft)
    assert cli("list").exit_code == 0
    data = index_cache(folder / CACHE)
    first, second = (data["entries"]["number"].index(n) for n in ("F-2026-0001", "F-2026-0002"))
    data["entries"]["payments"][first] = {}
    data["entries"]["payments"][second] = [["2026-03-02", "810.00", "transfer", None, None]] * 2
    write_index_cache(folder / CACHE, data, signed=True)
    every = {e.number: e for e in open_ledger(folder, use_cache=False).entries()}

    alone = {e.number: e for e in open_ledger(folder).entries_of("dupont")}

    assert alone["F-2026-0001"].payments == every["F-2026-0001"].payments != []  # the file's
    assert len(alone["F-2026-0002"].payments) == 2  # well formed: the cache is served


@pytest.mark.parametrize(
    ("column", "damaged"),
    [("issue_date", "2026-02-30"), ("due_date", 20260331), ("currency", None), ("due", "x")],
)
def test_a_damaged_cell_a_statement_reads_is_read_from_its_file_the_others_from_the_cache(
    cli: Cli, draft: Callable[..., Path], folder: Path, column: str, damaged: Any
) -> None:
    _a_mixed_folder(cli, draft)
    assert cli("list").exit_code == 0
    fresh = cli("statement", "dupont", "--json").stdout
    data = index_cache(folder / CACHE)
    first = data["entries"]["number"].index("F-2026-0001")
    data["entries"][column][first] = damaged
    data["entries"]["client_name"] = [7] * len(data["keys"])  # wrong, and never read
    write_index_cache(folder / CACHE, data, signed=True)
    every = [e for e in open_ledger(folder, use_cache=False).entries() if e.client_id == "dupont"]

    ledger = open_ledger(folder)
    alone = ledger.entries_of("dupont")

    assert ledger._entries is None  # the cache served the others
    assert [getattr(e, column) for e in alone] == [getattr(e, column) for e in every]
    assert alone == every
    assert cli("statement", "dupont", "--json").stdout == fresh


# -- who saves the index cache ------------------------------------------------------------


def test_a_command_under_the_lock_leaves_a_few_new_files_for_the_next_reader_to_save(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    _three_invoices_paid(cli, draft)  # `list` last: the cache holds every file
    saved = (folder / CACHE).read_bytes()
    for name, day in (("d", "2026-03-03"), ("e", "2026-03-04")):
        draft(name)
        assert cli("issue", f"drafts/{name}.yaml", "--date", day).exit_code == 0
    assert cli("pay", "F-2026-0004", "1", "--date", "2026-03-04").exit_code == 0
    assert (folder / CACHE).read_bytes() == saved  # not written again for a few files

    assert cli("list", "--json").stdout == cli("list", "--json", "--no-cache").stdout
    assert len(index_cache(folder / CACHE)["keys"]) == 5  # the reader saved them


def test_a_command_under_the_lock_saves_the_cache_when_many_files_changed(
    cli: Cli, draft: Callable[..., Path], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facturo.store.index as index

    _three_invoices_paid(cli, draft)
    monkeypatch.setattr(index, "LEFT_TO_READERS", 0)
    for name, day in (("d", "2026-03-03"), ("e", "2026-03-04")):
        draft(name)
        assert cli("issue", f"drafts/{name}.yaml", "--date", day).exit_code == 0
    # saved at the second issue's lock: the first one's invoice read anew, not yet the second
    assert len(index_cache(folder / CACHE)["keys"]) == 4
