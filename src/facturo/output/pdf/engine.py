"""PDF documents from issued data: sandboxed Jinja2 templates laid out by WeasyPrint as PDF/A-3b."""

from __future__ import annotations

import datetime
import os
import re
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2
import weasyprint.pdf.fonts
from markupsafe import Markup, escape
from stdnum import iban as stdnum_iban
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from facturo.errors import FacturoError
from facturo.output import words as labels
from facturo.output.qr import make_payment_qr
from facturo.output.sandbox import TemplateFolders, sandboxed_environment
from facturo.reports.reminders import LETTER_DEADLINE_DAYS

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
}
AGING_BUCKETS = ("not_due", "1-30", "31-60", "61-90", "over_90")
_PAYABLE_KINDS = ("invoice", "deposit")
_STANDARD_CATEGORIES = ("S", "Z")

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
        self._env = sandboxed_environment(jinja2.FileSystemLoader(self._folders.search_path()))
        self._fetcher = _FolderFetcher(
            self._folders.packaged, self._folders.overrides, self._folders.root
        )
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
        except jinja2.TemplateSyntaxError as error:
            where = self._folders.display(error.filename or error.name or name)
            raise RenderError(f"{where}:{error.lineno}: {error.message}") from None
        except jinja2.TemplateNotFound as error:
            places = self._folders.describe()
            raise RenderError(f"template {error.name} not found in {places}") from None
        try:
            return template.render({**context, "multi_page": multi_page})
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
    settings = (root, template, logo, accent_color)
    count = min(workers or _usable_cores(), len(jobs))
    if count <= 1:
        renderer = Renderer(root, template=template, logo=logo, accent_color=accent_color)
        for job in jobs:
            yield _run_job(renderer, job)
        return
    with ProcessPoolExecutor(count, initializer=_start_worker, initargs=settings) as pool:
        futures = [pool.submit(_run_in_worker, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


_worker_renderer: Renderer | None = None


def _start_worker(
    root: Path | None, template: str | None, logo: Path | str | None, accent_color: str | None
) -> None:
    global _worker_renderer
    _worker_renderer = Renderer(root, template=template, logo=logo, accent_color=accent_color)


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
    job.output.parent.mkdir(parents=True, exist_ok=True)
    partial = job.output.with_name(f".{job.output.name}.{os.getpid()}.tmp")
    partial.write_bytes(pdf)
    os.replace(partial, job.output)
    return RenderOutcome(job.output)


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _FolderFetcher(URLFetcher):  # type: ignore[misc]
    """Serves packaged template files (or their override) and files inside the billing folder."""

    def __init__(self, packaged: Path, overrides: Path | None, root: Path | None) -> None:
        # fail_on_errors: a refused or missing file stops the rendering instead of a warning.
        super().__init__(fail_on_errors=True)
        self._packaged = packaged.resolve()
        self._overrides = overrides.resolve() if overrides is not None else None
        self._root = root
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
        served = self._locate(Path(url2pathname(unquote(parts.path))).resolve())
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
            if self._overrides is not None:
                override = (self._overrides / relative).resolve()
                if override.is_relative_to(self._overrides) and override.is_file():
                    return override
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
    text = str(logo)
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", text) or text.startswith(("file:", "data:")):
        raise RenderError(
            f"logo {text}: a URL is not allowed; give a path inside the billing folder"
        )
    if root is None:
        raise RenderError(f"logo {text}: a logo needs a billing folder to be found in")
    path = (root / text).resolve()
    if not path.is_relative_to(root):
        raise RenderError(
            f"logo {text}: outside the billing folder {root}; "
            "put the file inside it (e.g. assets/logo.svg)"
        )
    if path.suffix.lower() not in _IMAGE_TYPES:
        raise RenderError(f"logo {text}: must be an SVG, PNG or JPEG image")
    if not path.is_file():
        raise RenderError(f"logo {text}: file not found in the billing folder {root}")
    return path


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
    issued = _as_date(document.get("issue_date")) or datetime.date(2000, 1, 1)
    return datetime.datetime.combine(issued, datetime.time())


# -- the template context: everything a template prints, already in the document's language --


def build_context(
    document: Mapping[str, Any],
    *,
    draft: bool = False,
    logo_url: str | None = None,
    accent_color: str | None = None,
) -> dict[str, Any]:
    """Turn an issued document (docs/FORMAT.md) into the variables the templates print."""
    language = _language(document)
    kind = str(document.get("kind") or "invoice")
    words = labels.labels_for(language)
    currency = str(document.get("currency") or "EUR")
    seller: Mapping[str, Any] = document.get("seller") or {}
    client: Mapping[str, Any] = document.get("client") or {}
    number = None if draft else document.get("number")
    title = words.get(f"title_{kind}", words["title_invoice"])
    issue_date = _as_date(document.get("issue_date"))
    seller_country = _country(seller)
    client_country = _country(client)
    lines = [_line(line, currency, language) for line in document.get("lines") or []]
    totals: Mapping[str, Any] = document.get("totals") or {}
    already_paid = _already_paid(document)
    amount_due = _as_decimal(totals.get("due", totals.get("gross", 0))) - _payments(document)

    return {
        "document": document,
        "kind": kind,
        "language": language,
        "currency": currency,
        "draft": draft,
        "label": words,
        "title": title,
        "number": number,
        "meta": _meta(title, number, seller, client, issue_date, words),
        "logo_url": logo_url,
        "accent_color": accent_color,
        "seller": _seller(seller, language, show_country=seller_country != client_country),
        "client": _client(client, language, show_country=seller_country != client_country),
        "facts": _facts(document, kind, language, words),
        "corrected_invoice": _corrected_invoice(document, language, words),
        "credit_reason": _credit_reason(document, kind, words),
        "lines": lines,
        "show_unit": any(line["unit"] for line in lines),
        "show_vat": any(line["vat_category"] in _STANDARD_CATEGORIES for line in lines),
        "vat_breakdown": _vat_breakdown(totals, currency, language),
        "totals": _totals(kind, totals, already_paid, amount_due, currency, language, words),
        "payment": _payment(document, kind, number, amount_due, currency, language),
        "quote_validity": _quote_validity(document, kind, language, words),
        "exemption": _exemption(document, language),
        "mentions": _mentions(document, kind, language, words),
        "notes": document.get("notes") or None,
        "thanks": _thanks(document, words),
        "footer": _footer(seller, words),
    }


def _language(document: Mapping[str, Any]) -> str:
    language = str(document.get("language") or "fr")
    if language not in labels.LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(labels.LANGUAGES)}")
    return language


def _meta(
    title: str,
    number: Any,
    seller: Mapping[str, Any],
    client: Mapping[str, Any],
    issue_date: datetime.date | None,
    words: Mapping[str, str],
) -> dict[str, Any]:
    heading = f"{title} {number}" if number else f"{title} ({words['draft_mark'].lower()})"
    client_name = client.get("name")
    return {
        "title": heading,
        "author": seller.get("name") or "",
        "description": f"{heading} — {client_name}" if client_name else heading,
        # Creation and modification dates are the issue date: the same file gives the same PDF.
        "created": f"{issue_date.isoformat()}T00:00:00Z" if issue_date else None,
    }


def _seller(seller: Mapping[str, Any], language: str, *, show_country: bool) -> dict[str, Any]:
    words = labels.labels_for(language)
    identifiers = []
    if seller.get("siren"):
        identifiers.append(f"{words['siren']} {labels.format_siren(str(seller['siren']))}")
    if seller.get("vat_number"):
        identifiers.append(f"{words['vat_number']} {seller['vat_number']}")
    contact = [str(seller[key]) for key in ("email", "phone", "website") if seller.get(key)]
    return {
        "name": seller.get("name") or "",
        "trade_name": seller.get("trade_name") or None,
        "legal_form": seller.get("legal_form") or None,
        "share_capital": _share_capital(seller, language),
        "address": _address_lines(seller.get("address"), language, show_country=show_country),
        "identifiers": identifiers,
        "rcs": seller.get("rcs") or None,
        "contact": contact,
    }


def _share_capital(seller: Mapping[str, Any], language: str) -> str | None:
    capital = seller.get("share_capital")
    if capital in (None, ""):
        return None
    if isinstance(capital, (int, Decimal)):
        capital = labels.format_money(capital, "EUR", language)
    return f"capital {capital}" if language == "en" else f"au capital de {capital}"


def _client(client: Mapping[str, Any], language: str, *, show_country: bool) -> dict[str, Any]:
    words = labels.labels_for(language)
    identifiers = []
    if client.get("siren"):
        identifiers.append(f"{words['siren']} {labels.format_siren(str(client['siren']))}")
    if client.get("vat_number"):
        identifiers.append(f"{words['vat_number']} {client['vat_number']}")
    delivery = client.get("delivery_address")
    return {
        "name": client.get("name") or "",
        "address": _address_lines(client.get("address"), language, show_country=show_country),
        "identifiers": identifiers,
        "delivery_address": (
            _address_lines(delivery, language, show_country=show_country)
            if delivery and delivery != client.get("address")
            else None
        ),
    }


def _address_lines(address: Any, language: str, *, show_country: bool) -> list[str]:
    if not isinstance(address, Mapping):
        return []
    lines = [str(address[key]) for key in ("street", "street2") if address.get(key)]
    town = " ".join(str(address[key]) for key in ("postcode", "city") if address.get(key))
    if town:
        lines.append(town)
    if show_country and address.get("country"):
        lines.append(labels.describe_country(str(address["country"]), language))
    return lines


def _country(party: Mapping[str, Any]) -> str | None:
    address = party.get("address")
    return str(address.get("country")) if isinstance(address, Mapping) else None


def _facts(
    document: Mapping[str, Any], kind: str, language: str, words: Mapping[str, str]
) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    issue_date = _as_date(document.get("issue_date"))
    if issue_date:
        facts.append((words["issue_date"], labels.format_date(issue_date, language)))
    if kind == "quote":
        valid_until = _as_date(document.get("valid_until"))
        if valid_until:
            facts.append((words["valid_until"], labels.format_date(valid_until, language)))
    elif kind in _PAYABLE_KINDS:
        due_date = _as_date(document.get("due_date"))
        if due_date:
            facts.append((words["due_date"], labels.format_date(due_date, language)))
    operation = str(document.get("operation") or "services")
    service_date = _as_date(document.get("service_date"))
    period = document.get("service_period")
    if service_date:
        label = words.get(f"service_date_{operation}", words["service_date_services"])
        facts.append((label, labels.format_date(service_date, language)))
    elif isinstance(period, Mapping):
        facts.append((words["service_period"], _period(period, language, words["period_range"])))
    if document.get("order_reference"):
        facts.append((words["order_reference"], str(document["order_reference"])))
    return facts


def _period(period: Mapping[str, Any], language: str, pattern: str) -> str:
    start = _as_date(period.get("start"))
    end = _as_date(period.get("end"))
    return pattern.format(
        start=labels.format_date(start, language) if start else "",
        end=labels.format_date(end, language) if end else "",
    )


def _corrected_invoice(
    document: Mapping[str, Any], language: str, words: Mapping[str, str]
) -> str | None:
    original = document.get("credit_note_of")
    if not isinstance(original, Mapping) or not original.get("number"):
        return None
    issued = _as_date(original.get("issue_date"))
    return words["corrects_invoice"].format(
        number=original["number"], date=labels.format_date(issued, language) if issued else "?"
    )


def _credit_reason(document: Mapping[str, Any], kind: str, words: Mapping[str, str]) -> str | None:
    reason = str(document.get("reason") or "").strip()
    if kind != "credit_note" or not reason:
        return None
    return words["credit_reason"].format(reason=reason)


def _line(line: Mapping[str, Any], currency: str, language: str) -> dict[str, Any]:
    words = labels.labels_for(language)
    category = str(line.get("vat_category") or "S")
    details = []
    period = line.get("service_period")
    if isinstance(period, Mapping):
        details.append(_period(period, language, words["line_period"]))
    if line.get("discount") not in (None, ""):
        details.append(_line_discount(line, currency, language, words))
    unit = line.get("unit")
    quantity = _as_decimal(line.get("quantity", 1))
    unit_price = _as_decimal(line.get("unit_price", 0))
    net = line.get("net")
    return {
        "description": str(line.get("description") or ""),
        "details": details,
        "quantity": labels.format_number(quantity, language),
        "unit": labels.describe_unit(str(unit), language) if unit else "",
        "unit_price": labels.format_money(unit_price, currency, language),
        "vat_category": category,
        "vat_rate": (
            labels.format_rate(_as_decimal(line.get("vat_rate", 0)), language)
            if category in _STANDARD_CATEGORIES
            else ""
        ),
        "total": labels.format_money(
            _as_decimal(net) if net is not None else quantity * unit_price, currency, language
        ),
    }


def _line_discount(
    line: Mapping[str, Any], currency: str, language: str, words: Mapping[str, str]
) -> str:
    written = line["discount"]
    if isinstance(written, str) and written.strip().endswith("%"):
        shown = labels.format_rate(Decimal(written.strip().rstrip("%")), language)
    else:
        shown = labels.format_money(_as_decimal(written), currency, language)
    text = words["line_discount"].format(discount=shown)
    amount = line.get("discount_amount")
    if amount is not None and not (isinstance(written, (int, Decimal)) and written == amount):
        text += f" (−{labels.format_money(_as_decimal(amount), currency, language)})"
    return text


def _vat_breakdown(totals: Mapping[str, Any], currency: str, language: str) -> list[dict[str, str]]:
    rows = []
    for group in totals.get("vat") or []:
        if str(group.get("category", "S")) not in _STANDARD_CATEGORIES:
            continue
        rows.append(
            {
                "rate": labels.format_rate(_as_decimal(group.get("rate", 0)), language),
                "base": labels.format_money(_as_decimal(group.get("base", 0)), currency, language),
                "amount": labels.format_money(
                    _as_decimal(group.get("amount", 0)), currency, language
                ),
            }
        )
    return rows


def _totals(
    kind: str,
    totals: Mapping[str, Any],
    already_paid: Decimal,
    amount_due: Decimal,
    currency: str,
    language: str,
    words: Mapping[str, str],
) -> list[dict[str, str]]:
    def money(value: Any) -> str:
        return labels.format_money(_as_decimal(value), currency, language)

    rows: list[dict[str, str]] = []
    discount = _as_decimal(totals.get("discount", 0))
    if discount:
        rows.append({"label": words["lines_net"], "amount": money(totals.get("lines_net", 0))})
        rows.append({"label": words["discount"], "amount": money(-discount)})
    rows.append({"label": words["net"], "amount": money(totals.get("net", 0)), "style": "strong"})
    standard = [
        group
        for group in totals.get("vat") or []
        if str(group.get("category", "S")) in _STANDARD_CATEGORIES
    ]
    # One VAT rate fits in the totals; several are detailed in the breakdown beside them.
    if len(standard) == 1:
        rate = labels.format_rate(_as_decimal(standard[0].get("rate", 0)), language)
        label = words["vat_at"].format(rate=rate)
    else:
        label = words["vat_total"] if standard else words["vat_none"]
    rows.append({"label": label, "amount": money(totals.get("vat_total", 0))})
    if kind == "credit_note":
        rows.append({"label": words["credit_total"], "amount": money(totals.get("gross", 0))})
        rows[-1]["style"] = "grand"
        return rows
    rows.append(
        {"label": words["gross"], "amount": money(totals.get("gross", 0)), "style": "gross"}
    )
    if kind not in _PAYABLE_KINDS:
        rows[-1]["style"] = "grand"
        return rows
    if already_paid:
        rows.append({"label": words["already_paid"], "amount": money(-already_paid)})
    rows.append({"label": words["amount_due"], "amount": money(amount_due), "style": "grand"})
    return rows


def _payment(
    document: Mapping[str, Any],
    kind: str,
    number: Any,
    amount_due: Decimal,
    currency: str,
    language: str,
) -> dict[str, Any] | None:
    payment: Mapping[str, Any] = document.get("payment") or {}
    if kind not in (*_PAYABLE_KINDS, "quote") or not payment:
        return None
    seller: Mapping[str, Any] = document.get("seller") or {}
    methods = [
        labels.describe_payment_method(str(m), language) for m in payment.get("methods") or []
    ]
    terms = str(document.get("payment_terms") or "")
    # A quote is not paid: its payment block gives the terms, not the bank account.
    iban = str(payment.get("iban") or "") if kind in _PAYABLE_KINDS else ""
    due_date = _as_date(document.get("due_date"))
    qr = None
    if kind in _PAYABLE_KINDS and number and iban and amount_due > 0:
        qr = make_payment_qr(
            name=str(seller.get("name") or ""),
            iban=iban,
            amount=amount_due,
            reference=str(number),
            bic=str(payment["bic"]) if payment.get("bic") else None,
            currency=currency,
        )
    return {
        "pay_by": (
            labels.format_date(due_date, language)
            if due_date and kind in _PAYABLE_KINDS and amount_due > 0
            else None
        ),
        "terms": labels.describe_payment_terms(terms, language) if _is_terms(terms) else None,
        "methods": ", ".join(methods) if methods else None,
        "account_holder": str(seller.get("name") or "") if iban else None,
        "iban": stdnum_iban.format(iban) if iban and stdnum_iban.is_valid(iban) else iban or None,
        "bic": (str(payment.get("bic") or "") or None) if iban else None,
        "reference": str(number) if number and kind in _PAYABLE_KINDS else None,
        # The PNG, not the SVG: WeasyPrint parses an SVG path of a QR code 5x slower.
        "qr_image": qr.png_data_uri if qr else None,
        "qr_payload": qr.payload if qr else None,
        "amount_due": labels.format_money(amount_due, currency, language),
    }


def _is_terms(terms: str) -> bool:
    # A due date given directly is stored as its ISO date: the due date already says it.
    return bool(terms) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", terms)


def _quote_validity(
    document: Mapping[str, Any], kind: str, language: str, words: Mapping[str, str]
) -> str | None:
    valid_until = _as_date(document.get("valid_until"))
    if kind != "quote" or valid_until is None:
        return None
    return words["quote_validity"].format(date=labels.format_date(valid_until, language))


def _mentions(
    document: Mapping[str, Any],
    kind: str,
    language: str,
    words: Mapping[str, str],
) -> list[str]:
    mentions: list[str] = []
    if kind == "quote":
        return mentions
    operation = str(document.get("operation") or "")
    if f"operation_{operation}" in words:
        mentions.append(words["operation"].format(nature=words[f"operation_{operation}"]))
    if document.get("vat_on_debits"):
        mentions.append(words["vat_on_debits"])
    payment: Mapping[str, Any] = document.get("payment") or {}
    if kind not in _PAYABLE_KINDS:
        return mentions
    rate = payment.get("late_penalty_rate_percent")
    if rate not in (None, ""):
        mentions.append(
            words["late_penalty"].format(rate=labels.format_rate(_as_decimal(rate), language))
        )
    indemnity = payment.get("recovery_indemnity")
    client: Mapping[str, Any] = document.get("client") or {}
    # The fixed indemnity is owed by business clients only (Code de commerce L441-10).
    if indemnity not in (None, "") and client.get("kind", "business") == "business":
        amount = labels.format_money(_as_decimal(indemnity), "EUR", language)
        mentions.append(words["recovery_indemnity"].format(amount=amount))
    discount = payment.get("early_payment_discount")
    if discount in (None, "", "none"):
        mentions.append(words["no_early_discount"])
    else:
        mentions.append(words["early_discount"].format(terms=str(discount).rstrip(".")))
    return mentions


def _exemption(document: Mapping[str, Any], language: str) -> str | None:
    exemption = document.get("vat_exemption")
    if isinstance(exemption, Mapping) and exemption.get("reason"):
        code = exemption.get("code")
        return labels.describe_exemption(str(code) if code else None, exemption["reason"], language)
    return None


def _thanks(document: Mapping[str, Any], words: Mapping[str, str]) -> str | None:
    thanks = str(document.get("thanks") or words["thanks"])
    notes = str(document.get("notes") or "")
    # A note that already thanks the client is not repeated under it.
    if _squash(thanks) in _squash(notes):
        return None
    return thanks


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def _footer(seller: Mapping[str, Any], words: Mapping[str, str]) -> list[str]:
    parts = []
    name = str(seller.get("name") or "")
    if seller.get("legal_form"):
        name = f"{name} — {seller['legal_form']}"
    if name:
        parts.append(name)
    if seller.get("siren"):
        parts.append(f"{words['siren']} {labels.format_siren(str(seller['siren']))}")
    if seller.get("rcs"):
        parts.append(str(seller["rcs"]))
    if seller.get("vat_number"):
        parts.append(f"{words['vat_number']} {seller['vat_number']}")
    return parts


def _already_paid(document: Mapping[str, Any]) -> Decimal:
    totals: Mapping[str, Any] = document.get("totals") or {}
    return _as_decimal(totals.get("prepaid", 0)) + _payments(document)


def _payments(document: Mapping[str, Any]) -> Decimal:
    tracking = document.get("tracking")
    if not isinstance(tracking, Mapping):
        return Decimal(0)
    return sum(
        (_as_decimal(entry.get("amount", 0)) for entry in _entries(tracking.get("payments"))),
        Decimal(0),
    )


def _entries(value: Any) -> Iterator[Mapping[str, Any]]:
    for entry in value or []:
        if isinstance(entry, Mapping):
            yield entry


def _as_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if value is None or value == "":
        return Decimal(0)
    return Decimal(value)


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value)
    return None


