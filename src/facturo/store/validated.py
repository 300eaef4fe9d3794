"""facturo.yaml and client files as last read and validated, kept by the SHA-256 of their bytes.

Reading facturo.yaml and a client file means parsing YAML and judging identifiers (SIREN,
VAT numbers, IBAN, countries), which costs more than most commands' own work. So what a
file gave (its values, where each stands in the file, and its problems) is kept in
`.facturo/cache/read/<path>.json`, signed like every cache (store/cache.py), with the
SHA-256 of the bytes it came from and the code that judged them (facturo's files and the
libraries it asks, store/cache.code_identity). A later read of the same bytes by the same
code gets it back without a parser; any other byte, an upgrade, a cache not signed here:
the file is read again.

Only what the bytes alone decide is kept. Rules that look at other files (where the logo
and the password file lead) run at every read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturo import __version__
from facturo.errors import Problem
from facturo.files.marked import YList, YMap
from facturo.store.cache import code_identity, read_signed, write_signed

MEMO_VERSION = 2  # 2: facturo.yaml's rules judged after its places are not kept
KEPT_AT_MOST = 1 << 20  # bytes: a larger file (or /dev/zero) is read each time, never whole
Read = tuple[YMap | None, list[Problem]]  # a file's values (None: unusable) and problems


class _NotKept(Exception):
    """A value this memo does not write (then the file is read every time)."""


def read_validated(
    path: Path,
    display: str,
    memo_dir: Path | None,
    read: Callable[[Path, str, bytes | None], Read],
    *,
    found: Callable[[], None],
) -> Read:
    """What `read` gives for the file at `path` (its values and the problems its bytes
    alone decide), from the memo in `memo_dir` when it read the same bytes with the same
    code, else read and kept there (None: no memo). `found` is told before a memo is used."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(KEPT_AT_MOST + 1)
    except OSError:
        return read(path, display, None)  # it says why the file cannot be read
    if len(raw) > KEPT_AT_MOST:  # maybe not all of it: `read` reads within its own limit
        return read(path, display, None)
    if memo_dir is None:
        return read(path, display, raw)
    where = memo_dir / f"{display}.json"
    mark = _mark(raw)
    kept = read_signed(where)
    if isinstance(kept, dict) and kept.get("mark") == mark:
        try:
            result = _decoded(kept, display)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            pass  # damaged: read the file again
        else:
            found()
            return result
    data, problems = read(path, display, raw)
    try:
        encoded = {"mark": mark, **_encoded(data, problems, display)}
    except _NotKept:
        return data, problems
    write_signed(where, encoded)
    return data, problems


def _mark(raw: bytes) -> dict[str, Any]:
    return {
        "version": MEMO_VERSION,
        "facturo": __version__,
        "code": hashlib.sha256(code_identity()).hexdigest(),
        "sha256": hashlib.sha256(raw).hexdigest(),
    }


def _encoded(data: YMap | None, problems: list[Problem], display: str) -> dict[str, Any]:
    if any(problem.path != display for problem in problems):
        raise _NotKept("a problem of another file")
    return {
        "data": None if data is None else _encode(data),
        "problems": [[p.line, p.col, p.message, p.severity] for p in problems],
    }


def _decoded(kept: dict[str, Any], display: str) -> Read:
    data = kept["data"]
    decoded = None if data is None else _decode(data)
    if decoded is not None and type(decoded) is not YMap:
        raise ValueError("not a mapping")
    problems = [
        Problem(display, _int(line), _int(col), _text(message), _text(severity))
        for line, col, message, severity in kept["problems"]
    ]
    return decoded, problems


# Values as JSON: texts, whole numbers, booleans and null as themselves, lists of values as
# lists; anything else as a one-key object naming its type (values keep their exact types).
def _encode(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in (str, bool, int):
        return value
    if kind is YMap:
        return {
            "map": [
                value.line,
                value.col,
                [[_key(key), _encode(item)] for key, item in value.items()],
                [[key, *mark] for key, mark in value.key_marks.items()],
                [[key, _text(text)] for key, text in value.raw.items()],
            ]
        }
    if kind is YList:
        marks = [list(mark) for mark in value.item_marks]
        return {"seq": [value.line, value.col, [_encode(item) for item in value], marks]}
    if kind is list:
        return [_encode(item) for item in value]
    if kind is dict:
        return {"dict": [[_key(key), _encode(item)] for key, item in value.items()]}
    if kind is Decimal:
        return {"decimal": str(value)}
    if kind is dt.date:
        return {"date": value.isoformat()}
    if kind is dt.datetime and value.tzinfo is None:
        return {"datetime": value.isoformat()}
    raise _NotKept(kind.__name__)


def _key(key: Any) -> str:
    if type(key) is not str:
        raise _NotKept("a key that is not a text")
    return key


def _decode(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in (str, bool, int):
        return value
    if kind is list:
        return [_decode(item) for item in value]
    if kind is not dict or len(value) != 1:
        raise ValueError("not a value")
    ((name, body),) = value.items()
    if name == "map":
        line, col, items, key_marks, raw = body
        mapping = YMap({_text(key): _decode(item) for key, item in items})
        mapping.line, mapping.col = _int(line), _int(col)
        mapping.key_marks = {_text(key): (_int(at), _int(on)) for key, at, on in key_marks}
        mapping.raw = {_text(key): _text(text) for key, text in raw}
        return mapping
    if name == "seq":
        line, col, items, marks = body
        sequence = YList([_decode(item) for item in items])
        sequence.line, sequence.col = _int(line), _int(col)
        sequence.item_marks = [(_int(at), _int(on)) for at, on in marks]
        return sequence
    if name == "dict":
        return {_text(key): _decode(item) for key, item in body}
    if name == "decimal":
        return Decimal(_text(body))
    if name == "date":
        return dt.date.fromisoformat(_text(body))
    if name == "datetime":
        return dt.datetime.fromisoformat(_text(body))
    raise ValueError(name)


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ValueError("not a whole number")
    return value


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("not a text")
    return value
