"""Mappings and lists read from a file, each remembering where it and its parts stand."""

from __future__ import annotations

from typing import Any


class YMap(dict[str, Any]):
    """A mapping that remembers where it and each of its keys stand in the file."""

    __slots__ = ("col", "key_marks", "line", "raw")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:  # (an empty one, made for every mapping read, skips the call)
            super().__init__(*args, **kwargs)
        self.line = 0
        self.col = 0
        self.key_marks: dict[str, tuple[int, int]] = {}
        self.raw: dict[str, str] = {}  # source text of plain scalars read as non-strings

    def mark(self, key: str) -> tuple[int, int]:
        """Line and column of `key`, or of the mapping itself when the key is absent."""
        return self.key_marks.get(key, (self.line, self.col))


class YList(list[Any]):
    """A sequence that remembers where it and each of its items stand in the file."""

    __slots__ = ("col", "item_marks", "line")

    def __init__(self, *args: Any) -> None:
        if args:
            super().__init__(*args)
        self.line = 0
        self.col = 0
        self.item_marks: list[tuple[int, int]] = []

    def mark(self, index: int) -> tuple[int, int]:
        if 0 <= index < len(self.item_marks):
            return self.item_marks[index]
        return (self.line, self.col)


def locate(data: Any, path: str) -> tuple[int, int]:
    """Line and column of a dotted path ("client.address.0"), or of its deepest existing part."""
    where = (getattr(data, "line", 0), getattr(data, "col", 0))
    node = data
    for part in path.split("."):
        if isinstance(node, YMap) and part in node.key_marks:
            where = node.mark(part)
            node = node.get(part)
        elif isinstance(node, YList) and part.isdigit() and int(part) < len(node):
            where = node.mark(int(part))
            node = node[int(part)]
        else:
            break
    return where
