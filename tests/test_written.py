"""The fast reader of facturo's own YAML gives exactly what yamlio gives, or leaves the file to it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DRAFT, issue
from facturo.files import yamlio
from facturo.files.canonical import dump
from facturo.files.marked import YList, YMap
from facturo.files.written import read_written
from facturo.files.yamlio import parse
from facturo.store.folder import Folder
from facturo.store.index import Ledger

REPO = Path(__file__).resolve().parents[1]


def difference(fast: Any, slow: Any, where: str = "") -> str | None:
    """Where two values read differ: type, value, marks, raw texts; None when they do not."""
    if type(fast) is not type(slow):
        return f"{where}: {type(fast).__name__} is not {type(slow).__name__}"
    if isinstance(fast, YMap):
        for name in ("line", "col", "key_marks", "raw"):
            if getattr(fast, name) != getattr(slow, name):
                return f"{where}: {name} {getattr(fast, name)} != {getattr(slow, name)}"
        if list(fast) != list(slow):
            return f"{where}: keys {list(fast)} != {list(slow)}"
        return next(
            (d for key in fast if (d := difference(fast[key], slow[key], f"{where}.{key}"))), None
        )
    if isinstance(fast, YList):
        for name in ("line", "col", "item_marks"):
            if getattr(fast, name) != getattr(slow, name):
                return f"{where}: {name} {getattr(fast, name)} != {getattr(slow, name)}"
        if len(fast) != len(slow):
            return f"{where}: {len(fast)} items, not {len(slow)}"
        pairs = zip(fast, slow, strict=True)
        return next(
            (d for i, (a, b) in enumerate(pairs) if (d := difference(a, b, f"{where}[{i}]"))),
            None,
        )
    if fast != slow or str(fast) != str(slow):
        return f"{where}: {fast!r} != {slow!r}"
    return None


def compared(raw: bytes) -> YMap | None:
    """What the fast reader gives `raw`, asserted equal to yamlio's reading of it."""
    fast = read_written(raw)
    if fast is None:
        return None
    slow, problems = parse(raw.decode("utf-8"), "x")
    assert problems == [], (raw, problems)
    assert (found := difference(fast, slow)) is None, (raw, found)
    return fast


def test_every_file_of_the_examples_and_fixtures_reads_as_yamlio_reads_it() -> None:
    paths = sorted([*REPO.glob("examples/**/*.yaml"), *REPO.glob("tests/fixtures/**/*.yaml")])
    read = [path for path in paths if compared(path.read_bytes()) is not None]
    issued = [p for p in paths if p.parent.parent.name in ("invoices", "quotes", "credit-notes")]
    assert issued and set(issued) <= set(read), "every issued example is read fast"


def test_documents_facturo_issues_are_read_fast(cli, draft, folder: Path) -> None:  # type: ignore[no-untyped-def]
    first = issue(cli, draft, "2026-11-02", "a")
    issue(cli, draft, "2026-11-03", "b", DRAFT + "notes: |\n  Deux lignes\n  de notes\n")
    assert cli("pay", first, "100.50", "--date", "2026-11-10").exit_code == 0
    assert cli("pay", first, "--date", "2026-11-12").exit_code == 0  # the balance
    credit = cli("credit", first, "--amount", "10", "--reason", "geste commercial")
    assert credit.exit_code == 0, credit.output
    quoted = cli("issue", str(draft("q", "kind: quote\n" + DRAFT)))
    assert quoted.exit_code == 0, quoted.output
    files = sorted(folder.glob("*/20*/*.yaml"))
    assert len(files) >= 3
    fast = [path.name for path in files if compared(path.read_bytes()) is not None]
    multiline = [path.name for path in files if b": |" in path.read_bytes()]
    assert multiline and sorted(set(p.name for p in files) - set(fast)) == sorted(multiline)


def test_a_document_opened_by_number_is_read_fast_and_as_yamlio_reads_it(
    cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    number = issue(cli, draft, "2026-11-02")
    assert cli("pay", number, "100.50", "--date", "2026-11-10").exit_code == 0
    path = folder / "invoices" / "2026" / f"{number}.yaml"
    parsed: list[str] = []  # the files given to yamlio's parser
    real_parse = yamlio.parse

    def counted(text: str, display: str) -> Any:
        parsed.append(display)
        return real_parse(text, display)

    monkeypatch.setattr(yamlio, "parse", counted)
    display = f"invoices/2026/{number}.yaml"
    fast = Ledger(Folder(folder)).document(number)
    assert parsed == []
    slow, problems = real_parse(path.read_text("utf-8"), display)
    assert problems == [] and difference(fast, slow) is None

    # Edited by hand into a form facturo does not write (a tab): yamlio reads it, the same.
    path.write_text(path.read_text("utf-8") + "#\tchecked by hand\n", "utf-8")
    edited = Ledger(Folder(folder)).document(number)
    assert set(parsed) == {display}  # (the index reads the changed file too)
    assert difference(edited, fast) is None


# Text with what YAML makes special: indicators, quotes, spaces, breaks, accents, emoji.
TEXT = st.text(
    alphabet=st.sampled_from(list("aZ09 -:#'\"?,[]{}&*!|>%@`~.\\\n\t\r\xa0\x85é€\u2028\ufeff😀")),
    max_size=12,
)
KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,8}", fullmatch=True) | TEXT
SCALAR = st.one_of(
    TEXT,
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.sampled_from(["null", "~", "yes", "no", "0123", "1e3", "1_000", "2026-02-30", "12:30"]),
)
DATA = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEY, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEY, DATA, min_size=1, max_size=6))
def test_what_the_canonical_emitter_writes_reads_as_yamlio_reads_it(data: dict[str, Any]) -> None:
    compared(dump(data, ["A header", ""]).encode("utf-8"))


