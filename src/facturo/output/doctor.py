"""Checks of the system libraries and tools PDF rendering needs, each with the command to fix it."""

from __future__ import annotations

import ctypes
import ctypes.util
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "warning", "error"]

# Pango 1.44 is the oldest release WeasyPrint supports.
_MIN_PANGO = (1, 44)


@dataclass(frozen=True)
class Finding:
    """One checked requirement: what it is, how it stands, and the command that fixes it."""

    name: str
    status: Status
    detail: str
    fix: str | None = None


@dataclass(frozen=True)
class _Requirement:
    name: str
    sonames: tuple[str, ...]
    link_name: str
    packages: dict[str, str]
    missing_status: Status
    missing_detail: str


_REQUIREMENTS = (
    _Requirement(
        name="pango",
        sonames=("libpango-1.0.so.0", "libpango-1.0.dylib", "libpango-1.0-0.dll"),
        link_name="pango-1.0",
        packages={"apt-get": "libpango-1.0-0 libpangoft2-1.0-0", "dnf": "pango", "brew": "pango"},
        missing_status="error",
        missing_detail="WeasyPrint lays out text with Pango: no PDF can be rendered without it",
    ),
    _Requirement(
        name="fontconfig",
        sonames=("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll"),
        link_name="fontconfig",
        packages={"apt-get": "libfontconfig1", "dnf": "fontconfig", "brew": "fontconfig"},
        missing_status="error",
        missing_detail="WeasyPrint loads the packaged fonts through Fontconfig",
    ),
    _Requirement(
        name="harfbuzz-subset",
        sonames=(
            "libharfbuzz-subset.so.0",
            "libharfbuzz-subset.0.dylib",
            "libharfbuzz-subset-0.dll",
        ),
        link_name="harfbuzz-subset",
        packages={"apt-get": "libharfbuzz-subset0", "dnf": "harfbuzz", "brew": "harfbuzz"},
        missing_status="warning",
        missing_detail=(
            "fonts are subset with fontTools instead: about 3x slower, and the PDF stamps "
            "the current time into fonts (byte-identical output then needs SOURCE_DATE_EPOCH)"
        ),
    ),
)

_PDFTOPPM_PACKAGES = {"apt-get": "poppler-utils", "dnf": "poppler-utils", "brew": "poppler"}


def check_system(
    *,
    load_library: Callable[[Sequence[str], str], ctypes.CDLL | None] | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> list[Finding]:
    """Check the libraries WeasyPrint needs and the tools the PDF tests use."""
    load = load_library or _load_library
    manager = _package_manager(which)
    findings = []
    for requirement in _REQUIREMENTS:
        library = load(requirement.sonames, requirement.link_name)
        if library is None:
            findings.append(
                Finding(
                    requirement.name,
                    requirement.missing_status,
                    f"not found: {requirement.missing_detail}",
                    _install_command(manager, requirement.packages),
                )
            )
        elif requirement.name == "pango":
            findings.append(_check_pango_version(library, manager, requirement.packages))
        else:
            findings.append(Finding(requirement.name, "ok", "found"))
    findings.append(_check_pdftoppm(which, manager))
    return findings


def _check_pango_version(
    library: ctypes.CDLL, manager: str | None, packages: dict[str, str]
) -> Finding:
    version = _pango_version(library)
    if version is None:
        return Finding("pango", "ok", "found")
    text = ".".join(str(part) for part in version)
    if version[:2] < _MIN_PANGO:
        minimum = ".".join(str(part) for part in _MIN_PANGO)
        return Finding(
            "pango",
            "error",
            f"version {text} is too old: WeasyPrint needs {minimum} or later",
            _install_command(manager, packages),
        )
    return Finding("pango", "ok", f"version {text}")


def _check_pdftoppm(which: Callable[[str], str | None], manager: str | None) -> Finding:
    if which("pdftoppm"):
        return Finding("pdftoppm", "ok", "found (used by the PDF tests)")
    return Finding(
        "pdftoppm",
        "warning",
        "not found: only the PDF tests need it, to look at rendered pages",
        _install_command(manager, _PDFTOPPM_PACKAGES),
    )


def _load_library(sonames: Sequence[str], link_name: str) -> ctypes.CDLL | None:
    candidates = [*sonames]
    found = ctypes.util.find_library(link_name)
    if found:
        candidates.append(found)
    for name in candidates:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def _pango_version(library: ctypes.CDLL) -> tuple[int, ...] | None:
    try:
        function = library.pango_version_string
    except AttributeError:
        return None
    function.restype = ctypes.c_char_p
    raw = function()
    if not isinstance(raw, bytes):
        return None
    try:
        return tuple(int(part) for part in raw.decode().split("."))
    except ValueError:
        return None


def _package_manager(which: Callable[[str], str | None]) -> str | None:
    if sys.platform == "darwin":
        return "brew"
    for manager in ("apt-get", "dnf"):
        if which(manager):
            return manager
    return None


def _install_command(manager: str | None, packages: dict[str, str]) -> str:
    if manager == "apt-get":
        return f"sudo apt-get install {packages['apt-get']}"
    if manager == "dnf":
        return f"sudo dnf install {packages['dnf']}"
    if manager == "brew":
        return f"brew install {packages['brew']}"
    return f"install {packages['apt-get']} (Debian names) with your package manager"
