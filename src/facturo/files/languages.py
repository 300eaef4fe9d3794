"""The languages of documents: one translation catalog each in facturo/catalogs/, a data file."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# The catalogs are data (words): output/words.py reads the words of the layout, and
# lifecycle/phrases.py the lines facturo writes into documents; adding a language is adding a file.
# They are files of the package, found beside its modules (importlib.resources would cost
# every command ~5 ms to import, for the same folder).
CATALOGS = Path(__file__).resolve().parents[1] / "catalogs"
# The language of French law and of a folder's default: listed first, the others by name.
HOME_LANGUAGE = "fr"


def _catalog_languages() -> tuple[str, ...]:
    names = sorted(
        entry.name.removesuffix(".yaml")
        for entry in CATALOGS.iterdir()
        if entry.name.endswith(".yaml") and not entry.name.startswith(".")
    )
    return (HOME_LANGUAGE, *(name for name in names if name != HOME_LANGUAGE))


LANGUAGES = _catalog_languages()


@functools.cache
def catalog(language: str) -> Mapping[str, Any]:
    """The catalog of a language (facturo/catalogs/<language>.yaml), read once."""
    if language not in LANGUAGES:
        raise KeyError(language)
    text = (CATALOGS / f"{language}.yaml").read_text("utf-8")
    read = read_words(text)
    if read is not None:
        return read
    import yaml

    # libyaml's loader when PyYAML has it: the same data, ten times faster than pure Python.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded: Mapping[str, Any] = yaml.load(text, Loader=loader)
    return loaded


# A line of a catalog: its indent, a key, and its value (plain, or in quotes).
_WORD_LINE = re.compile(
    r"""( *)([A-Za-z_][A-Za-z0-9_-]*):(?: ([^"'\s#][^#]*?|"[^"\\]*"|'(?:[^']|'')*'))?"""
)
# Plain texts YAML reads as something else than text (numbers, dates, booleans, null...),
# or that are not one plain scalar: a catalog holding one is left to PyYAML.
_NOT_TEXT = re.compile(
    r"[-?:,\[\]{}#&*!|>%@`]|.*(?::$|: )"
    r"|(?:[-+]?[0-9.][0-9._:a-fx+ -]*|[-+]?\.inf|\.nan|~|null|yes|no|y|n|true|false|on|off|<<|=)$",
    re.IGNORECASE,
)


def read_words(text: str) -> dict[str, Any] | None:
    """A catalog's mappings of words as yaml.safe_load reads them, without PyYAML (`list`
    prints status words and starts without it): only nested `key: text` lines, comment and
    blank lines; None for anything else, which PyYAML then reads."""
    root: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = [(0, root)]  # (its keys' indent, a mapping)
    opened: dict[str, Any] | None = None  # a mapping just opened: its keys are next
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = None if "\t" in line else _WORD_LINE.fullmatch(line)
        if found is None:
            return None
        indent, key, value = len(found[1]), found[2], found[3]
        if _NOT_TEXT.match(key):
            return None
        if opened is not None:
            if indent <= stack[-1][0]:
                return None  # an empty mapping (YAML reads null)
            stack.append((indent, opened))
            opened = None
        while indent < stack[-1][0]:
            stack.pop()
        mapping = stack[-1][1]
        if indent != stack[-1][0] or key in mapping:
            return None  # between two levels, or a key given twice
        if value is None:
            mapping[key] = opened = {}
        elif value.startswith('"'):
            mapping[key] = value[1:-1]
        elif value.startswith("'"):
            mapping[key] = value[1:-1].replace("''", "'")
        elif _NOT_TEXT.match(value.rstrip()):
            return None
        else:
            mapping[key] = value.rstrip()
    return None if opened is not None or not root else root