def plain_document() -> bytes:
    return dump(
        {
            "number": "F-2026-0001",
            "issue_date": dt.date(2026, 11, 2),
            "client": {"id": "dupont", "address": {"postcode": "01234", "country": "FR"}},
            "lines": [
                {"description": "Atelier: 2 jours", "quantity": 2, "unit_price": Decimal("450.00")},
                {"description": "Suivi", "tags": ["a", "b"], "deposit": {"number": "A-1"}},
            ],
            "payment": {"methods": ["transfer"], "none": None, "empty": [], "nothing": {}},
            "seal": {"previous": None, "sha256": "ab" * 32},
        },
        ["Invoice F-2026-0001", ""],
    ).encode("utf-8")


def test_a_plain_document_is_read_fast() -> None:
    assert compared(plain_document()) is not None


EDITS = [*" -:#'\"?,[]{}&*!|>%@`~.\n\t\r\x85\u2028\ufeffa0é", "  ", "- ", ": ", " #", "'"]


@pytest.mark.parametrize("seed", range(8))
def test_edited_documents_read_as_yamlio_reads_them(seed: int) -> None:
    rng = random.Random(seed)
    original = plain_document().decode("utf-8")
    for _ in range(400):
        text = original
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            action = rng.random()
            if action < 0.5:
                text = text[:at] + rng.choice(EDITS) + text[at:]
            elif action < 0.8:
                text = text[:at] + text[at + rng.randint(1, 3) :]
            else:
                lines = text.split("\n")
                line = rng.randrange(len(lines))
                lines.insert(line, lines[rng.randrange(len(lines))])
                text = "\n".join(lines)
        compared(text.encode("utf-8"))


def test_check_finds_the_same_problems_with_either_reader(
    cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    for day, name in (("2026-11-02", "a"), ("2026-11-03", "b"), ("2026-11-04", "c")):
        issue(cli, draft, day, name)
    files = sorted(folder.glob("invoices/2026/*.yaml"))
    edits = [
        ("Atelier Dupont", "Atelier Durand"),  # a sealed field
        ("gross: ", "gross: 1"),  # a total
        ("issue_date: 2026-11-04", "issue_date: 2025-11-04"),  # filed under another year
    ]
    for path, (old, new) in zip(files, edits, strict=True):
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), "utf-8")
    with files[0].open("a", encoding="utf-8") as handle:
        handle.write("tracking:\n  payments:\n  - date: 2026-10-01\n    amount: -5\n")
    assert all(compared(path.read_bytes()) is not None for path in files)
    fast = cli("check", "--no-cache")
    import facturo.files.written as written

    monkeypatch.setattr(written, "read_written", lambda raw: None)
    slow = cli("check", "--no-cache")
    assert fast.exit_code == slow.exit_code == 1
    assert fast.stdout == slow.stdout, fast.stdout
    for found in ("sealed field", "totals.gross", "filed under 2026", "negative payment"):
        assert found in fast.stdout, fast.stdout


def test_every_file_of_a_bench_folder_reads_as_yamlio_reads_it(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate", REPO / "benchmarks/generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.build_folder(tmp_path, 100, 12)
    issued = sorted(tmp_path.glob("invoices/*/*.yaml"))
    assert len(issued) == 100
    assert all(compared(path.read_bytes()) is not None for path in issued)
    for path in sorted(tmp_path.rglob("*.yaml")):  # config, clients, drafts: either way
        compared(path.read_bytes())


# Characters the reader leaves to yamlio wherever they stand, and some it reads.
REFUSED = "\x00\x01\t\r\x1f\x7f\x80\x85\x9f\u2028\u2029\ufeff\ufffe\uffff"
ACCEPTED = "\xa0é—\u2027\u202a\ufefe\uff00\ufffd😀"


@pytest.mark.parametrize("character", list(REFUSED + ACCEPTED))
def test_an_unusual_character_anywhere_leaves_the_file_to_yamlio(character: str) -> None:
    original = plain_document().decode("utf-8")
    for at in (original.index("Atelier"), original.index("# Invoice") + 2, len(original) - 1):
        text = original[:at] + character + original[at:]
        fast = compared(text.encode("utf-8"))
        assert (fast is None) if character in REFUSED else (fast is not None), (character, at)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_only_the_characters_beyond_ascii_are_searched_for_unusual_ones(text: str) -> None:
    from facturo.files.written import _ORDINARY, _UNUSUAL

    raw = text.encode("utf-8", "surrogatepass")
    rest = raw.translate(None, _ORDINARY)
    found = bool(rest) and _UNUSUAL.search(rest.decode("utf-8", "surrogatepass")) is not None
    assert found == (_UNUSUAL.search(text) is not None)


def test_a_document_longer_than_the_shared_marks_reads_as_yamlio_reads_it() -> None:
    from facturo.files.written import MARKED_LINES

    lines = [{"description": f"ligne {n}", "net": Decimal(n)} for n in range(MARKED_LINES)]
    raw = dump({"number": "F-1", "lines": lines, "end": {"at": 1}}, ["A header"]).encode()
    assert raw.count(b"\n") > MARKED_LINES
    fast = compared(raw)
    assert fast is not None and fast["end"].mark("at")[0] == raw.count(b"\n")
    assert compared(plain_document()) is not None  # and the shared marks still serve others


def test_the_kept_scalars_start_again_when_full_and_read_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import facturo.files.written as written

    monkeypatch.setattr(written, "KEPT_SCALARS", 5)
    monkeypatch.setattr(written, "_SCALARS", {})
    for _ in range(3):
        assert compared(plain_document()) is not None
        assert 0 < len(written._SCALARS) <= 5
