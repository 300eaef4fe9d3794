"""Limits on what files may hold: real currencies, sizes, links, numbers that never restart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import CONFIG, DRAFT, issue, snapshot, write


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU", "XDR", "FRF"])
def test_a_code_that_is_no_money_is_refused(cli, draft, folder: Path, code: str) -> None:
    path = draft("d1", f"currency: {code}\n" + DRAFT)
    result = cli("check")
    assert result.exit_code == 1
    assert f"drafts/d1.yaml:1:1: unknown currency '{code}'" in result.output
    before = snapshot(folder)
    assert cli("issue", str(path)).exit_code == 3
    assert snapshot(folder) == before


@pytest.mark.parametrize("code", ["EUR", "XPF", "XOF", "CHF", "JPY"])
def test_real_currencies_pass(cli, draft, code: str) -> None:
    draft("d1", f"currency: {code}\n" + DRAFT)
    result = cli("check")
    assert "unknown currency" not in result.output


def test_a_credit_note_of_zero_takes_no_number(cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    before = snapshot(folder)
    result = cli(
        "credit", "F-2026-0001", "--reason", "x", "--line", "1", "--quantity", "0.0000000001"
    )
    assert result.exit_code == 1
    assert "the credit note's total is 0: it corrects nothing" in result.output
    assert snapshot(folder) == before
    # the next credit note is still the first of its series
    result = cli("credit", "F-2026-0001", "--reason", "x", "--line", "1", "--quantity", "1")
    assert result.exit_code == 0, result.output
    assert "AV-2026-0001" in result.output


def test_a_ten_megabyte_description_is_refused(cli, draft, folder: Path) -> None:
    path = draft("d1", DRAFT.replace("Développement", "x" * 10_000_000))
    result = cli("check")
    assert result.exit_code == 1
    assert "drafts/d1.yaml: too large for a facturo file (over 4 MB)" in result.output
    before = snapshot(folder)
    assert cli("issue", str(path)).exit_code == 3
    assert snapshot(folder) == before


def test_a_long_text_is_refused_at_its_line(cli, draft) -> None:
    draft("d1", DRAFT.replace("Développement", "x" * 5_001))
    result = cli("check")
    assert result.exit_code == 1
    assert "drafts/d1.yaml:3:5: text longer than 5000 characters (5001)" in result.output


def test_a_draft_linked_out_of_the_folder_is_refused(cli, folder: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "elsewhere" / "draft.yaml", DRAFT)
    (folder / "drafts" / "linked.yaml").symlink_to(outside)
    result = cli("check")
    assert result.exit_code == 1
    assert "drafts/linked.yaml: a draft must be a file inside the billing folder" in result.output
    before = snapshot(folder)
    result = cli("issue", "drafts/linked.yaml")
    assert result.exit_code != 0
    assert snapshot(folder) == before
    assert outside.read_text("utf-8") == DRAFT


def test_a_pattern_change_does_not_restart_the_series(cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    issue(cli, draft, "2026-11-03")
    config = folder / "facturo.yaml"
    config.write_text(CONFIG.replace('"F-{year}-{seq:04}"', '"FA-{year}-{seq:04}"'), "utf-8")
    path = draft("d3", DRAFT)
    before = snapshot(folder)
    result = cli("issue", str(path), "--date", "2026-11-04")
    assert result.exit_code == 1
    assert "F-2026-0002 does not follow the invoice pattern 'FA-{year}-{seq:04}'" in result.output
    assert "would restart at FA-2026-0001" in result.output
    assert "numbering.invoice.start" in result.output
    assert snapshot(folder) == before


def test_a_documented_start_continues_the_series(cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    issue(cli, draft, "2026-11-03")
    config = folder / "facturo.yaml"
    changed = '{pattern: "FA-{year}-{seq:04}", reset: yearly, start: FA-2026-0003}'
    config.write_text(re.sub(r"\{pattern: \"F-.*\}", changed, CONFIG), "utf-8")
    result = cli("issue", str(draft("d3", DRAFT)), "--date", "2026-11-04")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "FA-2026-0003"
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert "does not follow" not in result.output


def test_check_reports_a_series_that_restarted(cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    config = folder / "facturo.yaml"
    changed = '{pattern: "FA-{year}-{seq:04}", reset: yearly, start: FA-2026-0001}'
    config.write_text(re.sub(r"\{pattern: \"F-.*\}", changed, CONFIG), "utf-8")
    issue(cli, draft, "2026-11-03", "d2")  # restarted on purpose at FA-2026-0001
    assert cli("check").exit_code == 0
    config.write_text(CONFIG.replace('"F-{year}-{seq:04}"', '"FA-{year}-{seq:04}"'), "utf-8")
    result = cli("check")
    assert result.exit_code == 1
    assert "invoices/2026/FA-2026-0001.yaml:1:1: F-2026-0001 does not follow" in result.output


def test_a_start_must_follow_its_pattern(cli, folder: Path) -> None:
    changed = '{pattern: "FA-{year}-{seq:04}", reset: yearly, start: F-2026-0003}'
    (folder / "facturo.yaml").write_text(re.sub(r"\{pattern: \"F-.*\}", changed, CONFIG), "utf-8")
    result = cli("check")
    assert result.exit_code == 1
    assert "start 'F-2026-0003' does not follow the pattern 'FA-{year}-{seq:04}'" in result.output


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (
            b"client: dupont\nlines:\n  - description: caf\xe9\n",
            "3:21",
            "not UTF-8 text: byte 0xe9",
        ),
        (b"client: dupont\nnotes: a\x00b\n", "2:9", "a NUL byte is not allowed"),
        (b"client: dupont\n\nnotes: \x1b[31m\n", "3:8", "the control character U+001B"),
    ],
    ids=["latin-1", "nul", "escape"],
)
def test_bytes_that_are_no_text_are_found_at_their_line(
    cli, folder: Path, data: bytes, where: str, message: str
) -> None:
    (folder / "drafts" / "d1.yaml").write_bytes(data)
    result = cli("check")
    assert result.exit_code == 1
    assert f"drafts/d1.yaml:{where}: {message}" in result.output
