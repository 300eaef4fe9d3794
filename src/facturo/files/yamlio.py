"""YAML read in: line and column marks on every mapping and list, exact decimals, no traps."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from facturo.errors import Problem
from facturo.files.marked import YList, YMap

try:  # libyaml's parser is ~7x faster; the pure-Python one is the fallback
    from yaml._yaml import CParser

    class _Parsing(CParser):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)

except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parsing(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class _StrictResolver(Resolver):
    """YAML 1.1 resolution without its traps: `no` stays a string (Norway's code is NO),
    `01234` stays a string (a postcode, not octal), `1:30` stays a string, and decimals
    are exact (no exponent, inf or nan)."""


_REPLACED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_StrictResolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$"),
    list("-+0123456789."),
)


_PLAIN_TAGS: dict[str, str] = {}  # plain scalar text -> tag, shared by every load


class _Loader(_Parsing, yaml.constructor.SafeConstructor, _StrictResolver):
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        # Called for every node by the C parser: no path resolvers here, and the tag of a
        # plain scalar depends only on its text, so it is looked up once per distinct text.
        if kind is ScalarNode:
            if implicit[0]:
                tag = _PLAIN_TAGS.get(value)
                if tag is None:
                    tag = _StrictResolver.resolve(self, kind, value, implicit)  # type: ignore[no-untyped-call]
                    if len(_PLAIN_TAGS) < 100_000:
                        _PLAIN_TAGS[value] = tag
                return tag
            return self.DEFAULT_SCALAR_TAG
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # The last guard of "never a traceback": a value no constructor can make is a
        # problem at its line, and its text stands in for it.
        old_deep = self.deep_construct
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
            self.deep_construct = old_deep
            self.recursive_objects.pop(node, None)
            self.problems.append((*_where(node), f"cannot read this value ({exc})"))
            value = node.value if isinstance(node, ScalarNode) else None
            self.constructed_objects[node] = value
            return value

    def __init__(self, stream: str) -> None:
        _Parsing.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        _StrictResolver.__init__(self)
        self.problems: list[tuple[int, int, str]] = []
        self.builder = _Builder(self)


def _where(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_Data = TypeVar("_Data", YMap, YList)


def _misplaced(loader: _Loader, node: Node, data: _Data, message: str) -> _Data:
    """A tag on the wrong kind of node (!!map on a list...): empty data there, a problem."""
    loader.problems.append((*_where(node), message))
    data.line, data.col = _where(node)
    return data


def _construct_map(loader: _Loader, node: Node) -> YMap:
    if not isinstance(node, MappingNode):
        return _misplaced(loader, node, YMap(), "expected key: value lines after !!map")
    return loader.builder.map(node)


def _construct_seq(loader: _Loader, node: Node) -> YList:
    if not isinstance(node, SequenceNode):
        return _misplaced(loader, node, YList(), "expected a list after !!seq")
    return loader.builder.seq(node)


_INT_TEXT = re.compile(r"^[-+]?[0-9][0-9_]*$")
_DECIMAL_TEXT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)$")
# Decimal's default context holds 28 significant digits: a longer number could not be
# computed with exactly, so it stays the text it is (and a number field reports it).
MAX_DIGITS = 28


def _number_text(node: ScalarNode, pattern: re.Pattern[str]) -> str | None:
    text = str(node.value).replace("_", "")
    if not pattern.match(text):
        return None
    if len(text) > MAX_DIGITS and sum(c.isdigit() for c in text.lstrip("+-0.")) > MAX_DIGITS:
        return None  # (a text no longer than the limit cannot hold more digits than it)
    return text


def _construct_decimal(loader: _Loader, node: ScalarNode) -> Decimal | str:
    text = _number_text(node, _DECIMAL_TEXT)
    return str(node.value) if text is None else Decimal(text)


def _construct_int(loader: _Loader, node: ScalarNode) -> int | str:
    text = _number_text(node, _INT_TEXT)
    return str(node.value) if text is None else int(text)


def _construct_timestamp(loader: _Loader, node: ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, TypeError, AttributeError, OverflowError):
        return str(node.value)  # 2026-02-30 is no date: a date field says so, a text keeps it


def _construct_bool(loader: _Loader, node: ScalarNode) -> bool | str:
    value = loader.bool_values.get(str(node.value).lower())
    return str(node.value) if value is None else bool(value)


def _unsupported(loader: _Loader, node: Node) -> None:
    loader.problems.append((*_where(node), f"the tag {node.tag} is not supported here"))


_constructors: Any = _Loader
_constructors.add_constructor("tag:yaml.org,2002:map", _construct_map)
_constructors.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_constructors.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_constructors.add_constructor("tag:yaml.org,2002:int", _construct_int)
_constructors.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_constructors.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
for _tag in ("binary", "set", "omap", "pairs", "value", "merge", "yaml"):
    _constructors.add_constructor(f"tag:yaml.org,2002:{_tag}", _unsupported)


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"
_SCALARS: dict[str, Any] = {
    "tag:yaml.org,2002:null": lambda loader, node: None,
    "tag:yaml.org,2002:float": _construct_decimal,
    "tag:yaml.org,2002:int": _construct_int,
    "tag:yaml.org,2002:timestamp": _construct_timestamp,
    "tag:yaml.org,2002:bool": _construct_bool,
}
_READ_ERRORS = (ValueError, TypeError, AttributeError, KeyError, OverflowError)
NOT_READ = object()  # what plain_value gives for a text it cannot read alone


class _Plain(_StrictResolver, yaml.constructor.SafeConstructor):
    """What the loader does with a plain scalar's text, without a document around it."""

    def __init__(self) -> None:
        _StrictResolver.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)


