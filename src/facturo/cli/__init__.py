"""The command line: a thin typer layer over the core (the core never imports typer or rich)."""

from __future__ import annotations

import gc

# Importing the command modules registers their commands, in this order in --help.
# isort: off
from facturo.cli import folder_commands  # noqa: F401
from facturo.cli import document_commands  # noqa: F401
from facturo.cli import lifecycle_commands  # noqa: F401
from facturo.cli import mail_commands  # noqa: F401
from facturo.cli import pdf_commands  # noqa: F401
from facturo.cli import report_commands  # noqa: F401
from facturo.cli import export_commands  # noqa: F401
from facturo.cli import subscription_commands  # noqa: F401
from facturo.cli import bank_commands  # noqa: F401
from facturo.cli import time_commands  # noqa: F401
from facturo.cli import draft_commands  # noqa: F401
from facturo.cli import platform_commands  # noqa: F401

# isort: on
from facturo.cli.app import app


def main() -> None:
    # A command makes its objects in bulk (ten years of entries, a folder's documents) and
    # keeps most of them to its end: Python's collector, every 700 new objects and walking
    # the older ones again and again, took a second of a cold check at 10,000 invoices for
    # nothing (none of it is garbage). What start-up made is frozen, never walked again, and
    # the young objects are collected every 20,000.
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
    app(prog_name="facturo")


__all__ = ["app", "main"]