# -- receipts and account statements: the client's account, not a sale ----------------------


def build_receipt_context(
    document: Mapping[str, Any],
    *,
    draft: bool = False,
    logo_url: str | None = None,
    accent_color: str | None = None,
) -> dict[str, Any]:
    """Turn a receipt (a payment received on an invoice) into the variables receipt.html prints.

    Besides the layout variables every document has, `receipt` holds the amount, date,
    method and reference of the payment, the invoice it pays, the acknowledgement sentence
    and whether the invoice is now paid in full; `totals` shows how the balance was reached.
    """
    language = _language(document)
    words = labels.labels_for(language)
    currency = str(document.get("currency") or "EUR")
    seller: Mapping[str, Any] = document.get("seller") or {}
    client: Mapping[str, Any] = document.get("client") or {}
    invoice: Mapping[str, Any] = document["invoice"]
    payment: Mapping[str, Any] = document["payment"]
    number = None if draft else document.get("number")
    title = words["title_receipt"]
    paid_on = _as_date(payment.get("date")) or _as_date(document.get("issue_date"))
    if paid_on is None:
        raise ValueError("a receipt needs the date of the payment")
    issue_date = _as_date(document.get("issue_date")) or paid_on
    invoice_kind = "deposit" if invoice.get("kind") == "deposit" else "invoice"
    invoice_number = str(invoice["number"])
    invoice_date = _as_date(invoice.get("issue_date"))
    due_date = _as_date(invoice.get("due_date"))
    amount = _as_decimal(payment["amount"])
    paid_total = _as_decimal(document.get("paid_total", amount))
    credited = _as_decimal(document.get("credited", 0))
    balance = _as_decimal(document["balance"])
    previously_paid = paid_total - amount
    method = str(payment.get("method") or "other")
    reference = str(payment.get("reference") or "") or None

    def money(value: Decimal) -> str:
        return labels.format_money(value, currency, language)

    def day(value: datetime.date | None) -> str:
        return labels.format_date(value, language) if value else "?"

    invoice_label = words[f"title_{invoice_kind}"]
    facts = []
    if issue_date != paid_on:
        facts.append((words["receipt_date"], day(issue_date)))
    facts.append((words["payment_date"], day(paid_on)))
    facts.append(
        (words["payment_method"], _capitalized(labels.describe_payment_method(method, language)))
    )
    if reference:
        facts.append((words["payment_received_reference"], reference))
    facts.append((invoice_label, invoice_number))
    if invoice_date:
        facts.append((words[f"receipt_date_{invoice_kind}"], day(invoice_date)))

    totals = [
        {
            "label": words[f"receipt_total_{invoice_kind}"],
            "amount": money(_as_decimal(invoice.get("gross", 0))),
            "style": "strong",
        }
    ]
    if credited:
        totals.append({"label": words["credited"], "amount": money(-credited)})
    if previously_paid:
        totals.append({"label": words["previously_paid"], "amount": money(-previously_paid)})
    totals.append({"label": words["this_payment"], "amount": money(-amount), "style": "gross"})
    if balance < 0:
        totals.append({"label": words["overpaid"], "amount": money(-balance), "style": "grand"})
    else:
        totals.append({"label": words["balance_due"], "amount": money(balance), "style": "grand"})

    paid_in_full = balance <= 0
    if not paid_in_full:
        settles = words["settles_part"]
    elif previously_paid > 0:
        settles = words["settles_balance"]
    else:
        settles = words["settles_full"]
    # The sentence is HTML with the amount and the invoice number in bold; every piece of data
    # in it is escaped here, as autoescaping would have done. Names stay in the running text:
    # WeasyPrint 70 misplaces line breaks after a bold run that wraps across two lines.
    acknowledgement = Markup(escape(words["receipt_acknowledgement"])).format(
        seller=str(seller.get("name") or ""),
        from_client=labels.describe_from(str(client.get("name") or ""), language),
        amount=_strong(money(amount)),
        date=day(paid_on),
        method=labels.describe_payment_by(method, language),
        reference=(
            words["payment_reference_short"].format(reference=reference) if reference else ""
        ),
        settles=settles,
        document=words[f"document_{invoice_kind}"],
        number=_strong(invoice_number),
        invoice_date=day(invoice_date),
    )
    if paid_in_full:
        remaining = None
    elif due_date:
        remaining = words["remaining_by"].format(amount=money(balance), date=day(due_date))
    else:
        remaining = words["remaining"].format(amount=money(balance))
    address = seller.get("address")
    city = address.get("city") if isinstance(address, Mapping) else None
    signed = (
        words["signed_at"].format(city=city, date=day(issue_date))
        if city
        else words["signed_on"].format(date=day(issue_date))
    )
    return {
        **_account_head(
            document,
            "receipt",
            words,
            title,
            number,
            seller,
            client,
            logo_url,
            accent_color,
            currency,
        ),
        "draft": draft,
        "meta": _meta(title, number, seller, client, issue_date, words),
        "facts": facts,
        "receipt": {
            "amount": money(amount),
            "date": day(paid_on),
            "method": labels.describe_payment_method(method, language),
            "reference": reference,
            "invoice": {
                "kind": invoice_kind,
                "title": invoice_label,
                "number": invoice_number,
                "issue_date": day(invoice_date),
                "due_date": day(due_date) if due_date else None,
                "gross": money(_as_decimal(invoice.get("gross", 0))),
            },
            "acknowledgement": acknowledgement,
            "paid_in_full": paid_in_full,
            "remaining": remaining,
            "signed": signed,
            "signatory": str(seller.get("name") or ""),
        },
        "totals": totals,
        "mentions": [words["receipt_notice"]],
        "thanks": words["receipt_thanks"],
        "footer": _footer(seller, words),
    }


