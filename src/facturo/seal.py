"""The seal chain: a hash over each issued document's immutable part and its predecessor's.

Tracking (payments, sendings, reminders), the seal itself and the source of the draft are
outside the seal; everything else is frozen at issue. Short per-field digests let `check`
point at the edited field, the full hash proves integrity, the chain reveals deletions.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from facturo.yamlio import plain

UNSEALED = frozenset({"source", "seal", "tracking"})
SHORT = 8


def _digest(value: Any) -> str:
    text = json.dumps(plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def immutable_part(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in UNSEALED}


def field_digests(document: dict[str, Any]) -> dict[str, Any]:
    """Short digests per sealed key; one per line for `lines`."""
    digests: dict[str, Any] = {}
    for key, value in immutable_part(document).items():
        if key == "lines" and isinstance(value, list):
            digests[key] = [_digest(line)[:SHORT] for line in value]
        else:
            digests[key] = _digest(value)[:SHORT]
    return digests


def seal_hash(document: dict[str, Any], previous: str | None) -> str:
    """sha256 over the document's immutable part and the previous document's hash."""
    return _digest({"previous": previous, "document": immutable_part(document)})


def compute_seal(document: dict[str, Any], previous: str | None) -> dict[str, Any]:
    """The `seal` section for `document`, chained to the previous document's hash."""
    return {
        "previous": previous,
        "sha256": seal_hash(document, previous),
        "fields": field_digests(document),
    }


def changed_fields(document: dict[str, Any]) -> list[tuple[str, int | None]]:
    """Which sealed fields differ from the digests stored at issue: (key, line index).

    Keys added or removed since issue are reported too. An empty list with a wrong hash
    means the seal itself (or the previous hash) was edited.
    """
    seal = document.get("seal") or {}
    stored = seal.get("fields") if isinstance(seal, dict) else None
    if not isinstance(stored, dict):
        return []
    current = field_digests(document)
    changes: list[tuple[str, int | None]] = []
    for key in list(current) + [k for k in stored if k not in current]:
        old, new = stored.get(key), current.get(key)
        if old == new:
            continue
        if key == "lines" and isinstance(old, list) and isinstance(new, list):
            differing = [i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b]
            if len(old) != len(new):
                differing.append(min(len(old), len(new)))
            changes.extend((key, index) for index in differing)
        else:
            changes.append((key, None))
    return changes


def verify(document: dict[str, Any]) -> bool:
    """True when the stored hash matches the document and its stored previous hash."""
    seal = document.get("seal")
    if not isinstance(seal, dict):
        return False
    return bool(seal.get("sha256") == seal_hash(document, seal.get("previous")))
