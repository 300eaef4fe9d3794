"""The element tree CAMT and OFX statements are both read into, and their entries read off it.

CAMT is XML, parsed here with expat (no DTD, no entity); OFX 1.x is SGML that
`files.bank.ofx` tokenises into the same elements. Either way an element is found by its
local name along a path such as `Acct/Id/IBAN`, and keeps its line for problems.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.parsers import expat

from facturo.errors import Problem
from facturo.files.bank import Statement, StatementError, Transaction, problem, with_digest_ids


@dataclass
class Element:
    """An element by its local name, with its text, attributes and place in the file."""

    tag: str
    line: int
    col: int = 0
    attrs: dict[str, str] = field(default_factory=dict)
    namespace: str = ""
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def all(self, path: str) -> list[Element]:
        """Every element at the end of `path`, in the file's order."""
        found = [self]
        for name in path.split("/"):
            found = [child for node in found for child in node.children if child.tag == name]
        return found

    def first(self, *paths: str) -> Element | None:
        """The first element found along the first of `paths` that has one."""
        for path in paths:
            nodes = self.all(path)
            if nodes:
                return nodes[0]
        return None

    def value(self, *paths: str) -> str:
        """The text of the first of `paths` whose element holds some; an empty one is absent."""
        for path in paths:
            nodes = self.all(path)
            if nodes and nodes[0].text.strip():
                return nodes[0].text.strip()
        return ""


class BadValue(ValueError):
    """A value that is not what the format says, and the element it stands in."""

    def __init__(self, message: str, element: Element) -> None:
        super().__init__(message)
        self.element = element


# One statement of a file: its account, its entries and how one entry is read.
Part = tuple[str, list[Element], Callable[[Element], Iterable[Transaction]]]


def read_parts(display: str, format_name: str, parts: list[Part]) -> Statement:
    """The transactions of every part of a file, in its order; StatementError lists every
    entry that cannot be read, at its line (the others are still read, to be listed too)."""
    problems: list[Problem] = []
    transactions: list[Transaction] = []
    for account, entries, read in parts:
        found: list[Transaction] = []
        for entry in entries:
            try:
                found.extend(read(entry))
            except ValueError as exc:
                where = exc.element if isinstance(exc, BadValue) else entry
                problems.append(problem(display, where.line, str(exc), where.col))
        transactions.extend(with_digest_ids(found, account))
    if problems:
        raise StatementError(f"{display} cannot be read", problems=problems)
    accounts = ", ".join(dict.fromkeys(account for account, _, _ in parts))
    return Statement(display, format_name, accounts, tuple(transactions))


def parse_xml(raw: bytes, display: str) -> Element:
    """The element tree of `raw`, with lines; no DTD, no entities."""
    parser = expat.ParserCreate(namespace_separator="}")
    stack: list[Element] = []
    roots: list[Element] = []

    def refuse(*_: object) -> None:
        raise StatementError(
            f"{display} cannot be read",
            problems=[problem(display, parser.CurrentLineNumber, "a DTD is not allowed here")],
        )

    def start(name: str, attrs: dict[str, str]) -> None:
        namespace, _, local = name.rpartition("}")
        element = Element(
            local, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1, attrs, namespace
        )
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(_: str) -> None:
        stack.pop()

    def characters(data: str) -> None:
        if stack:
            stack[-1].text += data

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as exc:
        message = expat.errors.messages.get(exc.code, str(exc)) if exc.code else str(exc)
        raise StatementError(
            f"{display} is not well-formed XML",
            problems=[problem(display, exc.lineno, message, exc.offset + 1)],
        ) from None
    if not roots:
        raise StatementError(f"{display} is empty")
    return roots[0]