def build_statement_context(
    document: Mapping[str, Any],
    *,
    draft: bool = False,
    logo_url: str | None = None,
    accent_color: str | None = None,
) -> dict[str, Any]:
    """Turn an account statement into the variables statement.html prints.

    Besides the layout variables every document has, `statement` holds the period, the
    opening row, the rows with their running balance, the period totals, the closing row,
    the open invoices and the aged balance, all formatted.
    """
    language = _language(document)
    words = labels.labels_for(language)
    currency = str(document.get("currency") or "EUR")
    seller: Mapping[str, Any] = document.get("seller") or {}
    client: Mapping[str, Any] = document.get("client") or {}
    title = words["title_statement"]
    period: Mapping[str, Any] = document.get("period") or {}
    end = _as_date(period.get("end")) or _as_date(document["issue_date"])
    if end is None:
        raise ValueError("a statement needs the end of its period")
    start = _as_date(period.get("start"))
    issue_date = _as_date(document.get("issue_date")) or end
    opening = _as_decimal(document.get("opening_balance", 0))
    closing = _as_decimal(document["closing_balance"])

    def money(value: Decimal) -> str:
        return labels.format_money(value, currency, language)

    def short(value: datetime.date | None) -> str:
        return labels.format_short_date(value, language) if value else ""

    def optional_money(value: Any) -> str:
        return money(_as_decimal(value)) if value is not None else ""

    entries = list(_entries(document.get("rows")))
    rows = [
        {
            "date": short(_as_date(row.get("date"))),
            "kind": str(row.get("kind") or ""),
            "number": str(row.get("number") or ""),
            "description": str(row.get("description") or ""),
            "debit": optional_money(row.get("debit")),
            "credit": optional_money(row.get("credit")),
            "balance": money(_as_decimal(row.get("balance", 0))),
        }
        for row in entries
    ]
    debit_total = sum((_as_decimal(row.get("debit")) for row in entries), Decimal(0))
    credit_total = sum((_as_decimal(row.get("credit")) for row in entries), Decimal(0))
    period_text = _capitalized(
        _period({"start": start, "end": end}, language, words["period_range"])
        if start
        else words["period_until"].format(end=labels.format_date(end, language))
    )
    as_at = words["statement_as_at"].format(date=labels.format_date(end, language))
    balance_label = words["closing_balance_credit" if closing < 0 else "closing_balance_due"]
    facts = [
        (words["statement_date"], labels.format_date(issue_date, language)),
        (words["period"], period_text),
        (balance_label, money(-closing if closing < 0 else closing)),
    ]
    open_invoices = [
        {
            "number": str(item["number"]),
            "issue_date": short(_as_date(item.get("issue_date"))),
            "due_date": short(_as_date(item.get("due_date"))),
            "gross": money(_as_decimal(item.get("gross", 0))),
            "balance": money(_as_decimal(item.get("balance", 0))),
            "days_late": (
                labels.describe_days(int(item["days_late"]), language)
                if int(item.get("days_late") or 0) > 0
                else ""
            ),
        }
        for item in _entries(document.get("open_invoices"))
    ]
    amounts = {
        str(item["bucket"]): _as_decimal(item.get("amount"))
        for item in _entries(document.get("aging"))
    }
    unknown = sorted(set(amounts) - set(AGING_BUCKETS))
    if unknown:
        raise ValueError(f"unknown aging bucket {unknown[0]!r}: expected one of {AGING_BUCKETS}")
    aging = [
        {
            "bucket": bucket,
            "label": words[f"aging_{bucket}"],
            "amount": money(amounts.get(bucket, Decimal(0))),
        }
        for bucket in AGING_BUCKETS
    ]
    mentions = []
    if closing > 0:
        mentions.append(words["statement_paid_meanwhile"])
    elif closing < 0:
        mentions.append(words["statement_credit"].format(amount=money(-closing)))
    mentions.append(words["statement_notice"])
    client_name = str(client.get("name") or "")
    heading = " — ".join(
        part for part in (title, client_name, labels.format_date(end, language)) if part
    )
    return {
        **_account_head(
            document,
            "statement",
            words,
            title,
            None,
            seller,
            client,
            logo_url,
            accent_color,
            currency,
        ),
        "draft": draft,
        "meta": {
            "title": heading,
            "author": seller.get("name") or "",
            "description": f"{heading} ({period_text})",
            "created": f"{issue_date.isoformat()}T00:00:00Z",
        },
        "facts": facts,
        "statement": {
            "as_at": as_at,
            "period": period_text,
            "opening": (
                {
                    "date": short(start),
                    "description": words["opening_balance"],
                    "balance": money(opening),
                }
                if start or opening
                else None
            ),
            "rows": rows,
            "period_totals": (
                {"debit": money(debit_total), "credit": money(credit_total)} if rows else None
            ),
            "closing": {
                "date": short(end),
                "description": words["closing_balance"].format(
                    date=labels.format_date(end, language)
                ),
                "balance": money(closing),
                "in_credit": closing < 0,
            },
            "open_invoices": open_invoices,
            "aging": aging,
            "aging_total": money(sum(amounts.values(), Decimal(0))),
        },
        "payment": _statement_payment(seller, closing, money(closing)),
        "mentions": mentions,
        "footer": _footer(seller, words),
    }


