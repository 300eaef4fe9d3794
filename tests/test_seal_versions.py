"""The seal holds types (a quoted date is not a date), old seals still verify, and the chain
runs per series and period so that clones merging across a new year verify."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import DRAFT, write
from facturo.files.canonical import dump
from facturo.files.yamlio import load_mapping
from facturo.store.seal import FIRST_VERSION, field_digests, seal_hash

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FIRST = "invoices/2026/F-2026-0001.yaml"


def edit(path: Path, old: str, new: str) -> int:
    lines = path.read_text("utf-8").splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if line.startswith(old)]
    assert len(found) == 1, (old, found)
    lines[found[0]] = lines[found[0]].replace(old, new)
    path.write_text("".join(lines), "utf-8")
    return found[0] + 1


QUOTED = [
    ("due_date: 2026-12-22", "due_date: '2026-12-22'", "due_date"),
    ("issue_date: 2026-11-22", 'issue_date: "2026-11-22"', "issue_date"),
    ("  unit_price: 450.00", "  unit_price: '450.00'", "lines[1].unit_price"),
    ("  gross: 1620.00", "  gross: '1620.00'", "totals.gross"),
]


@pytest.mark.parametrize(("old", "new", "name"), QUOTED, ids=[q[2] for q in QUOTED])
def test_a_quoted_sealed_value_breaks_the_seal(
    cli, draft, folder: Path, old: str, new: str, name: str
) -> None:
    assert cli("issue", str(draft())).stdout.split() == ["F-2026-0001"]
    line = edit(folder / FIRST, old, new)

    result = cli("check")

    assert result.exit_code == 1, result.output
    assert f"{FIRST}:{line}:" in result.stdout and repr(name) in result.stdout, result.stdout
    assert cli("pay", "F-2026-0001", "10").exit_code != 0, "a payment on a broken seal"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    copy = tmp_path / "freelance"
    shutil.copytree(EXAMPLES / "freelance", copy)
    return copy


def facturo(
    folder: Path, *args: str, today: str = "2026-11-22"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "facturo", "--dir", str(folder), "--today", today, *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "FACTURO_PDF": "0"},
    )  # fmt: skip


@pytest.fixture
def first_rule(cli, draft, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    """Invoices of 2025 and 2026 sealed as facturo did before seals had a version: values
    hashed as text, one chain per series across years."""
    for name, date in (("a", "2025-12-30"), ("b", "2026-01-05"), ("c", "2026-11-20")):
        result = cli("issue", str(draft(name, f"{DRAFT}notes: {name}\n")), "--date", date)
        assert result.exit_code == 0, result.output
    previous = None
    for path in sorted((folder / "invoices").rglob("*.yaml")):
        data, _ = load_mapping(path, path.name)
        assert data is not None
        data["seal"] = {
            "previous": previous,
            "sha256": seal_hash(data, previous, FIRST_VERSION),
            "fields": field_digests(data, FIRST_VERSION),
        }
        previous = data["seal"]["sha256"]
        path.write_text(dump(data), "utf-8")
    shutil.rmtree(folder / ".facturo")  # its record knows the seals of version 2
    return folder


def test_documents_sealed_by_the_first_rule_still_verify(cli, first_rule: Path) -> None:
    result = cli("check")

    assert result.exit_code == 0, result.output
    assert cli("pay", "F-2026-0001", "10").exit_code == 0
    assert cli("check").exit_code == 0


@pytest.mark.parametrize(
    ("old", "new", "name"),
    [
        ("due_date: 2026-12-20", "due_date: '2026-12-20'", "due_date"),
        ("  gross: 1620.00", "  gross: '1620.00'", "totals.gross"),
        ("  unit_price: 450.00", "  unit_price: '450.00'", "lines[1].unit_price"),
    ],
    ids=["date", "amount", "line-amount"],
)
def test_a_quoted_value_in_a_document_sealed_by_the_first_rule_is_reported(
    cli, first_rule: Path, old: str, new: str, name: str
) -> None:
    path = first_rule / "invoices/2026/F-2026-0002.yaml"
    line = edit(path, old, new)

    result = cli("check")

    assert result.exit_code == 1, result.output
    assert f"invoices/2026/F-2026-0002.yaml:{line}:" in result.stdout, result.stdout
    assert f"sealed field {name!r}" in result.stdout, result.stdout
    assert cli("pay", "F-2026-0002", "10").exit_code != 0, "a payment on a broken seal"


def test_the_examples_sealed_by_the_first_rule_take_documents_sealed_now(
    example: Path,
) -> None:
    text = DRAFT.replace("client: dupont", "client: velo-partage")
    new = write(example / "drafts" / "new.yaml", text)

    issued = facturo(example, "issue", str(new))

    assert issued.returncode == 0, issued.stderr
    number = issued.stdout.split()[0]
    data, _ = load_mapping(example / f"invoices/2026/{number}.yaml", "x")
    assert data is not None and data["seal"]["version"] == 2
    result = facturo(example, "check")
    assert result.returncode == 0, result.stdout + result.stderr


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    result = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_clones_issuing_across_the_new_year_merge_into_a_valid_chain(
    folder: Path, tmp_path: Path
) -> None:
    first = write(folder / "drafts" / "first.yaml", DRAFT)
    assert facturo(
        folder, "issue", str(first), "--date", "2026-12-30", today="2026-12-30"
    ).stdout.split() == ["F-2026-0001"]
    write(folder / ".gitignore", ".facturo/\n")
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "F-2026-0001")
    late = tmp_path / "late"  # clone B, still issuing on December 31
    git(tmp_path, "clone", "-q", str(folder), str(late))
    draft_b = write(late / "drafts" / "b.yaml", f"{DRAFT}notes: b\n")
    issued_b = facturo(late, "issue", str(draft_b), "--date", "2026-12-31", today="2026-12-31")
    assert issued_b.stdout.split() == ["F-2026-0002"], issued_b.stderr
    git(late, "add", "-A")
    git(late, "commit", "-q", "-m", "F-2026-0002")
    draft_a = write(folder / "drafts" / "a.yaml", f"{DRAFT}notes: a\n")
    issued_a = facturo(folder, "issue", str(draft_a), "--date", "2027-01-02", today="2027-01-02")
    assert issued_a.stdout.split() == ["F-2027-0001"], issued_a.stderr
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "F-2027-0001")

    git(folder, "pull", "-q", "--no-rebase", "--no-edit", str(late), "main")

    assert (folder / "invoices/2026/F-2026-0002.yaml").is_file()
    result = facturo(folder, "check", today="2027-01-02")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "seal chain" not in result.stdout


def test_the_digests_are_those_of_the_json_text_the_rules_define(tmp_path: Path) -> None:
    import datetime as dt
    import hashlib
    import importlib.util
    import json
    from decimal import Decimal

    from facturo.store.seal import VERSION, _digest

    def typed(value: object) -> dict[str, str]:
        if isinstance(value, Decimal):
            return {"decimal": format(value, "f")}
        if isinstance(value, dt.datetime):
            return {"datetime": value.isoformat()}
        assert isinstance(value, dt.date)
        return {"date": value.isoformat()}

    def exact(value: object) -> str:
        return format(value, "f") if isinstance(value, Decimal) else typed(value)["date"]

    options = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
    spec = importlib.util.spec_from_file_location(
        "generate", EXAMPLES.parent / "benchmarks/generate.py"
    )
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.build_folder(tmp_path, 40, 5)  # a bench folder's documents, as well as the examples
    issued = sorted([*EXAMPLES.glob("*/*/20*/*.yaml"), *tmp_path.glob("invoices/*/*.yaml")])
    assert len(issued) > 40
    for path in issued:
        data, problems = load_mapping(path, path.name)
        assert data is not None and not problems
        for version, default in ((FIRST_VERSION, exact), (VERSION, typed)):
            text = json.dumps(data, default=default, **options)  # type: ignore[arg-type]
            assert _digest(data, version) == hashlib.sha256(text.encode()).hexdigest()


def test_equal_amounts_written_otherwise_are_sealed_as_written() -> None:
    from facturo.store.seal import _digest

    values = [Decimal("1.0"), Decimal("1.00"), Decimal("1"), Decimal("0.00"), dt.date(2026, 1, 2)]
    first = [_digest({"v": value}, 2) for value in values]
    again = [_digest({"v": value}, 2) for value in values]  # each typed once, then kept
    fresh = [_digest({"v": Decimal(str(value))}, 2) for value in values[:4]]
    assert first == again and first[:4] == fresh and len(set(first)) == len(values)
