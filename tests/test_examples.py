"""Every folder in examples/ passes `facturo check` and lists the documents it shows."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from facturo.cli import app
from facturo.yamlio import load_mapping

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SOURCES = EXAMPLES / "sources"
TODAY = "2026-11-22"
EXPECTED_KINDS = {
    "freelance": {"invoice": 13, "deposit": 1, "quote": 1},
    "micro": {"invoice": 5},
}


def billing_folders() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and p != SOURCES)


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (but facturo's git-ignored state) with its sha256."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".facturo" not in path.relative_to(root).parts
    }


def facturo(folder: Path, *args: str) -> tuple[int, str]:
    env = {"FACTURO_DIR": str(folder), "FACTURO_TODAY": TODAY}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout


def copy_of(name: str, tmp_path: Path) -> Path:
    copy = tmp_path / name
    shutil.copytree(EXAMPLES / name, copy, ignore=shutil.ignore_patterns(".facturo"))
    return copy


def test_every_example_is_a_documented_billing_folder() -> None:
    names = [p.name for p in billing_folders()]
    assert names == sorted(EXPECTED_KINDS)
    for name in names:
        assert (EXAMPLES / name / "facturo.yaml").is_file()
        assert (EXAMPLES / name / "README.md").is_file()
        assert (SOURCES / name).is_dir()


@pytest.mark.parametrize("name", [p.name for p in billing_folders()])
def test_example_passes_check_without_writing(name: str, tmp_path: Path) -> None:
    checkout = snapshot(EXAMPLES)
    copy = copy_of(name, tmp_path)
    copied = snapshot(copy)
    code, stdout = facturo(copy, "check", "--json")
    assert code == 0, stdout
    assert json.loads(stdout) == {"errors": 0, "warnings": 0, "problems": []}
    assert snapshot(copy) == copied, "check wrote outside .facturo/"
    assert snapshot(EXAMPLES) == checkout, "the checkout's examples/ changed"


@pytest.mark.parametrize("name", sorted(EXPECTED_KINDS))
def test_example_lists_its_documents(name: str, tmp_path: Path) -> None:
    code, stdout = facturo(copy_of(name, tmp_path), "list", "--json")
    assert code == 0, stdout
    documents = json.loads(stdout)
    assert Counter(d["kind"] for d in documents) == EXPECTED_KINDS[name]
    assert all(d["currency"] == "EUR" for d in documents)


@pytest.mark.parametrize("name", sorted(EXPECTED_KINDS))
def test_issued_documents_come_from_the_sources(name: str) -> None:
    """Each issued file was issued by examples/build.sh from one source, on its date."""
    sources = {
        hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in (SOURCES / name).glob("*.yaml")
    }
    issued = sorted((EXAMPLES / name).glob("*/[0-9][0-9][0-9][0-9]/*.yaml"))
    assert len(issued) == len(sources)
    for path in issued:
        data, problems = load_mapping(path, path.name)
        assert data is not None and problems == []
        source = sources.get(data["source"]["sha256"])
        assert source is not None, f"{path.name}: no source in examples/sources/{name}/"
        date, _, draft = source.partition("_")
        assert (str(data["issue_date"]), data["source"]["draft"]) == (date, f"drafts/{draft}")