# -- formal notice to pay: the letter sent with the last reminder -------------------------------


def reminder_letter(context: Mapping[str, Any], *, paid: Decimal) -> dict[str, Any]:
    """The document of a formal notice letter, from the context of the reminder it goes with.

    `context` is the mapping given to `messages.compose` for a reminder; `paid` is what the
    client has already paid on the invoice. The letter is dated `today` and numbered after the
    invoice with a "-MED" suffix (mise en demeure): that number names the PDF, not a series.
    """
    invoice: Mapping[str, Any] = context["document"]
    return {
        **context,
        "kind": "reminder_letter",
        "number": f"{invoice['number']}-MED",
        "issue_date": context["today"],
        "paid": paid,
    }


def build_reminder_letter_context(
    document: Mapping[str, Any],
    *,
    draft: bool = False,
    logo_url: str | None = None,
    accent_color: str | None = None,
) -> dict[str, Any]:
    """Turn a formal notice to pay into the variables reminder_letter.html prints.

    `document` is the reminder's context (see `messages.compose`) with `kind`,
    `number`, `issue_date` and `paid` added (see `reminder_letter`). Besides the layout
    variables, `letter` holds the place and date, the subject line, the body paragraphs
    (HTML, data escaped), the table of the amounts claimed, the deadline and the signatory;
    `payment` says how to pay the total claimed.
    """
    language = _language(document)
    words = labels.labels_for(language)
    invoice: Mapping[str, Any] = document["document"]
    currency = str(invoice.get("currency") or "EUR")
    seller: Mapping[str, Any] = document.get("seller") or {}
    client: Mapping[str, Any] = document.get("client") or {}
    number = None if draft else document.get("number")
    title = words["title_reminder_letter"]
    today = _as_date(document.get("issue_date")) or _as_date(document.get("today"))
    if today is None:
        raise ValueError("a formal notice needs its date (today)")
    invoice_kind = "deposit" if invoice.get("kind") == "deposit" else "invoice"
    invoice_number = str(invoice["number"])
    invoice_date = _as_date(invoice.get("issue_date"))
    due_date = _as_date(invoice.get("due_date"))
    gross = _as_decimal(invoice.get("gross", 0))
    paid = _as_decimal(document.get("paid", 0))
    balance = _as_decimal(document["balance"])
    # Whatever the payments do not explain was cancelled by credit notes.
    credited = gross - paid - balance
    days_late = int(document.get("days_late") or 0)
    penalties: Mapping[str, Any] | None = document.get("penalties") or None
    # The fixed indemnity is owed by business clients only (Code de commerce L441-10).
    business = client.get("kind", "business") == "business"
    interest = _as_decimal(penalties.get("interest", 0)) if penalties else Decimal(0)
    indemnity = (
        _as_decimal(penalties["indemnity"])
        if penalties and business and penalties.get("indemnity") not in (None, "")
        else None
    )
    total = balance + interest + (indemnity or Decimal(0))
    deadline = today + datetime.timedelta(days=LETTER_DEADLINE_DAYS)

    def money(value: Decimal) -> str:
        return labels.format_money(value, currency, language)

    def day(value: datetime.date | None) -> str:
        return labels.format_date_in_text(value, language) if value else "?"

    def sentence(key: str, **values: Any) -> Markup:
        # Data is escaped here, as autoescaping would have done; only the marks are HTML.
        return Markup(escape(words[key])).format(**values)

    document_word = words[f"document_{invoice_kind}"]
    days = labels.describe_days(days_late, language)
    rate = (
        labels.format_rate(_as_decimal(penalties["rate_percent"]), language) if penalties else None
    )
    until = _as_date(penalties.get("until")) if penalties else None
    # Only say earlier reminders were sent when they were: after an outage the formal notice
    # may be the first one.
    reminded = bool(document.get("reminders_sent"))
    paragraphs = [
        sentence(
            "letter_unpaid" if reminded else "letter_unpaid_first",
            document=document_word,
            number=invoice_number,
            invoice_date=day(invoice_date),
            due_date=_nowrap(day(due_date)),
            balance=_nowrap(money(balance)),
            days=_nowrap(days),
        )
    ]
    if penalties:
        paragraphs.append(
            sentence(
                "letter_penalties_business"
                if indemnity is not None
                else "letter_penalties_individual",
                rate=_nowrap(rate or ""),
                interest=_nowrap(money(interest)),
                until=_nowrap(day(until or today)),
                indemnity=_nowrap(money(indemnity or Decimal(0))),
            )
        )
    paragraphs.append(
        sentence("letter_demand", total=_strong(money(total)), deadline=_strong(day(deadline)))
    )
    paragraphs.append(sentence("letter_consequence"))
    paragraphs.append(sentence("letter_meanwhile"))

    claim: list[dict[str, Any]] = [
        {"label": words[f"receipt_total_{invoice_kind}"], "amount": money(gross)}
    ]
    if paid:
        claim.append({"label": words["already_paid"], "amount": money(-paid)})
    if credited > 0:
        claim.append({"label": words["credited"], "amount": money(-credited)})
    claim.append({"label": words["letter_balance"], "amount": money(balance), "style": "strong"})
    if penalties:
        claim.append(
            {
                "label": words["letter_interest"].format(date=day(until or today)),
                "detail": words["letter_interest_detail"].format(rate=rate, days=days),
                "amount": money(interest),
            }
        )
    if indemnity is not None:
        claim.append(
            {
                "label": words["letter_indemnity"],
                "detail": words["letter_indemnity_detail"],
                "amount": money(indemnity),
            }
        )
    claim.append({"label": words["letter_total"], "amount": money(total), "style": "grand"})
    claim = [{"detail": None, "style": "", **row} for row in claim]

    facts = [
        (words["letter_invoice"].format(document=words[f"title_{invoice_kind}"]), invoice_number),
        (words[f"receipt_date_{invoice_kind}"], day(invoice_date)) if invoice_date else None,
        (words["due_date"], day(due_date)) if due_date else None,
        (words["days_late"], days),
    ]
    payment = _letter_payment(document, seller, invoice_number, total, currency, language)
    note = []
    if payment["iban"]:
        note.append(words["letter_account_holder"].format(holder=payment["account_holder"]))
    if payment["methods"]:
        note.append(words["letter_methods"].format(methods=payment["methods"]))
    address = seller.get("address")
    city = address.get("city") if isinstance(address, Mapping) else None
    return {
        **_account_head(
            document,
            "reminder_letter",
            words,
            title,
            number,
            seller,
            client,
            logo_url,
            accent_color,
            currency,
        ),
        "draft": draft,
        "meta": _meta(title, number, seller, client, today, words),
        "facts": [fact for fact in facts if fact is not None],
        "letter": {
            "place_date": (
                words["letter_place_date"].format(city=city, date=day(today))
                if city
                else words["letter_date"].format(date=day(today))
            ),
            "subject": words["letter_subject_text"].format(
                document=document_word, number=invoice_number, date=day(invoice_date)
            ),
            "reference": words["letter_reference"].format(number=number) if number else None,
            "salutation": words["letter_salutation"],
            "paragraphs": paragraphs,
            "claim": claim,
            "deadline": day(deadline),
            "total": money(total),
            "closing": words["letter_closing"],
            "signatory": str(seller.get("name") or ""),
            "trade_name": str(seller.get("trade_name") or "") or None,
            "payment_note": "  ·  ".join(note),
        },
        "payment": payment,
        "footer": _footer(seller, words),
    }


