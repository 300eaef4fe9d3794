"""Canonical text: libyaml writes a file only where it writes the Python emitter's bytes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturo.files import canonical
from facturo.files.yamlio import load_mapping

EXAMPLES = Path(__file__).parent.parent / "examples"
OPTIONS: dict[str, Any] = {
    "sort_keys": False,
    "allow_unicode": True,
    "default_flow_style": False,
    "width": 1_000_000,
    "indent": 2,
}

needs_libyaml = pytest.mark.skipif(
    canonical._FastDumper is None, reason="PyYAML was built without libyaml"
)


def python_text(data: Any) -> str:
    return yaml.dump(data, Dumper=canonical._CanonicalDumper, **OPTIONS)


def libyaml_text(data: Any) -> str:
    return yaml.dump(data, Dumper=canonical._FastDumper, **OPTIONS)


TRICKY: dict[str, Any] = {
    "accents": "Léa Fontaine — Société Générale, « Conseil » à 20 %",
    "multi_line": "Ligne 1\nLigne 2 : détail\n\n  indentée\nfin",
    "multi_line_final_break": "Première ligne\nseconde ligne\n",
    "leading_break": "\nRemarque",
    "leading_space": "  retrait",
    "trailing_space": "espace final ",
    "long_line": "Prestation " * 400,
    "quotes": "l'offre \"spéciale\" d'été",
    "single_quote": "'",
    "colon_space": "Note: à payer",
    "hash": "réf #12",
    "dash": "- pas une liste",
    "leading_zero": "01234",
    "yes": "yes",
    "no": "NO",
    "on": "on",
    "null": "null",
    "tilde": "~",
    "date_as_text": "2026-11-25",
    "number_as_text": "3.0",
    "exponent_as_text": "1e3",
    "sexagesimal_as_text": "1:30",
    "empty_text": "",
    "tab": "a\tb",
    "carriage_return": "a\r\nb",
    "nbsp": "1\u00a0000\u202f€",
    "amounts": [Decimal("0.00"), Decimal("1950.00"), Decimal("-12.5"), Decimal("3")],
    "integers": [0, 20, -1, 10**30],
    "dates": [dt.date(2026, 11, 25), dt.datetime(2026, 11, 25, 9, 30)],
    "flags": [True, False, None],
    "empty_list": [],
    "empty_mapping": {},
    "nested": {"lines": [{"description": "x\ny", "quantity": Decimal("1")}], "methods": []},
}


@needs_libyaml
def test_libyaml_writes_the_tricky_values_as_the_python_emitter() -> None:
    assert canonical._both_write_alike(TRICKY)
    assert libyaml_text(TRICKY) == python_text(TRICKY)
    for key, value in TRICKY.items():
        assert libyaml_text({key: value}) == python_text({key: value}), key


@pytest.mark.parametrize(
    "data",
    [
        {"description": "Merci 😀"},  # beyond U+FFFF: libyaml escapes it
        {"notes": "gardé\n\n"},  # |+: libyaml ends the document with `...`
        {"notes": "\n"},
        {"notes": "a\x85b"},  # NEL
        {"": "empty key"},
        {"a\rb": "carriage return in a key"},
        {"k" * 128: "a key of 128 characters"},
        {"t": (1, 2)},
    ],
    ids=["emoji", "kept-breaks", "one-break", "nel", "empty-key", "cr-key", "long-key", "tuple"],
)
def test_what_libyaml_writes_otherwise_goes_to_the_python_emitter(data: dict[str, Any]) -> None:
    assert not canonical._both_write_alike(data)
    assert canonical.dump(data) == python_text(data)


def test_without_libyaml_the_python_emitter_writes_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = python_text(TRICKY)
    monkeypatch.setattr(canonical, "_FastDumper", None)
    assert canonical.dump(TRICKY, ["header"]) == "# header\n" + expected


def _issued_files() -> list[Path]:
    return sorted(
        path
        for path in EXAMPLES.glob("*/*/[0-9][0-9][0-9][0-9]/*.yaml")
        if path.parts[-3] in ("invoices", "credit-notes", "quotes")
    )


@needs_libyaml
def test_every_issued_example_is_written_alike_and_as_its_file() -> None:
    files = _issued_files()
    assert files
    for path in files:
        data, problems = load_mapping(path, path.name)
        assert data is not None, problems
        assert canonical._both_write_alike(data), path
        text = canonical.dump(data)
        assert text == python_text(data), path
        body = "".join(line for line in path.read_text("utf-8").splitlines(True) if line[0] != "#")
        assert text == body, path


# Text made of pieces YAML treats specially, any character (astral, controls, NEL and
# line separators included), and keys both plain and not.
SPECIAL = "yes no On NULL ~ - -- --- ... # : ': ' '- ' ? | > ! & * % @ ` , [ ] { } \" ' \\ "
WORDS = "0123 1_000 1:30 2026-01-01 3.0 .inf 1e3 +1 -.5 0x1F = << é € — ’ « » Ω"
CHARACTERS = [" ", "  ", "\n", "\n\n", "\t", "\r", "\r\n", "\x85", "\u2028", "\ufeff", "\u00a0"]
PIECES = st.sampled_from(
    [*SPECIAL.split(), *WORDS.split(), *CHARACTERS, "\u0301", "\ue000", "\ufffd", "😀", "\x07"]
)
BMP = st.characters(max_codepoint=0xFFFD, blacklist_categories=("Cs", "Cc"))
TEXT = st.lists(PIECES | st.text(BMP, max_size=4) | st.text(max_size=2), max_size=10).map("".join)
KEY = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_-]{0,12}\Z") | st.sampled_from(["yes", "null", "on"])
SCALAR = (
    TEXT
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.integers()
    | st.booleans()
    | st.none()
    | st.dates()
    | st.datetimes()
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEY | TEXT, inner, max_size=4),
    max_leaves=12,
)


@needs_libyaml
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEY, VALUE, min_size=1, max_size=6))
def test_libyaml_writes_a_document_only_when_both_emitters_agree(data: dict[str, Any]) -> None:
    if canonical._both_write_alike(data):
        assert libyaml_text(data) == python_text(data)
    assert canonical.dump(data) == python_text(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEY, VALUE, min_size=1, max_size=6), st.integers(0, 6))
def test_a_document_continued_from_its_first_keys_is_the_document(
    data: dict[str, Any], split: int
) -> None:
    first = list(data)[:split]
    written = canonical.dump({key: data[key] for key in first})
    assert canonical.dump_continued(data, first, written, ["h"]) == canonical.dump(data, ["h"])


def test_a_document_is_not_continued_after_the_end_of_a_document() -> None:
    data = {"notes": "gardée\n\n", "seal": "x"}
    written = canonical.dump({"notes": data["notes"]})
    assert written.endswith("...\n")
    assert canonical.dump_continued(data, ["notes"], written) == canonical.dump(data)
    assert "..." not in canonical.dump(data)


def test_keys_that_do_not_come_first_are_not_continued() -> None:
    data = {"source": "s", "number": "F-1", "seal": "x"}
    written = canonical.dump({"number": "F-1"})
    assert canonical.dump_continued(data, ["number"], written) == canonical.dump(data)
