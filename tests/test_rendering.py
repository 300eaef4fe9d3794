"""Rendered PDFs checked as a reader would: extracted text, structure, the QR code, the pages."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pikepdf
import pypdfium2
import pytest
import weasyprint.pdf.fonts
import zxingcpp
from PIL import Image

import render_documents as documents
from facturo.output.pdf import engine
from facturo.output.pdf.engine import PdfAttachment, Renderer, RenderError, render_pdf
from facturo.output.pdf.pool import RenderJob, render_batch
from facturo.output.qr import make_payment_qr
from pdf_text import assert_all_in, page_texts, text_of

TESTS = Path(__file__).parent
ROOT = TESTS.parent


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def decode_qr_codes(pdf: bytes, page: int = 0) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    image = document[page].render(scale=4).to_pil()
    return [result.bytes.decode("utf-8") for result in zxingcpp.read_barcodes(image)]


# -- every mention, for each VAT case and both languages ---------------------------------

SELLER_FR = [
    "Studio Martin",
    "Camille Martin",
    "EI",
    "12 rue des Lilas",
    "75011 Paris",
    "SIREN 812 345 678",
    "RCS Paris 812 345 678",
    "camille@example.fr",
]
PAYMENT_FR = [
    "À régler avant le",
    "Conditions de paiement",
    "Moyens de paiement",
    "virement bancaire, chèque",
    "FR76 3000 6000 0112 3456 7890 189",
    "BNPAFRPPXXX",
    "Référence à indiquer",
    "des pénalités au taux annuel de 12,15 % sont exigibles",
    "sans qu'un rappel soit nécessaire",
]
PAYMENT_EN = [
    "Please pay by",
    "Payment terms",
    "Payment methods",
    "bank transfer, cheque",
    "FR76 3000 6000 0112 3456 7890 189",
    "BNPAFRPPXXX",
    "Payment reference",
    "penalties at an annual rate of 12.15% are due",
    "without any reminder",
]

CASES: dict[str, tuple[Callable[..., dict[str, Any]], dict[str, list[str]]]] = {
    "standard-multi-rate": (
        documents.standard_invoice,
        {
            "fr": [
                "Facture",
                "N° F-2026-0001",
                *SELLER_FR,
                "N° TVA FR40812345678",
                "Facturé à",
                "Atelier Dupont SARL",
                "4 avenue Jean Jaurès",
                "69007 Lyon",
                "SIREN 552 100 554",
                "N° TVA FR55552100554",
                "Adresse de livraison",
                "Entrepôt 3, 18 rue de Gerland",
                "Date d'émission 2 mars 2026",
                "Échéance 1 avril 2026",
                "Date de l'opération 27 février 2026",
                "Votre commande PO-2026-118",
                "Développement de l'application",
                "Remise 10 % (−135,00 €)",
                "3 jour 450,00 € 20 % 1 215,00 €",
                "2 heure 120,00 € 10 % 240,00 €",
                "4 25,50 € 5,5 % 102,00 €",
                "Détail de la TVA",
                "20 % 1 215,00 € 243,00 €",
                "10 % 240,00 € 24,00 €",
                "5,5 % 102,00 € 5,61 €",
                "Total HT 1 557,00 €",
                "Total TVA 272,61 €",
                "Total TTC 1 829,61 €",
                "Net à payer 1 829,61 €",
                *PAYMENT_FR,
                "30 jours",
                "Indemnité forfaitaire pour frais de recouvrement",
                "40,00 €",
                "Pas d'escompte pour paiement anticipé.",
                "Nature de l'opération : livraison de biens et prestation de services.",
                "Option pour le paiement de la taxe d'après les débits.",
                "Livraison en deux fois.",
                "Merci pour votre confiance.",
            ],
            "en": [
                "Invoice",
                "No. F-2026-0001",
                "VAT no. FR40812345678",
                "Bill to",
                "SIREN 552 100 554",
                "VAT no. FR55552100554",
                "Delivery address",
                "Issue date 2 March 2026",
                "Due date 1 April 2026",
                "Date of supply 27 February 2026",
                "Your order PO-2026-118",
                "Discount 10% (−€135.00)",
                "3 day €450.00 20% €1,215.00",
                "VAT breakdown",
                "5.5% €102.00 €5.61",
                "Total excl. VAT €1,557.00",
                "Total incl. VAT €1,829.61",
                "Amount due €1,829.61",
                *PAYMENT_EN,
                "30 days",
                "Fixed indemnity for recovery costs",
                "€40.00",
                "No discount for early payment.",
                "Nature of the operation: supply of goods and services.",
                "VAT payable on debits",
                "Thank you for your business.",
            ],
        },
    ),
    "franchise": (
        documents.franchise_invoice,
        {
            "fr": [
                "Facture",
                "N° F-2026-0002",
                *SELLER_FR,
                "Julie Leroy",
                "Période du 1 février 2026 au 28 février 2026",
                "Cours de piano",
                "8 heure 35,00 € 280,00 €",
                "TVA non applicable, art. 293 B du CGI",
                "Total 280,00 €",
                "Net à payer 280,00 €",
                *PAYMENT_FR[:-2],
                "pénalités au taux annuel de 12,15 % pourront être appliquées",  # a consumer
                "à réception",
                "Nature de l'opération : prestation de services.",
                "Pas d'escompte pour paiement anticipé.",
            ],
            "en": [
                "Invoice",
                "Service period 1 February 2026 to 28 February 2026",
                "VAT exemption, art. 293 B of the French General Tax Code",
                "(TVA non applicable, art. 293 B du CGI)",
                "Amount due €280.00",
                *PAYMENT_EN[:-2],
                "penalties at an annual rate of 12.15% may be applied",  # a consumer
                "on receipt",
                "Nature of the operation: supply of services.",
            ],
        },
    ),
    "reverse-charge": (
        documents.reverse_charge_invoice,
        {
            "fr": [
                "Facture",
                "N° TVA FR40812345678",
                "Kunstwerk Berlin GmbH",
                "10119 Berlin",
                "Allemagne",
                "N° TVA DE123456789",
                "1,5 jour 800,00 € 1 200,00 €",
                "Reverse charge — VAT due by the customer",
                *PAYMENT_FR,
                "45 jours fin de mois",
                "40,00 €",
                "Escompte pour paiement anticipé : 2% if paid within 8 days.",
            ],
            "en": [
                "Invoice",
                "No. F-2026-0003",
                "VAT no. FR40812345678",
                "Kunstwerk Berlin GmbH",
                "Germany",
                "VAT no. DE123456789",
                "Service date 6 March 2026",
                "Brand identity workshop",
                "1.5 day €800.00 €1,200.00",
                "Reverse charge — VAT due by the customer (art. 196 of Directive 2006/112/EC)",
                "Total excl. VAT €1,200.00",
                "Amount due €1,200.00",
                *PAYMENT_EN,
                "45 days end of month",
                "Early payment discount: 2% if paid within 8 days.",
                "€40.00",
            ],
        },
    ),
    "export": (
        documents.export_invoice,
        {
            "fr": [
                "Facture",
                "Horlogerie Léman SA",
                "Suisse",
                "Date de livraison 10 mars 2026",
                "20 pièce 64,00 CHF 1 280,00 CHF",
                "Exonération de TVA, art. 262 I du CGI (exportation)",
                "Net à payer 1 280,00 CHF",
                "Nature de l'opération : livraison de biens.",
                *PAYMENT_FR,
            ],
            "en": [
                "Invoice",
                "Switzerland",
                "Delivery date 10 March 2026",
                "20 piece CHF64.00 CHF1,280.00",
                "Amount due CHF1,280.00",
                "Nature of the operation: supply of goods.",
                *PAYMENT_EN,
            ],
        },
    ),
}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_mention_appears(renderer: Renderer, case: str, language: str) -> None:
    build, expected = CASES[case]
    text = text_of(renderer.render_pdf(build(language=language)))
    assert_all_in(text, expected[language])


def test_indemnity_is_only_for_business_clients(renderer: Renderer) -> None:
    document = documents.franchise_invoice()
    document["payment"]["recovery_indemnity"] = Decimal("40.00")  # even if the data has it
    text = text_of(renderer.render_pdf(document))
    assert "recouvrement" not in text


def test_no_vat_column_nor_breakdown_under_an_exemption(renderer: Renderer) -> None:
    text = text_of(renderer.render_pdf(documents.franchise_invoice()))
    assert "Détail de la TVA" not in text
    assert "TVA 0,00 €" not in text  # a franchise invoice does not speak of VAT at all


def test_one_vat_rate_is_named_in_the_totals(renderer: Renderer) -> None:
    text = text_of(renderer.render_pdf(documents.credit_note()))
    assert "TVA 20 % 27,00 €" in text


def test_payments_recorded_later_do_not_change_the_issued_invoice(renderer: Renderer) -> None:
    document = documents.deposit_invoice()
    assert document["tracking"]["payments"]  # a payment recorded after issue
    pdf = renderer.render_pdf(document)
    text = text_of(pdf)
    assert_all_in(
        text,
        ["Facture d'acompte", "Acompte de 30 % sur la refonte du site", "Net à payer 1 800,00 €"],
    )
    assert "Déjà réglé" not in text
    assert any("\nEUR1800.00\n" in payload for payload in decode_qr_codes(pdf))
    assert text_of(renderer.render_pdf({**document, "tracking": {}})) == text


def test_prepaid_amount_counts_as_already_paid(renderer: Renderer) -> None:
    document = documents.standard_invoice(_prepaid=Decimal("829.61"))
    text = text_of(renderer.render_pdf(document))
    assert_all_in(text, ["Déjà réglé −829,61 €", "Net à payer 1 000,00 €"])


def test_a_paid_invoice_still_shows_what_was_due_at_issue(renderer: Renderer) -> None:
    document = documents.standard_invoice(
        tracking={"payments": [{"date": "2026-03-20", "amount": Decimal("1829.61")}]}
    )
    pdf = renderer.render_pdf(document)
    text = text_of(pdf)
    assert "Net à payer 1 829,61 €" in text
    assert "À RÉGLER AVANT LE" in text
    assert any("\nEUR1829.61\n" in payload for payload in decode_qr_codes(pdf))


def test_credit_note_names_the_invoice_it_corrects(renderer: Renderer) -> None:
    pdf = renderer.render_pdf(documents.credit_note())
    text = text_of(pdf)
    assert_all_in(
        text,
        [
            "Avoir",
            "N° AV-2026-0001",
            "Avoir relatif à la facture F-2026-0001 du 2 mars 2026.",
            "Montant de l'avoir TTC 162,00 €",
        ],
    )
    assert "Net à payer" not in text
    assert "pénalités" not in text
    assert decode_qr_codes(pdf) == []


def test_credit_note_in_english(renderer: Renderer) -> None:
    text = text_of(renderer.render_pdf(documents.credit_note(language="en")))
    assert_all_in(text, ["Credit note", "Credit note for invoice F-2026-0001 dated 2 March 2026."])


def test_quote_states_its_validity_and_asks_for_acceptance(renderer: Renderer) -> None:
    pdf = renderer.render_pdf(documents.quote())
    text = text_of(pdf)
    assert_all_in(
        text,
        [
            "Quote",
            "No. D-2026-0001",
            "Prepared for",
            "Valid until 1 April 2026",
            "This quote is valid until 1 April 2026.",
            "Accepted",
            "Date, signature",
            "Total incl. VAT €1,829.61",
            "Payment terms 30 days",
            "Prices include two rounds of revisions.",
        ],
    )
    for absent in ("Amount due", "IBAN", "penalties", "Due date"):
        assert absent not in text
    assert decode_qr_codes(pdf) == []


def test_quote_in_french(renderer: Renderer) -> None:
    text = text_of(renderer.render_pdf(documents.quote(language="fr")))
    assert_all_in(text, ["Devis", "Valable jusqu'au 1 avril 2026", "Bon pour accord"])


def test_draft_is_marked_and_has_no_number(renderer: Renderer) -> None:
    pdf = renderer.render_pdf(documents.standard_invoice(number=None), draft=True)
    text = text_of(pdf)
    assert "BROUILLON" in text
    assert "F-2026-0001" not in text
    assert decode_qr_codes(pdf) == []
    english = text_of(renderer.render_pdf(documents.quote(number=None), draft=True))
    assert "DRAFT" in english


def test_draft_flag_hides_a_number_present_in_the_data(renderer: Renderer) -> None:
    text = text_of(renderer.render_pdf(documents.standard_invoice(), draft=True))
    assert "N° F-2026-0001" not in text


def test_languages_alternate_in_one_batch(renderer: Renderer) -> None:
    french = text_of(renderer.render_pdf(documents.standard_invoice()))
    english = text_of(renderer.render_pdf(documents.standard_invoice(language="en")))
    assert "Net à payer 1 829,61 €" in french
    assert "Amount due €1,829.61" in english


# -- PDF/A, fonts, metadata ------------------------------------------------------------------


def test_pdf_is_pdfa_3b_with_fonts_embedded(renderer: Renderer) -> None:
    pdf = pikepdf.open(io.BytesIO(renderer.render_pdf(documents.standard_invoice())))
    metadata = pdf.open_metadata()
    assert metadata.get("pdfaid:part") == "3"
    assert metadata.get("pdfaid:conformance") == "B"
    intents = pdf.Root.OutputIntents
    assert str(intents[0].S) == "/GTS_PDFA1"
    fonts = []
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            fonts.append(font)
            descriptor = (
                font.DescendantFonts[0].FontDescriptor
                if "/DescendantFonts" in font
                else font.FontDescriptor
            )
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts
    assert all("Inter" in str(font.BaseFont) for font in fonts)


def test_each_stream_is_compressed_once(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pydyf compresses every stream a second time to hash the file for its /ID; the bytes
    # are the same, so they are made once (the object stream it adds last is still twice).
    import zlib

    import pydyf

    from facturo.output.pdf import finish

    made = 0

    def counting(compressor: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal made
            made += 1
            return compressor(*args, **kwargs)

        return counted

    invoice = documents.standard_invoice()
    expected = renderer.render_pdf(invoice)
    monkeypatch.setattr(pydyf, "zlib", SimpleNamespace(compressobj=counting(zlib.compressobj)))
    monkeypatch.setattr(finish, "zlib", SimpleNamespace(compress=counting(zlib.compress)))
    pdf = renderer.render_pdf(invoice)
    assert pdf == expected
    with pikepdf.open(io.BytesIO(pdf)) as document:
        streams = sum(
            1
            for item in document.objects
            if isinstance(item, pikepdf.Stream) and item.get("/Filter") == "/FlateDecode"
        )
    assert made <= streams + 1, (made, streams)


def test_fonts_and_pages_are_compressed_at_zlib_default_level(renderer: Renderer) -> None:
    # Level 9 (pydyf's own) takes 2.5 times as long for files 0.3% smaller.
    import zlib

    with pikepdf.open(io.BytesIO(renderer.render_pdf(documents.standard_invoice()))) as pdf:
        streams = [page.Contents for page in pdf.pages]
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = (
                    font.DescendantFonts[0].FontDescriptor
                    if "/DescendantFonts" in font
                    else font.FontDescriptor
                )
                streams += [
                    descriptor[key] for key in ("/FontFile2", "/FontFile3") if key in descriptor
                ]
        assert len(streams) > len(pdf.pages)
        for stream in streams:
            raw = stream.read_raw_bytes()
            assert raw == zlib.compress(zlib.decompress(raw), 6)


def test_title_author_and_dates_come_from_the_document(renderer: Renderer) -> None:
    pdf = pikepdf.open(io.BytesIO(renderer.render_pdf(documents.standard_invoice())))
    assert str(pdf.docinfo.Title) == "Facture F-2026-0001"
    assert str(pdf.docinfo.Author) == "Camille Martin"
    assert str(pdf.docinfo.CreationDate).startswith("D:20260302")
    assert str(pdf.docinfo.ModDate).startswith("D:20260302")
    metadata = pdf.open_metadata()
    assert metadata.get("dc:title") == "Facture F-2026-0001"
    assert metadata.get("xmp:CreateDate").startswith("2026-03-02")
    assert str(pdf.Root.Lang) == "fr"


def test_attachments_and_xmp_for_factur_x(renderer: Renderer) -> None:
    xml = b'<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:x"/>'
    rdf = (
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:'
        b'invoice:1p0#"><fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>'
        b"</rdf:Description></rdf:RDF>"
    )
    attachment = PdfAttachment(
        name="factur-x.xml",
        data=xml,
        mime_type="text/xml",
        relationship="Data",
        description="Factur-X invoice",
    )

    def render() -> bytes:
        return renderer.render_pdf(
            documents.standard_invoice(), attachments=[attachment], xmp_metadata=[rdf]
        )

    data = render()
    assert render() == data
    pdf = pikepdf.open(io.BytesIO(data))
    files = pdf.Root.AF
    assert len(files) == 1
    spec = files[0]
    assert str(spec.F) == "factur-x.xml"
    assert str(spec.AFRelationship) == "/Data"
    embedded = spec.EF.F
    assert embedded.read_bytes() == xml
    assert str(embedded.Subtype) == "/text/xml"
    assert str(embedded.Params.ModDate) == "D:20260302000000Z"
    packet = pdf.Root.Metadata.read_bytes()
    assert packet.count(b"<rdf:RDF") == 1
    metadata = pdf.open_metadata()
    assert metadata.get("pdfaid:part") == "3"
    assert metadata.get(
        "{urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#}DocumentFileName"
    ) == ("factur-x.xml")


def test_same_document_gives_identical_bytes_in_two_processes(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import hashlib, sys
        sys.path.insert(0, sys.argv[1])
        import render_documents
        from facturo.output.pdf.engine import render_pdf
        pdf = render_pdf(render_documents.standard_invoice())
        print(hashlib.sha256(pdf).hexdigest())
        """
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script, str(TESTS)],
            check=True,
            capture_output=True,
            text=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert len(digests) == 1
    in_process = hashlib.sha256(render_pdf(documents.standard_invoice())).hexdigest()
    assert digests == {in_process}


