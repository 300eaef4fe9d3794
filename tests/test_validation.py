"""Every validation rule, one broken file each, with its exact message and position."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import TODAY
from facturo.checks.documents import open_ledger
from facturo.reports.check import check_folder

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "invalid").glob("*.yaml"))


def _target(root: Path, fixture: Path) -> Path:
    kind = fixture.name.split("-", 1)[0]
    if kind == "config":
        return root / "facturo.yaml"
    if kind == "client":
        return root / "clients" / "sample.yaml"
    return root / "drafts" / fixture.name


def _expectation(fixture: Path) -> str | None:
    first = fixture.read_text("utf-8").splitlines()[0]
    if first.strip() == "# expect-none":
        return None
    assert first.startswith("# expect: "), f"{fixture.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_broken_file_gets_its_exact_message(folder: Path, fixture: Path) -> None:
    target = _target(folder, fixture)
    shutil.copyfile(fixture, target)
    display = target.relative_to(folder).as_posix()
    problems = [str(p) for p in check_folder(open_ledger(folder), TODAY)]
    expected = _expectation(fixture)
    if expected is None:
        assert [p for p in problems if p.startswith(display)] == []
    else:
        assert f"{display}:{expected}" in problems


def test_valid_folder_has_no_problem(folder: Path) -> None:
    assert check_folder(open_ledger(folder), TODAY) == []


def test_problems_are_sorted_by_file_and_line(folder: Path) -> None:
    chosen = [f for f in FIXTURES if f.stem in {"client-bad-email", "config-bad-iban"}]
    chosen += [f for f in FIXTURES if f.stem.startswith("draft-")][:4]
    for fixture in chosen:
        shutil.copyfile(fixture, _target(folder, fixture))
    problems = check_folder(open_ledger(folder), TODAY)
    keys = [(p.path, p.line, p.col) for p in problems]
    assert keys == sorted(keys)
    assert len({p.path for p in problems}) >= 3
