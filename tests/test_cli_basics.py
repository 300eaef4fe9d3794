"""The main path through the CLI: check, issue, list, show."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import issue
from facturo.cli import full_app
from facturo.files.yamlio import load_mapping

app = full_app()


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


def test_the_cli_names_the_option_a_refusal_needs(
    cli, draft, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facturo.cli.app import REMEDIES
    from facturo.errors import Remedy

    assert set(REMEDIES) == set(Remedy)
    number = issue(cli, draft, "2026-03-02")
    refused = cli("pay", number, "-10")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: a negative amount corrects an earlier payment and needs a reason "
        '(e.g. "cheque returned unpaid"); give it with --reason\n'
    )
    monkeypatch.chdir(tmp_path)
    lost = CliRunner().invoke(app, ["list"])
    assert lost.exit_code == 1
    assert lost.stderr.endswith("create one with facturo init; or point at one with --dir\n")


def test_check_answers_a_person_and_stays_silent_for_a_script(cli, folder: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    command = [sys.executable, "-m", "facturo", "check"]
    piped = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=True)
    assert piped.stdout == "" and piped.stderr == ""  # cron and `check && git commit`
    leader, follower = pty.openpty()
    try:
        run = subprocess.run(
            command, cwd=folder, stdout=follower, stderr=subprocess.PIPE, text=True, check=True
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert run.stderr.startswith("no problems (")


def test_a_reader_that_stops_early_gets_no_error_message(cli, draft, folder: Path) -> None:
    """`facturo list | head -1`: the pipe closed before facturo wrote is no error to print."""
    import os
    import subprocess
    import sys

    issue(cli, draft, "2026-11-02")
    for command in (["list"], ["list", "--json"], ["show", "F-2026-0001"]):
        process = subprocess.Popen(
            [sys.executable, "-m", "facturo", "--dir", str(folder), *command],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "FACTURO_TODAY": "2026-11-22"},
        )  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader is gone before the first line is written
        error = process.stderr.read().decode()
        process.wait(timeout=60)
        assert error == "", error
