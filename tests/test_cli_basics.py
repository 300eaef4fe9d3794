"""The main path through the CLI: check, issue, list, show."""

from __future__ import annotations

from pathlib import Path

from facturo.files.yamlio import load_mapping


def test_issue_assigns_the_first_number_and_removes_the_draft(cli, draft, folder: Path) -> None:
    path = draft()
    result = cli("issue", str(path), "--date", "2026-03-02")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "F-2026-0001"
    issued = folder / "invoices" / "2026" / "F-2026-0001.yaml"
    data, problems = load_mapping(issued, "x")
    assert problems == [] and data is not None
    assert str(data["totals"]["gross"]) == "1620.00"
    assert not path.exists()
    assert cli("check").exit_code == 0
