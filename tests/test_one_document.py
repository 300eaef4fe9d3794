"""One document is found by its file's name: `show`, `pay`, `render NUMBER` read that file
and the credit notes, never the whole index, and what they read is exact."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import facturo.store.index as index
from conftest import TODAY, Cli, cached_entry, index_cache, issue, watch_parsing, write_index_cache
from facturo.checks.documents import open_ledger
from facturo.lifecycle.payments import record_payment

NOTES_CACHE = Path(".facturo/cache/credit-notes.json")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The issued files read (parsed, or hashed against the cache) from now on."""
    seen = watch_parsing(monkeypatch)
    hashed = index.hashed

    def opened(path: str) -> Any:  # hashed against the cache
        seen.append(Path(path).relative_to(Path(path).parents[2]).as_posix())
        return hashed(path)

    monkeypatch.setattr(index, "hashed", opened)
    return seen


def three_invoices_one_credited(cli: Cli, draft: Callable[..., Path]) -> None:
    for day, name in (("2026-11-18", "a"), ("2026-11-19", "b"), ("2026-11-20", "c")):
        issue(cli, draft, day, name=name)
    result = cli("credit", "F-2026-0001", "--amount", "100", "--reason", "geste")
    assert result.exit_code == 0, result.output


def test_find_reads_only_the_document_and_the_credit_notes(
    cli: Cli, draft: Callable[..., Path], folder: Path, reads: list[str]
) -> None:
    three_invoices_one_credited(cli, draft)
    reads.clear()

    ledger = open_ledger(folder, use_cache=False)
    entry = ledger.find("F-2026-0001")

    assert entry.number == "F-2026-0001"
    assert entry.credited == 120  # 100 net and its VAT
    assert sorted(reads) == [
        "credit-notes/2026/AV-2026-0001.yaml",
        "invoices/2026/F-2026-0001.yaml",
    ]


def test_pay_under_the_lock_reads_the_invoice_and_credit_notes_only(
    cli: Cli, draft: Callable[..., Path], folder: Path, reads: list[str]
) -> None:
    three_invoices_one_credited(cli, draft)
    assert cli("list").exit_code == 0  # a warm cache of the whole index
    reads.clear()
    ledger = open_ledger(folder)

    recorded = record_payment(ledger, "F-2026-0002", None, date=TODAY, today=TODAY)

    assert recorded.balance == 0
    assert set(reads) <= {"invoices/2026/F-2026-0002.yaml", "credit-notes/2026/AV-2026-0001.yaml"}
    assert "invoices/2026/F-2026-0002.yaml" in reads


def test_the_balance_counts_every_credit_note_even_from_a_cold_cache(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    three_invoices_one_credited(cli, draft)
    result = cli("credit", "F-2026-0001", "--amount", "20", "--reason", "encore")
    assert result.exit_code == 0, result.output

    shown = cli("show", "F-2026-0001", "--json")

    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["balance"] == "1476.00"  # 1620.00 - 120.00 - 24.00


def test_pay_never_takes_a_credit_note_from_a_forged_cache(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    three_invoices_one_credited(cli, draft)
    assert cli("show", "F-2026-0001").exit_code == 0  # writes the credit notes' cache
    data = index_cache(folder / NOTES_CACHE)
    (path,) = data["entries"]["path"]
    # the whole invoice credited (not 120.00), says the forged cache
    cached_entry(data, path, gross="1620.00")
    write_index_cache(folder / NOTES_CACHE, data, signed=False)

    result = cli("pay", "F-2026-0001")  # no amount: the whole balance

    assert result.exit_code == 0, result.output
    assert "amount: 1500.00" in (folder / "invoices/2026/F-2026-0001.yaml").read_text()


def test_a_number_typed_in_another_case_is_still_found(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    three_invoices_one_credited(cli, draft)

    result = cli("show", "f-2026-0001", "--json")

    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert (shown["number"], shown["balance"]) == ("F-2026-0001", "1500.00")


def test_issuing_an_invoice_reads_its_client_only(
    cli: Cli, draft: Callable[..., Path], folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of 200 clients costs one client file to an issue or a payment, not 200."""
    read: list[str] = []
    original = index.Ledger._load_client

    def spy(ledger: index.Ledger, path: Path) -> Any:
        read.append(path.stem)
        return original(ledger, path)

    monkeypatch.setattr(index.Ledger, "_load_client", spy)
    issue(cli, draft, "2026-11-02")
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-11-10").exit_code == 0

    assert set(read) == {"dupont"}  # berlin.yaml is never read
    assert cli("check").exit_code == 0
    assert "berlin" in read  # check reads every client
