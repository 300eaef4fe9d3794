"""Checks across issued documents: duplicate numbers, gaps, the order of dates, the seal chain."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from facturo.errors import Problem
from facturo.model.numbering import SERIES_OF_KIND, Series, series_for


def check_numbering(entries: list[Any], config: dict[str, Any]) -> list[Problem]:
    """Duplicates, gaps, order of dates and the seal chain, per series (the series of each
    kind and the named ones of numbering.series)."""
    problems: list[Problem] = []
    by_number: dict[str, list[Any]] = defaultdict(list)
    for entry in entries:
        if entry.number:
            by_number[entry.number].append(entry)
    for number, same in by_number.items():
        for other in same[1:]:
            problems.append(
                Problem(other.path, 1, 1, f"number {number} is also used by {same[0].path}")
            )
    series_entries: dict[str, list[tuple[tuple[int, int, str], Any]]] = defaultdict(list)
    period_of: dict[int, Any] = {}  # id(entry) -> its period (the group of its series)
    groups: dict[tuple[str, int | None], list[tuple[int, Any]]] = defaultdict(list)
    named: dict[str, Series] = {}
    read: dict[tuple[str, str | None], Series | None] = {}  # each series read from config once
    unread: dict[str, list[tuple[str, int]]] = defaultdict(list)  # numbers no pattern reads
    for entry in entries:
        if entry.kind not in SERIES_OF_KIND or entry.issue_date is None:
            continue
        key = (entry.kind, entry.series)
        if key not in read:
            read[key] = series_for(config, entry.kind, entry.series)
        found = read[key]
        if found is None:
            problems.append(
                Problem(
                    entry.path,
                    1,
                    1,
                    f"{entry.number} was numbered in the series {entry.series!r}, which "
                    "numbering.series of facturo.yaml does not define (for this kind): a series "
                    "stays defined while its documents are kept",
                )
            )
            continue
        series = named.setdefault(found.name, found)
        parsed = series.parse(entry.number)
        if parsed is None and not series.start:  # with a start, the change is documented
            problems.append(
                Problem(
                    entry.path,
                    1,
                    1,
                    f"number {entry.number} does not follow the {series.name} pattern "
                    f"{series.pattern!r}",
                    "warning",
                )
            )
        if parsed is None:  # another pattern's number (before a documented change)
            unread[series.name].append((entry.number, entry.issue_date.year))
            order = (entry.issue_date.year, 0, entry.number)
            period_of[id(entry)] = series.group_of(entry.issue_date.year)
        else:
            year, seq = parsed
            if year is not None and year != entry.issue_date.year:
                problems.append(
                    Problem(entry.path, 1, 1, f"number of year {year} issued on {entry.issue_date}")
                )
            group = series.group_of(year if year is not None else entry.issue_date.year)
            groups[(series.name, group)].append((seq, entry))
            period_of[id(entry)] = group
            order = (entry.issue_date.year if series.reset == "yearly" else 0, seq, entry.number)
        series_entries[series.name].append((order, entry))
    for (name, group), members in groups.items():
        series = named[name]
        problems.extend(_check_group(series, group, members))
        first = min(members, key=lambda m: m[0])[1]
        # only numbers its pattern does not read can make a series restart
        message = series.restart_problem(first.issue_date.year, unread[name])
        if message is not None:
            problems.append(Problem(first.path, 1, 1, message))
    for ordered in series_entries.values():
        in_order = [entry for _, entry in sorted(ordered, key=lambda m: m[0])]
        problems.extend(_check_chain(in_order, period_of))
    return problems


def _check_group(
    series: Series, group: int | None, members: list[tuple[int, Any]]
) -> list[Problem]:
    problems: list[Problem] = []
    members.sort(key=lambda m: m[0])
    expected = series.first_seq(group)
    previous = None
    for seq, entry in members:
        if seq > expected:
            year = group if group is not None else entry.issue_date.year
            missing = [series.format(year, s) for s in range(expected, seq)]
            shown = missing[0] if len(missing) == 1 else f"{missing[0]} to {missing[-1]}"
            problems.append(
                Problem(
                    entry.path,
                    1,
                    1,
                    f"gap in the numbering: {shown} missing before {entry.number} "
                    "(numbers are never skipped, deleted or reused)",
                )
            )
        if previous is not None and entry.issue_date < previous.issue_date:
            problems.append(
                Problem(
                    entry.path,
                    1,
                    1,
                    f"{entry.number} is dated {entry.issue_date}, before {previous.number} "
                    f"({previous.issue_date}): numbers must follow the order of dates",
                )
            )
        expected = max(expected, seq + 1)
        previous = entry
    return problems


def _check_chain(ordered: list[Any], period_of: dict[int, Any]) -> list[Problem]:
    """Each seal names its predecessor's: the previous document of the series under the
    first rule, of the series and period since (the first of a period names none)."""
    problems: list[Problem] = []
    expected: str | None = None
    before = None
    for entry in ordered:
        period = period_of.get(id(entry))
        if entry.seal_version >= 2 and (before is None or period_of.get(id(before)) != period):
            expected, before = None, None
        if entry.seal is not None and entry.previous != expected:
            after = f"after {before.number}" if before is not None else "as the first of its series"
            problems.append(
                Problem(
                    entry.path,
                    entry.previous_line or 1,
                    1,
                    f"seal chain broken {after}: this document was sealed after another one "
                    "(a document was deleted, replaced or edited)",
                )
            )
        expected = entry.seal
        before = entry
    return problems


def in_series(entry: Any, series: Series) -> bool:
    """Whether an issued document was numbered in `series`."""
    if series.kind:
        return bool(entry.series == series.name and SERIES_OF_KIND.get(entry.kind) == series.kind)
    return not entry.series and SERIES_OF_KIND.get(entry.kind) == series.name


def series_order(series: Series, entry: Any) -> tuple[int, int, str]:
    """Where a document of `series` stands in it: the year (of a yearly series), then the
    sequence."""
    parsed = series.parse(entry.number)
    year = entry.issue_date.year if entry.issue_date else 0
    seq = parsed[1] if parsed else 0
    return (year if series.reset == "yearly" else 0, seq, entry.number)


def last_in_series(entries: list[Any], series: Series) -> Any | None:
    """The last document of `series` among `entries`: the latest year, then the highest
    sequence."""
    same = [entry for entry in entries if in_series(entry, series)]
    return max(same, key=lambda entry: series_order(series, entry)) if same else None
