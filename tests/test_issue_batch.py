"""A batch of drafts is issued in one pass over the index: each series is read once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CONFIG, DRAFT, Cli
from facturo.files.yamlio import load_mapping
from facturo.model.numbering import Series

TRAINING_SERIES = """\
  series:
    - name: formation
      kind: invoice
      pattern: "FOR-{year}-{seq:03}"
"""


def issue_batch(cli: Cli, folder: Path, prefix: str, count: int, text: str = DRAFT) -> list[str]:
    names = []
    for index in range(count):
        name = f"drafts/{prefix}{index:02d}.yaml"
        (folder / name).write_text(text, "utf-8")
        names.append(name)
    result = cli("issue", *names, "--date", "2026-11-02")
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.split() if line.startswith("F-")]


def counting_parse(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Count how many numbers are read against a series' pattern."""
    calls = 0
    parse = Series.parse

    def counted(self: Series, number: str) -> tuple[int | None, int] | None:
        nonlocal calls
        calls += 1
        return parse(self, number)

    monkeypatch.setattr(Series, "parse", counted)
    return lambda: calls


def test_each_draft_of_a_batch_costs_the_same_whatever_the_series_holds(
    cli: Cli, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = issue_batch(cli, folder, "old", 40)
    assert issued == [f"F-2026-{n:04d}" for n in range(1, 41)]
    calls = counting_parse(monkeypatch)
    issue_batch(cli, folder, "one", 1)
    one = calls()
    issue_batch(cli, folder, "ten", 10)
    ten = calls() - one
    # The series' 40 documents are read once per batch, not once (or more) per draft.
    assert ten - one <= 9 * 10, (one, ten)


def test_a_batch_numbers_and_chains_as_drafts_issued_one_by_one(cli: Cli, folder: Path) -> None:
    numbers = issue_batch(cli, folder, "b", 3)
    assert numbers == ["F-2026-0001", "F-2026-0002", "F-2026-0003"]
    seals = []
    for number in numbers:
        path = f"invoices/2026/{number}.yaml"
        data, problems = load_mapping(folder / path, path)
        assert data is not None and problems == []
        seals.append((data["seal"]["previous"], data["seal"]["sha256"]))
    assert seals[0][0] is None
    assert seals[1][0] == seals[0][1] and seals[2][0] == seals[1][1]
    assert cli("check").exit_code == 0


def test_a_dry_run_of_drafts_of_a_named_series_gives_each_its_own_number(
    cli: Cli, folder: Path
) -> None:
    (folder / "facturo.yaml").write_text(CONFIG + TRAINING_SERIES, "utf-8")
    names = []
    for index in range(3):
        name = f"drafts/t{index}.yaml"
        (folder / name).write_text("series: formation\n" + DRAFT, "utf-8")
        names.append(name)
    result = cli("issue", *names, "--date", "2026-11-02", "--dry-run")
    assert result.exit_code == 0, result.output
    for number in ("FOR-2026-001", "FOR-2026-002", "FOR-2026-003"):
        assert f"{number}.yaml" in result.output
