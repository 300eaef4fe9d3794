"""The Directory Service's answers kept in .facturo/cache/directory.json, as last looked up.

`facturo directory` and `facturo transmit` write what the platform's directory said of each
SIREN; `check` reads it and never asks the network. A missing, damaged or old-format file
is an empty cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from facturo.store.cache import read_cache, write_cache
from facturo.store.folder import Folder

NAME = "directory"  # .facturo/cache/directory.json
CACHE_VERSION = 1
ENABLED = "Enabled"


@dataclass(frozen=True)
class DirectoryAnswer:
    """What the directory said of one SIREN on the day it was asked."""

    siren: str
    looked_up: dt.date
    found: bool  # False: the SIREN is not in the directory at all
    name: str = ""
    lines: tuple[tuple[str, str], ...] = ()  # (addressing identifier, line status)

    @property
    def addresses(self) -> list[str]:
        """The addressing identifiers of its enabled lines: where it receives e-invoices now."""
        return [address for address, status in self.lines if status == ENABLED]

    def to_json(self) -> dict[str, Any]:
        return {
            "looked_up": self.looked_up.isoformat(), "found": self.found, "name": self.name,
            "lines": [list(line) for line in self.lines],
        }  # fmt: skip

    @classmethod
    def from_json(cls, siren: str, data: Any) -> DirectoryAnswer:
        """An answer read back; ValueError for anything of the wrong shape."""
        if not isinstance(data, dict) or not isinstance(data.get("found"), bool):
            raise ValueError("not an answer")
        lines = data.get("lines")
        if not isinstance(lines, list) or not all(
            isinstance(line, list) and len(line) == 2 and all(isinstance(x, str) for x in line)
            for line in lines
        ):
            raise ValueError("lines")
        return cls(
            siren=siren,
            looked_up=dt.date.fromisoformat(str(data.get("looked_up"))),
            found=data["found"],
            name=str(data.get("name") or ""),
            lines=tuple((line[0], line[1]) for line in lines),
        )


def answer_of(siren: str, unit: Mapping[str, Any] | None, today: dt.date) -> DirectoryAnswer:
    """The answer to keep from the platform's legal unit and its directory lines (None: the
    SIREN is not in the directory)."""
    if unit is None:
        return DirectoryAnswer(siren, today, found=False)
    lines = unit.get("directoryLines")
    kept = tuple(
        (str(line.get("addressingIdentifier") or ""), str(line.get("directoryLineStatus") or ""))
        for line in (lines if isinstance(lines, list) else [])
        if isinstance(line, Mapping) and line.get("addressingIdentifier")
    )
    return DirectoryAnswer(siren, today, True, str(unit.get("businessName") or ""), kept)


def read_directory(folder: Folder) -> dict[str, DirectoryAnswer]:
    """The answers kept, by SIREN (an unreadable entry or file counts as none)."""
    companies = read_cache(folder, NAME, CACHE_VERSION).get("companies")
    answers: dict[str, DirectoryAnswer] = {}
    for siren, item in (companies if isinstance(companies, dict) else {}).items():
        try:
            answers[str(siren)] = DirectoryAnswer.from_json(str(siren), item)
        except ValueError:
            continue
    return answers


def remember(folder: Folder, answers: list[DirectoryAnswer]) -> None:
    """Keep these answers (each replaces the one of its SIREN), written at once."""
    if not answers:
        return
    kept = read_directory(folder)
    kept.update({answer.siren: answer for answer in answers})
    companies = {siren: kept[siren].to_json() for siren in sorted(kept)}
    write_cache(folder, NAME, CACHE_VERSION, {"companies": companies})
