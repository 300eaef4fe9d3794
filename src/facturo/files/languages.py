"""The languages of documents: one translation catalog each in facturo/catalogs/, a data file."""

from __future__ import annotations

import functools
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
    import yaml

    text = (CATALOGS / f"{language}.yaml").read_text("utf-8")
    # libyaml's loader when PyYAML has it: the same data, ten times faster than pure Python.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded: Mapping[str, Any] = yaml.load(text, Loader=loader)
    return loaded
