"""Loading with line numbers and exact decimals, and canonical dumping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facturo.errors import Problem
from facturo.files.canonical import dump
from facturo.files.marked import YList, YMap
from facturo.files.yamlio import _Loader, parse


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


def _shape(value: object) -> object:
    """Everything a load gives: values, their types, and every mark."""
    if isinstance(value, YMap):
        items = tuple((k, _shape(v)) for k, v in value.items())
        return ("map", value.line, value.col, items, value.key_marks, value.raw)
    if isinstance(value, YList):
        return ("list", value.line, value.col, tuple(_shape(v) for v in value), value.item_marks)
    return (type(value).__name__, repr(value))


ODD_DOCUMENTS = [
    "a: &x 1\nb: *x\n",
    "a: &x {c: 1}\nb: *x\n",
    "- &x [1, 2]\n- *x\n- *x\n",
    "a: !!binary aGVsbG8=\nb: !!set {x, y}\nc: !!omap [a: 1]\n",
    "<<: {a: 1}\nb: 2\na: 1\na: 2\n",
    "d: 2026-02-30\ne: 2026-02-28\nf: 2026-02-28T10:00:00Z\n",
    "n: 1e5\no: 01234\np: 1_000.5\nq: 12345678901234567890123456789012\nr: -0.000\n",
    "b: yes\nc: True\nd: no\ne: ~\nf: null\n",
    "x: !!seq {a: 1}\ny: !!int [1]\n",
    "x: !!null abc\ny: !!str 12\nz: !!float abc\nw: !!int 1.5\nu: !!bool maybe\n",
    "? [a]\n: 1\n? {b: 1}\n: 2\n",
    "- a\n- - b\n  - &y c\n- *y\n",
    "\"k\": 1\n'q': 'v'\nr: \"1.5\"\nl: |\n  text\n",
]


@pytest.mark.parametrize("text", ODD_DOCUMENTS)
def test_direct_build_gives_what_the_constructors_give(text: str) -> None:
    """parse() builds nodes directly; PyYAML's own constructor walk (with facturo's
    constructors) must give exactly the same values, marks and problems."""
    loader = _Loader(text)
    try:
        expected = loader.get_single_data()
    finally:
        loader.dispose()
    expected_problems = [Problem("f.yaml", *found) for found in loader.problems]
    data, problems = parse(text, "f.yaml")
    assert _shape(data) == _shape(expected)
    assert problems == expected_problems


def test_mappings_and_lists_made_with_or_without_items_have_their_marks() -> None:
    for made, items in (
        (YMap(), {}),
        (YMap({"a": 1}, b=2), {"a": 1, "b": 2}),
        (YMap(c=3), {"c": 3}),
    ):
        assert made == items and (made.line, made.col, made.key_marks, made.raw) == (0, 0, {}, {})
    for listed, values in ((YList(), []), (YList([1, 2]), [1, 2]), (YList("ab"), ["a", "b"])):
        assert listed == values and (listed.line, listed.col, listed.item_marks) == (0, 0, [])


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("tTfFnNyYoO~-+.0123456789<=!&*_ :#aB\xe9")), max_size=8)
    | st.text(max_size=8)
)
def test_a_plain_scalar_is_text_exactly_when_the_resolvers_say_so(text: str) -> None:
    from yaml.nodes import ScalarNode

    from facturo.files.yamlio import _PLAIN, _RESOLVED_FIRST, _STR_TAG, _StrictResolver, plain_value

    tag = _StrictResolver.resolve(_PLAIN, ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if text and text[0] not in _RESOLVED_FIRST:
        assert tag == _STR_TAG  # what plain_value takes for granted
    if tag == _STR_TAG:
        assert plain_value(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "".join(f"{'  ' * level}a:\n" for level in range(700)) + "  " * 700 + "b: 1\n",
        "a: " + "[" * 700 + "]" * 700 + "\n",
        "a: " + "{b: " * 700 + "1" + "}" * 700 + "\n",
    ],
    ids=["block mappings", "flow lists", "flow mappings"],
)
def test_a_file_nested_too_deep_is_a_problem_at_its_line_not_a_crash(text: str) -> None:
    data, problems = parse(text, "clients/deep.yaml")
    assert [p.message for p in problems] == [
        "nested more than 64 levels deep (facturo files need a few)"
    ]
    assert problems[0].line >= 1
    assert isinstance(data, YMap)  # what is not too deep is read


def test_sixty_four_levels_are_read_whole() -> None:
    text = "".join(f"{'  ' * level}a:\n" for level in range(63)) + "  " * 63 + "b: 1\n"
    data, problems = parse(text, "f.yaml")
    assert problems == []
    for _ in range(63):
        data = data["a"]
    assert data == {"b": 1}
