"""The languages of documents: one translation catalog each in facturo/catalogs/, a data file."""

from __future__ import annotations

from importlib import resources

# The catalogs are data (words), read by output/words.py; this module only lists them, so that
# adding a language is adding a file.
CATALOGS = resources.files("facturo") / "catalogs"
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
