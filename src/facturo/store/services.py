"""A server facturo talks to (SMTP, the platform): its settings, its secret, its timeout.

The section of facturo.yaml about it, and its secret from the environment or from a file
outside the billing folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError
from facturo.files.identifiers import check_timeout


def secret_from(
    environ: dict[str, str], variable: str, key: str, file: object, root: Path
) -> str | None:
    """A secret (SMTP password, platform secret) from `variable` in the environment, else
    from the file `key` of facturo.yaml names, which must lie outside the billing folder
    (a folder is shared through git: a secret in it would be too)."""
    secret = environ.get(variable)
    if secret is not None or not file:
        return secret
    path = (root / Path(str(file)).expanduser()).resolve()
    if path.is_relative_to(root.resolve()):
        raise FacturoError(f"{key} must be outside the billing folder")
    try:
        return path.read_text("utf-8").strip()
    except OSError as error:
        raise FacturoError(f"cannot read {key} {path}: {error.strerror}") from None


@dataclass(frozen=True)
class ServiceSection:
    """The section of facturo.yaml about a server facturo talks to (SMTP, the platform)."""

    values: dict[str, Any]
    secret: str | None  # see secret_from
    timeout: int  # seconds, checked


def service_section(
    config: dict[str, Any],
    name: str,
    root: Path,
    environ: dict[str, str] | None,
    *,
    what: str,
    needs: str,
    secret: tuple[str, str],
) -> ServiceSection:
    """The section `name` of facturo.yaml (when it is missing, the error names `what` and
    the keys it `needs`), its secret (`secret`: the variable, else the file key) and its
    timeout."""
    values = config.get(name)
    if not isinstance(values, dict):
        raise FacturoError(f"no {what} settings: add a `{name}:` section to facturo.yaml ({needs})")
    variable, file_key = secret
    environ = dict(os.environ) if environ is None else environ
    found = secret_from(environ, variable, f"{name}.{file_key}", values.get(file_key), root)
    timeout = int(values.get("timeout_seconds") or 30)
    problem = check_timeout(timeout)
    if problem:
        raise FacturoError(f"{name}.timeout_seconds: {problem}")
    return ServiceSection(values, found, timeout)