def _letter_payment(
    document: Mapping[str, Any],
    seller: Mapping[str, Any],
    reference: str,
    total: Decimal,
    currency: str,
    language: str,
) -> dict[str, Any]:
    payment: Mapping[str, Any] = document.get("payment") or {}
    iban = str(payment.get("iban") or seller.get("iban") or "")
    bic = str(payment.get("bic") or seller.get("bic") or "") or None
    methods = [
        labels.describe_payment_method(str(m), language) for m in payment.get("methods") or []
    ]
    reference = str(payment.get("reference") or reference)
    qr = None
    if iban and currency == "EUR" and total > 0:
        qr = make_payment_qr(
            name=str(seller.get("name") or ""),
            iban=iban,
            amount=total,
            reference=reference,
            bic=bic,
            currency=currency,
        )
    return {
        "pay_by": None,
        "terms": None,
        "methods": ", ".join(methods) if methods else None,
        "account_holder": str(seller.get("name") or "") if iban else None,
        "iban": stdnum_iban.format(iban) if iban and stdnum_iban.is_valid(iban) else iban or None,
        "bic": bic if iban else None,
        "reference": reference,
        "qr_image": qr.png_data_uri if qr else None,
        "qr_payload": qr.payload if qr else None,
        "amount_due": labels.format_money(total, currency, language),
    }