def test_fonttools_subsetter_is_loaded_only_where_harfbuzz_cannot_subset() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[1])
        import render_documents
        from facturo.output.pdf.engine import render_pdf
        render_pdf(render_documents.standard_invoice())
        print(type(sys.modules["fontTools.subset"]).__name__)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(TESTS)], check=True, capture_output=True, text=True
    )
    # (the fallback below renders with it, loaded on first use)
    assert run.stdout.strip() == (
        "_LazyModule" if weasyprint.pdf.fonts.harfbuzz_subset else "module"
    )


def test_fonttools_fallback_is_reproducible_too(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = renderer.render_pdf(documents.franchise_invoice())
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 86_400 * 400)
    second = renderer.render_pdf(documents.franchise_invoice())
    assert first == second


# -- the EPC QR code --------------------------------------------------------------------------


def test_qr_code_on_the_page_decodes_to_the_transfer(renderer: Renderer) -> None:
    pdf = renderer.render_pdf(documents.standard_invoice())
    assert decode_qr_codes(pdf) == [
        "BCD\n002\n1\nSCT\nBNPAFRPPXXX\nCamille Martin\nFR7630006000011234567890189\n"
        "EUR1829.61\n\n\nF-2026-0001"
    ]


def test_qr_code_is_embedded_as_a_grey_image_of_eight_pixels_a_module(
    renderer: Renderer,
) -> None:
    # segno's PNG has one bit a pixel, which WeasyPrint turns into RGB: three bytes a pixel,
    # encoded twice. The grey PNG given instead has the same pixels.
    document = documents.standard_invoice()
    pdf = pikepdf.open(io.BytesIO(renderer.render_pdf(document)))
    images = [
        pikepdf.PdfImage(item)
        for item in pdf.pages[0].Resources.XObject.values()
        if item.get("/Subtype") == "/Image"
    ]
    assert len(images) == 1
    (image,) = images
    assert image.colorspace == "/DeviceGray"
    assert image.bits_per_component == 8
    assert image.obj.Interpolate is False
    qr = make_payment_qr(
        name="Camille Martin",
        iban=document["payment"]["iban"],
        amount=Decimal("1829.61"),
        reference="F-2026-0001",
        bic=document["payment"]["bic"],
    )
    assert qr is not None
    segno_png = Image.open(io.BytesIO(base64.b64decode(qr.png_data_uri.split(",")[1])))
    assert segno_png.mode == "1"
    assert image.as_pil_image().tobytes() == segno_png.convert("L").tobytes()


