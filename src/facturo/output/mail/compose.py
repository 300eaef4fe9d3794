"""Email messages (reminders, documents sent) composed from sandboxed Jinja templates."""

from __future__ import annotations

import datetime
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from facturo.errors import FacturoError
from facturo.model.account import INDEMNITY_CURRENCY
from facturo.model.document import DEFAULTS, is_business
from facturo.output import words as labels
from facturo.output.sandbox import (
    ConfinedLoader,
    TemplateFolders,
    TemplateRefused,
    sandboxed_environment,
)
from facturo.output.values import claim_of

# One message per reminder level (0 before the due date, 3 the formal notice), then the one
# that sends a document. A billing folder may add others in its templates/mail/.
REMINDER_MESSAGES = ("reminder-courtesy", "reminder-friendly", "reminder-firm", "reminder-formal")
MESSAGES = (*REMINDER_MESSAGES, "document")
MAIL_FOLDER = "mail"
LAYOUT = "_layout.html"

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_SUBJECT = "subject:"
_SUBJECT_PART = "#subject"
_BODY_PART = "#body"

# Optional keys of the context, given as None when missing: a template can test them
# (`{% if seller.phone %}`) while a misspelt name still stops with an error.
_OPTIONAL = {
    "seller": ("trade_name", "legal_form", "email", "phone", "website", "iban", "bic"),
    "client": ("email",),
    "document": ("due_date", "valid_until"),
    "payment": ("iban", "bic"),
}


class MessageError(FacturoError):
    """A message template is missing or wrong; `template` and `line` say where."""

    def __init__(self, message: str, *, template: str | None = None, line: int | None = None):
        super().__init__(message)
        self.template = template
        self.line = line


@dataclass(frozen=True)
class Composed:
    """An email ready to send: a one-line subject, a plain-text body and an HTML body."""

    subject: str
    text: str
    html: str


def reminder_message(level: int) -> str:
    """Name the message of a reminder level: 0 courtesy, 1 friendly, 2 firm, 3 formal notice."""
    if not 0 <= level < len(REMINDER_MESSAGES):
        raise MessageError(f"reminder level {level}: expected 0 to {len(REMINDER_MESSAGES) - 1}")
    return REMINDER_MESSAGES[level]


class Composer:
    """Composes messages with one Jinja environment, for a batch (a morning's reminders)."""

    def __init__(self, folder_root: Path | None = None) -> None:
        self._folders = TemplateFolders.of(folder_root, MAIL_FOLDER)
        self._env = sandboxed_environment(
            _MailLoader(self._folders),
            autoescape=_is_html,
            keep_trailing_newline=True,
            dates_in_text=True,
        )
        self._env.filters["fill"] = _fill
        self._env.filters["strong"] = _strong

    def compose(self, name: str, context: Mapping[str, Any]) -> Composed:
        """Compose message `name` (e.g. "reminder-firm") in the context's language.

        Reads `<name>.txt` (a `Subject: ...` line, a blank line, the body) and `<name>.html`
        (the HTML body, laid out by `_layout.html`), which write the words of the language's
        catalog (`words`); `<name>.<language>.txt` and `.html` in the folder's templates/mail/
        replace them for that language.
        """
        if not _NAME.fullmatch(name):
            raise MessageError(f"message {name!r}: expected a name such as {MESSAGES[1]!r}")
        language = str(context.get("language") or "fr")
        if language not in labels.LANGUAGES:
            raise MessageError(
                f"message {name}: language {language!r} is not one of {', '.join(labels.LANGUAGES)}"
            )
        variables = _variables(context, language)
        text_name = self._template(name, language, "txt")
        html_name = self._template(name, language, "html")
        subject = " ".join(self._render(f"{text_name}{_SUBJECT_PART}", variables).split())
        if not subject:
            raise MessageError(
                f"{self._folders.display(self._path_of(text_name))}:1: the subject is empty",
                template=text_name,
                line=1,
            )
        text = _tidy(self._render(f"{text_name}{_BODY_PART}", variables))
        body = self._render(html_name, variables)
        html = self._render(LAYOUT, {**variables, "subject": subject, "body": Markup(body)})
        return Composed(subject=subject, text=text, html=html)

    def _template(self, name: str, language: str, suffix: str) -> str:
        """`<name>.<language>.<suffix>` where there is one (a folder's own words for a
        language), else `<name>.<suffix>`, in the words of the language's catalog."""
        own = f"{name}.{language}.{suffix}"
        return own if self._path_of(own).is_file() else f"{name}.{suffix}"

    def _render(self, name: str, variables: Mapping[str, Any]) -> str:
        shown = name.split("#")[0]
        try:
            template = self._env.get_template(name)
            return template.render(variables)
        except TemplateRefused as error:
            raise MessageError(error.message, template=shown) from None
        except jinja2.TemplateSyntaxError as error:
            where = self._folders.display(error.filename or self._path_of(shown))
            raise MessageError(
                f"{where}:{error.lineno}: {error.message}", template=shown, line=error.lineno
            ) from None
        except jinja2.TemplateNotFound as error:
            missing = str(error.name or shown).split("#")[0]
            places = self._folders.describe()
            raise MessageError(
                f"message template {missing} not found in {places}", template=missing
            ) from None
        except Exception as error:
            where, failed, line = self._locate(error, shown)
            message = error.message if isinstance(error, jinja2.TemplateError) else str(error)
            raise MessageError(
                f"{where}: {message or type(error).__name__}", template=failed, line=line
            ) from None

    def _locate(self, error: Exception, name: str) -> tuple[str, str, int | None]:
        """Where a template failed while running: the innermost template frame (a macro's)."""
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            path = Path(frame.filename)
            if path.suffix in (".txt", ".html") and path.exists():
                return f"{self._folders.display(path)}:{frame.lineno}", path.name, frame.lineno
        return self._folders.display(self._path_of(name)), name, None

    def _path_of(self, name: str) -> Path:
        for folder in (self._folders.overrides, self._folders.packaged):
            if folder is not None and (folder / name).is_file():
                return folder / name
        return self._folders.packaged / name


