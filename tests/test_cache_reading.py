"""What `list` and `statement` read of the index cache: only what they show, each value
checked before it is served."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, index_cache, write_index_cache
from facturo.checks.registry import open_ledger

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
