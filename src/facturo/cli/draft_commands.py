"""Commands over drafts: edit, which opens $EDITOR on a draft and checks it afterwards."""

import os
import shlex
import subprocess
from pathlib import Path
from typing import Annotated

import typer

from facturo.cli import output
from facturo.cli.app import app, handled, open_ledger, today
from facturo.errors import ExitCode, FacturoError, NotFound

Opt = typer.Option


@app.command()
@handled
def edit(
    draft: Annotated[str, typer.Argument(metavar="DRAFT|new", help="A draft's path, or new.")],
    client: Annotated[
        str | None, Opt("--client", "-c", help="With new: the client of the new draft.")
    ] = None,
) -> ExitCode:
    """Open a draft in $VISUAL or $EDITOR (vi without them), then check it as issue would.

    `facturo edit new --client ID` writes a new draft first, as `facturo new` does.

    Example: facturo edit drafts/dupont-2026-11-22.yaml
    """
    ledger = open_ledger()
    if draft == "new":
        if client is None:
            raise typer.BadParameter("which client?", param_hint="--client")
        from facturo.lifecycle.scaffolding import new_draft, proposed_rate

        config = ledger.config()
        data = ledger.client(client)
        rate, _ = proposed_rate(data, config, today())
        path = new_draft(ledger.folder, client, data, config, today(), rate=rate)
    else:
        path = ledger.folder.typed_path(Path(draft))
        if not path.is_file():
            raise NotFound(f"{draft}: no such draft")
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        finished = subprocess.run([*shlex.split(command), str(path)], check=False)
    except OSError as error:
        raise FacturoError(f"cannot run the editor {command!r}: {error.strerror}") from None
    shown = ledger.folder.display(path)
    if finished.returncode != 0:
        output.error(f"the editor stopped with code {finished.returncode}; {shown} not checked")
        return ExitCode.FAILURE
    from facturo.lifecycle.issuing import prepare_draft

    ledger.invalidate()
    _, problems = prepare_draft(ledger, path, today())
    output.print_problems(problems)
    if any(p.is_error for p in problems):
        output.note(f"{shown}: fix it with facturo edit {shown}")
        return ExitCode.FAILURE
    output.say(f"{shown}: ready to issue (facturo issue {shown})")
    return ExitCode.OK
