"""The typer application, its global options, and the one place errors become exit codes."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec

import typer

from facturo import __version__
from facturo.errors import ExitCode, FacturoError, Remedy

if TYPE_CHECKING:
    from facturo.store.index import Ledger

app = typer.Typer(
    name="facturo",
    help="Invoicing over plain files: YAML in git, sequential numbers, exact totals, PDFs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    directory: Path | None = None
    today: dt.date | None = None
    traceback: bool = False


state = State()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"facturo {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            "-C",
            envvar="FACTURO_DIR",
            help="The billing folder (default: found upwards from here).",
        ),
    ] = None,
    traceback: Annotated[
        bool, typer.Option("--traceback", help="Show a traceback on errors.")
    ] = False,
    today: Annotated[
        str | None, typer.Option("--today", envvar="FACTURO_TODAY", hidden=True)
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Invoicing over plain files: YAML in git, sequential numbers, exact totals, PDFs."""
    state.directory = directory
    state.traceback = traceback
    state.today = None
    if today:
        state.today = parse_date(today, "--today")


def today() -> dt.date:
    """The date commands act on: --today / FACTURO_TODAY for what-if runs, else the clock."""
    return state.today or dt.date.today()


def open_ledger(*, use_cache: bool = True) -> Ledger:
    from facturo.checks.registry import open_ledger as open_checked
    from facturo.store.folder import find_root

    root_dir = find_root(Path.cwd(), state.directory)
    return open_checked(root_dir, use_cache=use_cache and not os.environ.get("FACTURO_NO_CACHE"))


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    from facturo.files.reading import date_problem

    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"expected a date like 2026-03-31, got {value!r}", param_hint=option
        ) from None
    if (problem := date_problem(day)) is not None:
        raise typer.BadParameter(problem, param_hint=option)
    return day


# How a user gives what a refused call needs (FacturoError.remedy).
REMEDIES = {
    Remedy.FORCE: "use --force to go ahead anyway",
    Remedy.REASON: "give it with --reason",
    Remedy.FOLDER: "or point at one with --dir",
}

P = ParamSpec("P")


def handled(command: Callable[P, ExitCode | None]) -> Callable[P, None]:
    """The one exit of every command: its returned code, or the core's error as a message on
    stderr and that error's documented code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            code = command(*args, **kwargs)
        except FacturoError as exc:
            if state.traceback:
                raise
            from facturo.cli import output

            remedy = f"; {REMEDIES[exc.remedy]}" if exc.remedy else ""
            output.error(exc.message + remedy)
            output.print_problems(exc.problems)
            code = exc.exit_code
        except OSError as exc:  # the system refused: a full disk, a read-only place
            if state.traceback:
                raise
            from facturo.cli import output

            where = f"{exc.filename}: " if exc.filename else ""
            output.error(f"{where}{exc.strerror or exc}")
            code = ExitCode.FAILURE
        if code:
            raise typer.Exit(int(code))

    return wrapper