def _nowrap(text: str) -> Markup:
    # Amounts, dates and durations stay on one line: "1 234,56 €" split after "1" misreads.
    return Markup('<span class="nowrap">{}</span>').format(text)


def _account_head(
    document: Mapping[str, Any],
    kind: str,
    words: Mapping[str, str],
    title: str,
    number: str | None,
    seller: Mapping[str, Any],
    client: Mapping[str, Any],
    logo_url: str | None,
    accent_color: str | None,
    currency: str,
) -> dict[str, Any]:
    """What receipts, statements and letters share: parties, words and branding."""
    language = _language(document)
    shown_country = _country(seller) != _country(client)
    return {
        **_account_defaults(),
        "document": document,
        "kind": kind,
        "language": language,
        "currency": currency,
        "label": words,
        "title": title,
        "number": number,
        "logo_url": logo_url,
        "accent_color": accent_color,
        "seller": _seller(seller, language, show_country=shown_country),
        "client": _account_client(client, language, show_country=shown_country),
    }


def _account_defaults() -> dict[str, Any]:
    """The invoice variables of base.html, empty: a receipt or statement template may extend it."""
    return {
        "corrected_invoice": None,
        "credit_reason": None,
        "lines": [],
        "show_unit": False,
        "show_vat": False,
        "vat_breakdown": [],
        "totals": [],
        "payment": None,
        "quote_validity": None,
        "exemption": None,
        "mentions": [],
        "notes": None,
        "thanks": None,
    }


