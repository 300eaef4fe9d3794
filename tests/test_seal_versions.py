"""The seal holds types (a quoted date is not a date), old seals still verify, and the chain
runs per series and period so that clones merging across a new year verify."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DRAFT, write
from facturo.files.yamlio import load_mapping

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


def test_documents_sealed_by_the_first_rule_still_verify(example: Path) -> None:
    data, _ = load_mapping(example / "invoices/2026/F-2026-0011.yaml", "x")
    assert data is not None and "version" not in data["seal"], "the examples use the first rule"

    result = facturo(example, "check")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [("due_date: 2026-", "due_date: '2026-"), ("  gross: ", "  gross: '")],
    ids=["date", "decimal"],
)
def test_a_quoted_value_in_a_document_sealed_by_the_first_rule_is_reported(
    example: Path, old: str, new: str
) -> None:
    path = example / "invoices/2026/F-2026-0011.yaml"
    line = edit(path, old, new)
    text = path.read_text("utf-8").splitlines()
    text[line - 1] += "'"
    path.write_text("\n".join(text) + "\n", "utf-8")

    result = facturo(example, "check")

    assert result.returncode == 1, result.stdout
    assert f"invoices/2026/F-2026-0011.yaml:{line}:" in result.stdout, result.stdout


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


def test_a_document_sealed_now_chains_after_documents_sealed_by_the_first_rule(
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
