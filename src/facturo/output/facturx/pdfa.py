"""The PDF/A-3 parts of a Factur-X invoice: the embedded XML attachment and the XMP extension.

The PDF side (one WeasyPrint pass, the /AF list and the XMP merge) is the renderer's:
`facturx_pdf_options` gives it the attachment and the XMP block.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from facturo.output.facturx.cii import XML_FILENAME, build_xml, require_tax_document

if TYPE_CHECKING:
    from facturo.output.pdf.engine import PdfAttachment

XMP_CONFORMANCE_LEVEL = "EN 16931"

_FX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
_XMP_RDF_OPEN = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
_XMP_PROPERTIES = (
    ("DocumentFileName", "The name of the embedded XML document"),
    ("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"),
    ("Version", "The actual version of the standard applying to the embedded XML document"),
    ("ConformanceLevel", "The conformance level of the embedded XML document"),
)


def facturx_xmp(document: Mapping[str, Any]) -> bytes:
    """The XMP rdf:RDF block declaring the Factur-X EN 16931 extension, for WeasyPrint."""
    require_tax_document(document)
    properties = "".join(
        '<rdf:li rdf:parseType="Resource">'
        f"<pdfaProperty:name>{name}</pdfaProperty:name>"
        "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{description}</pdfaProperty:description>"
        "</rdf:li>"
        for name, description in _XMP_PROPERTIES
    )
    # Each rdf:Description declares its own namespaces so the renderer can merge this block
    # into WeasyPrint's rdf:RDF by dropping the boundary between the two.
    body = (
        f'<rdf:Description rdf:about="" xmlns:fx="{_FX_NAMESPACE}">'
        "<fx:DocumentType>INVOICE</fx:DocumentType>"
        f"<fx:DocumentFileName>{XML_FILENAME}</fx:DocumentFileName>"
        "<fx:Version>1.0</fx:Version>"
        f"<fx:ConformanceLevel>{XMP_CONFORMANCE_LEVEL}</fx:ConformanceLevel>"
        "</rdf:Description>\n"
        '<rdf:Description rdf:about=""'
        ' xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
        ' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
        ' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
        '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
        "<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{_FX_NAMESPACE}</pdfaSchema:namespaceURI>"
        "<pdfaSchema:prefix>fx</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas>"
        "</rdf:Description>\n"
    )
    return _XMP_RDF_OPEN + b"\n" + body.encode() + b"</rdf:RDF>"


def facturx_pdf_options(document: Mapping[str, Any]) -> tuple[list[PdfAttachment], bytes]:
    """The attachment and XMP that make the PDF of an invoice a Factur-X e-invoice."""
    # Imported here so that building the XML alone does not load WeasyPrint.
    from facturo.output.pdf.engine import PdfAttachment

    attachment = PdfAttachment(
        name=XML_FILENAME,
        data=build_xml(document),
        mime_type="text/xml",
        relationship="Data",
        description=f"Factur-X {XMP_CONFORMANCE_LEVEL} invoice {document['number']}",
    )
    return [attachment], facturx_xmp(document)
