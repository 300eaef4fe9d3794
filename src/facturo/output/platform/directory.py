"""Where companies receive e-invoices: Directory Service lookups, kept in the folder's cache.

Every answer is written to .facturo/cache/directory.json (store/directory.py), so that
`check` can warn about a client the platform could not reach without asking the network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from facturo.output.platform.client import Platform, PlatformError
from facturo.store.directory import answer_of, remember
from facturo.store.folder import Folder


def look_up(
    folder: Folder, platform: Platform, siren: str, today: dt.date
) -> dict[str, Any] | None:
    """Ask the directory where the company `siren` receives e-invoices and keep the answer;
    the legal unit with its `directoryLines`, None when the directory does not know it."""
    unit = platform.siren(siren)
    remember(folder, [answer_of(siren, unit, today)])
    return unit


def refresh(folder: Folder, platform: Platform, sirens: Iterable[str], today: dt.date) -> int:
    """Look up each SIREN once and keep the answers; one that fails is left as it was (a
    transmission does not depend on it). How many answers were kept."""
    if platform.settings.directory_url is None:
        return 0
    answers = []
    for siren in dict.fromkeys(sirens):
        try:
            answers.append(answer_of(siren, platform.siren(siren), today))
        except PlatformError:
            break  # the directory is down or refuses: the next run asks again
    remember(folder, answers)
    return len(answers)
