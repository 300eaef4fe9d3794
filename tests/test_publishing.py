"""What `render` and `einvoice` are given, decided in the core: numbers, drafts, quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Cli, issue
from facturo.errors import FacturoError
from facturo.output.publishing import Target, einvoice_job, targets, write_xml
from facturo.store.folder import Folder
from facturo.store.index import Ledger

QUOTE = "kind: quote\nclient: dupont\nlines:\n  - {description: Audit, unit_price: 900}\n"


def test_an_argument_is_a_draft_when_it_names_a_yaml_file_or_an_existing_path(
    folder: Path, draft, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft("b")
    (folder / "drafts" / "notes").write_text("x", "utf-8")
    monkeypatch.chdir(folder.parent)
    ledger = Ledger(Folder(folder))
    assert targets(ledger, ["F-2026-0001", "drafts/b.yaml", "drafts/notes", "new.yml"]) == [
        Target(number="F-2026-0001"),
        Target(draft=folder / "drafts" / "b.yaml"),  # found in the folder, not here
        Target(draft=folder / "drafts" / "notes"),
        Target(draft=folder.parent / "new.yml"),  # not found anywhere: as typed, from here
    ]


def test_every_issued_document_comes_first(cli: Cli, draft, folder: Path) -> None:
    number = issue(cli, draft, "2026-03-02")
    ledger = Ledger(Folder(folder))
    assert targets(ledger, ["X-1"], every=True) == [Target(number=number), Target(number="X-1")]


def test_a_quote_has_no_e_invoice(cli: Cli, draft, folder: Path) -> None:
    number = issue(cli, draft, "2026-03-02", "q", QUOTE)
    ledger = Ledger(Folder(folder))
    with pytest.raises(FacturoError, match="is a quote, not a tax document: no e-invoice"):
        einvoice_job(ledger, number)
    with pytest.raises(FacturoError, match="not a tax document"):
        write_xml(ledger, number)
