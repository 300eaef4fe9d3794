"""The typer application, its global options, and the one place errors become exit codes."""

import datetime as dt
import functools
import inspect
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec

import typer
from typer.core import TyperGroup

from facturo import __version__
from facturo.errors import ExitCode, FacturoError, Remedy

if TYPE_CHECKING:
    from facturo.store.index import Ledger

HELP_OPTION_NAMES = ["-h", "--help"]


def _reflow(text: str) -> str:
    """Help text with each paragraph on one line (the help formatter wraps it to the
    screen), paragraph breaks kept; a paragraph starting with \\b stays as written."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split()) for p in paragraphs)


class _HelpNames:
    """What a command asks its context to build its help option (cached by the command)."""

    help_option_names = HELP_OPTION_NAMES


def _tidy(command: Any, markup_mode: str | None) -> None:
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = markup_mode
    if command.help:
        command.help = _reflow(command.help)
    help_option = command.get_help_option(_HelpNames())
    for param in [*command.params, *([help_option] if help_option else [])]:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""  # a flag takes no value: no "<bool>" next to it
    for sub in getattr(command, "commands", {}).values():
        _tidy(sub, markup_mode)


class Group(TyperGroup):
    """The command group: rich help on a terminal only (plain text in a pipe or a file),
    paragraphs wrapped as wholes, flags shown without a type."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _tidy(self, "rich" if sys.stdout.isatty() else None)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, folder_first(args))


FOLDER_OPTIONS = ("-C", "--dir")


def folder_first(args: list[str]) -> list[str]:
    """The arguments with `-C DIR` / `--dir DIR` moved first, so that the folder can be
    given after the command too (`facturo issue x.yaml -C ~/billing`, like git -C)."""
    moved: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        if arg in FOLDER_OPTIONS and index + 1 < len(args):
            moved += args[index : index + 2]
            index += 2
            continue
        if arg.startswith("--dir="):
            moved.append(arg)
        else:
            rest.append(arg)
        index += 1
    return moved + rest


app = typer.Typer(
    name="facturo",
    help="Invoicing over plain files: YAML in git, sequential numbers, exact totals, PDFs.",
    cls=Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": HELP_OPTION_NAMES},
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


def open_ledger(*, use_cache: bool = True) -> "Ledger":
    from facturo.checks.documents import open_ledger as open_checked
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


def parse_decimal(value: str | None, option: str, like: str) -> Decimal | None:
    """The number an option gives (a comma as decimal mark too), within what files hold;
    `like` is what the option expects, e.g. "an amount like 1250.00"."""
    if value is None:
        return None
    from decimal import InvalidOperation

    from facturo.model.money import decimal_problem

    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise typer.BadParameter(f"expected {like}, got {value!r}", param_hint=option)
    if (problem := decimal_problem(number)) is not None:
        raise typer.BadParameter(problem, param_hint=option)
    return number


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
        except BrokenPipeError:  # the reader had enough (`facturo list | head`): no message
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # what is left in the buffer goes nowhere
            code = ExitCode.FAILURE
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
