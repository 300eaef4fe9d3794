"""A signed index cache whose columns read late are damaged: stale, never a crash."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli, index_cache, write_index_cache
from facturo.checks.documents import open_ledger
from facturo.store.cached_entries import to_columns

CACHE = Path(".facturo/cache/issued.json")


def _two_invoices_one_paid(cli: Cli, draft: Callable[..., Path]) -> None:
    draft("a")
    draft("b")
    assert cli("issue", "drafts/a.yaml", "drafts/b.yaml", "--date", "2026-03-01").exit_code == 0
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-03-02").exit_code == 0
    assert cli("list").exit_code == 0


@pytest.mark.parametrize(
    "payments",
    [
        [[]],  # one cell for two documents
        None,  # not a column
        [[["2026-03-02", "NaN", "transfer", None, None]], []],  # not an amount
    ],
)
def test_a_damaged_payments_column_saved_while_verifying_is_made_from_the_files(
    cli: Cli, draft: Callable[..., Path], folder: Path, payments: Any
) -> None:
    """`check` (verifying) keeps the cells it read to save the cache again; the payments
    column it never read is checked before it is kept: damaged, it is made again from the
    files, not copied (nor a traceback)."""
    _two_invoices_one_paid(cli, draft)
    data = index_cache(folder / CACHE)
    data["entries"]["payments"] = payments
    write_index_cache(folder / CACHE, data, signed=True)
    draft("c")
    assert cli("issue", "drafts/c.yaml", "--date", "2026-03-03").exit_code == 0

    result = cli("check")  # the new document read: the cache is saved again

    assert result.exit_code == 0, result.output
    saved = index_cache(folder / CACHE)
    fresh = open_ledger(folder, use_cache=False).entries()
    assert saved["entries"] == json.loads(json.dumps(to_columns(fresh)))
