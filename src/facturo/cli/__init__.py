"""The command line: a thin typer layer over the core (the core never imports typer or rich)."""

from __future__ import annotations

import copy
import gc
import importlib
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

# The command modules, in the order their commands are listed in --help.
COMMAND_MODULES = (
    "folder_commands",
    "document_commands",
    "lifecycle_commands",
    "mail_commands",
    "pdf_commands",
    "report_commands",
    "export_commands",
    "subscription_commands",
    "bank_commands",
    "time_commands",
    "draft_commands",
    "platform_commands",
)


def _load_commands() -> typer.Typer:
    """The app with every command registered (importing a command module registers its
    commands), nothing collected meanwhile: start-up makes tens of thousands of objects,
    none of them garbage, and collecting walked them some 35 times (~7 ms at each start).
    Frozen once made, they are not walked later either."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        for name in COMMAND_MODULES:
            importlib.import_module(f"facturo.cli.{name}")
        from facturo.cli.app import app as loaded
    finally:
        gc.freeze()  # (and Python's count of new objects starts again from none)
        if collecting:
            gc.enable()
    return loaded


app = _load_commands()


def main() -> None:
    # What start-up made is frozen (_load_commands). Reading ten years of entries collects
    # less while it runs (store/index.py); rendering keeps Python's pace, or its garbage
    # piles up.
    only(app, sys.argv[1:])(prog_name="facturo")


def only(full: typer.Typer, args: list[str]) -> typer.Typer:
    """`full` with the one command or group `args` run, when they name one after the root's
    own options; else `full`. typer makes every command's options at each start (~15 ms for
    all of facturo's) where the one run needs its own; --help, a misspelt command (the
    suggestions) and anything unusual get `full`, as do shell completions (no arguments)."""
    name = _command_word(full, args)
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


def _name(command: typer.models.CommandInfo) -> str | None:
    import typer

    if command.name:
        return command.name
    return (
        None if command.callback is None else typer.main.get_command_name(command.callback.__name__)
    )


__all__ = ["app", "main", "only"]
