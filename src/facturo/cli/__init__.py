"""The command line: a thin typer layer over the core (the core never imports typer or rich)."""

from __future__ import annotations

from facturo.cli import document_commands, folder_commands  # noqa: F401  (registers commands in help order)
from facturo.cli.app import app


def main() -> None:
    app(prog_name="facturo")


__all__ = ["app", "main"]
