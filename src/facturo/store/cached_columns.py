"""The index cache read for `list` and `statement`: the columns and rows they show alone.

While the files are those of the cache, each with the stat key it was read with (none
added, removed, renamed or changed: files_as_cached), `list` reads the columns it shows
without making an entry of each document (read_columns), and a statement makes the entries
of one client's documents alone (read_rows). Each column read is checked and converted as
store/cached_entries.py reads it for every entry; anything else: None, the entries say.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterable
from decimal import Decimal
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from facturo.store.cache import read_signed_lines
from facturo.store.cached_entries import (
    LATE,
    Unread,
    _default,
    _entries,
    _json_list,
    _values,
    header_and_keys,
)
from facturo.store.entry import ZERO, Entry

Listing = Callable[[], list[tuple[str, str]]]  # the issued files: (display path, path)


def read_columns(
    path: Path,
    mark: dict[str, Any],
    wanted: tuple[str, ...],
    listing: Listing,
    *,
    found: Callable[[], None],
) -> dict[str, list[Any]] | None:
    """The fields `wanted` of every document, column by column (`credited` included, as
    Ledger.entries sums it), when the index cache at `path` serves every file `listing`
    gives as it is; None otherwise."""
    needed = {*wanted, "path", "number", "kind", "credit_note_of", "gross"} - {"credited"}
    loaded = load_columns(path, mark, needed, found=found)
    if loaded is None:
        return None
    keys, columns = loaded
    if not files_as_cached(listing(), columns["path"], keys):
        return None
    credited = _credited(columns["kind"], columns["credit_note_of"], columns["gross"])
    columns["credited"] = [credited.get(number, ZERO) for number in columns["number"]]
    return {name: columns[name] for name in wanted}


def _credited(
    kinds: list[Any], credit_notes_of: list[Any], grosses: list[Any]
) -> dict[str, Decimal]:
    """What the credit notes among these documents (by column) credit each number, summed
    as Ledger.entries sums them."""
    credited: dict[str, Decimal] = {}
    for kind, of, gross in zip(kinds, credit_notes_of, grosses, strict=True):
        if kind == "credit_note" and of:
            credited[of] = credited.get(of, ZERO) + gross
    return credited


def read_rows(
    path: Path,
    mark: dict[str, Any],
    field_name: str,
    value: Any,
    listing: Listing,
    *,
    found: Callable[[], None],
    reread: Callable[[str], Entry],
) -> list[Entry] | None:
    """The entries of the documents whose `field_name` is `value`, `credited` included,
    when the index cache at `path` serves every file `listing` gives as it is; None
    otherwise."""
    loaded = load_rows(path, mark, field_name, value, found=found, reread=reread)
    if loaded is None:
        return None
    keys, paths, entries, credited = loaded
    if not files_as_cached(listing(), paths, keys):
        return None
    for entry in entries:
        entry.credited = credited.get(entry.number, ZERO)
    return entries


def load_rows(
    path: Path,
    mark: dict[str, Any],
    field_name: str,
    value: Any,
    *,
    found: Callable[[], None],
    reread: Callable[[str], Entry],
) -> tuple[list[int] | array[int], list[str], list[Entry], dict[str, Decimal]] | None:
    """Of the index cache at `path` (see load_index): every file's stat key and path, the
    entries whose `field_name` is `value` (made alone: one client's 50 documents of 10,000;
    the columns that do not choose them left unread), and what credit notes credit each of
    their numbers;
    None when the cache is absent, not facturo's, not of `mark` or damaged in a column
    these are read from."""
    lines = _signed_lines(path, found)
    if lines is None:
        return None
    try:
        count, names, keys = header_and_keys(lines, mark)
        at = {name: place for place, name in enumerate(names, 1)}
        amounts: dict[str, Decimal] = {}

        parsed: dict[str, list[Any]] = {}  # each line parsed once

        def column(name: str, rows: list[int] | None = None) -> list[Any]:
            if name not in at:
                return [_default(name) for _ in range(count if rows is None else len(rows))]
            if name not in parsed:
                parsed[name] = _json_list(lines[at[name]], count)
            cells = parsed[name] if rows is None else [parsed[name][row] for row in rows]
            return _values(name, cells, len(cells), amounts)

        paths, chosen = column("path"), column(field_name)
        rows = [row for row, found_value in enumerate(chosen) if found_value == value]
        notes = [row for row, kind in enumerate(column("kind")) if kind == "credit_note"]
        credited = _credited(
            column("kind", notes), column("credit_note_of", notes), column("gross", notes)
        )
        # The columns choosing the rows are read above; each other one only if an entry
        # asks for it, then cell by cell: a statement shows 10 of the 38 fields.
        chosen_by = {"path", field_name, "kind", "credit_note_of", "gross"}
        late = {name: lines[at[name]] for name in names if name not in chosen_by}
        unread = None
        if late:
            lines_at, by_cell = {name: at[name] for name in late}, frozenset(late)
            unread = Unread(late, lines_at, reread, names=by_cell, by_cell=by_cell)
        values = {name: column(name, rows) for name in names if name in chosen_by}
        entries = _entries(values, len(rows), unread)
    except ValueError:
        return None
    if unread is not None:
        unread.places = {paths[row]: row for row in rows}
        unread.count = count
    return keys, paths, entries, credited


def load_columns(
    path: Path, mark: dict[str, Any], wanted: Iterable[str], *, found: Callable[[], None]
) -> tuple[list[int] | array[int], dict[str, list[Any]]] | None:
    """The stat keys and the columns `wanted` (not LATE ones) of the index cache at `path`,
    each checked and converted as read_index does, without making an entry of them (a
    column left out: its default for each); None when the cache is absent, not facturo's,
    not of `mark`, or any of these columns is damaged. `found` is told first, as by
    load_index."""
    lines = _signed_lines(path, found)
    if lines is None:
        return None
    try:
        count, names, keys = header_and_keys(lines, mark)
        where = {name: at for at, name in enumerate(names, 1)}
        amounts: dict[str, Decimal] = {}
        columns = {}
        for name in wanted:
            if name in LATE:
                raise ValueError(name)  # read late, one by one: not here
            if name in where:
                columns[name] = _values(name, _json_list(lines[where[name]], count), count, amounts)
            else:  # its default for each (a list each, as entries made without it have)
                default = _default(name)
                same = type(default) is not list
                columns[name] = [default] * count if same else [[] for _ in range(count)]
    except ValueError:
        return None
    return keys, columns


def _signed_lines(path: Path, found: Callable[[], None]) -> list[bytes] | None:
    """The lines of the index cache at `path` if facturo signed it (`found` is told first,
    as by load_index); None when it did not."""
    signed = read_signed_lines(path)
    if signed is None:
        return None
    found()
    return signed[0]


def files_as_cached(
    listed: list[tuple[str, str]], paths: list[str], keys: list[int] | array[int]
) -> bool:
    """Whether the files `listed` (display path, path) are those of an index cache, in its
    order (`paths`), each with the stat key (`keys`) it was read with: none added, removed,
    renamed or changed since."""
    if list(map(itemgetter(0), listed)) != paths:
        return False
    try:  # each stat let go of once its key is taken
        now = list(chain.from_iterable(map(_STAT_KEY, map(os.stat, map(itemgetter(1), listed)))))
    except OSError:
        return False
    return list(keys) == now


_STAT_KEY = attrgetter("st_size", "st_mtime_ns", "st_ino", "st_ctime_ns")  # as index.py keys