def compose(name: str, context: Mapping[str, Any], *, folder_root: Path | None = None) -> Composed:
    """Compose one message (a Composer is faster for several); templates/mail/ overrides it."""
    return Composer(folder_root).compose(name, context)


class _MailLoader(ConfinedLoader):
    """Loads `x.txt#subject` and `x.txt#body`: the two parts of a text template.

    The subject line is a template of its own, so that a value with a line break (a client
    name) cannot push part of it into the body; the body keeps the file's line numbers.
    """

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        for part in (_SUBJECT_PART, _BODY_PART):
            if template.endswith(part):
                break
        else:
            return super().get_source(environment, template)
        name = template.removesuffix(part)
        source, filename, uptodate = super().get_source(environment, name)
        first, _, rest = source.lstrip("\ufeff").partition("\n")
        first = first.rstrip("\r")
        if not first.casefold().startswith(_SUBJECT):
            raise jinja2.TemplateSyntaxError(
                "the first line must be the subject: 'Subject: ...'", 1, name, filename
            )
        if part == _SUBJECT_PART:
            return first[len(_SUBJECT) :], filename, uptodate
        return "\n" + rest, filename, uptodate


def _is_html(name: str | None) -> bool:
    return name is not None and name.split("#")[0].endswith(".html")


def _variables(context: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The context with optional keys filled in, plus `claim` and `days_to_due`."""
    variables = dict(context)
    variables.setdefault("level", None)
    variables.setdefault("tone", None)
    variables.setdefault("penalties", None)
    variables["language"] = language
    variables["words"] = _trusted(labels.mail_words(language))
    for key, optional in _OPTIONAL.items():
        part = context.get(key)
        if isinstance(part, Mapping):
            variables[key] = {name: None for name in optional} | dict(part)
    client = variables.get("client")
    if isinstance(client, dict):
        client.setdefault("kind", DEFAULTS.client_kind)
    payment = variables.get("payment")
    if isinstance(payment, dict):
        payment.setdefault("methods", [])
    variables.setdefault("reminders_sent", [])
    variables["claim"] = _claim(variables)
    variables["days_to_due"] = _days_to_due(variables)
    return variables


def _trusted(words: Any) -> Any:
    """The packaged catalog's phrases, printed as written in HTML (an apostrophe stays one):
    they are facturo's words, never data; the values filled into them are escaped."""
    if isinstance(words, Mapping):
        return {key: _trusted(value) for key, value in words.items()}
    return Markup(words) if isinstance(words, str) else words


@jinja2.pass_eval_context
def _fill(context: jinja2.nodes.EvalContext, phrase: Any, **values: Any) -> str:
    """A phrase of the catalog with its {placeholders} filled: in HTML the values are escaped
    (unless marked safe, as `strong` makes them)."""
    if context.autoescape:
        return Markup(phrase).format(**values)
    return str(phrase).format(**values)


def _strong(value: Any) -> Markup:
    """A value set in bold in an HTML message: {{ document.number | strong }}."""
    return Markup("<strong>{}</strong>").format(value)


def _claim(variables: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a reminder asks for, as the templates read it (see `values.claim_of`)."""
    today = variables.get("today")
    dated = isinstance(today, datetime.date)
    claim = claim_of(variables, today if isinstance(today, datetime.date) else datetime.date.min)
    if claim is None:
        return None
    client: Mapping[str, Any] = variables.get("client") or {}
    return {
        "business": is_business(client),
        "balance": claim.balance,
        "interest": claim.interest,
        "indemnity": claim.indemnity,
        "indemnity_currency": INDEMNITY_CURRENCY,
        "indemnity_apart": claim.indemnity_apart,
        "total": claim.total,
        "deadline": claim.deadline if dated else None,
    }


def _days_to_due(variables: Mapping[str, Any]) -> int | None:
    document = variables.get("document")
    today = variables.get("today")
    due = document.get("due_date") if isinstance(document, Mapping) else None
    if isinstance(due, datetime.date) and isinstance(today, datetime.date):
        return (due - today).days
    return None


def _tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    tidied = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return tidied + "\n"
