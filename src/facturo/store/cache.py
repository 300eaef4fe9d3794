"""Cache files under .facturo/cache/: JSON read back only at their version, never an error.

A cache only saves time. One that is missing, damaged or of another version reads as empty
and is rebuilt; one that cannot be written is left out. It is JSON, never pickle: a folder
cloned from someone else could carry a crafted one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from facturo.store.folder import Folder


def cache_path(folder: Folder, name: str) -> Path:
    """Where the cache `name` is kept: .facturo/cache/<name>.json."""
    return folder.state_dir / "cache" / f"{name}.json"


def read_cache(folder: Folder, name: str, version: int) -> dict[str, Any]:
    """The cache `name` as written at `version`, or {} when there is none at that version."""
    try:
        data = json.loads(cache_path(folder, name).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != version:
        return {}
    return data


def write_cache(folder: Folder, name: str, version: int, data: dict[str, Any]) -> None:
    """Replace the cache `name` whole (a reader sees the old one or the new one)."""
    path = cache_path(folder, name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")  # cleared by the next lock if left
        text = json.dumps({"version": version, **data}, separators=(",", ":"))
        temporary.write_text(text, "utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written only costs time
