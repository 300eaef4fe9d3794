"""The tracking section of issued documents is validated like the files users write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import TODAY, snapshot
from facturo.cli import full_app

app = full_app()

EXAMPLE = Path(__file__).parent.parent / "examples" / "freelance"
INVOICE = "invoices/2026/F-2026-0012.yaml"  # issued 2026-10-09, no tracking yet
QUOTE = "quotes/2026/D-2026-002.yaml"


def run(root: Path, *args: str):  # type: ignore[no-untyped-def]
    env = {"FACTURO_DIR": str(root), "FACTURO_TODAY": TODAY.isoformat(), "FACTURO_PDF": "0"}
    return CliRunner().invoke(app, ["--dir", str(root), *args], env=env)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "freelance"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".facturo"))
    return copy


def add_tracking(root: Path, relative: str, text: str) -> int:
    """Append a tracking section; the line it starts on."""
    path = root / relative
    before = path.read_text("utf-8")
    path.write_text(before + text, "utf-8")
    return before.count("\n") + 1


CASES = [
    ("a typo", "tracking:\n  payment:\n  - {date: 2026-11-02, amount: 10.00}\n", 1, 3, "unknown key 'payment' (did you mean 'payments'?)"),
    ("an unknown event", "tracking:\n  paid_in_full: {date: 2026-11-02}\n", 1, 3, "unknown key 'paid_in_full'"),
    ("a typo in a payment", "tracking:\n  payments:\n  - {date: 2026-11-02, amount: 10.00, methd: cash}\n", 2, 39, "unknown key 'methd' (did you mean 'method'?)"),
    ("a negative payment without a reason", "tracking:\n  payments:\n  - {date: 2026-11-02, amount: -10.00, method: cash}\n", 2, 5, "a negative payment (-10.00) corrects an earlier one and needs a reason"),
    ("a payment before the invoice", "tracking:\n  payments:\n  - {date: 2026-10-01, amount: 10.00, method: cash}\n", 2, 6, "payment dated 2026-10-01, before the document's issue date 2026-10-09"),
    ("a payment without a date", "tracking:\n  payments:\n  - {amount: 10.00}\n", 2, 5, "missing required key 'date'"),
    ("an amount that is no number", "tracking:\n  payments:\n  - {date: 2026-11-02, amount: dix}\n", 2, 24, "expected a number, got 'dix'"),
    ("an impossible date", "tracking:\n  payments:\n  - {date: 2026-11-31, amount: 10.00}\n", 2, 6, "no such date '2026-11-31'"),
    ("an unknown method", "tracking:\n  payments:\n  - {date: 2026-11-02, amount: 10.00, method: bitcoin}\n", 2, 39, "unknown value 'bitcoin'"),
    ("payments that are not a list", "tracking:\n  payments: 10.00\n", 1, 3, "expected a list"),
    ("items that are not payments", "tracking:\n  payments: [1, 2]\n", 1, 14, "expected key: value lines, got a whole number"),
    ("tracking that is no mapping", "tracking: paid\n", 0, 1, "tracking must be key: value lines"),
    ("a reminder without a date", "tracking:\n  reminders:\n  - {level: 1}\n", 2, 5, "missing required key 'date'"),
    ("a reminder level that is no number", "tracking:\n  reminders:\n  - {date: 2026-11-02, level: un}\n", 2, 24, "expected a number, got 'un'"),
    ("an invoice accepted", "tracking:\n  accepted: {date: 2026-11-02}\n", 1, 3, "only a quote is accepted"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "line", "col", "message"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_check_reports_bad_tracking_at_its_line(
    root: Path, text: str, line: int, col: int, message: str
) -> None:
    start = add_tracking(root, INVOICE, text)
    result = run(root, "check", "--no-cache")
    assert result.exit_code == 1, result.output
    where = f"{INVOICE}:{start + line}:{col}: "
    assert f"{where}{message}" in result.output, result.output


@pytest.mark.parametrize(
    "args",
    [
        ("show", "F-2026-0012"),
        ("pay", "F-2026-0012", "10"),
        ("receipt", "F-2026-0012"),
        ("statement", "velo-partage"),
        ("credit", "F-2026-0012", "--reason", "Erreur", "--full"),
        ("render", "F-2026-0012"),
    ],
    ids=lambda args: args[0],
)
def test_commands_that_read_bad_tracking_stop_with_its_line(
    root: Path, args: tuple[str, ...]
) -> None:
    start = add_tracking(root, INVOICE, "tracking:\n  payments:\n  - {date: x, amount: y}\n")
    before = snapshot(root)
    result = run(root, *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 3, result.output
    assert f"{INVOICE}:{start + 2}:" in result.output
    assert "invalid" in result.output
    assert snapshot(root) == before


def test_a_quote_both_accepted_and_declined(root: Path) -> None:
    # D-2026-002 was declined on 2026-09-20
    path = root / QUOTE
    text = path.read_text("utf-8").replace(
        "tracking:\n", "tracking:\n  accepted: {date: 2026-09-02}\n"
    )
    path.write_text(text, "utf-8")
    result = run(root, "check", "--no-cache")
    assert result.exit_code == 1
    assert "a quote is either accepted or declined, not both" in result.output


def test_recorded_tracking_passes(root: Path) -> None:
    assert run(root, "pay", "F-2026-0012", "100", "--ref", "VIR-1").exit_code == 0
    assert run(root, "pay", "F-2026-0012", "-100", "--reason", "rejet").exit_code == 0
    result = run(root, "check", "--no-cache")
    assert result.exit_code == 0, result.output
