"""Loading with line numbers and exact decimals, and canonical dumping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from facturo.files.yamlio import YMap, dump, parse


def test_decimals_are_exact_and_traps_stay_strings() -> None:
    data, problems = parse(
        "price: 0.1\nqty: 3\ncountry: NO\npostcode: 01234\ntime: 10:30\nflag: yes\n"
        "ok: true\nwhen: 2026-03-01\nbig: 1e3\n",
        "f.yaml",
    )
    assert problems == []
    assert data["price"] == Decimal("0.1") and isinstance(data["price"], Decimal)
    assert data["qty"] == 3
    assert data["country"] == "NO"
    assert data["postcode"] == "01234"
    assert data["time"] == "10:30"
    assert data["flag"] == "yes"
    assert data["ok"] is True
    assert data["when"] == dt.date(2026, 3, 1)
    assert data["big"] == "1e3"


def test_marks_and_raw_text() -> None:
    data, _ = parse("a: 1\nb:\n  c: +33612345678\n", "f.yaml")
    assert isinstance(data, YMap)
    assert data.mark("b") == (2, 1)
    assert data["b"].mark("c") == (3, 3)
    assert data["b"].raw["c"] == "+33612345678"


def test_syntax_error_has_line_and_column() -> None:
    data, problems = parse("a: [1, 2\nb: 3\n", "f.yaml")
    assert data is None
    assert [(p.line, p.col) for p in problems] == [(2, 2)]
    assert problems[0].message.startswith("YAML syntax error")


def test_dump_round_trips_exactly() -> None:
    document = {
        "number": "F-2026-0001",
        "amount": Decimal("450.00"),
        "qty": Decimal("3"),
        "rate": Decimal("5.5"),
        "code": "01234",
        "country": "NO",
        "text": "ligne 1\nligne 2",
        "when": dt.date(2026, 3, 1),
        "shared": [Decimal("20"), Decimal("20")],
    }
    text = dump(document, ["header"])
    assert text.startswith("# header\n")
    assert "&" not in text and "*" not in text
    data, problems = parse(text, "f.yaml")
    assert problems == []
    assert data == document
    assert str(data["amount"]) == "450.00"


def test_values_no_constructor_can_make_stay_text_or_are_problems() -> None:
    data, problems = parse(
        "a: 2026-02-30\nb: !!int abc\nc: !!timestamp garbage\nd: !!bool maybe\n"
        f"e: {'9' * 40}\nf: !!float 1e400\ng: !!map x\nh: !!seq x\ni: !!binary aGk=\n",
        "f.yaml",
    )
    assert isinstance(data, YMap)
    assert data["a"] == "2026-02-30"
    assert data["b"] == "abc"
    assert data["c"] == "garbage"
    assert data["d"] == "maybe"
    assert data["e"] == "9" * 40  # beyond 28 digits: never a number to compute with
    assert data["f"] == "1e400"
    assert [(p.line, p.col, p.message) for p in problems] == [
        (7, 4, "expected key: value lines after !!map"),
        (8, 4, "expected a list after !!seq"),
        (9, 4, "the tag tag:yaml.org,2002:binary is not supported here"),
    ]


def test_control_characters_are_found_at_their_line() -> None:
    data, problems = parse("a: 1\nb: x\x00y\n", "f.yaml")
    assert data is None
    assert [(p.line, p.col, p.message) for p in problems] == [
        (2, 5, "a NUL byte is not allowed in a YAML file")
    ]
