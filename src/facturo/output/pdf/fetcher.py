"""What a PDF may load: template files, files inside the billing folder, its embedded files.

Template files are the packaged ones or their override in the folder's `templates/`; embedded
files (e.g. factur-x.xml) are served under their own scheme while their PDF is made.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from facturo.output.pdf.libraries import Attachment, URLFetcher, URLFetcherResponse
from facturo.output.sandbox import TemplateFolders, TemplateRefused

_ATTACHMENT_SCHEME = "facturo-attachment"
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


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF and listed in its /AF array (e.g. factur-x.xml)."""

    name: str
    data: bytes
    mime_type: str = "application/octet-stream"
    relationship: str = "Data"
    description: str | None = None


class FolderFetcher(URLFetcher):  # type: ignore[misc]
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
        """The WeasyPrint attachment of `item`, served by this fetcher until forgotten."""
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
        """Why a file could not be loaded: the last refusal, else the error and its cause."""
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
