"""Appending to the tracking section of issued documents: the only writes they ever get.

Payments, acceptances and sendings are recorded after the seal, by rewriting the file
canonically: the sealed part is checked before the write and again on the new text, so a
tracking write can never alter what was issued.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError, InvalidData
from facturo.files.marked import YMap
from facturo.files.tracking import tracking_problems
from facturo.store.index import Ledger
from facturo.store.seal import immutable_part, verify

TRACKING = "tracking"


def _header(text: str) -> list[str]:
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line[2:] if line.startswith("# ") else line[1:])
    return header


def load_for_update(ledger: Ledger, number: str) -> tuple[Path, YMap, str]:
    """The file, data and text of an issued document that must be intact to be updated."""
    entry = ledger.find(number)
    path = ledger.folder.root / entry.path
    raw = path.read_bytes()  # read once: the data and the text are of the same bytes
    from facturo.files.written import load_mapping_written  # a YAML parser: when updating

    data, problems = load_mapping_written(path, entry.path, raw)
    errors = [p for p in problems if p.is_error]
    if data is None or errors:
        raise InvalidData(f"{entry.path} cannot be read", problems=errors)
    text = raw.decode("utf-8")
    invalid_tracking = [p for p in tracking_problems(data, entry.path) if p.is_error]
    if invalid_tracking:
        raise InvalidData(
            f"{entry.path}: its tracking section is invalid", problems=invalid_tracking
        )
    if not verify(data):
        raise FacturoError(
            f"{entry.path} was changed after issue (its seal does not match): run "
            "`facturo check` and restore it before recording anything on it"
        )
    return path, data, text


def write_tracking(ledger: Ledger, path: Path, data: YMap, text: str) -> None:
    """Write `data` (whose tracking changed) back over `path`, proving the seal still holds."""
    tracking = data.pop(TRACKING, None)
    if tracking:
        data[TRACKING] = tracking  # always the last section
    from facturo.files.canonical import dump  # PyYAML: when updating, not reading
    from facturo.files.yamlio import parse

    new_text = dump(data, _header(text))

    written, problems = parse(new_text, ledger.folder.display(path))
    if problems or not isinstance(written, dict) or not verify(written):
        raise FacturoError(f"refusing to write {path}: the sealed part would change")
    if immutable_part(written) != immutable_part(data):
        raise FacturoError(f"refusing to write {path}: the sealed part would change")
    ledger.folder.write_atomic(path, new_text)
    ledger.invalidate()


def tracking_list(data: YMap, name: str) -> list[Any]:
    """The list `tracking.<name>` of a document, created empty when absent."""
    tracking = data.get(TRACKING)
    if not isinstance(tracking, dict):
        tracking = YMap()
        data[TRACKING] = tracking
    items = tracking.get(name)
    if not isinstance(items, list):
        items = []
        tracking[name] = items
    return items


def change_list(
    ledger: Ledger, number: str, name: str, change: Callable[[list[Any]], None]
) -> None:
    """Apply `change` to the list `tracking.<name>` of document `number` and write it back;
    a list left empty goes, and the tracking section with it when nothing else is in it."""
    path, data, text = load_for_update(ledger, number)
    items = tracking_list(data, name)
    change(items)
    if not items:
        tracking = data[TRACKING]
        del tracking[name]
        if not tracking:
            del data[TRACKING]
    write_tracking(ledger, path, data, text)


def set_event(data: YMap, name: str, event: dict[str, Any]) -> None:
    """Record a one-time event (a quote accepted or declined) in tracking."""
    tracking = data.get(TRACKING)
    if not isinstance(tracking, dict):
        tracking = YMap()
        data[TRACKING] = tracking
    tracking[name] = event
