"""French business clients an approved platform could not reach, as the directory last said.

Only with a `pa:` section in facturo.yaml, and only from the answers kept in the folder's
directory cache (store/directory.py): checking never asks the network. A client without an
answer is told how to look it up.
"""

from __future__ import annotations

import datetime as dt

from facturo.errors import Problem
from facturo.files.marked import YMap, locate
from facturo.model.document import DIRECTORY_SCHEME, Party
from facturo.store.directory import DirectoryAnswer, read_directory
from facturo.store.index import Ledger


def directory_problems(ledger: Ledger, today: dt.date) -> list[Problem]:
    """A warning for each French business client whose electronic address the directory does
    not confirm: never looked up, not in the directory, or not at the address written."""
    config, _ = ledger.config_with_problems()
    if not isinstance(config, dict) or not isinstance(config.get("pa"), dict):
        return []
    answers = read_directory(ledger.folder)
    problems = []
    for client_id, (data, _) in sorted(ledger.clients_with_problems().items()):
        if data is None:
            continue
        party = Party.of(data)
        siren = "".join(str(party.siren or "").split())
        if not party.is_business or party.country != "FR" or not siren:
            continue
        path = ledger.folder.display(ledger.folder.client_path(client_id))
        message = _unconfirmed(data, siren, answers.get(siren))
        if message:
            key = "electronic_address" if "electronic_address" in data else "siren"
            line, col = locate(data, key)
            problems.append(Problem(path, line, col, message, "warning"))
    return problems


def _unconfirmed(data: YMap, siren: str, answer: DirectoryAnswer | None) -> str | None:
    """What to say of one client, or None when the directory confirms where it receives."""
    written = data.get("electronic_address")
    endpoint = Party.of(data).endpoint
    if answer is None:
        if written:
            return None  # the user wrote where it receives: nothing to contradict it
        return (
            f"no electronic_address for this French business: platforms route e-invoices "
            f"to the address the directory has for SIREN {siren}; look it up with "
            f"`facturo directory {siren}` and write it as electronic_address"
        )
    when = f"the directory (looked up {answer.looked_up})"
    if not answer.found:
        return f"{when} does not know SIREN {siren}: platforms cannot deliver its e-invoices"
    addresses = answer.addresses
    if not addresses:
        return (
            f"{when} has no enabled line for SIREN {siren}: the client receives no e-invoice "
            "yet, platforms cannot deliver"
        )
    if endpoint is None or endpoint[0] != DIRECTORY_SCHEME:
        return None  # another network (Peppol, email): the directory does not judge it
    if endpoint[1] in addresses:
        return None
    listed = ", ".join(addresses)
    where = "electronic_address" if written else f"the SIREN {siren} (no electronic_address)"
    return (
        f"{when} has no enabled line at {where}: it receives e-invoices at {listed}; write "
        f"electronic_address: {addresses[0]}"
    )
