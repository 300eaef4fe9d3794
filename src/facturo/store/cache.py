"""facturo's caches on disk: JSON signed with a key kept outside every billing folder.

A cache is facturo's memory of what it read, so that `check` and `list` need not parse every
file again. It is used only when its signature holds: an HMAC-SHA256 of its exact bytes with
a key made for this user on this machine, kept outside the billing folder
(`$XDG_STATE_HOME/facturo/cache.key`, by default `~/.local/state/facturo/cache.key`, mode
0600). A cache copied from another folder or machine, written by another program or edited
by hand is not one facturo wrote: it is ignored and the files are read. The signature lives
beside the cache (`<name>.sig`); a cache and signature that do not go together (a write
interrupted between the two) are ignored the same way.

A cache only saves time. One that is missing, damaged, unsigned or of another version reads
as empty and is rebuilt; one that cannot be written is left out. It is JSON, never pickle.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

if TYPE_CHECKING:
    from facturo.store.folder import Folder

KEY_BYTES = 32
# Libraries whose rules facturo applies (identifiers, amounts and currencies, e-invoices).
LIBRARIES = ("stdnum", "babel", "facturx", "lxml", "yaml", "dateutil")
_Read = TypeVar("_Read")


def key_path() -> Path:
    """Where this user's cache key is kept, outside every billing folder."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "facturo" / "cache.key"


def _key() -> bytes | None:
    """This user's key, made on first use; None when it can be neither read nor made."""
    try:
        path = key_path()
    except (RuntimeError, KeyError):  # no home directory: no cache is trusted
        return None
    try:
        key = path.read_bytes()
        return key if len(key) == KEY_BYTES else None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _key()  # made by another process just now
    except OSError:
        return None
    key = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def _signer(key: bytes, path: Path) -> hmac.HMAC:
    """The signature of bytes as the cache at `path`, to be fed: a copy elsewhere does not
    verify."""
    place = os.path.realpath(path).encode("utf-8", "surrogateescape")
    return hmac.new(key, place + b"\0", hashlib.sha256)


def read_signed(path: Path) -> Any:
    """The JSON value of the cache at `path`, or None when absent, unsigned or forged."""
    found = read_signed_lines(path)
    if found is None:
        return None
    try:
        return json.loads(b"".join(found[0]))
    except ValueError:
        return None


def read_signed_lines(path: Path) -> tuple[list[bytes], str] | None:
    """The lines of the cache at `path` (each with its end of line) and their signature
    (the same signature is the same bytes), or None when absent, unsigned or forged.

    Read line by line, the signature computed along: the bytes are held once, as lines,
    which a reader can let go of one by one."""

    def lines_of(handle: BinaryIO, digest: hmac.HMAC) -> list[bytes]:
        lines = list(handle)
        for line in lines:
            digest.update(line)
        return lines

    return _read_signed(path, lines_of)


def read_signed_head(path: Path) -> bytes | None:
    """The first line of the cache at `path`, or None when absent, unsigned or forged: the
    rest is only hashed, for the signature, a block at a time (never held)."""

    def head_of(handle: BinaryIO, digest: hmac.HMAC) -> bytes:
        head = handle.readline()
        digest.update(head)
        while block := handle.read(1 << 20):
            digest.update(block)
        return head

    found = _read_signed(path, head_of)
    return None if found is None else found[0]


def _read_signed(
    path: Path, read: Callable[[BinaryIO, hmac.HMAC], _Read]
) -> tuple[_Read, str] | None:
    """What `read` takes from the cache at `path` as it feeds its bytes to the signature,
    and the signature; None when the cache is absent, unsigned or forged."""
    key = _key()
    if key is None:
        return None
    digest = _signer(key, path)
    try:
        with path.open("rb", buffering=1 << 20) as handle:  # its long lines: fewer copies
            found = read(handle, digest)
        signature = path.with_name(path.name + ".sig").read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(signature, digest.hexdigest()):
        return None
    return found, signature


def write_signed(path: Path, value: Any) -> None:
    """Write `value` as the cache at `path` with its signature (best effort: a cache that
    cannot be written only costs time)."""
    write_signed_bytes(path, json.dumps(value, separators=(",", ":")).encode("utf-8"))


def write_signed_bytes(path: Path, data: bytes) -> None:
    """Write `data` as the cache at `path` with its signature (best effort)."""
    write_signed_lines(path, [data])


def write_signed_lines(path: Path, lines: Iterable[bytes]) -> None:
    """Write `lines` (each with its end of line) as the cache at `path`, one at a time as
    they are made, then their signature (best effort). A reader sees the old cache, the new
    one, or a cache and a signature that do not go together: none."""
    key = _key()
    if key is None:
        return
    digest = _signer(key, path)
    pid = os.getpid()
    temporary = path.with_name(f"{path.name}.{pid}.tmp")
    signature = path.with_name(path.name + ".sig")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as handle:
            for line in lines:
                digest.update(line)
                handle.write(line)
        os.replace(temporary, path)
        temporary = signature.with_name(f"{signature.name}.{pid}.tmp")
        temporary.write_bytes(digest.hexdigest().encode("ascii"))
        os.replace(temporary, signature)
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def cache_path(folder: Folder, name: str) -> Path:
    """Where the cache `name` is kept: .facturo/cache/<name>.json."""
    return folder.state_dir / "cache" / f"{name}.json"


def read_cache(folder: Folder, name: str, version: int) -> dict[str, Any]:
    """The cache `name` as facturo wrote it at `version`, or {} when there is none."""
    data = read_signed(cache_path(folder, name))
    if not isinstance(data, dict) or data.get("version") != version:
        return {}
    return data


def write_cache(folder: Folder, name: str, version: int, data: dict[str, Any]) -> None:
    """Replace the cache `name` whole (a reader sees the old one or the new one)."""
    write_signed(cache_path(folder, name), {"version": version, **data})


@functools.cache
def code_identity() -> bytes:
    """facturo's own files and the libraries that judge identifiers, amounts and e-invoices,
    as installed (their sizes and times): an upgrade of any of them may read the same bytes
    otherwise, so what was found with other code is not served."""
    from importlib.util import find_spec

    package = Path(__file__).resolve().parents[1]
    places: list[str] = []
    for directory, dirs, names in os.walk(package):
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        places.extend(os.path.join(directory, name) for name in names)
    for library in LIBRARIES:
        spec = find_spec(library)
        places.append(str(spec.origin) if spec is not None else library)
    stated = []
    for place in sorted(places):
        try:
            stat = os.stat(place)
        except OSError:
            stated.append(f"{place} -")
            continue
        stated.append(f"{place} {stat.st_size} {stat.st_mtime_ns} {stat.st_ino}")
    return ("\n".join(stated) + "\n").encode("utf-8", "surrogateescape")
