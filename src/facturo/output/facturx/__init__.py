"""Factur-X e-invoices: the CII XML (EN 16931) of an issued document and its PDF/A-3 parts."""

from __future__ import annotations

from facturo.output.facturx.cii import GUIDELINE_ID, XML_FILENAME, build_xml, require_tax_document
from facturo.output.facturx.elements import to_unit_code
from facturo.output.facturx.pdfa import XMP_CONFORMANCE_LEVEL, facturx_pdf_options, facturx_xmp

__all__ = [
    "GUIDELINE_ID",
    "XML_FILENAME",
    "XMP_CONFORMANCE_LEVEL",
    "build_xml",
    "facturx_pdf_options",
    "facturx_xmp",
    "require_tax_document",
    "to_unit_code",
]
