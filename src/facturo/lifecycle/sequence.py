"""Each numbering series as a batch of issues sees it: numbers taken, last document, seal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from facturo.checks.numbering import in_series
from facturo.model.numbering import Series
from facturo.store.entry import Entry

Parsed = tuple[int | None, int] | None  # a number as its series reads it (year, sequence)


def period_of(series: Series, entry: Entry, parsed: Parsed) -> int | None:
    """The period of an entry's series its seal chains within (store/seal.py); `parsed`:
    its number as the series reads it."""
    year = parsed[0] if parsed and parsed[0] is not None else None
    if year is None and entry.issue_date is not None:
        year = entry.issue_date.year
    return series.group_of(year or 0)


@dataclass
class _State:
    """One series: its documents read once, then each one issued in the batch added."""

    series: Series
    members: list[Entry]
    highest: dict[int | None, int] = field(default_factory=dict)  # year (None: any) -> seq
    last: Entry | None = None
    last_of_period: dict[int | None, Entry] = field(default_factory=dict)
    restarts: dict[int, str | None] = field(default_factory=dict)  # year -> restart problem
    # series_order of `last` and of each `last_of_period`: each number is parsed once
    orders: dict[int | None, tuple[int, int, str]] = field(default_factory=dict)
    last_order: tuple[int, int, str] | None = None
    unread: list[Entry] = field(default_factory=list)  # numbers the pattern does not read

    def take(self, numbers: Iterable[str]) -> None:
        for number in numbers:
            self._take(self.series.parse(number))

    def _take(self, parsed: Parsed) -> None:
        if parsed is None:
            return
        year, seq = parsed
        for group in {None, year}:
            if seq > self.highest.get(group, -1):
                self.highest[group] = seq

    def place(self, entry: Entry) -> None:
        """A document of the series: its number taken, and where it stands in the series."""
        parsed = self.series.parse(entry.number)  # once: a series of 10,000 is placed at once
        self._take(parsed)
        if parsed is None:
            self.unread.append(entry)
        seq = parsed[1] if parsed else 0
        year = entry.issue_date.year if entry.issue_date else 0
        order = (year if self.series.reset == "yearly" else 0, seq, entry.number)  # series_order
        if self.last_order is None or order > self.last_order:
            self.last, self.last_order = entry, order
        period = period_of(self.series, entry, parsed)
        current = self.orders.get(period)
        if current is None or order > current:
            self.last_of_period[period], self.orders[period] = entry, order


class Sequences:
    """The numbering series of the issued documents, each read from the index once and kept
    up to date as the batch issues documents: a batch of drafts costs one pass over the
    index, not one per draft.

    `known` is every number ever issued (files, strays, git, the record): none is given
    again. Each answer is the one the whole index would give with the batch's documents
    added to it.
    """

    def __init__(self, entries: list[Entry], known: Iterable[str]) -> None:
        self._entries = entries
        self._known = sorted(known)
        self._states: dict[Series, _State] = {}

    def reread(self, entries: list[Entry]) -> None:
        """Start again from `entries` (the index read again after a failed claim)."""
        self._entries = entries
        self._states = {}

    def _state(self, series: Series) -> _State:
        state = self._states.get(series)
        if state is None:
            members = [entry for entry in self._entries if in_series(entry, series)]
            state = _State(series, members)
            for entry in members:
                state.place(entry)
            taken = {entry.number for entry in members}
            state.take(number for number in self._known if number not in taken)
            self._states[series] = state
        return state

    def last(self, series: Series) -> Entry | None:
        """The last document of `series` (the latest year, then the highest sequence)."""
        return self._state(series).last

    def last_of_period(self, series: Series, year: int) -> Entry | None:
        """The last document of the period `year` falls in: the one a seal chains to."""
        return self._state(series).last_of_period.get(series.group_of(year))

    def restart_problem(self, series: Series, year: int) -> str | None:
        """Series.restart_problem for the documents of `series`."""
        state = self._state(series)
        if year not in state.restarts:
            # only numbers its pattern does not read can make a series restart
            dated = [
                (e.number, e.issue_date.year) for e in state.unread if e.issue_date is not None
            ]
            state.restarts[year] = series.restart_problem(year, dated)
        return state.restarts[year]

    def next_number(self, series: Series, year: int) -> str:
        """Series.next_number after every number of the series and every number known."""
        group = series.group_of(year)
        highest = max(series.first_seq(group) - 1, self._state(series).highest.get(group, -1))
        return series.format(year, highest + 1)

    def add(self, series: Series, entry: Entry) -> None:
        """A document of the batch, issued (or, in a dry run, that would be) in `series`."""
        state = self._state(series)
        state.members.append(entry)
        unread = len(state.unread)
        state.place(entry)
        if len(state.unread) != unread:
            state.restarts = {}  # it changes which numbers the pattern does not read
