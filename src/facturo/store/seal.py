"""The seal chain: a hash over each issued document's immutable part and its predecessor's.

Tracking (payments, sendings, reminders), the seal itself and the source of the draft are
outside the seal; everything else is frozen at issue. Short per-field digests let `check`
point at the edited field, the full hash proves integrity, the chain reveals deletions.

Seals are versioned. Version 2 (`version: 2` in the seal) hashes typed values: a date or a
decimal quoted into text no longer matches; its chain runs per series and period (a yearly
series restarts its chain each year, so clones that issued on both sides of a new year
merge into a valid chain). A seal without a version (the first rule) hashed values as
text: it still verifies, and its dates and amounts must still have their type.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from facturo.errors import Problem
from facturo.files.marked import YMap, locate

UNSEALED = frozenset({"source", "seal", "tracking"})
SHORT = 8
FIRST_VERSION = 1
VERSION = 2
# What the first rule's documents hold as dates and as numbers, by key: checked by type.
DATE_KEYS = frozenset(
    {"issue_date", "due_date", "valid_until", "service_date", "start", "end", "date"}
)
NUMBER_KEYS = frozenset(
    {
        "type_code", "quantity", "unit_price", "vat_rate", "net", "rate", "base", "amount",
        "lines_net", "vat_total", "gross", "prepaid", "due", "late_penalty_rate_percent",
        "recovery_indemnity", "discount_amount",
    }
)  # fmt: skip


def _exact(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot seal a {type(value).__name__}")


def _typed(value: Any) -> dict[str, str]:
    kept = _TYPED.get(id(value))
    if kept is not None and kept[0] is value:
        return kept[1]
    typed: dict[str, str]
    if isinstance(value, Decimal):
        typed = {"decimal": format(value, "f")}
    elif isinstance(value, dt.datetime):
        typed = {"datetime": value.isoformat()}
    elif isinstance(value, dt.date):
        typed = {"date": value.isoformat()}
    else:
        raise TypeError(f"cannot seal a {type(value).__name__}")
    if len(_TYPED) < KEPT_TYPED:
        _TYPED[id(value)] = (value, typed)
    return typed


# Each amount and date as sealed, by the object itself: the reader of written files gives
# one object for each text that repeats (files/written.py), so most are made once. The
# object is held, so that its id is never another's; 0.00 and 0 stay two objects.
_TYPED: dict[int, tuple[Any, dict[str, str]]] = {}
KEPT_TYPED = 8192


# Nothing sealed can hold itself (both YAML readers refuse anchors and aliases): the
# encoder need not remember each mapping and list it is inside (a tenth of its time).
_OPTIONS: dict[str, Any] = {
    "sort_keys": True, "ensure_ascii": False, "separators": (",", ":"), "check_circular": False
}  # fmt: skip
_ENCODERS = {
    FIRST_VERSION: json.JSONEncoder(default=_exact, **_OPTIONS),
    VERSION: json.JSONEncoder(default=_typed, **_OPTIONS),
}


def _digest(value: Any, version: int = FIRST_VERSION) -> str:
    encoder = _ENCODERS[FIRST_VERSION if version == FIRST_VERSION else VERSION]
    return hashlib.sha256(encoder.encode(value).encode("utf-8")).hexdigest()


def seal_version(document: dict[str, Any]) -> int:
    """The rule a document was sealed by (1 when its seal names none)."""
    seal = document.get("seal")
    version = seal.get("version", FIRST_VERSION) if isinstance(seal, dict) else FIRST_VERSION
    return version if version in (FIRST_VERSION, VERSION) else 0


def _as_read_back(document: dict[str, Any], text: str | None) -> dict[str, Any]:
    """The immutable part as `check` will read it from the file (3.0 and 3 stay distinct,
    a Decimal("3") written as 3 reads back as the integer 3): what is sealed is what is read."""
    from facturo.files.canonical import dump  # PyYAML: when sealing, not reading
    from facturo.files.yamlio import parse

    if text is None:
        text = dump(immutable_part(document))
    data, problems = parse(text, "<seal>")
    if problems or not isinstance(data, dict):
        raise ValueError(f"the document does not read back: {problems}")
    return data


def immutable_part(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in UNSEALED}


def _leaves(value: Any, path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], Any]]:
    """(path, value) of every leaf: scalars, and lists of scalars as a whole."""
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, str(key)))]
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [(path, value)]


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(step) for step in path)


def field_digests(document: dict[str, Any], version: int = VERSION) -> str:
    """Short digests of every sealed leaf, as one line of `path=digest` words.

    One scalar rather than a nested mapping: it costs nothing to parse on every `check`
    and is only decoded to locate an edit once the full hash has failed.
    """
    leaves = _leaves(immutable_part(document), ())
    return " ".join(f"{_dotted(path)}={_digest(value, version)[:SHORT]}" for path, value in leaves)


def seal_hash(document: dict[str, Any], previous: str | None, version: int = VERSION) -> str:
    """sha256 over the document's immutable part and the previous document's hash."""
    if version == FIRST_VERSION:
        return _digest({"previous": previous, "document": immutable_part(document)})
    sealed = {"version": version, "previous": previous, "document": immutable_part(document)}
    return _digest(sealed, version)


def compute_seal(
    document: dict[str, Any], previous: str | None, text: str | None = None
) -> dict[str, Any]:
    """The `seal` section for `document` (current rule), chained to the previous hash.

    `text`: `dump(immutable_part(document))` when the caller has it (to write the file from
    it, see canonical.dump_continued), else it is made here.
    """
    written = _as_read_back(document, text)
    return {
        "version": VERSION,
        "previous": previous,
        "sha256": seal_hash(written, previous),
        "fields": field_digests(written),
    }


def mistyped_fields(document: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Sealed leaves of a first-rule document that lost their type: (path, expected)."""
    found: list[tuple[tuple[Any, ...], str]] = []
    for path, value in _leaves(immutable_part(document), ()):
        key = path[-1] if path else None
        if key in DATE_KEYS and not isinstance(value, dt.date):
            found.append((path, "a date"))
        elif key in NUMBER_KEYS and (
            isinstance(value, bool) or not isinstance(value, (int, Decimal))
        ):
            found.append((path, "a number"))
    return found


