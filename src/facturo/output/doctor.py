"""Checks of the system libraries and tools PDF rendering needs, each with the command to fix it."""

from __future__ import annotations

import ctypes
import ctypes.util
import shutil
import subprocess
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
# Inter (packaged) prints Latin, Greek and Cyrillic; Japanese, Chinese and Korean text needs
# a system font the style sheet falls back to.
_CJK_FONT_PACKAGES = {
    "apt-get": "fonts-noto-cjk",
    "dnf": "google-noto-sans-cjk-fonts",
    "brew": "--cask font-noto-sans-cjk",
}


def check_system(
    *,
    load_library: Callable[[Sequence[str], str], ctypes.CDLL | None] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    fonts_for: Callable[[str], list[str]] | None = None,
) -> list[Finding]:
    """Check the libraries WeasyPrint needs, the fonts of other scripts, and the tools the PDF
    tests use. `fonts_for(language)` lists the font families covering a language."""
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
    findings.append(_check_cjk_font(fonts_for or _fonts_for, manager))
    findings.append(_check_pdftoppm(which, manager))
    return findings


def _check_cjk_font(fonts_for: Callable[[str], list[str]], manager: str | None) -> Finding:
    families = fonts_for("ja")
    if any("Noto Sans CJK" in family for family in families):
        return Finding("cjk-font", "ok", "Noto Sans CJK found")
    if families:
        return Finding("cjk-font", "ok", f"found {families[0]} (Noto Sans CJK is preferred)")
    return Finding(
        "cjk-font",
        "warning",
        "no font for Japanese, Chinese or Korean: such text prints as empty boxes",
        _install_command(manager, _CJK_FONT_PACKAGES),
    )


def _fonts_for(language: str) -> list[str]:
    """Font families Fontconfig knows for a language (none when fc-list is missing)."""
    try:
        result = subprocess.run(
            ["fc-list", f":lang={language}", "family"],
            capture_output=True, text=True, check=False, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(",")[0].strip() for line in result.stdout.splitlines() if line})


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
