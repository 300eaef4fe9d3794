"""The named checks `facturo check` runs, and the one way to open a ledger that checks documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from facturo.checks.directory import directory_problems
from facturo.checks.documents import check_document
from facturo.checks.history import (
    entries_with_history,
    find_history_problems_ahead,
    history_problems,
)
from facturo.checks.numbering import check_numbering
from facturo.errors import Problem
from facturo.files.catalog import read_catalog
from facturo.store.entry import peek
from facturo.store.index import Ledger

# A named check: every problem of one kind in the folder (`today` for those that need it).
Check = Callable[[Ledger, dt.date], list[Problem]]


def config_problems(ledger: Ledger, today: dt.date) -> list[Problem]:
    """facturo.yaml against its schema and the seller's legal rules."""
    return ledger.config_with_problems()[1]


def client_problems(ledger: Ledger, today: dt.date) -> list[Problem]:
    """Each client file against its schema and rules, and its file name as an id."""
    return [p for _, problems in ledger.clients_with_problems().values() for p in problems]


def subscription_problems(ledger: Ledger, today: dt.date) -> list[Problem]:
    """Each subscription file against its schema and rules: client, schedule, prices."""
    return [p for _, problems in ledger.subscriptions_with_problems().values() for p in problems]


def catalog_problems(ledger: Ledger, today: dt.date) -> list[Problem]:
    """catalog.yaml against its schema: each item's id, description, unit price, VAT rate."""
    return read_catalog(ledger.folder.root)[1]


def document_problems(ledger: Ledger, today: dt.date) -> list[Problem]:
    """Each issued document on its own: syntax, seal, keys, name and place, totals, e-invoice."""
    if ledger.check is not check_document:
        raise ValueError("checking documents needs a ledger from checks.documents.open_ledger")
    entries = entries_with_history(ledger, use_cache=ledger.use_cache)  # git: for "git"
    find_history_problems_ahead(ledger)  # the history read meanwhile is let go of
    return [p for entry in entries for p in peek(entry, "problems")]  # no empty list made


def numbering_problems(ledger: Ledger, today: dt.date) -> list[Problem]:
    """Across documents: duplicate numbers, gaps, the order of dates, the seal chain."""
    config, _ = ledger.config_with_problems()
    return check_numbering(ledger.entries(), config or {})


def git_problems(ledger: Ledger, today: dt.date) -> list[Problem]:
    """Issued numbers missing, renamed or replaced, as git history and facturo's record know."""
    return history_problems(ledger)


CHECKS: dict[str, Check] = {
    "config": config_problems,
    "clients": client_problems,
    "subscriptions": subscription_problems,
    "catalog": catalog_problems,
    "documents": document_problems,
    "numbering": numbering_problems,
    "git": git_problems,
    "directory": directory_problems,
}
