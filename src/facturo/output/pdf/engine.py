"""PDF documents from issued data: sandboxed Jinja2 templates laid out by WeasyPrint as PDF/A-3b."""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2

from facturo.errors import FacturoError
from facturo.output.pdf.account import build_receipt_context, build_statement_context
from facturo.output.pdf.books import build_receipts_book_context
from facturo.output.pdf.letter import build_reminder_letter_context
from facturo.output.pdf.libraries import (
    CSS,
    HTML,
    Attachment,
    FatalURLFetchingError,
    FontConfiguration,
    URLFetcher,
    URLFetcherResponse,
    weasyprint,
)
from facturo.output.pdf.sale import build_context
from facturo.output.sandbox import (
    ConfinedLoader,
    TemplateFolders,
    TemplateRefused,
    sandboxed_environment,
)
from facturo.output.values import as_date

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
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_ATTACHMENT_SCHEME = "facturo-attachment"
_RDF_BLOCK = re.compile(rb"<rdf:RDF\b(?P<attributes>[^>]*)>(?P<body>.*?)</rdf:RDF>", re.DOTALL)
_XML_ATTRIBUTE = re.compile(rb'([\w:.-]+)\s*=\s*"[^"]*"')
_IMAGE_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
_MEDIA_TYPES = {
    **_IMAGE_TYPES,
    ".css": "text/css",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".html": "text/html",
}