def test_no_qr_code_for_another_currency_or_a_wrong_iban(renderer: Renderer) -> None:
    assert decode_qr_codes(renderer.render_pdf(documents.export_invoice())) == []
    document = documents.standard_invoice()
    document["payment"]["iban"] = "FR76 3000 6000 0112 3456 7890 188"
    assert decode_qr_codes(renderer.render_pdf(document)) == []


# -- pages --------------------------------------------------------------------------------------


def test_long_invoice_spans_pages_with_header_and_page_numbers(renderer: Renderer) -> None:
    pages = page_texts(renderer.render_pdf(documents.long_invoice(60)))
    count = len(pages)
    assert count >= 2
    for number, text in enumerate(pages, start=1):
        assert "DÉSIGNATION" in text, f"no table header on page {number}"
        assert f"{number}/{count}" in text
    # No line is split across two pages: its description and its amount share a page.
    for index in range(1, 61):
        holding = [text for text in pages if f"Séance de travail n° {index:02d} " in text]
        assert len(holding) == 1
        assert f"1 {'heure'} {100 + index},00 € 20 % {100 + index},00 €" in holding[0]


def test_single_page_has_no_page_number(renderer: Renderer) -> None:
    pages = page_texts(renderer.render_pdf(documents.standard_invoice()))
    assert len(pages) == 1
    assert "1/1" not in pages[0]


