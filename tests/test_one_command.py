"""`facturo` builds only the command it runs: the same answers as the whole app's."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from facturo.cli import COMMAND_MODULES, _name, full_app, only

app = full_app()
COMMAND_MODULES_OF = {n: module for module, names in COMMAND_MODULES.items() for n in names}


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


# In a fresh interpreter: each command module imported alone, after the root, says what it
# registers; then `facturo NAME --help` run as the entry point does, and what it imported.
_REGISTERED_BY_EACH = """\
import importlib, json
from facturo.cli import COMMAND_MODULES, _name
from facturo.cli.app import app

found, seen = {}, set()
for module in COMMAND_MODULES:
    importlib.import_module(f"facturo.cli.{module}")
    names = [_name(c) for c in app.registered_commands] + [g.name for g in app.registered_groups]
    found[module] = sorted(set(names) - seen)
    seen.update(names)
print(json.dumps(found))
"""

_RUN_ONE = """\
import io, json, sys, contextlib
from facturo.cli import main
sys.argv = ["facturo", *sys.argv[1:]]
with contextlib.redirect_stdout(io.StringIO()) as shown:
    try:
        main()
    except SystemExit:
        pass
loaded = sorted(m.rpartition(".")[2] for m in sys.modules if m.startswith("facturo.cli."))
print(json.dumps({"loaded": loaded, "help": shown.getvalue()}))
"""


def _python(script: str, *args: str) -> Any:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_each_command_module_registers_the_names_it_is_listed_with() -> None:
    found = _python(_REGISTERED_BY_EACH)
    assert found == {module: sorted(names) for module, names in COMMAND_MODULES.items()}


@pytest.mark.parametrize("args", [["statement", "--help"], ["-C", ".", "report", "--help"]])
def test_a_command_run_imports_its_own_module_alone(args: list[str]) -> None:
    ran = _python(_RUN_ONE, *args)
    module = COMMAND_MODULES_OF[args[-2]]
    assert set(ran["loaded"]) - {"app", "output"} == {module}
    assert ran["help"].startswith(f"Usage: facturo {args[-2]} [OPTIONS]")
    assert "--help" in ran["help"]


_LISTED_AFTER = """\
import importlib, json, sys
for module in sys.argv[1:]:
    importlib.import_module(f"facturo.cli.{module}")
from facturo.cli import _name, full_app
app = full_app()
print(json.dumps([[_name(c) for c in app.registered_commands], [g.name for g in app.registered_groups]]))
"""


def test_the_whole_app_lists_commands_in_one_order_whatever_was_imported_first() -> None:
    listed = [[_name(c) for c in app.registered_commands], [g.name for g in app.registered_groups]]
    assert listed[0][:4] == ["init", "new", "rate", "check"]
    assert _python(_LISTED_AFTER, "time_commands", "lifecycle_commands") == listed
