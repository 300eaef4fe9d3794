"""Shared fixtures: a billing folder in tmp_path, the CLI runner, a fixed today."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from facturo.cli import full_app, only
from pa_server import SECRET as PA_SECRET
from pa_server import PlatformServer, running

app = full_app()

TODAY = dt.date(2026, 11, 22)

CONFIG = """\
seller:
  name: Camille Martin
  legal_form: EI
  address: {street: 12 rue des Lilas, postcode: "75011", city: Paris, country: FR}
  siren: "812345676"
  vat_number: FR19812345676
  email: camille@example.fr
  iban: FR7630006000011234567890189
  bic: BNPAFRPPXXX
defaults:
  currency: EUR
  language: fr
  payment_terms: 30 days
  vat_rate: 20
  late_penalty_rate_percent: 12.15
numbering:
  invoice: {pattern: "F-{year}-{seq:04}", reset: yearly}
"""

CLIENT_DUPONT = """\
name: Atelier Dupont SARL
address: {street: 3 quai Rambaud, postcode: "69002", city: Lyon, country: FR}
siren: "552100554"
email: compta@dupont.example
"""

CLIENT_BERLIN = """\
name: Berlin Works GmbH
address: {street: Torstraße 1, postcode: "10119", city: Berlin, country: DE}
vat_number: DE136695976
electronic_address: "9930:DE136695976"
vat: reverse-charge
language: en
"""

DRAFT = """\
client: dupont
lines:
  - description: Développement
    quantity: 3
    unit: day
    unit_price: 450.00
"""

TWO_RATES = """\
client: dupont
lines:
  - description: Formation
    quantity: 2
    unit: day
    unit_price: 800.00
  - description: Repas
    quantity: 10
    unit_price: 15.00
    vat_rate: 10
"""  # 1600.00 at 20 % and 150.00 at 10 %: 1750.00 + 320.00 + 15.00 = 2085.00


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A valid billing folder with two clients and no documents."""
    root = tmp_path / "billing"
    write(root / "facturo.yaml", CONFIG)
    write(root / "clients" / "dupont.yaml", CLIENT_DUPONT)
    write(root / "clients" / "berlin.yaml", CLIENT_BERLIN)
    (root / "drafts").mkdir()
    return root


@pytest.fixture
def draft(folder: Path) -> Callable[..., Path]:
    """Write a draft in the folder: draft("name", text)."""

    def make(name: str = "d1", text: str = DRAFT) -> Path:
        return write(folder / "drafts" / f"{name}.yaml", text)

    return make


class Cli:
    """Run facturo in a folder as a user would, with a fixed today."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        env = {"FACTURO_DIR": str(self.root), "FACTURO_TODAY": TODAY.isoformat()}
        # as `facturo` runs: typer given the one command named (cli.main)
        command = only(app, list(args))
        return self.runner.invoke(command, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture
def cli(folder: Path) -> Cli:
    return Cli(folder)


@pytest.fixture(autouse=True)
def _no_user_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FACTURO_DIR", "FACTURO_TODAY", "FACTURO_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    # `issue` renders a PDF by default; tests about numbering do not need one (those about
    # PDFs pass --pdf), and real processes inherit this.
    monkeypatch.setenv("FACTURO_PDF", "0")
    os.environ.setdefault("GIT_AUTHOR_NAME", "Test")
    os.environ.setdefault("GIT_AUTHOR_EMAIL", "test@example.org")
    os.environ.setdefault("GIT_COMMITTER_NAME", "Test")
    os.environ.setdefault("GIT_COMMITTER_EMAIL", "test@example.org")


def issue(
    cli: Cli, draft: Callable[..., Path], date: str, name: str = "d1", text: str = DRAFT
) -> str:
    """Write a draft and issue it on `date` through the CLI; the number it got."""
    result = cli("issue", str(draft(name, text)), "--date", date)
    assert result.exit_code == 0, result.output
    return str(result.stdout.strip())


def listed(cli: Cli, *args: str) -> dict[str, dict[str, Any]]:
    """`facturo list --json`, by number."""
    result = cli("list", "--json", *args)
    assert result.exit_code == 0, result.output
    return {d["number"]: d for d in json.loads(result.stdout)}


def run_in_new_process(folder: Path, *args: str, modules: tuple[str, ...]) -> tuple[str, list[str]]:
    """`facturo ARGS` run in a new Python process in `folder`, as a user runs it: what it
    printed, and which of `modules` it imported."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from facturo.cli import main\n"
        "sys.argv = ['facturo', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"sys.stderr.write(' '.join(m for m in {modules!r} if m in sys.modules))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=folder, capture_output=True, text=True,
        check=True, env={**os.environ, "FACTURO_TODAY": "2026-11-22"},
    )  # fmt: skip
    return run.stdout, run.stderr.split()


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (but facturo's git-ignored state) with its sha256."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".facturo" not in path.relative_to(root).parts
    }


