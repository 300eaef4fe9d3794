"""The seal chain: a hash over each issued document's immutable part and its predecessor's.

Tracking (payments, sendings, reminders), the seal itself and the source of the draft are
outside the seal; everything else is frozen at issue. Short per-field digests let `check`
point at the edited field, the full hash proves integrity, the chain reveals deletions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from facturo.errors import Problem
from facturo.files.yamlio import YMap, dump, locate, parse

UNSEALED = frozenset({"source", "seal", "tracking"})
SHORT = 8


def _exact(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot seal a {type(value).__name__}")


def _digest(value: Any) -> str:
    text = json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_exact
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _as_read_back(document: dict[str, Any]) -> dict[str, Any]:
    """The immutable part as `check` will read it from the file (3.0 and 3 stay distinct,
    a Decimal("3") written as 3 reads back as the integer 3): what is sealed is what is read."""
    data, problems = parse(dump(immutable_part(document)), "<seal>")
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


def field_digests(document: dict[str, Any]) -> str:
    """Short digests of every sealed leaf, as one line of `path=digest` words.

    One scalar rather than a nested mapping: it costs nothing to parse on every `check`
    and is only decoded to locate an edit once the full hash has failed.
    """
    leaves = _leaves(immutable_part(document), ())
    return " ".join(f"{_dotted(path)}={_digest(value)[:SHORT]}" for path, value in leaves)


def seal_hash(document: dict[str, Any], previous: str | None) -> str:
    """sha256 over the document's immutable part and the previous document's hash."""
    return _digest({"previous": previous, "document": immutable_part(document)})


def compute_seal(document: dict[str, Any], previous: str | None) -> dict[str, Any]:
    """The `seal` section for `document`, chained to the previous document's hash."""
    written = _as_read_back(document)
    return {
        "previous": previous,
        "sha256": seal_hash(written, previous),
        "fields": field_digests(written),
    }


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
    changes: list[tuple[Any, ...]] = []
    for dotted, (path, value) in current.items():
        if stored.get(dotted) != _digest(value)[:SHORT]:
            changes.append(path)
    for dotted in stored.keys() - current.keys():
        steps = tuple(int(s) if s.isdigit() else s for s in dotted.split("."))
        changes.append(steps[:-1] or steps)
    return changes


def verify(document: dict[str, Any]) -> bool:
    """True when the stored hash matches the document and its stored previous hash."""
    seal = document.get("seal")
    if not isinstance(seal, dict):
        return False
    return bool(seal.get("sha256") == seal_hash(document, seal.get("previous")))


def seal_problems(data: YMap, display: str) -> list[Problem]:
    """Errors of an issued document whose seal does not hold: each edited field, else the seal."""
    if verify(data):
        return []
    changes = changed_fields(data)
    if not changes:
        line, col = data.mark("seal")
        message = "the seal does not match this document (was the seal edited?)"
        return [Problem(display, line, col, message)]
    problems = []
    for path in changes:
        line, col = locate(data, ".".join(str(step) for step in path))
        name = "".join(f"[{s + 1}]" if isinstance(s, int) else f".{s}" for s in path)[1:]
        problems.append(
            Problem(
                display,
                line,
                col,
                f"sealed field {name!r} was changed after issue: an issued document is never "
                "edited (restore it, e.g. git checkout -- FILE, and correct it with a credit note)",
            )
        )
    return problems
