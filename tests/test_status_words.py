"""Statuses in tables for people are words; JSON and filters keep their codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Cli, issue
from facturo.files.languages import LANGUAGES
from facturo.model.statuses import QUOTE_STATUSES, RECEIVABLE_STATUSES
from facturo.output import words


def test_list_and_show_print_words_json_and_filters_codes(cli: Cli, draft, folder: Path) -> None:
    number = issue(cli, draft, "2026-11-02")
    assert cli("pay", number, "100", "--date", "2026-11-03").exit_code == 0
    table = cli("list")
    assert table.exit_code == 0
    assert "partially paid" in table.stdout and "partially-paid" not in table.stdout
    shown = cli("show", number)
    assert "status:   partially paid" in shown.stdout and "partially-paid" not in shown.stdout
    [row] = json.loads(cli("list", "--json").stdout)
    assert row["status"] == "partially-paid"
    assert json.loads(cli("show", number, "--json").stdout)["status"] == "partially-paid"
    filtered = cli("list", "--status", "partially-paid")
    assert number in filtered.stdout and "partially paid" in filtered.stdout


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_status_has_words_in_every_language(language: str) -> None:
    for status in RECEIVABLE_STATUSES:
        for kind in ("invoice", "deposit"):
            said = words.describe_status(status, kind, language)
            assert said and "-" not in said, (kind, status)
    for status in QUOTE_STATUSES:
        assert words.describe_status(status, "quote", language)
    assert words.describe_status("issued", "credit_note", language)
    assert words.describe_status("partially-paid", "invoice", "fr") == "partiellement payée"
    assert words.describe_status("issued", "quote", "fr") == "émis"