@pytest.fixture(scope="session")
def saxon() -> Iterator[Any]:
    """One Saxon processor per test process: saxonche crashes when shared across threads."""
    from saxonche import PySaxonProcessor

    yield PySaxonProcessor(license=False)


@pytest.fixture(scope="session")
def judges(saxon: Any) -> dict[str, Any]:
    """The three official judges (CEN, Factur-X, BR-FR), each compiled once per process."""
    from judges import JUDGES, compile_judge

    return {name: compile_judge(saxon, name) for name in JUDGES}


@pytest.fixture(scope="session")
def en16931(judges: dict[str, Any]) -> Callable[[bytes], list[str]]:
    """The fatal rules of the official CEN EN 16931 validation an XML breaks."""
    run = judges["cen"]
    return lambda xml: [str(failure) for failure in run(xml) if failure.fatal]


@pytest.fixture
def platform(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlatformServer]:
    """A local approved platform (tests/pa_server.py) the folder's `pa:` section points to."""
    monkeypatch.setenv("FACTURO_PA_SECRET", PA_SECRET)
    with running() as server:
        write(folder / "facturo.yaml", CONFIG + server.config())
        yield server


def index_cache(path: Path) -> dict[str, Any]:
    """An index cache file as one JSON value: its mark, `keys` (four numbers per file) and
    `entries` (its columns), as store/cached_entries.py decodes it."""
    from facturo.store.cached_entries import decode_index

    return decode_index(path.read_bytes())


def write_index_cache(path: Path, data: dict[str, Any], *, signed: bool) -> None:
    """Write `data` (as index_cache reads it) as an index cache: signed as facturo signs
    its caches, or not (edited by hand, copied from elsewhere)."""
    from facturo.store.cache import write_signed_bytes
    from facturo.store.cached_entries import encode_index

    mark = {key: value for key, value in data.items() if key not in ("keys", "entries")}
    keys = [number for key in data["keys"] for number in key]
    raw = b"".join(encode_index(mark, keys, data["entries"].items()))
    if signed:
        write_signed_bytes(path, raw)
    else:
        path.write_bytes(raw)


def cached_entry(
    data: dict[str, Any], path: str, key: list[int] | None = None, **values: Any
) -> None:
    """Set fields of the entry of `path` in an index cache read as JSON (entries are held
    column by column), and its stat key when given: what a forged or stale cache holds."""
    from facturo.store.cached_entries import default_cell

    columns = data["entries"]
    place = columns["path"].index(path)
    for name, value in values.items():
        column = columns.setdefault(name, [default_cell(name) for _ in data["keys"]])
        column[place] = value
    if key is not None:
        data["keys"][place] = key


def watch_parsing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The issued files parsed from now on (by this process or, forked after this, by its
    worker processes), by display path."""
    import facturo.store.index as index
    import facturo.store.issued as issued

    parsed: list[str] = []
    original = issued.read_issued

    def spy(file: Path, display: str, *args: Any) -> Any:
        parsed.append(display)
        return original(file, display, *args)

    monkeypatch.setattr(index, "read_issued", spy)
    monkeypatch.setattr(issued, "read_issued", spy)  # as worker processes call it
    return parsed