class RenderError(FacturoError):
    """A document could not be rendered: a template error, a refused file, a bad setting."""


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF and listed in its /AF array (e.g. factur-x.xml)."""

    name: str
    data: bytes
    mime_type: str = "application/octet-stream"
    relationship: str = "Data"
    description: str | None = None


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
        self._fetcher = _FolderFetcher(self._folders)
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
            rendered = self._layout(context, multi_page=False)
            # Page numbers go only on documents of several pages: lay out again with them.
            if len(rendered.pages) > 1:
                rendered = self._layout(context, multi_page=True)
            created = _attachment_time(document)
            rendered.metadata.attachments = [
                self._fetcher.attachment(item, created) for item in attachments
            ]
            rendered.metadata.xmp_metadata = list(xmp_metadata)
            with _font_timestamps(created):
                pdf = rendered.write_pdf(pdf_variant=PDF_VARIANT, finisher=_finish_pdf)
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

    def _layout(self, context: dict[str, Any], *, multi_page: bool) -> Any:
        html = self._render_template(context, multi_page=multi_page)
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


@dataclass(frozen=True)
class RenderJob:
    """One document to render to `output`; picklable, so worker processes can take it."""

    document: Mapping[str, Any]
    output: Path
    draft: bool = False
    attachments: tuple[PdfAttachment, ...] = ()
    xmp_metadata: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class RenderOutcome:
    """What became of a job: its PDF was written to `output`, or `error` says why not."""

    output: Path
    error: str | None = None


def render_batch(
    jobs: Sequence[RenderJob],
    *,
    folder_root: Path | None = None,
    template: str | None = None,
    logo: Path | str | None = None,
    accent_color: str | None = None,
    workers: int | None = None,
) -> Iterator[RenderOutcome]:
    """Render jobs on all cores, one Renderer per process, yielding outcomes as they finish.

    Each PDF is written atomically (temporary file, then rename). A document that cannot be
    rendered gives an outcome with its error; settings that are wrong raise RenderError
    before any work starts.
    """
    root = folder_root.resolve() if folder_root is not None else None
    if template:
        _check_template_name(template)
    if logo:
        _check_logo(logo, root)
    if accent_color:
        _check_color(accent_color)
    settings = (os.getpid(), root, template, logo, accent_color)
    count = min(workers or _usable_cores(), len(jobs))
    if count <= 1:
        renderer = Renderer(root, template=template, logo=logo, accent_color=accent_color)
        for job in jobs:
            yield _run_job(renderer, job)
        return
    with ProcessPoolExecutor(count, initializer=_start_worker, initargs=settings) as pool:
        futures = {pool.submit(_run_in_worker, job): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:  # a worker was killed (out of memory, a signal)
                yield RenderOutcome(futures[future].output, "the rendering process stopped")


_worker_renderer: Renderer | None = None


def _start_worker(
    parent: int,
    root: Path | None,
    template: str | None,
    logo: Path | str | None,
    accent_color: str | None,
) -> None:
    global _worker_renderer
    _die_with(parent)
    _worker_renderer = Renderer(root, template=template, logo=logo, accent_color=accent_color)


def _die_with(parent: int) -> None:
    """End this worker when `parent` ends, even by SIGKILL: a pool's workers otherwise wait
    forever for work that will never come."""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)
    # Elsewhere (and should the signal be lost), watch for the parent to go away.
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _run_in_worker(job: RenderJob) -> RenderOutcome:
    if _worker_renderer is None:
        raise RuntimeError("render worker started without its renderer")
    return _run_job(_worker_renderer, job)


def _run_job(renderer: Renderer, job: RenderJob) -> RenderOutcome:
    try:
        pdf = renderer.render_pdf(
            job.document,
            draft=job.draft,
            attachments=job.attachments,
            xmp_metadata=job.xmp_metadata,
        )
    except RenderError as error:
        return RenderOutcome(job.output, str(error))
    partial = job.output.with_name(f".{job.output.name}.{os.getpid()}.tmp")
    try:
        job.output.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(pdf)
        os.replace(partial, job.output)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink()
        return RenderOutcome(job.output, f"cannot write {job.output}: {error.strerror or error}")
    return RenderOutcome(job.output)


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _FolderFetcher(URLFetcher):  # type: ignore[misc]
    """Serves packaged template files (or their override) and files inside the billing folder."""

    def __init__(self, folders: TemplateFolders) -> None:
        # fail_on_errors: a refused or missing file stops the rendering instead of a warning.
        super().__init__(fail_on_errors=True)
        self._folders = folders
        self._packaged = folders.packaged.resolve()
        self._overrides = folders.overrides  # under the real root, links not followed
        self._root = folders.root
        self._cache: dict[Path, bytes] = {}
        self._attachments: dict[str, PdfAttachment] = {}
        self._refusals: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == _ATTACHMENT_SCHEME and url in self._attachments:
            item = self._attachments[url]
            return URLFetcherResponse(url, item.data, {"Content-Type": item.mime_type})
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise self._refuse(url)
        try:
            served = self._locate(Path(url2pathname(unquote(parts.path))).resolve())
        except TemplateRefused as error:
            raise self._record(error.message) from None
        media_type = _MEDIA_TYPES.get(served.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(url, self._read(served), {"Content-Type": media_type})

    def attachment(self, item: PdfAttachment, created: datetime.datetime) -> Attachment:
        url = f"{_ATTACHMENT_SCHEME}:{len(self._attachments)}"
        self._attachments[url] = item
        return Attachment(
            url=url,
            url_fetcher=self,
            name=item.name,
            description=item.description,
            created=created,
            modified=created,
            relationship=item.relationship,
        )

    def forget_attachments(self) -> None:
        self._attachments.clear()

    def explain(self, error: BaseException) -> str:
        if self._refusals:
            message = self._refusals[-1]
            self._refusals.clear()
            return message
        cause = error.__cause__
        return f"{error}: {cause}" if cause else str(error)

    def _locate(self, path: Path) -> Path:
        if path.is_relative_to(self._packaged):
            relative = path.relative_to(self._packaged)
            if self._overrides is not None and (self._overrides / relative).is_file():
                return self._folders.confine(self._overrides / relative)
        elif self._root is None or not path.is_relative_to(self._root):
            raise self._refuse(str(path))
        if not path.is_file():
            raise self._record(f"file not found: {path}")
        return path

    def _read(self, path: Path) -> bytes:
        if path.is_relative_to(self._packaged):
            if path not in self._cache:
                self._cache[path] = path.read_bytes()
            return self._cache[path]
        return path.read_bytes()

    def _refuse(self, what: str) -> ValueError:
        allowed = "the packaged templates"
        if self._root is not None:
            allowed += f" and files inside the billing folder {self._root}"
        return self._record(f"refused to load {what}: only {allowed} may be used")

    def _record(self, message: str) -> ValueError:
        self._refusals.append(message)
        return ValueError(message)


@contextmanager
def _font_timestamps(moment: datetime.datetime) -> Iterator[None]:
    """Stamp fonts with the document's date when fontTools subsets them instead of HarfBuzz.

    Without libharfbuzz-subset, WeasyPrint subsets fonts with fontTools, which writes the
    current time into each font unless SOURCE_DATE_EPOCH is set: the PDF would then differ
    from one second to the next.
    """
    if weasyprint.pdf.fonts.harfbuzz_subset or "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    epoch = moment.replace(tzinfo=datetime.UTC).timestamp()
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def _finish_pdf(document: Any, pdf: Any) -> None:
    """Fix two things WeasyPrint 70 writes that Factur-X validators reject."""
    _list_files_once(pdf)
    _merge_xmp_packets(pdf)


def _list_files_once(pdf: Any) -> None:
    # Each attachment is listed twice in the catalog's /AF: from the name tree and from the
    # file specifications.
    files = pdf.catalog.get("AF")
    if files:
        files[:] = list(dict.fromkeys(files))


def _merge_xmp_packets(pdf: Any) -> None:
    # Extra XMP is written as further rdf:RDF elements after WeasyPrint's own, but an XMP
    # packet holds exactly one: move their descriptions and namespaces into the first.
    reference = pdf.catalog.get("Metadata")
    if reference is None:
        return
    stream = pdf.objects[int(reference.split()[0])]
    content = b"".join(
        chunk if isinstance(chunk, bytes) else str(chunk).encode() for chunk in stream.stream
    )
    blocks = list(_RDF_BLOCK.finditer(content))
    if len(blocks) < 2:
        return
    opening = [blocks[0]["attributes"]]
    declared = {match[1] for match in _XML_ATTRIBUTE.finditer(blocks[0]["attributes"])}
    for block in blocks[1:]:
        for match in _XML_ATTRIBUTE.finditer(block["attributes"]):
            if match[1] not in declared:
                declared.add(match[1])
                opening.append(b" " + match[0])
    merged = b"<rdf:RDF%s>%s</rdf:RDF>" % (
        b"".join(opening),
        b"".join(block["body"] for block in blocks),
    )
    stream.stream = [content[: blocks[0].start()] + merged + content[blocks[-1].end() :]]


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
