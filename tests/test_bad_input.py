"""Bad input on the example folder: a message at its line, the documented exit code, no file changed."""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import TODAY, snapshot
from facturo.cli import full_app

app = full_app()

EXAMPLE = Path(__file__).parent.parent / "examples" / "freelance"
DRAFT = "drafts/velo-partage-sprint-4.yaml"
INVOICE = "invoices/2026/F-2026-0012.yaml"
QUOTE = "drafts/q.yaml"
WHERE = re.compile(r"^[\w./-]+\.yaml:\d+:\d+: ", re.MULTILINE)


def replace(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / relative
        text = path.read_text("utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), "utf-8")

    return edit


def append(relative: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        with (root / relative).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return edit


def write(relative: str, text: str) -> Callable[[Path], None]:
    return lambda root: (root / relative).write_text(text, "utf-8")


def raw(relative: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / relative
        path.write_bytes(path.read_bytes().replace(old, new, 1))

    return edit


def untouched(root: Path) -> None:
    return None


def quote_draft(valid_days: str) -> Callable[[Path], None]:
    return write(
        QUOTE,
        f"kind: quote\nclient: roussel\nvalid_days: {valid_days}\n"
        "lines:\n  - {description: Atelier, unit_price: 10}\n",
    )


ISSUE = ("issue", DRAFT, "--no-pdf")
LINE_PROBLEM = "line"  # the output names the file, line and column
# (name, edit, command, exit code, what the output says)
CASES = [
    ("impossible date in a draft", replace(DRAFT, "start: 2026-10-26", "start: 2026-02-30"), ("check",), 1, "no such date '2026-02-30'"),
    ("impossible date, issue", replace(DRAFT, "start: 2026-10-26", "start: 2026-02-30"), ISSUE, 3, "no such date '2026-02-30'"),
    ("month 13", replace(DRAFT, "start: 2026-10-26", "start: 2026-13-01"), ("check",), 1, "no such date '2026-13-01'"),
    ("impossible date in the config", replace("facturo.yaml", "thanks: Merci pour votre confiance !", "thanks: 2026-02-30"), ("check",), 0, ""),
    ("impossible date in a client", replace("clients/roussel.yaml", "payment_terms: à réception", "payment_terms: 2026-02-30"), ("check",), 1, "unknown payment terms '2026-02-30'"),
    ("impossible issue date, check", replace(INVOICE, "issue_date: 2026-10-09", "issue_date: 2026-02-30"), ("check",), 1, "the issue date must be a date"),
    ("impossible issue date, list", replace(INVOICE, "issue_date: 2026-10-09", "issue_date: 2026-02-30"), ("list",), 0, ""),
    ("impossible issue date, show", replace(INVOICE, "issue_date: 2026-10-09", "issue_date: 2026-02-30"), ("show", "F-2026-0012"), 3, "F-2026-0012.yaml is damaged or was changed after issue"),
    ("impossible issue date, remind", replace(INVOICE, "issue_date: 2026-10-09", "issue_date: 2026-02-30"), ("remind",), 0, ""),
    ("impossible date and time", replace(DRAFT, "start: 2026-10-26", "start: 2026-02-30 10:00:00"), ("check",), 1, "expected a date like 2026-03-31"),
    ("29 significant digits", replace(DRAFT, "unit_price: 520.00", "unit_price: 12345678901234567890123456789.5"), ("check",), 1, "at most 12 digits before the decimal point"),
    ("29 significant digits, issue", replace(DRAFT, "unit_price: 520.00", "unit_price: 12345678901234567890123456789.5"), ISSUE, 3, "at most 12 digits before"),
    ("28 decimals in a quantity", replace(DRAFT, "quantity: 8", "quantity: 1.0000000000000000000000000001"), ISSUE, 3, "at most 10 digits after the decimal point"),
    ("1e400 price", replace(DRAFT, "unit_price: 520.00", "unit_price: 1e400"), ("check",), 1, "at most 12 digits before"),
    ("1e400 price, issue", replace(DRAFT, "unit_price: 520.00", "unit_price: 1e400"), ISSUE, 3, "at most 12 digits before"),
    ("1e-400 price, issue", replace(DRAFT, "unit_price: 520.00", "unit_price: 1e-400"), ISSUE, 3, "at most 10 digits after"),
    ("1e400 quantity", replace(DRAFT, "quantity: 8", "quantity: 1e400"), ISSUE, 3, "at most 12 digits before"),
    ("1e400 discount", replace(DRAFT, "lines:", "discount: 1e400\nlines:"), ISSUE, 3, "at most 12 digits before"),
    ("!!float 1e400", replace(DRAFT, "quantity: 8", "quantity: !!float 1e400"), ISSUE, 3, "at most 12 digits before"),
    ("a 5000-digit whole number", replace(DRAFT, "quantity: 8", "quantity: 1" + "0" * 5000), ("check",), 1, "expected a number"),
    ("!!int with 5000 digits", replace(DRAFT, "quantity: 8", "quantity: !!int 1" + "0" * 5000), ("check",), 1, "expected a number"),
    ("!!timestamp garbage in a draft", replace(DRAFT, "start: 2026-10-26", "start: !!timestamp garbage"), ("check",), 1, "expected a date like 2026-03-31, got 'garbage'"),
    ("!!timestamp garbage in an issued file", replace(INVOICE, "issue_date: 2026-10-09", "issue_date: !!timestamp garbage"), ("list",), 0, ""),
    ("!!int abc in a draft", replace(DRAFT, "quantity: 8", "quantity: !!int abc"), ("check",), 1, "expected a number, got 'abc'"),
    ("!!int abc in the config", replace("facturo.yaml", "vat_rate: 20", "vat_rate: !!int abc"), ("check",), 1, "expected a number, got 'abc'"),
    ("!!int 0x1F", replace(DRAFT, "quantity: 8", "quantity: !!int 0x1F"), ("check",), 1, "expected a number, got '0x1F'"),
    ("!!bool maybe", replace(DRAFT, "quantity: 8", "quantity: !!bool maybe"), ("check",), 1, "expected a number, got 'maybe'"),
    ("!!binary", replace(DRAFT, "quantity: 8", "quantity: !!binary aGVsbG8="), ("check",), 1, "the tag tag:yaml.org,2002:binary is not supported"),
    ("!!map on a scalar", replace(DRAFT, "quantity: 8", "quantity: !!map x"), ("check",), 1, "expected key: value lines after !!map"),
    ("!!seq on a scalar", replace(DRAFT, "quantity: 8", "quantity: !!seq x"), ("check",), 1, "expected a list after !!seq"),
    ("huge valid_days", quote_draft("99999999999"), ("issue", QUOTE, "--no-pdf"), 3, "expected a whole number up to 99999"),
    ("huge valid_days, check", quote_draft("99999999999"), ("check",), 1, "expected a whole number up to 99999"),
    ("huge negative valid_days", quote_draft("-99999999999"), ("issue", QUOTE, "--no-pdf"), 3, "expected a whole number up to 99999"),
    ("a NUL byte", raw(DRAFT, b"quantity: 8", b"quantity: 8\x00"), ("check",), 1, "a NUL byte is not allowed"),
    ("a control character", raw(DRAFT, b"quantity: 8", b"quantity: 8\x07"), ("check",), 1, "the control character U+0007"),
    ("latin-1 text", raw(DRAFT, "Développement".encode(), "Développement".encode("latin-1")), ("check",), 1, "not UTF-8 text: byte 0xe9"),
    ("a payment of 1e400", untouched, ("pay", "F-2026-0012", "1e400"), 2, "at most 12 digits before"),
    ("a payment with 29 digits", untouched, ("pay", "F-2026-0012", "12345678901234567890123456789.5"), 2, "at most 12 digits before"),
    ("a credit of 1e400", untouched, ("credit", "F-2026-0012", "--reason", "x", "--amount", "1e400"), 2, "at most 12 digits before"),
    ("a date in year 9999", untouched, ("--today", "9999-12-31", "remind"), 2, "a date between 1900-01-01 and 2999-12-31"),
    ("a payment in year 1", untouched, ("pay", "F-2026-0012", "1", "--date", "0001-01-01"), 2, "a date between 1900-01-01"),
    ("a damaged kind, statement", replace("invoices/2026/F-2026-0013.yaml", "kind: invoice", "kind: [x]"), ("statement", "roussel"), 3, "no statement for roussel: some documents are invalid"),
    ("a credited number that is a mapping", replace("credit-notes/2026/AV-2026-0002.yaml", "  number: F-2026-0010", "  number: {x: 1}"), ("credit", "F-2026-0012", "--reason", "x", "--amount", "100", "--draft"), 0, "drafts/credit-F-2026-0012.yaml"),
    ("a VAT group without its category, show", replace("invoices/2026/F-2026-0013.yaml", "  - category: S", "  - categorx: S"), ("show", "F-2026-0013"), 3, "F-2026-0013.yaml is damaged or was changed after issue"),
    ("render into a missing folder", untouched, ("render", "F-2026-0012", "--out", "/proc/no-such-folder"), 1, "cannot write /proc/no-such-folder/F-2026-0012.pdf"),
]  # fmt: skip


def copy_of_example(tmp_path: Path) -> Path:
    root = tmp_path / "freelance"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".facturo"))
    return root


def run(root: Path, *args: str):  # type: ignore[no-untyped-def]
    env = {"FACTURO_DIR": str(root), "FACTURO_TODAY": TODAY.isoformat(), "FACTURO_PDF": "0"}
    return CliRunner().invoke(app, list(args), env=env)


@pytest.mark.parametrize(
    ("edit", "args", "code", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_input_is_a_message_not_a_traceback(
    tmp_path: Path,
    edit: Callable[[Path], None],
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    root = copy_of_example(tmp_path)
    edit(root)
    before = snapshot(root)
    result = run(root, *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, result.output
    assert message in result.output
    if code == 3 or (code == 1 and args[0] == "check"):
        assert WHERE.search(result.output), result.output  # path:line:col
    if code != 0:
        assert snapshot(root) == before


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("fsync", ISSUE),
        ("link", ISSUE),
        ("fsync", ("pay", "F-2026-0012", "100")),
        ("replace", ("pay", "F-2026-0012", "100")),
        ("fsync", ("credit", "F-2026-0012", "--reason", "Erreur", "--full")),
        ("link", ("credit", "F-2026-0012", "--reason", "Erreur", "--full")),
        ("fsync", ("new", "--client", "roussel")),
    ],
    ids=[
        "issue-fsync",
        "issue-link",
        "pay-fsync",
        "pay-replace",
        "credit-fsync",
        "credit-link",
        "new-fsync",
    ],
)
def test_a_full_disk_is_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str, args: tuple[str, ...]
) -> None:
    root = copy_of_example(tmp_path)
    before = snapshot(root)
    run(root, "check")  # the cache and the lock exist: only the command's own writes fail
    monkeypatch.setattr(os, call, _no_space)
    result = run(root, *args)
    monkeypatch.undo()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.output
    assert snapshot(root) == before
    assert not list((root / ".facturo" / "tmp").glob("*"))
    assert not (root / ".facturo" / "issuing").is_dir() or not list(
        (root / ".facturo" / "issuing").iterdir()
    )
    assert run(root, "check").exit_code == 0


def test_a_dead_render_worker_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from facturo.output.pdf import pool

    def die(renderer: object, job: object) -> None:
        os._exit(9)  # what the OOM killer does to a worker

    root = copy_of_example(tmp_path)
    monkeypatch.setattr(pool, "_run_job", die)  # workers are forked with it
    monkeypatch.setattr(pool, "_usable_cores", lambda: 2)
    result = run(root, "render", "F-2026-0011", "F-2026-0012")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    assert "the rendering process stopped" in result.output
    assert not (root / "out").exists()
