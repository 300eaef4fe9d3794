"""facturo doctor: missing system libraries are reported with the command that installs them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from facturo.output.doctor import Finding, check_system


class _FakePango:
    """Stands for libpango: answers pango_version_string like the C function."""

    def __init__(self, version: bytes) -> None:
        self.pango_version_string = _FakeFunction(version)


class _FakeFunction:
    def __init__(self, result: bytes) -> None:
        self.result = result
        self.restype: Any = None

    def __call__(self) -> bytes:
        return self.result


def _loader(missing: Sequence[str] = (), pango_version: bytes = b"1.50.12") -> Any:
    def load(sonames: Sequence[str], link_name: str) -> Any:
        if any(name in link_name for name in missing):
            return None
        return _FakePango(pango_version) if link_name == "pango-1.0" else object()

    return load


def _debian_which(name: str) -> str | None:
    return f"/usr/bin/{name}" if name in ("apt-get", "pdftoppm") else None


def _by_name(findings: list[Finding]) -> dict[str, Finding]:
    return {finding.name: finding for finding in findings}


def _noto(language: str) -> list[str]:
    return ["Noto Sans CJK JP"]


def test_everything_present_is_ok() -> None:
    findings = _by_name(check_system(load_library=_loader(), which=_debian_which, fonts_for=_noto))
    assert set(findings) == {"pango", "fontconfig", "harfbuzz-subset", "cjk-font", "pdftoppm"}
    assert all(finding.status == "ok" for finding in findings.values())
    assert findings["pango"].detail == "version 1.50.12"


def test_missing_harfbuzz_subset_is_a_warning_with_the_apt_command() -> None:
    findings = _by_name(
        check_system(load_library=_loader(missing=["harfbuzz-subset"]), which=_debian_which)
    )
    finding = findings["harfbuzz-subset"]
    assert finding.status == "warning"
    assert "3x slower" in finding.detail
    assert finding.fix is not None
    assert "apt-get install libharfbuzz-subset0" in finding.fix


def test_missing_pango_is_an_error() -> None:
    findings = _by_name(check_system(load_library=_loader(missing=["pango"]), which=_debian_which))
    assert findings["pango"].status == "error"
    assert findings["pango"].fix is not None
    assert "libpango-1.0-0" in findings["pango"].fix


def test_old_pango_is_an_error() -> None:
    findings = _by_name(
        check_system(load_library=_loader(pango_version=b"1.42.4"), which=_debian_which)
    )
    assert findings["pango"].status == "error"
    assert "1.42.4" in findings["pango"].detail


def test_missing_pdftoppm_names_poppler() -> None:
    def which(name: str) -> str | None:
        return "/usr/bin/dnf" if name == "dnf" else None

    findings = _by_name(check_system(load_library=_loader(), which=which))
    assert findings["pdftoppm"].status == "warning"
    assert findings["pdftoppm"].fix == "sudo dnf install poppler-utils"


def test_unknown_package_manager_still_names_the_packages() -> None:
    findings = _by_name(
        check_system(load_library=_loader(missing=["harfbuzz-subset"]), which=lambda name: None)
    )
    fix = findings["harfbuzz-subset"].fix
    assert fix is not None
    assert "libharfbuzz-subset0" in fix


def test_missing_cjk_font_is_a_warning_naming_noto() -> None:
    findings = _by_name(
        check_system(load_library=_loader(), which=_debian_which, fonts_for=lambda lang: [])
    )
    assert findings["cjk-font"].status == "warning"
    assert findings["cjk-font"].fix == "sudo apt-get install fonts-noto-cjk"


def test_this_machine_can_render() -> None:
    findings = _by_name(check_system())
    assert findings["pango"].status == "ok"
    assert findings["fontconfig"].status == "ok"
