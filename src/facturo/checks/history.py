"""Numbers ever issued: from the files, stray copies, git history and facturo's own record.

A number is taken for good once issued. It is known from its file, from a file that looks
like it elsewhere under the issued folders (a `.bak`, a dotfile, a subfolder, a `.yml`), from
any path git ever committed, and from the record under `.facturo/`. A known number without
its file is reported (and `issue` refuses to go on); so is a number whose sealed content
was not always the same (a document replaced by another under the same number).
"""

from __future__ import annotations

import contextlib
import os
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from facturo.checks.git import History, HistoryReading, read_history, start_history
from facturo.errors import Problem
from facturo.model.numbering import all_series
from facturo.store.folder import ISSUED_DIRS
from facturo.store.index import Entry, Ledger
from facturo.store.issued import NO_SEAL, alongside
from facturo.store.numbers import Recorded, copy_path, read_record

ISSUED_PATH = re.compile(r"^(?P<dir>[a-z-]+)/(?P<year>[^/]+)/(?P<stem>[^/.][^/]*)\.yaml$")
NUMBER_LINE = re.compile(rb"^number:[ \t]*['\"]?([A-Za-z0-9_+-]{1,35})['\"]?[ \t]*$", re.M)
SEAL_LINE = re.compile(rb"^seal:", re.M)
PEEK = 65536


@dataclass
class Numbers:
    """What is known of the numbers issued in a folder."""

    present: dict[str, str] = field(default_factory=dict)  # number -> its file
    strays: dict[str, str] = field(default_factory=dict)  # stray file -> number it holds
    history: History = field(default_factory=History)
    record: dict[str, Recorded] = field(default_factory=dict)

    def known(self) -> set[str]:
        """Every number ever issued, as far as anything remembers."""
        from_git = {
            match["stem"]
            for path in self.history.paths
            if (match := ISSUED_PATH.match(path)) and match["dir"] in ISSUED_DIRS
        }
        return set(self.present) | set(self.strays.values()) | from_git | set(self.record)

    def missing(self) -> set[str]:
        """The numbers known without their file: `known()` less those present, found
        without a set of every number ever issued (50,000 of them)."""
        present = self.present
        found = {number for number in self.strays.values() if number not in present}
        found.update(number for number in self.record if number not in present)
        for path in self.history.paths:
            match = ISSUED_PATH.match(path)
            if match and match["dir"] in ISSUED_DIRS and match["stem"] not in present:
                found.add(match["stem"])
        return found


# Git history read while worker processes read a ledger's files, by ledger: whether git's
# cache was used, and the entries read meanwhile (it serves only a read_numbers over them).
_READ_AHEAD: weakref.WeakKeyDictionary[Ledger, tuple[bool, History, list[Entry]]] = (
    weakref.WeakKeyDictionary()
)


def entries_with_history(ledger: Ledger, *, use_cache: bool = True) -> list[Entry]:
    """The ledger's entries; when worker processes read its files, git history is read
    meanwhile, for read_numbers over these entries (else it reads git when it is asked)."""
    found: list[HistoryReading] = []

    def read() -> None:
        with contextlib.suppress(Exception):  # read_numbers reads it again, and says why
            found.append(start_history(ledger.folder, use_cache=use_cache))

    with alongside(read):
        entries = ledger.entries()
    if found:
        with contextlib.suppress(Exception):  # the blobs the files read did not name
            history = found[0].finish(ledger.blob_seals)
            _hold_once(ledger, history, entries)
            _READ_AHEAD[ledger] = (use_cache, history, entries)
    return entries


def _hold_once(ledger: Ledger, history: History, entries: list[Entry]) -> None:
    """The seals of git's blobs held once for ten years of documents: each the same text as
    its entry's seal, and one mapping of blobs to seals for the history and the ledger's
    files read (a blob's bytes hold one seal for good: the same facts, whoever read them);
    the paths git knows, the same texts as the entries' paths."""
    same = {entry.seal: entry.seal for entry in entries if entry.seal is not None}
    seals = history.seals
    for blob, seal in seals.items():
        seals[blob] = same.get(seal, seal)
    for blob, seal in ledger.blob_seals.items():  # files not committed: git has not their blob
        seals.setdefault(blob, same.get(seal, seal))
    ledger.blob_seals = seals
    del same
    paths = {entry.path: entry.path for entry in entries}  # each path's text held once
    history.paths = {paths.get(path, path): item for path, item in history.paths.items()}


def read_numbers(ledger: Ledger, *, use_cache: bool = True) -> Numbers:
    """The numbers of the files, the strays, git history and the record, read once."""
    folder = ledger.folder
    numbers = Numbers()
    proper: set[str] = set()
    entries = entries_with_history(ledger, use_cache=use_cache)
    for entry in entries:
        proper.add(entry.path)
        if entry.path.rpartition("/")[2] == f"{entry.number}.yaml":
            numbers.present[entry.number] = entry.path
    config, _ = ledger.config_with_problems()
    patterns = [
        re.sub(r"\(\?P<\w+>", "(", series.regex.pattern) for series in all_series(config or {})
    ]
    named = re.compile("|".join(f"(?:{p.strip('^$')})" for p in patterns))
    for base in ISSUED_DIRS:
        for directory, _, files in os.walk(folder.root / base):
            where = folder.display(Path(directory))
            for name in files:
                display = f"{where}/{name}"
                if display in proper:
                    continue
                number = _number_in(Path(directory) / name, name, named)
                if number is not None:
                    numbers.strays[display] = number
    read_ahead = _READ_AHEAD.pop(ledger, None)
    if read_ahead is not None and read_ahead[0] == use_cache and read_ahead[2] is entries:
        numbers.history = read_ahead[1]
    else:
        numbers.history = read_history(folder, use_cache=use_cache, known=ledger.blob_seals)
    numbers.record = read_record(folder)
    return numbers


