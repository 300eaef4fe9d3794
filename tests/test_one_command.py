"""`facturo` builds only the command it runs: the same answers as the whole app's."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from facturo.cli import app, only


def _command_paths() -> list[list[str]]:
    group: Any = typer.main.get_command(app)
    paths = []
    for name, command in group.commands.items():
        paths.append([name])
        paths.extend([name, sub] for sub in getattr(command, "commands", {}))
    return paths


COMMANDS = _command_paths()


def _run(command: typer.Typer, args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(command, args, env={"FACTURO_DIR": "/nonexistent-folder"})
    return result.exit_code, result.output


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_a_command_named_gets_the_same_help_and_errors_from_itself_alone(path: list[str]) -> None:
    for args in (
        [*path, "--help"],
        [*path, "--no-such-option"],
        ["--traceback", *path, "--help"],
        ["-C", "/nonexistent-folder", *path, "--help"],
        ["--dir=/nonexistent-folder", *path, "--help"],
    ):
        narrowed = only(app, args)
        assert narrowed is not app, args
        assert len(narrowed.registered_commands) + len(narrowed.registered_groups) == 1
        assert _run(narrowed, args) == _run(app, args), args


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["--version"],
        ["lst"],
        ["--", "list"],
        ["--unknown", "list"],
        ["-Cx", "list"],
    ],
)
def test_help_a_misspelt_command_and_the_unusual_get_the_whole_app(args: list[str]) -> None:
    assert only(app, args) is app


def test_a_misspelt_command_is_still_suggested_its_name() -> None:
    code, output = _run(only(app, ["lst"]), ["lst"])
    assert code == 2
    assert "Did you mean 'list'?" in output


def test_every_command_and_group_is_found_by_its_name() -> None:
    names = {path[0] for path in COMMANDS}
    assert len(COMMANDS) > 40 and len(names) > 25
    for name in names:
        narrowed = only(app, [name])
        assert len(narrowed.registered_commands) + len(narrowed.registered_groups) == 1, name
        assert name in typer.main.get_command(narrowed).commands  # type: ignore[attr-defined]
