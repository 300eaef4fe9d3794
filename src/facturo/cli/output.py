"""Printing for people and for programs: tables on a terminal, plain text in pipes, JSON."""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from facturo.errors import Problem


# The language the command line speaks to people (its messages, headings and words).
LANGUAGE = "en"


@functools.cache  # a table of 10,000 documents asks for a handful of distinct answers
def status_words(status: str, kind: str) -> str:
    """A status as tables for people print it ("partially paid"); JSON and filters keep the
    code ("partially-paid")."""
    from facturo.output.words import describe_status

    return describe_status(status, kind, LANGUAGE)


def is_terminal() -> bool:
    return sys.stdout.isatty()


def print_json(data: Any) -> None:
    import json

    from facturo.files.canonical import jsonable

    sys.stdout.write(json.dumps(jsonable(data), ensure_ascii=False, indent=2) + "\n")


def print_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[str] = ()
) -> None:
    """A rich table on a terminal; aligned plain columns without borders otherwise."""
    if is_terminal():
        from rich import box
        from rich.console import Console
        from rich.table import Table

        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for column in columns:
            table.add_column(column, justify="right" if column in right else "left")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        return
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    widths = [max([len(c), *map(len, cells)]) for c, cells in zip(columns, by_column, strict=True)]
    # each cell padded to its column's width, as ljust (%-9s) and rjust (%9s) pad texts
    aligns = ("" if column in right else "-" for column in columns)
    line = "  ".join(f"%{a}{w}s" for a, w in zip(aligns, widths, strict=True))
    text = [(line % tuple(columns)).rstrip()]
    text += [(line % tuple(row)).rstrip() for row in rows]
    text.append("")
    sys.stdout.write("\n".join(text))


def print_problems(problems: Sequence[Problem]) -> None:
    """One `path:line:col: message` per problem on stderr, coloured on a terminal."""
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.markup import escape

        console = Console(stderr=True, highlight=False)
        for problem in problems:
            style = "yellow" if problem.severity == "warning" else "red"
            where, _, message = str(problem).partition(": ")
            console.print(f"[bold]{escape(where)}[/]: [{style}]{escape(message)}[/]")
        return
    for problem in problems:
        sys.stderr.write(f"{problem}\n")


def error(message: str) -> None:
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.markup import escape

        Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {escape(message)}")
    else:
        sys.stderr.write(f"error: {message}\n")


def say(message: str) -> None:
    """A result line on stdout."""
    sys.stdout.write(message + "\n")


def note(message: str) -> None:
    """A side remark on stderr (never mixed into results a script reads)."""
    sys.stderr.write(message + "\n")
