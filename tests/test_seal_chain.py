"""The seal chain: any edit, deletion, re-seal or move of an issued document is reported."""

from __future__ import annotations

import json
import os
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import DRAFT
from facturo.files.canonical import dump
from facturo.files.yamlio import load_mapping
from facturo.store.seal import compute_seal

SECOND = "invoices/2026/F-2026-0002.yaml"
THIRD = "invoices/2026/F-2026-0003.yaml"


@pytest.fixture
def issued(cli, draft, folder: Path) -> Path:
    """Three sealed invoices F-2026-0001..0003 (dated 2026-11-22); the folder."""
    drafts = [str(draft(f"d{i}", f"{DRAFT}notes: n{i}\n")) for i in (1, 2, 3)]
    result = cli("issue", *drafts)
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["F-2026-0001", "F-2026-0002", "F-2026-0003"]
    return folder


def _problems(cli) -> tuple[int, list[str]]:
    result = cli("check")
    return result.exit_code, result.stdout.splitlines()


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the one line holding `old` (in place, as an editor may); its line number."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if old in line]
    assert len(found) == 1, (old, found)
    lines[found[0]] = lines[found[0]].replace(old, new)
    path.write_text("".join(lines), "utf-8")
    return found[0] + 1


def _where(line: str) -> tuple[str, int, int] | None:
    match = re.match(r"^(.+?):(\d+):(\d+): ", line)
    return (match[1], int(match[2]), int(match[3])) if match else None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("issue_date: 2026-11-22", "issue_date: 2026-11-21"),
        ("  name: Atelier Dupont SARL", "  name: Atelier Durand SARL"),
        ("unit_price: 450.00", "unit_price: 500.00"),
        ("gross: 1620.00", "gross: 1720.00"),
        ("legal_form: EI", "legal_form: SAS"),
        ("vat_number: FR19812345676", "vat_number: FR40812345678"),
    ],
    ids=["issue_date", "client.name", "line.unit_price", "totals.gross", "seller.legal_form",
         "seller.vat_number"],
)  # fmt: skip
def test_an_edited_sealed_field_is_reported_at_its_line(
    cli, issued: Path, old: str, new: str
) -> None:
    edited_line = _edit(issued / SECOND, old, new)

    code, lines = _problems(cli)

    assert code == 1, lines
    sealed = [_where(line) for line in lines if SECOND in line and "sealed" in line]
    assert sealed, lines
    assert (SECOND, edited_line) in [(path, line) for path, line, _ in sealed], (edited_line, lines)
    assert not any(line.startswith(THIRD) for line in lines), "the chain itself still holds"


def test_appending_tracking_payments_keeps_the_seal(cli, issued: Path) -> None:
    with open(issued / SECOND, "a", encoding="utf-8") as handle:
        handle.write("tracking:\n  payments:\n  - date: 2026-11-30\n    amount: 500.00\n")

    result = cli("check")

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    listing = cli("list", "--json")
    paid = {row["number"]: Decimal(row["paid"]) for row in json.loads(listing.stdout)}
    assert paid == {"F-2026-0001": 0, "F-2026-0002": Decimal("500.00"), "F-2026-0003": 0}


def test_deleting_a_middle_document_reports_a_gap_and_a_broken_chain(cli, issued: Path) -> None:
    (issued / SECOND).unlink()
    previous_line = _line_of(issued / THIRD, "  previous: ")

    code, lines = _problems(cli)

    assert code == 1
    assert any(
        line.startswith(f"{THIRD}:1:1: gap in the numbering: F-2026-0002 missing") for line in lines
    ), lines
    assert any(
        line.startswith(f"{THIRD}:{previous_line}:1: seal chain broken after F-2026-0001")
        for line in lines
    ), lines


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(text))


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env |= {f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER")
            for what, value in (("NAME", "Camille"), ("EMAIL", "camille@example.fr"))}  # fmt: skip
    result = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("how", ["working-file", "git-rm-and-commit"])
def test_deleting_the_last_document_is_reported_in_a_git_repository(
    cli, issued: Path, how: str
) -> None:
    (issued / ".gitignore").write_text(".facturo/\n", "utf-8")
    _git(issued, "init", "-q")
    _git(issued, "add", "-A")
    _git(issued, "commit", "-q", "-m", "three invoices")
    if how == "working-file":
        (issued / THIRD).unlink()
    else:
        _git(issued, "rm", "-q", THIRD)
        _git(issued, "commit", "-q", "-m", "oops")

    code, lines = _problems(cli)

    assert code == 1, lines
    assert any(line.startswith(f"{THIRD}: issued document deleted") for line in lines), lines


def test_a_document_edited_and_resealed_by_hand_breaks_the_chain_at_the_next(
    cli, issued: Path
) -> None:
    path = issued / SECOND
    data, _ = load_mapping(path, SECOND)
    assert data is not None
    data["client"]["name"] = "Someone Else SARL"
    data["seal"] = compute_seal(data, data["seal"]["previous"])
    path.write_text(dump(data), "utf-8")
    previous_line = _line_of(issued / THIRD, "  previous: ")

    code, lines = _problems(cli)

    assert code == 1
    about_second = [line for line in lines if line.startswith(SECOND)]
    assert not any("sealed field" in line for line in about_second), "it verifies on its own"
    # facturo's record of the numbers it issued still knows the first seal of F-2026-0002.
    assert any("not the only document sealed under this number" in line for line in about_second)
    assert any(
        line.startswith(f"{THIRD}:{previous_line}:1: seal chain broken after F-2026-0002")
        for line in lines
    ), lines


def test_an_edit_that_keeps_size_and_mtime_is_still_reported(cli, issued: Path) -> None:
    path = issued / SECOND
    assert cli("check").exit_code == 0  # fills the cache of issued files
    before = path.stat()
    _edit(path, "unit_price: 450.00", "unit_price: 540.00")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size

    code, lines = _problems(cli)

    assert code == 1, "check trusted its cache over a changed file"
    assert any(line.startswith(f"{SECOND}:") and "sealed" in line for line in lines), lines


def test_a_renamed_file_is_reported(cli, issued: Path) -> None:
    (issued / SECOND).rename(issued / "invoices/2026/F-2026-0009.yaml")

    code, lines = _problems(cli)

    assert code == 1
    assert (
        "invoices/2026/F-2026-0009.yaml:5:1: the file name does not match the number "
        "'F-2026-0002' inside"
    ) in lines, lines


def test_a_file_moved_to_the_wrong_year_is_reported(cli, issued: Path) -> None:
    moved = issued / "invoices/2025/F-2026-0003.yaml"
    moved.parent.mkdir()
    (issued / THIRD).rename(moved)

    code, lines = _problems(cli)

    assert code == 1
    assert "invoices/2025/F-2026-0003.yaml:8:1: issued in 2026 but filed under 2025/" in lines, (
        lines
    )
