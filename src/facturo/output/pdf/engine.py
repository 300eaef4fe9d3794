"""PDF documents from issued data: sandboxed Jinja2 templates laid out by WeasyPrint as PDF/A-3b."""

from __future__ import annotations

import datetime
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

from facturo.errors import FacturoError
from facturo.output.pdf.account import build_receipt_context, build_statement_context
from facturo.output.pdf.books import build_receipts_book_context
from facturo.output.pdf.fetcher import FolderFetcher, PdfAttachment
from facturo.output.pdf.finish import finish_pdf, font_timestamps
from facturo.output.pdf.letter import build_reminder_letter_context
from facturo.output.pdf.libraries import CSS, HTML, FatalURLFetchingError, FontConfiguration
from facturo.output.pdf.sale import build_context
from facturo.output.sandbox import (
    ConfinedLoader,
    TemplateFolders,
    TemplateRefused,
    sandboxed_environment,
)
from facturo.output.values import as_date

__all__ = ["PdfAttachment", "RenderError", "Renderer", "check_settings", "render_pdf"]

PDF_VARIANT = "pdf/a-3b"
STYLESHEET = "style.css"

KIND_TEMPLATES = {
    "invoice": "invoice.html",
    "credit_note": "credit_note.html",
    "deposit": "deposit.html",
    "quote": "quote.html",
}
# Documents about a client's account rather than a sale: their own template and context,
# never replaced by the `template` option (it is meant for the issued documents above).
ACCOUNT_TEMPLATES = {
    "receipt": "receipt.html",
    "statement": "statement.html",
    "reminder_letter": "reminder_letter.html",
    "receipts_book": "receipts_book.html",
}

_TEMPLATE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# Line breaks and indentation between two tags of block-level elements: WeasyPrint makes a
# box of each run and styles it before dropping it as whitespace no one sees, ~8% of an
# invoice's time. Only the packaged templates and stylesheet are known to show no such
# whitespace (tests compare the pages with and without it).
_BLOCK_TAGS = (
    "html|head|body|meta|title|style|link|div|p|section|header|footer|table|thead|tbody|tfoot"
    "|tr|td|th|dl|dt|dd|h1|h2|h3|figure|figcaption|ul|ol|li"
)
_BLOCK_TAG = rf"</?(?:{_BLOCK_TAGS})\b"
_BETWEEN_BLOCKS = re.compile(rf"({_BLOCK_TAG}[^<>]*>)[ \t]*\n\s*(?={_BLOCK_TAG})")
# Table rows (lines, ledger entries, totals...) from which a document is laid out with page
# numbers first: with the packaged templates, an invoice of 8 lines and a statement of 18
# entries (~23 rows) already take two pages. A wrong guess costs one more layout, as every
# document of several pages used to.
ROWS_ON_SEVERAL_PAGES = 24
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


class RenderError(FacturoError):
    """A document could not be rendered: a template error, a refused file, a bad setting."""