_PLAIN = _Plain()


# The first characters an implicit resolver looks at (None: one looks at every scalar): a
# plain scalar starting with another is text without trying any (names, references).
_RESOLVED_FIRST = frozenset(
    first for first, resolvers in _StrictResolver.yaml_implicit_resolvers.items() if resolvers
)


def plain_value(text: str) -> Any:
    """The value the loader gives a plain scalar written `text` (on one line), or
    NOT_READ when it would not give one without a problem (another tag, a failure)."""
    if text and text[0] not in _RESOLVED_FIRST and None not in _RESOLVED_FIRST:
        return text
    tag = _PLAIN_TAGS.get(text)
    if tag is None:
        tag = _StrictResolver.resolve(_PLAIN, ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag == _STR_TAG:
        return text
    if tag not in _SCALARS:
        return NOT_READ
    try:
        return _SCALARS[tag](_PLAIN, ScalarNode(tag, text))
    except _READ_ERRORS:
        return NOT_READ


class _Builder:
    """Builds the data of a composed document in one direct walk over its nodes (the
    generic constructor's bookkeeping is most of a load's time); any node out of the
    ordinary (another tag, a tag on the wrong kind of node) goes to the loader's
    constructors, whose mappings and lists are built here again: one way for each."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.seen: set[int] = set()
        self.depth = 0  # mappings and lists open around the node being built

    def build(self, node: Node, where: tuple[int, int]) -> Any:
        loader = self.loader
        if (
            id(node) in self.seen
            or node in loader.constructed_objects
            or node in loader.recursive_objects
        ):
            # An alias: shared structure would be walked many times (a "billion laughs" file).
            loader.problems.append((*where, "anchors and aliases (*name) are not supported here"))
            return None
        self.seen.add(id(node))
        tag = node.tag
        if isinstance(node, ScalarNode):
            if tag == _STR_TAG:
                return node.value
            scalar = _SCALARS.get(tag)
            if scalar is not None:
                try:
                    return scalar(loader, node)
                except _READ_ERRORS as exc:
                    loader.problems.append((*_where(node), f"cannot read this value ({exc})"))
                    return node.value
        elif isinstance(node, (MappingNode, SequenceNode)) and self.depth >= MAX_DEPTH:
            loader.problems.append((*_where(node), TOO_DEEP))
            return None
        elif isinstance(node, MappingNode) and tag == _MAP_TAG:
            return self._within(self.map, node)
        elif isinstance(node, SequenceNode) and tag == _SEQ_TAG:
            return self._within(self.seq, node)
        return loader.construct_object(node, deep=True)

    def _within(self, build: Callable[[Any], Any], node: Node) -> Any:
        """`build(node)`, one level deeper."""
        self.depth += 1
        try:
            return build(node)
        finally:
            self.depth -= 1

    def map(self, node: MappingNode) -> YMap:
        problems = self.loader.problems
        data = YMap()
        data.line, data.col = _where(node)
        key_marks, raw = data.key_marks, data.raw
        for key_node, value_node in node.value:
            key_where = _where(key_node)
            if not isinstance(key_node, ScalarNode):
                problems.append((*key_where, "a key must be a plain word"))
                continue
            key = key_node.value
            if key == "<<":
                problems.append((*key_where, "merge keys (<<) are not supported here"))
                continue
            value = self.build(value_node, key_where)
            if key in data:
                line, _ = key_marks[key]
                problems.append((*key_where, f"duplicate key {key!r} (first at line {line})"))
            data[key] = value
            key_marks[key] = key_where
            if (
                isinstance(value_node, ScalarNode)
                and not value_node.style
                and not isinstance(value, str)
            ):
                raw[key] = value_node.value
        return data

    def seq(self, node: SequenceNode) -> YList:
        data = YList()
        data.line, data.col = _where(node)
        marks = data.item_marks
        for item in node.value:
            where = _where(item)
            data.append(self.build(item, where))
            marks.append(where)
        return data


# What YAML accepts in a file (YAML 1.1 "printable"): no NUL, no other control characters.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
MAX_FILE_BYTES = 4 * 1024 * 1024  # far above any real document; keeps a stray file cheap
MAX_DEPTH = 64  # mappings and lists within each other; facturo's files need a few
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep (facturo files need a few)"


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset in `text`."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def parse(text: str, path: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text; return the data (YMap/YList/scalars) and the problems found."""
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line, col = _position(text, bad.start())
        char = bad.group()
        what = "a NUL byte" if char == "\0" else f"the control character U+{ord(char):04X}"
        return None, [Problem(path, line, col, f"{what} is not allowed in a YAML file")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.builder.build(node, _where(node))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(path, line, col, f"YAML syntax error: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 0, 0, f"YAML error: {exc}")]
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
        return None, [Problem(path, 1, 1, f"cannot read this file ({exc})")]
    except RecursionError:  # nested too deep for the parser itself, before the builder
        return None, [Problem(path, 1, 1, TOO_DEEP)]
    finally:
        loader.dispose()
    problems = [Problem(path, line, col, message) for line, col, message in loader.problems]
    return data, problems


def load(path: Path, display: str, raw: bytes | None = None) -> tuple[Any, list[Problem]]:
    """Read and parse a YAML file (or its bytes `raw`, read already); unreadable or
    non-UTF-8 files are problems, not crashes."""
    if raw is None:
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            return None, [Problem(display, 0, 0, f"cannot read: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        return None, [Problem(display, 0, 0, f"too large for a facturo file (over {limit} MB)")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(
            raw.decode("utf-8", "replace"), len(raw[: exc.start].decode("utf-8", "replace"))
        )
        message = f"not UTF-8 text: byte 0x{raw[exc.start]:02x} (save the file as UTF-8)"
        return None, [Problem(display, line, col, message)]
    return parse(text.removeprefix("\ufeff"), display)


def load_mapping(
    path: Path, display: str, raw: bytes | None = None
) -> tuple[YMap | None, list[Problem]]:
    """Load a file whose top level must be a mapping."""
    data, problems = load(path, display, raw)
    if problems and data is None:
        return None, problems
    if data is None:
        return None, [
            *problems,
            Problem(display, 1, 1, "the file is empty (expected key: value lines)"),
        ]
    if not isinstance(data, YMap):
        line, col = getattr(data, "line", 1), getattr(data, "col", 1)
        message = "expected key: value lines at the top level"
        return None, [*problems, Problem(display, line, col, message)]
    return data, problems