def _account_client(
    client: Mapping[str, Any], language: str, *, show_country: bool
) -> dict[str, Any]:
    # A receipt or a statement is about the client's account: where goods went is not.
    return _client(client, language, show_country=show_country) | {"delivery_address": None}


def _statement_payment(
    seller: Mapping[str, Any], closing: Decimal, amount_due: str
) -> dict[str, Any] | None:
    # A statement that asks for money says where to send it; it names no single invoice, so
    # it has no payment reference nor QR code.
    iban = str(seller.get("iban") or "")
    if closing <= 0 or not iban:
        return None
    return {
        "pay_by": None,
        "terms": None,
        "methods": None,
        "account_holder": str(seller.get("name") or ""),
        "iban": stdnum_iban.format(iban) if stdnum_iban.is_valid(iban) else iban,
        "bic": str(seller.get("bic") or "") or None,
        "reference": None,
        "qr_image": None,
        "qr_payload": None,
        "amount_due": amount_due,
    }


def _strong(text: str) -> Markup:
    return Markup("<strong>{}</strong>").format(text)


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _context_builder(kind: str) -> Callable[..., dict[str, Any]]:
    if kind == "receipt":
        return build_receipt_context
    if kind == "statement":
        return build_statement_context
    if kind == "reminder_letter":
        return build_reminder_letter_context
    return build_context
