"""The last touches on WeasyPrint's PDF before it is written: Factur-X fixes, fixed dates."""

from __future__ import annotations

import datetime
import functools
import os
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from facturo.output.pdf.libraries import pydyf, weasyprint

# zlib's default level: level 9 (pydyf's) takes 2.5 times as long on fonts and pages, for
# files 0.3% smaller.
COMPRESSION_LEVEL = 6
_RDF_BLOCK = re.compile(rb"<rdf:RDF\b(?P<attributes>[^>]*)>(?P<body>.*?)</rdf:RDF>", re.DOTALL)
_XML_ATTRIBUTE = re.compile(rb'([\w:.-]+)\s*=\s*"[^"]*"')


@contextmanager
def font_timestamps(moment: datetime.datetime) -> Iterator[None]:
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


def finish_pdf(document: Any, pdf: Any) -> None:
    """Fix two things WeasyPrint 70 writes that Factur-X validators reject, then make each
    stream's bytes once, compressed at COMPRESSION_LEVEL."""
    _list_files_once(pdf)
    _merge_xmp_packets(pdf)
    _write_streams_once(pdf)


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


def _write_streams_once(pdf: Any) -> None:
    # pydyf joins and compresses (zlib level 9) every stream twice: once to write it, once
    # more to hash the whole file for the /ID a PDF/A needs. Nothing changes a stream after
    # this point, so its bytes are kept from the first time, made once.
    for item in pdf.objects:
        if isinstance(item, pydyf.Stream):
            item.__class__ = _written_once(type(item))


_WRITTEN_ONCE: dict[type[Any], type[Any]] = {}


def _written_once(kind: type[Any]) -> type[Any]:
    """A subclass of the stream class `kind` whose bytes are made on first use, then kept."""
    if kind not in _WRITTEN_ONCE:
        made_by_pydyf = kind.data is pydyf.Stream.data

        def data(self: Any) -> bytes:
            if made_by_pydyf and self.compress:
                return _compressed(self)
            made: bytes = kind.data.fget(self)
            return made

        attributes = {"data": functools.cached_property(data), "__module__": __name__}
        _WRITTEN_ONCE[kind] = type(kind.__name__, (kind,), attributes)
    return _WRITTEN_ONCE[kind]


def _compressed(stream: Any) -> bytes:
    """The bytes pydyf writes for a compressed stream, compressed at COMPRESSION_LEVEL."""
    content = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)
    packed = zlib.compress(content, COMPRESSION_LEVEL)
    extra = pydyf.Dictionary({**stream.extra, "Filter": "/FlateDecode", "Length": len(packed)})
    return b"\n".join((extra.data, b"stream", packed, b"endstream"))
