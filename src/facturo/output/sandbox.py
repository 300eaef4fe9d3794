"""The Jinja2 sandbox every template runs in (PDF documents and emails): folders, filters."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from facturo.errors import FacturoError
from facturo.output import words as labels
from facturo.output.values import as_date, as_decimal


def find_packaged_templates() -> Path:
    """Return the folder of the packaged templates, in a wheel install or a source checkout."""
    installed = resources.files("facturo") / "templates"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[3] / "templates"


class TemplateRefused(FacturoError):
    """A template file whose real path (links followed) leaves the folders templates come from."""


@dataclass(frozen=True)
class TemplateFolders:
    """Where templates are looked up: the billing folder's `templates/` first, then the packaged."""

    root: Path | None
    packaged: Path
    overrides: Path | None

    @classmethod
    def of(cls, folder_root: Path | None, part: str = "") -> TemplateFolders:
        """The folders of a billing folder (or none), for the templates in `part` (e.g. "mail")."""
        root = folder_root.resolve() if folder_root is not None else None
        overrides = root / "templates" / part if root is not None else None
        return cls(
            root=root,
            packaged=find_packaged_templates() / part,
            overrides=overrides if overrides is not None and overrides.is_dir() else None,
        )

    def search_path(self) -> list[str]:
        return [str(p) for p in (self.overrides, self.packaged) if p is not None]

    def confine(self, path: Path) -> Path:
        """The real path of `path`, which must stay inside the billing folder's `templates/`
        or the packaged templates once symbolic links are followed: a link in templates/
        must not hand a private file (the SMTP password) to a document or an email."""
        real = path.resolve()
        allowed = [find_packaged_templates().resolve()]
        if self.root is not None:
            allowed.append(self.root / "templates")
        if any(real.is_relative_to(folder) for folder in allowed):
            return real
        places = " and ".join(self.display(folder) + "/" for folder in allowed[::-1])
        raise TemplateRefused(
            f"{self.display(path)}: refused, it leads to {real}, outside {places}"
        )

    def describe(self) -> str:
        """Both folders, as an error says where a template was looked for."""
        return " or ".join(self.display(p) for p in (self.overrides, self.packaged) if p)

    def display(self, place: str | Path) -> str:
        """A path as the user knows it: inside the billing folder, or facturo/templates/..."""
        path = Path(place)
        if self.root is not None and path.is_absolute() and path.is_relative_to(self.root):
            return path.relative_to(self.root).as_posix()
        packaged = find_packaged_templates()
        if path.is_absolute() and path.is_relative_to(packaged):
            return (Path("facturo/templates") / path.relative_to(packaged)).as_posix()
        return str(place)


class ConfinedLoader(jinja2.FileSystemLoader):
    """Loads templates from the folders' search path, refusing a file whose real path leaves
    them (see TemplateFolders.confine); the file read is the one that was checked."""

    def __init__(self, folders: TemplateFolders) -> None:
        super().__init__(folders.search_path())
        self.folders = folders

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            candidate = Path(folder, *pieces)
            if not candidate.is_file():
                continue
            real = self.folders.confine(candidate)
            source = real.read_text(self.encoding)
            mtime = os.path.getmtime(real)

            def uptodate(real: Path = real, mtime: float = mtime) -> bool:
                try:
                    return os.path.getmtime(real) == mtime
                except OSError:
                    return False

            return source, str(candidate), uptodate
        raise jinja2.TemplateNotFound(template)


def sandboxed_environment(
    loader: jinja2.BaseLoader,
    *,
    autoescape: bool | Callable[[str | None], bool] = True,
    keep_trailing_newline: bool = False,
    dates_in_text: bool = False,
) -> SandboxedEnvironment:
    """A sandboxed environment where a misspelt name is an error, with the filters below.

    `dates_in_text` makes the `date` filter write dates for a sentence ("le 1er avril 2026")
    rather than for a field ("1 avril 2026").
    """
    environment = SandboxedEnvironment(
        loader=loader,
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
    )
    environment.filters.update(FILTERS)
    if dates_in_text:
        environment.filters["date"] = _date_in_text_filter
    return environment


# -- filters: formatting in the language of the template's context (its `language`) -----------


def _language(context: jinja2.runtime.Context) -> str:
    language = context.get("language")
    if language not in labels.LANGUAGES:
        # A macro imported without `with context` does not see the template's variables.
        raise ValueError("this filter needs the template's language: import macros `with context`")
    return str(language)


@jinja2.pass_context
def _money_filter(context: jinja2.runtime.Context, amount: Any, currency: str | None = None) -> str:
    if not currency:
        # A document's context names its currency; a message's is that of its document.
        document = context.get("document")
        currency = context.get("currency") or (
            document.get("currency") if isinstance(document, Mapping) else None
        )
    return labels.format_money(as_decimal(amount), str(currency or "EUR"), _language(context))


@jinja2.pass_context
def _date_filter(context: jinja2.runtime.Context, value: Any) -> str:
    day = as_date(value)
    return labels.format_date(day, _language(context)) if day else ""


@jinja2.pass_context
def _date_in_text_filter(context: jinja2.runtime.Context, value: Any) -> str:
    day = as_date(value)
    return labels.format_date_in_text(day, _language(context)) if day else ""


@jinja2.pass_context
def _number_filter(context: jinja2.runtime.Context, value: Any) -> str:
    return labels.format_number(as_decimal(value), _language(context))


@jinja2.pass_context
def _rate_filter(context: jinja2.runtime.Context, value: Any) -> str:
    return labels.format_rate(as_decimal(value), _language(context))


@jinja2.pass_context
def _days_filter(context: jinja2.runtime.Context, value: Any) -> str:
    return labels.describe_days(int(value), _language(context))


@jinja2.pass_context
def _methods_filter(context: jinja2.runtime.Context, methods: Any) -> str:
    language = _language(context)
    names = [labels.describe_payment_method(str(m), language) for m in methods or []]
    return labels.describe_alternatives(names, language)


def _iban_filter(value: Any) -> str:
    return labels.format_iban(str(value or ""))


FILTERS: dict[str, Callable[..., str]] = {
    "money": _money_filter,
    "date": _date_filter,
    "number": _number_filter,
    "rate": _rate_filter,
    "days": _days_filter,
    "methods": _methods_filter,
    "iban": _iban_filter,
}