def changed_fields(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Paths (keys, list indexes) of sealed leaves that differ from the digests stored at issue.

    Leaves added since issue are reported at their own path, removed ones at their parent.
    """
    seal = document.get("seal") or {}
    stored_text = seal.get("fields") if isinstance(seal, dict) else None
    if not isinstance(stored_text, str):
        return []
    stored = dict(word.partition("=")[::2] for word in stored_text.split())
    current = {
        _dotted(path): (path, value) for path, value in _leaves(immutable_part(document), ())
    }
    version = seal_version(document)
    changes: list[tuple[Any, ...]] = []
    for dotted, (path, value) in current.items():
        if stored.get(dotted) != _digest(value, version)[:SHORT]:
            changes.append(path)
    for dotted in stored.keys() - current.keys():
        steps = tuple(int(s) if s.isdigit() else s for s in dotted.split("."))
        changes.append(steps[:-1] or steps)
    return changes


def _hash_holds(document: dict[str, Any]) -> bool:
    seal = document.get("seal")
    version = seal_version(document)
    if not isinstance(seal, dict) or not version:
        return False
    return bool(seal.get("sha256") == seal_hash(document, seal.get("previous"), version))


def verify(document: dict[str, Any]) -> bool:
    """True when the stored hash matches the document and its stored previous hash (and,
    under the first rule, every date and amount still has its type)."""
    if not _hash_holds(document):
        return False
    return seal_version(document) != FIRST_VERSION or not mistyped_fields(document)


def _named(path: tuple[Any, ...]) -> str:
    return "".join(f"[{s + 1}]" if isinstance(s, int) else f".{s}" for s in path)[1:]


def seal_problems(data: YMap, display: str) -> list[Problem]:
    """Errors of an issued document whose seal does not hold: each edited field, else the seal."""
    if _hash_holds(data):
        mistyped = mistyped_fields(data) if seal_version(data) == FIRST_VERSION else []
        return [
            Problem(
                display,
                *locate(data, _dotted(path)),
                f"sealed field {_named(path)!r} was changed after issue: it was issued as "
                f"{expected}, not text (remove the quotes, e.g. git checkout -- FILE)",
            )
            for path, expected in mistyped
        ]
    changes = changed_fields(data)
    if not changes:
        line, col = data.mark("seal")
        message = "the seal does not match this document (was the seal edited?)"
        return [Problem(display, line, col, message)]
    problems = []
    for path in changes:
        line, col = locate(data, ".".join(str(step) for step in path))
        problems.append(
            Problem(
                display,
                line,
                col,
                f"sealed field {_named(path)!r} was changed after issue: an issued document is "
                "never edited (restore it, e.g. git checkout -- FILE, and correct it with a "
                "credit note)",
            )
        )
    return problems
