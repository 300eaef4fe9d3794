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
    # What start-up made (modules, the commands) is never garbage: frozen, no collection
    # walks it again. Reading ten years of entries collects less while it runs
    # (store/index.py); rendering keeps Python's pace, or its garbage piles up.
    gc.freeze()
    app(prog_name="facturo")


__all__ = ["app", "main"]