def _count_layouts(renderer: Renderer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    laid_out: list[str] = []
    layout = renderer._layout

    def counted(html: str) -> Any:
        laid_out.append(html)
        return layout(html)

    monkeypatch.setattr(renderer, "_layout", counted)
    return laid_out


@pytest.mark.parametrize(
    "make",
    [
        documents.standard_invoice,
        lambda: documents.long_invoice(40),
        documents.statement,
        documents.long_statement,
    ],
)
def test_a_document_is_laid_out_once(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch, make: Callable[[], dict[str, Any]]
) -> None:
    # One page or several, the page count guessed from the rows is right for these: the
    # pages are laid out once, numbered only when there are several.
    laid_out = _count_layouts(renderer, monkeypatch)
    pages = page_texts(renderer.render_pdf(make()))
    assert len(laid_out) == 1
    assert ("multi-page" in laid_out[0]) == (len(pages) > 1)


@pytest.mark.parametrize(
    ("rows", "make", "count"),
    [
        (0, documents.standard_invoice, 1),  # guessed several pages: one
        (1000, lambda: documents.long_invoice(40), 3),  # guessed one page: three
    ],
)
def test_a_wrong_guess_of_the_page_count_is_laid_out_again(
    renderer: Renderer,
    monkeypatch: pytest.MonkeyPatch,
    rows: int,
    make: Callable[[], dict[str, Any]],
    count: int,
) -> None:
    monkeypatch.setattr(engine, "ROWS_ON_SEVERAL_PAGES", rows)
    laid_out = _count_layouts(renderer, monkeypatch)
    pdf = renderer.render_pdf(make())
    pages = page_texts(pdf)
    assert len(laid_out) == 2
    assert len(pages) == count
    numbers = [f"{number}/{count}" in text for number, text in enumerate(pages, start=1)]
    assert numbers == [count > 1] * count
    monkeypatch.undo()
    assert _pixels(pdf) == _pixels(Renderer().render_pdf(make()))


# -- safety -------------------------------------------------------------------------------------


def test_client_data_is_printed_literally(renderer: Renderer) -> None:
    document = documents.standard_invoice()
    document["client"]["name"] = "<img src=x onerror=alert(1)> {{ 7*7 }}"
    document["lines"][0]["description"] = "{% raw %}<script>alert(1)</script>"
    html = renderer.render_html(document)
    assert "&lt;img src=x onerror=alert(1)&gt; {{ 7*7 }}" in html
    assert "<script>" not in html
    text = text_of(renderer.render_pdf(document))
    assert "<img src=x onerror=alert(1)> {{ 7*7 }}" in text
    assert "{% raw %}<script>alert(1)</script>" in text
    assert "49" not in text


@pytest.mark.parametrize(
    "logo",
    ["/etc/passwd", "../../secret.png", "file:///etc/passwd", "http://example.com/logo.png"],
)
def test_logo_outside_the_billing_folder_is_refused(tmp_path: Path, logo: str) -> None:
    with pytest.raises(RenderError) as error:
        Renderer(tmp_path, logo=logo)
    assert "logo" in str(error.value)
    assert any(word in str(error.value) for word in ("URL", "outside", "image"))


def test_logo_inside_the_billing_folder_is_drawn(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
        '<rect width="120" height="40" fill="#1f4e79"/></svg>'
    )
    renderer = Renderer(tmp_path, logo="assets/logo.svg", accent_color="#aa3300")
    html = renderer.render_html(documents.standard_invoice())
    assert (tmp_path / "assets" / "logo.svg").resolve().as_uri() in html
    assert "--accent: #aa3300" in html
    pdf = pikepdf.open(io.BytesIO(renderer.render_pdf(documents.standard_invoice())))
    assert "/XObject" in pdf.pages[0].Resources


@pytest.mark.parametrize("color", ["red; } body { display: none", "#12345", "url(x)"])
def test_accent_color_must_be_a_hex_colour(color: str) -> None:
    with pytest.raises(RenderError, match="accent_color"):
        Renderer(accent_color=color)


@pytest.mark.parametrize(
    ("markup", "refused"),
    [
        ('<img src="file:///etc/passwd">', "/etc/passwd"),
        ('<img src="../../../../../../../etc/passwd">', "/etc/passwd"),
        ('<img src="http://example.com/tracker.png">', "http://example.com/tracker.png"),
        ('<link rel="stylesheet" href="https://example.com/x.css">', "https://example.com/x.css"),
    ],
)
def test_templates_cannot_reach_files_outside_the_folder(
    tmp_path: Path, markup: str, refused: str
) -> None:
    _write_template(
        tmp_path,
        "invoice.html",
        f'{{% extends "base.html" %}}{{% block head %}}'
        f"{{% endblock %}}{{% block acceptance %}}{markup}{{% endblock %}}",
    )
    with pytest.raises(RenderError) as error:
        Renderer(tmp_path).render_pdf(documents.standard_invoice())
    assert f"refused to load {refused}" in str(error.value)
    assert "billing folder" in str(error.value)


def test_sandbox_blocks_python_internals(tmp_path: Path) -> None:
    _write_template(tmp_path, "invoice.html", "<p>\n{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(RenderError) as error:
        Renderer(tmp_path).render_pdf(documents.standard_invoice())
    assert "templates/invoice.html:2" in str(error.value)


def test_missing_file_in_a_template_is_reported(tmp_path: Path) -> None:
    _write_template(
        tmp_path,
        "invoice.html",
        '{% extends "base.html" %}{% block acceptance %}'
        '<img src="file://' + str(tmp_path / "nope.png") + '">{% endblock %}',
    )
    with pytest.raises(RenderError, match=r"file not found: .*nope\.png"):
        Renderer(tmp_path).render_pdf(documents.standard_invoice())


# -- user templates -----------------------------------------------------------------------------


def _write_template(root: Path, name: str, text: str) -> None:
    folder = root / "templates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_folder_template_overrides_the_packaged_one(tmp_path: Path) -> None:
    _write_template(
        tmp_path,
        "invoice.html",
        '{% extends "base.html" %}{% block closing %}<p>Conditions générales maison</p>'
        "{% endblock %}",
    )
    text = text_of(Renderer(tmp_path).render_pdf(documents.standard_invoice()))
    assert "Conditions générales maison" in text
    assert "Net à payer" in text


def test_folder_stylesheet_overrides_the_packaged_one(tmp_path: Path) -> None:
    packaged = (ROOT / "templates" / "style.css").read_text(encoding="utf-8")
    _write_template(tmp_path, "style.css", packaged + '\nh1::after { content: " — sur mesure"; }')
    text = text_of(Renderer(tmp_path).render_pdf(documents.standard_invoice()))
    assert "Facture — sur mesure" in text


def test_template_option_picks_another_template(tmp_path: Path) -> None:
    _write_template(
        tmp_path, "minimal.html", "<html><body><h1>{{ title }} {{ number }}</h1></body></html>"
    )
    text = text_of(Renderer(tmp_path, template="minimal").render_pdf(documents.standard_invoice()))
    assert text == "Facture F-2026-0001"


def test_unknown_template_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"template nope\.html not found"):
        Renderer(tmp_path, template="nope").render_pdf(documents.standard_invoice())


@pytest.mark.parametrize("name", ["../secret", "a/b", ".."])
def test_template_name_cannot_leave_the_templates_folder(name: str) -> None:
    with pytest.raises(RenderError, match="template"):
        Renderer(template=name)


def test_template_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    _write_template(tmp_path, "invoice.html", "<html>\n<body>\n{% if %}\n</body></html>")
    with pytest.raises(RenderError) as error:
        Renderer(tmp_path).render_pdf(documents.standard_invoice())
    assert str(error.value).startswith("templates/invoice.html:3: ")


def test_template_runtime_error_names_file_and_line(tmp_path: Path) -> None:
    _write_template(tmp_path, "invoice.html", "<html>\n<p>{{ label.nope }}</p>\n</html>")
    with pytest.raises(RenderError) as error:
        Renderer(tmp_path).render_pdf(documents.standard_invoice())
    assert str(error.value).startswith("templates/invoice.html:2: ")
    assert "nope" in str(error.value)


def test_error_in_an_extended_packaged_template_names_the_user_file(tmp_path: Path) -> None:
    _write_template(
        tmp_path,
        "invoice.html",
        '{% extends "base.html" %}\n{% block notes %}\n{{ 1 / 0 }}\n{% endblock %}',
    )
    with pytest.raises(RenderError) as error:
        Renderer(tmp_path).render_pdf(documents.standard_invoice())
    assert str(error.value).startswith("templates/invoice.html:3: ")


def test_template_filters_format_for_the_document_language(tmp_path: Path) -> None:
    _write_template(
        tmp_path,
        "figures.html",
        "<p>{{ document.totals.gross | money }} / {{ document.issue_date | date }} / "
        "{{ 5.5 | rate }} / {{ document.lines[1].quantity | number }}</p>",
    )
    renderer = Renderer(tmp_path, template="figures")
    assert "€1,829.61 / 2 March 2026 / 5.5% / 2" in renderer.render_html(
        documents.standard_invoice(language="en")
    )


# -- batches ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_renders_on_several_processes(tmp_path: Path, workers: int) -> None:
    broken = documents.standard_invoice(number="F-2026-0009", language="xx")
    jobs = [
        RenderJob(documents.standard_invoice(), tmp_path / "out" / "F-2026-0001.pdf"),
        RenderJob(documents.credit_note(), tmp_path / "out" / "AV-2026-0001.pdf"),
        RenderJob(broken, tmp_path / "out" / "F-2026-0009.pdf"),
        RenderJob(documents.quote(number=None), tmp_path / "drafts" / "quote.pdf", draft=True),
    ]
    outcomes = {outcome.output.name: outcome for outcome in render_batch(jobs, workers=workers)}
    assert set(outcomes) == {"F-2026-0001.pdf", "AV-2026-0001.pdf", "F-2026-0009.pdf", "quote.pdf"}
    error = outcomes["F-2026-0009.pdf"].error
    assert error is not None
    assert "F-2026-0009" in error
    assert "language" in error
    assert not (tmp_path / "out" / "F-2026-0009.pdf").exists()
    assert "Avoir" in text_of((tmp_path / "out" / "AV-2026-0001.pdf").read_bytes())
    assert "DRAFT" in text_of((tmp_path / "drafts" / "quote.pdf").read_bytes())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "AV-2026-0001.pdf",
        "F-2026-0001.pdf",
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_takes_jobs_as_workers_free_up(tmp_path: Path, workers: int) -> None:
    # A batch of every document holds a few jobs at a time, not all of them: memory stays
    # the same at 100 or 10,000 documents.
    taken = 0

    def jobs() -> Iterator[RenderJob]:
        nonlocal taken
        for seq in range(1, 11):
            taken += 1
            document = documents.standard_invoice(number=f"F-2026-{seq:04d}")
            yield RenderJob(document, tmp_path / f"{seq}.pdf")

    received = 0
    for outcome in render_batch(jobs(), workers=workers):
        assert outcome.error is None, outcome.error
        received += 1
        assert taken <= received + 2 * workers, (taken, received)
    assert received == taken == 10
    assert len(list(tmp_path.glob("*.pdf"))) == 10


def test_batch_checks_its_settings_before_starting(tmp_path: Path) -> None:
    jobs = [RenderJob(documents.standard_invoice(), tmp_path / "F.pdf")]
    with pytest.raises(RenderError, match="logo"):
        list(render_batch(jobs, folder_root=tmp_path, logo="/etc/passwd"))


# -- packaging ------------------------------------------------------------------------------------


def test_wheel_ships_the_templates_and_renders(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("facturo-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    assert "facturo/templates/base.html" in names
    assert "facturo/templates/fonts/LICENSE" in names
    script = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[1])
        import facturo, render_documents
        from facturo.output.pdf.engine import render_pdf
        from facturo.output.sandbox import find_packaged_templates
        assert facturo.__file__.startswith(sys.argv[2]), facturo.__file__
        assert str(find_packaged_templates()).startswith(sys.argv[2])
        sys.stdout.buffer.write(render_pdf(render_documents.standard_invoice()))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(TESTS), str(site)],
        check=True,
        capture_output=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert "Net à payer 1 829,61 €" in text_of(result.stdout)


# -- whitespace between block tags ------------------------------------------------------------


def _pixels(pdf: bytes) -> list[bytes]:
    document = pypdfium2.PdfDocument(pdf)
    return [page.render(scale=2).to_pil().tobytes() for page in document]


@pytest.mark.parametrize(
    ("make", "draft"),
    [
        (documents.standard_invoice, False),
        (documents.standard_invoice, True),
        (documents.franchise_invoice, False),
        (documents.reverse_charge_invoice, False),
        (documents.export_invoice, False),
        (documents.credit_note, False),
        (documents.deposit_invoice, False),
        (documents.quote, False),
        (lambda: documents.long_invoice(40), False),
        (documents.receipt, False),
        (documents.receipt_paid_in_full, False),
        (documents.statement, False),
        (lambda: documents.statement("en"), False),
        (documents.long_statement, False),
        (documents.reminder_letter, False),
        (lambda: documents.reminder_letter("en"), False),
    ],
)
def test_whitespace_between_block_tags_is_dropped_unseen(
    renderer: Renderer, make: Callable[[], dict[str, Any]], draft: bool
) -> None:
    # The packaged templates lay out the same pages without the line breaks and indentation
    # between their block tags, which WeasyPrint would otherwise box and style for nothing.
    document = make()
    assert renderer.compact
    html = renderer.render_html(document, draft=draft)
    compacted = engine._BETWEEN_BLOCKS.sub(r"\1", html)
    # Measured on the markup: a QR code's data URI is a few kilobytes of it.
    markup = len(re.sub(r'"data:[^"]*"', "", html))
    assert len(html) - len(compacted) > markup * 0.05
    seen = renderer.render_pdf(document, draft=draft)
    loose = Renderer()
    loose.compact = False
    assert _pixels(seen) == _pixels(loose.render_pdf(document, draft=draft))


def test_a_folder_with_its_own_templates_keeps_their_whitespace(tmp_path: Path) -> None:
    # Its stylesheet may make a paragraph inline or keep white space (pre): the renderer
    # cannot know that whitespace unseen.
    (tmp_path / "templates").mkdir()
    assert not Renderer(tmp_path).compact
    assert Renderer(tmp_path / "elsewhere").compact
