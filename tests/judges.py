"""The official e-invoice judges (CEN, Factur-X, BR-FR) run in-process with saxonche.

The stylesheets are the ones approved platforms apply, kept outside the repository in
`../shared/validation/` relative to its root (CI has the same layout); see the README there.
`FACTURO_VALIDATION_DIR` points elsewhere. A failed-assert without `@flag` counts as fatal.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from saxonche import PySaxonProcessor

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "svrl": "http://purl.oclc.org/dsdl/svrl",
}
REPOSITORY = Path(__file__).resolve().parents[1]
JUDGES = {
    "cen": "cii-en16931/EN16931-CII-validation.xslt",
    "facturx": "cii-en16931/FACTUR-X_EN16931.xslt",
    "brfr": "cii-en16931/BR-FR-Flux2-Schematron-CII.xslt",
}


def validation_dir() -> Path:
    """Where the official stylesheets are; an error naming the places tried if nowhere."""
    override = os.environ.get("FACTURO_VALIDATION_DIR")
    # A git worktree or a CI checkout: the repository's parent holds shared/validation.
    candidates = [Path(override)] if override else [REPOSITORY.parent / "shared" / "validation"]
    for candidate in candidates:
        if all((candidate / name).is_file() for name in JUDGES.values()):
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"the official validation stylesheets are missing (tried {tried}): put them in "
        "../shared/validation/ next to the repository or set FACTURO_VALIDATION_DIR"
    )


@dataclass(frozen=True)
class Failure:
    """One failed-assert of a schematron run."""

    rule: str
    flag: str
    location: str
    text: str

    @property
    def fatal(self) -> bool:
        return self.flag != "warning" and self.flag != "information"

    def __str__(self) -> str:
        return f"{self.rule} ({self.flag}) at {self.location}: {self.text}"


Schematron = Callable[[bytes], list[Failure]]


def compile_schematron(saxon: PySaxonProcessor, stylesheet: Path) -> Schematron:
    """A function giving every failed-assert of an XML against `stylesheet`."""
    executable = saxon.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(stylesheet))

    def run(xml: bytes) -> list[Failure]:
        node = saxon.parse_xml(xml_text=xml.decode())
        report = etree.fromstring(executable.transform_to_string(xdm_node=node).encode())
        return [
            Failure(
                rule=failed.get("id") or "?",
                flag=failed.get("flag") or "fatal",
                location=failed.get("location", ""),
                text=" ".join("".join(failed.itertext()).split()),
            )
            for failed in report.iterfind(".//svrl:failed-assert", NS)
        ]

    return run


def compile_judge(saxon: PySaxonProcessor, name: str) -> Schematron:
    """One of the official judges by name: cen, facturx or brfr."""
    return compile_schematron(saxon, validation_dir() / JUDGES[name])
