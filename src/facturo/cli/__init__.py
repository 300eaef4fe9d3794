"""The command line: a thin typer layer over the core (the core never imports typer or rich)."""

from __future__ import annotations

import contextlib
import copy
import gc
import importlib
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

# The command modules, in the order their commands are listed in --help, with the commands
# and groups each registers when imported (tests/test_one_command.py holds them to it): a
# run imports the one module that has its command.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "folder_commands": ("init", "new", "rate", "client"),
    "document_commands": ("check", "issue", "list", "show"),
    "lifecycle_commands": ("pay", "credit", "accept", "decline", "receipt", "statement"),
    "mail_commands": ("remind", "send"),
    "pdf_commands": ("render", "einvoice", "doctor"),
    "report_commands": ("report",),
    "export_commands": ("export",),
    "subscription_commands": ("recur", "subscription"),
    "bank_commands": ("bank",),
    "time_commands": ("bill-time", "time"),
    "draft_commands": ("edit",),
    "platform_commands": ("transmit", "directory"),
}
_MODULE_OF = {name: module for module, names in COMMAND_MODULES.items() for name in names}


def _load_commands(modules: Iterable[str] = COMMAND_MODULES) -> typer.Typer:
    """The app with the commands of `modules` registered (importing a command module
    registers its commands; every module by default), listed in the order of
    COMMAND_MODULES whichever was imported first."""
    with _uncollected():
        for name in modules:
            importlib.import_module(f"facturo.cli.{name}")
        from facturo.cli.app import app as loaded

        loaded.registered_commands.sort(key=lambda command: _place(_name(command)))
        loaded.registered_groups.sort(key=lambda group: _place(group.name))
    return loaded


@contextlib.contextmanager
def _uncollected() -> Iterator[None]:
    """Nothing collected while the app loads: start-up makes tens of thousands of objects,
    none of them garbage, and collecting walked them some 35 times (~7 ms at each start).
    Frozen once made, they are not walked later either."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # (and Python's count of new objects starts again from none)
        if collecting:
            gc.enable()


def full_app() -> typer.Typer:
    """The whole app, every command registered: --help lists them all."""
    return _load_commands()


def main() -> None:
    # What start-up made is frozen (_load_commands). Reading ten years of entries collects
    # less while it runs (store/index.py); rendering keeps Python's pace, or its garbage
    # piles up.
    args = sys.argv[1:]
    with _uncollected():
        from facturo.cli.app import app as root  # the root's options, no command yet

        name = _command_word(root, args)
    module = _MODULE_OF.get(name or "")
    full = _load_commands() if module is None else _load_commands([module])
    _narrowed(full, name)(prog_name="facturo")


def only(full: typer.Typer, args: list[str]) -> typer.Typer:
    """`full` with the one command or group `args` run, when they name one after the root's
    own options; else `full`. typer makes every command's options at each start (~15 ms for
    all of facturo's) where the one run needs its own; --help, a misspelt command (the
    suggestions) and anything unusual get `full`, as do shell completions (no arguments)."""
    return _narrowed(full, _command_word(full, args))


def _narrowed(full: typer.Typer, name: str | None) -> typer.Typer:
    """`full` with command or group `name` alone when it has exactly one of that name."""
    commands = [c for c in full.registered_commands if _name(c) == name]
    groups = [g for g in full.registered_groups if g.name == name]
    if name is None or len(commands) + len(groups) != 1:
        return full
    narrowed = copy.copy(full)
    narrowed.registered_commands, narrowed.registered_groups = commands, groups
    return narrowed


def _command_word(full: typer.Typer, args: list[str]) -> str | None:
    """The first argument that is not the root's option or its value; None at `--`, --help,
    --version or an option the root does not take."""
    import typer

    bare = copy.copy(full)
    bare.registered_commands, bare.registered_groups = [], []
    root = typer.main.get_command(bare)
    valued = {o for p in root.params if not getattr(p, "is_flag", True) for o in p.opts}
    flags = {
        o for p in root.params if getattr(p, "is_flag", False) and not p.is_eager for o in p.opts
    }
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in valued:
            index += 2
        elif arg in flags or arg.split("=", 1)[0] in valued:
            index += 1
        elif arg.startswith("-"):
            return None
        else:
            return arg
    return None


def _place(name: str | None) -> int:
    """Where the module of command or group `name` stands in COMMAND_MODULES (last if none)."""
    modules = list(COMMAND_MODULES)
    module = _MODULE_OF.get(name or "")
    return modules.index(module) if module is not None else len(modules)


def _name(command: typer.models.CommandInfo) -> str | None:
    import typer

    if command.name:
        return command.name
    return (
        None if command.callback is None else typer.main.get_command_name(command.callback.__name__)
    )


__all__ = ["full_app", "main", "only"]