def _number_in(path: Path, name: str, named: re.Pattern[str]) -> str | None:
    """The number a stray file holds: sealed content naming it, or else its file name."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(PEEK)
    except OSError:
        head = b""
    found = NUMBER_LINE.search(head)
    if found and SEAL_LINE.search(head):
        return found[1].decode()
    match = named.search(name)
    return match[0] if match else None


def _expected_path(number: str, numbers: Numbers, config: dict[str, object]) -> str:
    """Where a missing number's file was: from the record or git, else where its series
    files it (else its stray name)."""
    if number in numbers.record:
        return numbers.record[number].path
    for path in numbers.history.paths:
        match = ISSUED_PATH.match(path)
        if match and match["stem"] == number:
            return path
    stray = next(path for path, held in numbers.strays.items() if held == number)
    for series in all_series(config):
        parsed = series.parse(number)
        if parsed is not None and parsed[0] is not None and stray.startswith(series.folder):
            return f"{series.folder}/{parsed[0]}/{number}.yaml"
    return stray


def missing_problems(ledger: Ledger, numbers: Numbers) -> list[Problem]:
    """Each number issued once and now without its file, with how it left and what to do."""
    problems: list[Problem] = []
    folder = ledger.folder
    config, _ = ledger.config_with_problems()
    for number in sorted(numbers.missing()):
        path = _expected_path(number, numbers, config or {})
        strays = sorted(p for p, held in numbers.strays.items() if held == number)
        git = numbers.history.paths.get(path)
        if strays:
            how = f"issued document renamed to {', '.join(strays)}"
            fix = f"move it back (git mv {strays[0]} {path})"
        elif git is not None and numbers.history.renamed_to(path):
            moved = numbers.history.renamed_to(path)
            how = f"issued document renamed to {', '.join(moved)} (git history)"
            fix = "move it back, or restore it with git checkout"
        elif git is not None:
            how = "issued document deleted (git still knows it)"
            fix = "restore it with git checkout"
        else:
            how = f"issued document missing ({number} is in facturo's record of numbers issued)"
            copy = copy_path(folder, path)
            fix = (
                f"a copy as issued is in {folder.display(copy)}: copy it back"
                if copy.is_file()
                else "restore it from git (git reflog shows reset commits) or a backup"
            )
        problems.append(
            Problem(
                path,
                0,
                0,
                f"{how}: issued documents are kept 10 years and their numbers are never "
                f"reused; {fix}, and cancel it with a credit note if needed",
            )
        )
    for stray, held in sorted(numbers.strays.items()):
        if held in numbers.present:
            problems.append(
                Problem(
                    stray,
                    0,
                    0,
                    f"a copy of issued document {held} ({numbers.present[held]}): "
                    "remove it, only the issued file counts",
                    "warning",
                )
            )
    return problems


def replaced_problems(ledger: Ledger, numbers: Numbers) -> list[Problem]:
    """Numbers that held more than one sealed document over time (git or the record)."""
    # number -> the seal of its document, for each document in its own file and sealed
    sealed = {
        entry.number: entry.seal
        for entry in ledger.entries()
        if entry.seal is not None and numbers.present.get(entry.number) == entry.path
    }
    others: dict[str, dict[str, str]] = {}  # number -> another seal -> where it was seen
    for path, item in numbers.history.paths.items():
        match = ISSUED_PATH.match(path)
        if not match or match["stem"] not in sealed:
            continue
        number = match["stem"]
        for blob, commit in item.pairs():
            seal = numbers.history.seals.get(blob, NO_SEAL)
            if seal and seal != sealed[number]:
                others.setdefault(number, {}).setdefault(seal, f"commit {commit[:10]}")
    for number, recorded in numbers.record.items():
        if recorded.seal and number in sealed and recorded.seal != sealed[number]:
            others.setdefault(number, {}).setdefault(recorded.seal, "facturo's record")
    problems: list[Problem] = []
    for entry in ledger.entries():  # each number's document in its own file (`sealed`)
        if entry.number not in others or numbers.present.get(entry.number) != entry.path:
            continue
        where = ", ".join(sorted(set(others[entry.number].values())))
        problems.append(
            Problem(
                entry.path,
                entry.previous_line or 1,
                1,
                f"{entry.number} is not the only document sealed under this number ({where} "
                "has another): a number belongs to one document; keep the one issued first "
                "and issue the other again",
            )
        )
    return problems


def history_problems(ledger: Ledger) -> list[Problem]:
    """Numbers missing, renamed or replaced, as git and facturo's record remember them."""
    found = _FOUND_AHEAD.pop(ledger, None)
    if found is not None and found[0] == ledger.use_cache and found[2] is ledger.entries():
        return list(found[1])
    numbers = read_numbers(ledger, use_cache=ledger.use_cache)
    return missing_problems(ledger, numbers) + replaced_problems(ledger, numbers)


# The history problems of a ledger found as soon as git's history was read alongside its
# files, by ledger: whether git's cache was used, the problems, the entries they are of.
_FOUND_AHEAD: weakref.WeakKeyDictionary[Ledger, tuple[bool, list[Problem], list[Entry]]] = (
    weakref.WeakKeyDictionary()
)


def find_history_problems_ahead(ledger: Ledger) -> None:
    """When git's history was read while the ledger's files were (entries_with_history),
    its problems are found now, for history_problems over the same entries, and the
    history let go of: ten years of it are not held while the other checks run."""
    if ledger not in _READ_AHEAD:
        return
    entries = ledger.entries()
    found = history_problems(ledger)
    _FOUND_AHEAD[ledger] = (ledger.use_cache, found, entries)
