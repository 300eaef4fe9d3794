"""Catalogs are read without PyYAML when they hold nested texts alone: as PyYAML reads them."""

from __future__ import annotations

import itertools

import pytest
import yaml

from conftest import run_in_new_process
from facturo.files.languages import CATALOGS, LANGUAGES, catalog, read_words


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_is_read_without_pyyaml_as_pyyaml_reads_it(language: str) -> None:
    text = (CATALOGS / f"{language}.yaml").read_text("utf-8")
    assert read_words(text) == yaml.safe_load(text)
    assert catalog(language) == yaml.safe_load(text)


VALUES = [
    "Facture",
    "Facture d'acompte",
    "1 à 30 jours",
    ". Der Betrag",
    "N°",
    "Échéance",
    "12.15",
    "12",
    "0x1F",
    "1_000",
    "-1",
    "+.5",
    ".5",
    "1e3",
    "2026-01-02",
    "2026-1-2 3:04:05",
    "1:30",
    ".inf",
    ".NaN",
    "~",
    "null",
    "Null",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "true",
    "FALSE",
    "<<",
    "=",
    "a: b",
    "a:",
    "a #b",
    "a#b",
    "- item",
    "[x]",
    "{x: 1}",
    "&a x",
    "*a",
    "!x y",
    "|",
    ">",
    "%x",
    "@x",
    "`x",
    "? x",
    ":x",
    "'single ''quoted'''",
    "'broken",
    "'a' b",
    '"double"',
    '"esc \\" aped"',
    '"broken',
    '"a" b',
    "trailing   ",
    "tab\there",
    "",
]
KEYS = ["label", "direct-debit", "aging_1-30", "yes", "null", "on", "x1"]


def _same_or_refused(text: str) -> None:
    try:
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        assert read_words(text) is None, text
        return
    read = read_words(text)
    assert read is None or read == expected, (text, read, expected)


@pytest.mark.parametrize("value", VALUES)
def test_a_text_is_read_as_pyyaml_reads_it_or_left_to_it(value: str) -> None:
    for key in KEYS:
        _same_or_refused(f"top:\n  {key}: {value}\n")
        _same_or_refused(f"# words\n{key}: {value}\nother:\n  inner: {value}\n")


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  b: x\n c: y\n",  # between two levels
        "a:\n  b: x\n    c: y\n",  # deeper than its mapping
        "a:\nb: x\n",  # an empty mapping
        "a: x\na: y\n",  # a key given twice
        "  a: x\n",  # indented first line
        "a: x\n  b: y\n",  # a text with a mapping under it
        "---\na: x\n",
        "a: x\n...\n",
        "\ufeffa: x\n",
        "a:\n\tb: x\n",
        "a: long text\n  continued\n",
        "a: [1, 2]\n",
        "- a\n",
    ],
)
def test_anything_but_nested_texts_is_left_to_pyyaml(text: str) -> None:
    assert read_words(text) is None
    _same_or_refused(text)


def test_mixed_shapes_are_read_as_pyyaml_reads_them() -> None:
    lines = ["a:", "  b: x", "  c:", "    d: 'y'", "", "  # note", '  e: "z"', "f: w", "g:"]
    for size in range(1, 5):
        for chosen in itertools.permutations(lines, size):
            _same_or_refused("\n".join(chosen) + "\n")


def test_list_prints_status_words_without_importing_pyyaml(cli, draft, folder) -> None:  # type: ignore[no-untyped-def]
    assert cli("issue", str(draft()), "--date", "2026-03-02").exit_code == 0
    assert cli("list").exit_code == 0  # the index cache, as a second `list` finds it
    printed, imported = run_in_new_process(folder, "list", modules=("yaml",))
    assert "F-2026-0001" in printed and "overdue" in printed.lower(), printed
    assert imported == []