class Renderer:
    """Renders documents with one Jinja environment and one font configuration, for batches."""

    def __init__(
        self,
        folder_root: Path | None = None,
        *,
        template: str | None = None,
        logo: Path | str | None = None,
        accent_color: str | None = None,
    ) -> None:
        self._folders = TemplateFolders.of(folder_root)
        self._template = _check_template_name(template) if template else None
        self._logo = _check_logo(logo, self._folders.root) if logo else None
        self._accent_color = _check_color(accent_color) if accent_color else None
        self._env = sandboxed_environment(ConfinedLoader(self._folders))
        # A folder's own templates/ may restyle any element (inline, white-space: pre...).
        self.compact = self._folders.overrides is None
        self._fetcher = FolderFetcher(self._folders)
        self._fonts = FontConfiguration()
        self._base_url = self._folders.packaged.as_uri() + "/"
        # Parsed once for a batch: parsing the stylesheet is a tenth of a render.
        try:
            self._stylesheet = CSS(
                url=self._base_url + STYLESHEET, url_fetcher=self._fetcher, font_config=self._fonts
            )
        except FatalURLFetchingError as error:
            raise RenderError(self._fetcher.explain(error)) from None

    def render_html(self, document: Mapping[str, Any], *, draft: bool = False) -> str:
        """Return the HTML of a document (a draft shows a DRAFT mark and no number)."""
        return self._render_template(self._context(document, draft=draft), multi_page=False)

    def render_pdf(
        self,
        document: Mapping[str, Any],
        *,
        draft: bool = False,
        attachments: Sequence[PdfAttachment] = (),
        xmp_metadata: Sequence[bytes] = (),
    ) -> bytes:
        """Return the PDF/A-3b bytes of a document.

        `attachments` are embedded files (with their /AFRelationship); `xmp_metadata` are
        extra `rdf:RDF` XML elements added to the XMP packet (the Factur-X extension schema).
        """
        context = self._context(document, draft=draft)
        try:
            rendered = self._laid_out(context)
            created = _attachment_time(document)
            rendered.metadata.attachments = [
                self._fetcher.attachment(item, created) for item in attachments
            ]
            rendered.metadata.xmp_metadata = list(xmp_metadata)
            with font_timestamps(created):
                pdf = rendered.write_pdf(pdf_variant=PDF_VARIANT, finisher=finish_pdf)
        except FatalURLFetchingError as error:
            raise RenderError(self._fetcher.explain(error)) from None
        finally:
            self._fetcher.forget_attachments()
        if not isinstance(pdf, bytes):
            raise RenderError("WeasyPrint returned no PDF")
        return pdf

    def _context(self, document: Mapping[str, Any], *, draft: bool) -> dict[str, Any]:
        build = _context_builder(str(document.get("kind") or "invoice"))
        try:
            return build(
                document,
                draft=draft,
                logo_url=self._logo.as_uri() if self._logo else None,
                accent_color=self._accent_color,
            )
        except (KeyError, TypeError, ValueError, ArithmeticError) as error:
            name = _document_name(document)
            raise RenderError(f"{name}: cannot render this document ({error!r})") from None

    def _laid_out(self, context: dict[str, Any]) -> Any:
        """The pages of a document, numbered "1/2"... only when there are several.

        The numbers are known only once the pages are laid out: a document is laid out
        again when the first guess of its page count was wrong. A document of many table
        rows is guessed to need several pages, others one (the page areas are the same
        either way, so the second layout differs only by the numbers).
        """
        single = self._render_template(context, multi_page=False)
        if single.count("<tr") >= ROWS_ON_SEVERAL_PAGES:
            rendered = self._layout(self._render_template(context, multi_page=True))
            if len(rendered.pages) == 1:
                rendered = self._layout(single)
        else:
            rendered = self._layout(single)
            if len(rendered.pages) > 1:
                rendered = self._layout(self._render_template(context, multi_page=True))
        return rendered

    def _layout(self, html: str) -> Any:
        if self.compact:
            html = _BETWEEN_BLOCKS.sub(r"\1", html)
        source = HTML(string=html, base_url=self._base_url, url_fetcher=self._fetcher)
        return source.render(
            font_config=self._fonts, stylesheets=[self._stylesheet], pdf_variant=PDF_VARIANT
        )

    def _render_template(self, context: dict[str, Any], *, multi_page: bool) -> str:
        kind = context["kind"]
        name = (
            ACCOUNT_TEMPLATES.get(kind)
            or self._template
            or KIND_TEMPLATES.get(kind, "invoice.html")
        )
        try:
            template = self._env.get_template(name)
        except TemplateRefused as error:
            raise RenderError(error.message) from None
        except jinja2.TemplateSyntaxError as error:
            where = self._folders.display(error.filename or error.name or name)
            raise RenderError(f"{where}:{error.lineno}: {error.message}") from None
        except jinja2.TemplateNotFound as error:
            places = self._folders.describe()
            raise RenderError(f"template {error.name} not found in {places}") from None
        try:
            return template.render({**context, "multi_page": multi_page})
        except TemplateRefused as error:
            raise RenderError(error.message) from None
        except jinja2.TemplateSyntaxError as error:
            where = self._folders.display(error.filename or error.name or name)
            raise RenderError(f"{where}:{error.lineno}: {error.message}") from None
        except Exception as error:
            raise RenderError(self._explain_runtime(error, name)) from None

    def _explain_runtime(self, error: Exception, name: str) -> str:
        where = self._folders.display(name)
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename.endswith(".html") and Path(frame.filename).exists():
                where = f"{self._folders.display(frame.filename)}:{frame.lineno}"
                break
        message = error.message if isinstance(error, jinja2.TemplateError) else str(error)
        return f"{where}: {message or type(error).__name__}"


def render_pdf(
    document: Mapping[str, Any],
    *,
    folder_root: Path | None = None,
    draft: bool = False,
    template: str | None = None,
    logo: Path | str | None = None,
    accent_color: str | None = None,
    attachments: Sequence[PdfAttachment] = (),
    xmp_metadata: Sequence[bytes] = (),
) -> bytes:
    """Render one document to PDF/A-3b bytes (a Renderer is faster for several)."""
    renderer = Renderer(folder_root, template=template, logo=logo, accent_color=accent_color)
    return renderer.render_pdf(
        document, draft=draft, attachments=attachments, xmp_metadata=xmp_metadata
    )


def check_settings(
    root: Path | None,
    *,
    template: str | None = None,
    logo: Path | str | None = None,
    accent_color: str | None = None,
) -> None:
    """Raise RenderError for a template name, logo or accent colour a Renderer would refuse."""
    if template:
        _check_template_name(template)
    if logo:
        _check_logo(logo, root)
    if accent_color:
        _check_color(accent_color)


def _check_template_name(name: str) -> str:
    if not _TEMPLATE_NAME.fullmatch(name) or ".." in name:
        raise RenderError(
            f"template {name!r}: give a file name of the templates folder, e.g. 'minimal'"
        )
    return name if name.endswith(".html") else f"{name}.html"


def _check_logo(logo: Path | str, root: Path | None) -> Path:
    from facturo.files.rules import logo_problem

    text = str(logo)
    if root is None:
        raise RenderError(f"logo {text}: a logo needs a billing folder to be found in")
    problem = logo_problem(text, root)
    if problem:
        raise RenderError(f"logo {text}: {problem}")
    return (root / text).resolve()


def _check_color(color: str) -> str:
    if not _COLOR.fullmatch(color):
        raise RenderError(f'accent_color {color!r}: expected a hex colour such as "#1f4e79"')
    return color


def _document_name(document: Mapping[str, Any]) -> str:
    """How an error names a document: its number, or what a statement is about."""
    if document.get("number"):
        return str(document["number"])
    if document.get("kind") == "statement":
        client: Mapping[str, Any] = document.get("client") or {}
        who = client.get("id") or client.get("name") or "?"
        return f"statement {who} {document.get('issue_date') or ''}".rstrip()
    return "draft"


def _attachment_time(document: Mapping[str, Any]) -> datetime.datetime:
    issued = as_date(document.get("issue_date")) or datetime.date(2000, 1, 1)
    return datetime.datetime.combine(issued, datetime.time())


def _context_builder(kind: str) -> Callable[..., dict[str, Any]]:
    if kind == "receipt":
        return build_receipt_context
    if kind == "statement":
        return build_statement_context
    if kind == "reminder_letter":
        return build_reminder_letter_context
    if kind == "receipts_book":
        return build_receipts_book_context
    return build_context
