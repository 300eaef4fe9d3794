"""Every folder in examples/ passes `facturo check` and lists the documents it shows."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import snapshot
from facturo.cli import full_app
from facturo.files.yamlio import load_mapping

app = full_app()

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SOURCES = EXAMPLES / "sources"
TODAY = "2026-11-22"
EXPECTED_KINDS = {
    "freelance": {"invoice": 13, "deposit": 1, "quote": 2, "credit_note": 2},
    "micro": {"invoice": 6, "quote": 1, "credit_note": 1},
}
# What each example shows on TODAY, as (kind, derived status): count.
EXPECTED_STATUSES = {
    "freelance": {
        ("invoice", "paid"): 8,  # one after a bounced cheque and its correction, one in two
        ("invoice", "partially-paid"): 1,  # F-2026-0014
        ("invoice", "overdue"): 2,  # F-2026-0011, F-2026-0013
        ("invoice", "issued"): 1,  # F-2026-0012, the final invoice deducting the deposit
        ("invoice", "cancelled"): 1,  # F-2026-0010, by a full credit note
        ("deposit", "paid"): 1,  # F-2026-0006
        ("credit_note", "issued"): 2,  # AV-2026-0001 (partial), AV-2026-0002 (full)
        ("quote", "accepted"): 1,  # D-2026-001, with a 30 % deposit
        ("quote", "declined"): 1,  # D-2026-002
    },
    "micro": {
        ("invoice", "paid"): 4,  # 2026-006 after a partial credit note
        ("invoice", "overdue"): 1,  # 2026-004, partly paid
        ("invoice", "issued"): 1,  # 2026-005, from the accepted quote
        ("credit_note", "issued"): 1,
        ("quote", "accepted"): 1,  # DEVIS-2026-001, without deposit
    },
}
EVENT = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(pay|credit|accept|decline|issue)\s")


def billing_folders() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and p != SOURCES)


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


def events(name: str) -> list[tuple[str, list[str]]]:
    """The lifecycle events of an example: (date, facturo arguments), in file order."""
    path = SOURCES / name / "events.txt"
    found = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = EVENT.match(line)
        assert match, f"{path.name}:{number}: expected '<YYYY-MM-DD> <command> ...'"
        found.append((match.group(1), shlex.split(line[len(match.group(1)) :])))
    return found


@pytest.mark.parametrize("name", sorted(EXPECTED_KINDS))
def test_example_shows_every_status(name: str, tmp_path: Path) -> None:
    code, stdout = facturo(copy_of(name, tmp_path), "list", "--json")
    assert code == 0, stdout
    documents = json.loads(stdout)
    assert Counter((d["kind"], d["status"]) for d in documents) == EXPECTED_STATUSES[name]
    # Payments, partial and full credit notes and deposits all reconcile.
    assert all(Decimal(d["balance"]) >= 0 for d in documents)


@pytest.mark.parametrize("name", sorted(EXPECTED_KINDS))
def test_statements_of_the_examples_close_on_the_open_balances(name: str, tmp_path: Path) -> None:
    copy = copy_of(name, tmp_path)
    _, listing = facturo(copy, "list", "--json")
    documents = json.loads(listing)
    for client in sorted({d["client"] for d in documents}):
        code, stdout = facturo(copy, "statement", client, "--json")
        assert code == 0, stdout
        statement = json.loads(stdout)
        balances = [Decimal(d["balance"]) for d in documents if d["client"] == client]
        assert Decimal(statement["closing_balance"]) == sum(balances), client
        assert sum(Decimal(a["amount"]) for a in statement["aging"]) == sum(balances), client


def test_the_final_invoice_of_the_freelance_example_deducts_its_deposit() -> None:
    path = EXAMPLES / "freelance/invoices/2026/F-2026-0012.yaml"
    data, problems = load_mapping(path, path.name)
    assert data is not None and problems == []
    assert data["quote"]["number"] == "D-2026-001"
    deductions = [line for line in data["lines"] if "deposit" in line]
    assert [(d["deposit"]["number"], d["net"]) for d in deductions] == [
        ("F-2026-0006", Decimal("-3444.00"))
    ]
    assert data["totals"]["net"] == Decimal("8036.00")  # 11480.00 quoted - 3444.00 deposit


@pytest.mark.parametrize("name", sorted(EXPECTED_KINDS))
def test_issued_documents_come_from_the_sources(name: str) -> None:
    """Each issued file was issued by examples/build.sh, on its date, from one source or by
    one event (a credit note, or a draft that an accepted quote wrote)."""
    sources = {
        hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in (SOURCES / name).glob("*.yaml")
    }
    made_by_events = Counter()
    for date, args in events(name):
        if args[0] == "credit":
            made_by_events[(date, f"drafts/credit-{args[1]}.yaml")] += 1
        elif args[0] == "issue":
            made_by_events[(date, args[1])] += 1
    issued = sorted((EXAMPLES / name).glob("*/[0-9][0-9][0-9][0-9]/*.yaml"))
    assert len(issued) == len(sources) + sum(made_by_events.values())
    for path in issued:
        data, problems = load_mapping(path, path.name)
        assert data is not None and problems == []
        origin = (str(data["issue_date"]), data["source"]["draft"])
        source = sources.pop(data["source"]["sha256"], None)
        if source is not None:
            date, _, draft = source.partition("_")
            assert origin == (date, f"drafts/{draft}"), path.name
        else:
            assert made_by_events[origin] > 0, f"{path.name}: no source nor event made it"
            made_by_events[origin] -= 1
    assert sources == {}
