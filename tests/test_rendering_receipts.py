"""Payment receipts and account statements, checked as a reader would: extracted text, pages."""

from __future__ import annotations

import datetime
import hashlib
import io
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest

import render_documents as documents
from facturo.output.pdf.account import (
    AGING_BUCKETS,
    build_receipt_context,
    build_statement_context,
)
from facturo.output.pdf.engine import Renderer, RenderError
from facturo.output.pdf.pool import RenderJob, render_batch
from facturo.output.words import describe_statement_row
from pdf_text import assert_all_in, page_texts, text_of

TESTS = Path(__file__).parent


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _write_template(root: Path, name: str, text: str) -> None:
    folder = root / "templates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


# -- receipts ----------------------------------------------------------------------------------

SELLER_IDENTITY = [
    "Studio Martin",
    "Camille Martin",
    "12 rue des Lilas",
    "75011 Paris",
    "SIREN 812 345 678",
    "RCS Paris 812 345 678",
]

RECEIPT = {
    "fr": [
        "Reçu de paiement",
        "N° F-2026-0001-R2",
        *SELLER_IDENTITY,
        "N° TVA FR40812345678",
        "Reçu de",
        "Atelier Dupont SARL",
        "4 avenue Jean Jaurès",
        "69007 Lyon",
        "SIREN 552 100 554",
        "Date du paiement 20 mars 2026",
        "Moyen de paiement Virement bancaire",
        "Référence VIR-123",
        "Facture F-2026-0001",
        "Date de la facture 2 mars 2026",
        "Montant reçu 1 000,00 €",
        "Camille Martin reconnaît avoir reçu d'Atelier Dupont SARL la somme de 1 000,00 € "
        "le 20 mars 2026 par virement bancaire (réf. VIR-123), en règlement partiel de la "
        "facture n° F-2026-0001 du 2 mars 2026.",
        "Montant de la facture 1 829,61 €",
        "Avoirs -162,00 €",
        "Réglé précédemment -500,00 €",
        "Ce paiement -1 000,00 €",
        "Reste à payer 167,61 €",
        "Reste à régler : 167,61 €, échéance le 1 avril 2026.",
        "Merci pour votre règlement.",
        "Pour acquit",
        "Fait à Paris, le 20 mars 2026",
        "Il ne remplace pas la facture",
        "Camille Martin — EI · SIREN 812 345 678 · RCS Paris 812 345 678 · N° TVA FR40812345678",
    ],
    "en": [
        "Payment receipt",
        "No. F-2026-0001-R2",
        *SELLER_IDENTITY,
        "VAT no. FR40812345678",
        "Received from",
        "Atelier Dupont SARL",
        "VAT no. FR55552100554",
        "Payment date 20 March 2026",
        "Payment method Bank transfer",
        "Reference VIR-123",
        "Invoice F-2026-0001",
        "Invoice date 2 March 2026",
        "Amount received €1,000.00",
        "Camille Martin acknowledges receipt from Atelier Dupont SARL of €1,000.00 on "
        "20 March 2026 by bank transfer (ref. VIR-123), in part payment of invoice F-2026-0001 "
        "dated 2 March 2026.",
        "Invoice total €1,829.61",
        "Credit notes -€162.00",
        "Previously paid -€500.00",
        "This payment -€1,000.00",
        "Balance due €167.61",
        "Still to pay: €167.61, due 1 April 2026.",
        "Thank you for your payment.",
        "Received by",
        "Paris, 20 March 2026",
        "It does not replace the invoice",
        "Camille Martin — EI · SIREN 812 345 678 · RCS Paris 812 345 678 · VAT no. FR40812345678",
    ],
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_receipt_states_who_paid_what_when_how_and_for_which_invoice(
    renderer: Renderer, language: str
) -> None:
    pdf = renderer.render_pdf(documents.receipt(language=language))
    pages = page_texts(pdf)
    assert len(pages) == 1
    assert_all_in(pages[0], RECEIPT[language])
    # The client's delivery address is about goods, not about the account.
    assert "Gerland" not in pages[0]
    assert "1/1" not in pages[0]


@pytest.mark.parametrize(
    ("language", "mention", "balance_row"),
    [
        ("fr", "Facture acquittée", "Reste à payer 0,00 €"),
        ("en", "Paid in full", "Balance due €0.00"),
    ],
)
def test_paid_in_full_is_said_only_when_nothing_remains(
    renderer: Renderer, language: str, mention: str, balance_row: str
) -> None:
    paid = text_of(renderer.render_pdf(documents.receipt_paid_in_full(language=language)))
    assert_all_in(paid, [mention, balance_row])
    assert "Reste à régler" not in paid and "Still to pay" not in paid
    partly = text_of(renderer.render_pdf(documents.receipt(language=language)))
    assert mention.casefold() not in partly.casefold()


def test_receipt_sentence_says_how_much_of_the_invoice_it_settles(renderer: Renderer) -> None:
    last = text_of(renderer.render_pdf(documents.receipt_paid_in_full()))
    assert_all_in(
        last,
        [
            "la somme de 167,61 € le 28 mars 2026 par chèque (réf. 4471203), en règlement du "
            "solde de la facture n° F-2026-0001 du 2 mars 2026.",
            "Réglé précédemment -1 500,00 €",
        ],
    )
    only = documents.receipt(
        payment={"index": 1, "date": datetime.date(2026, 3, 20), "amount": Decimal("1829.61"),
                 "method": "cash", "reference": None},
        paid_total=Decimal("1829.61"),
        credited=Decimal("0.00"),
        balance=Decimal("0.00"),
        language="en",
    )  # fmt: skip
    text = text_of(renderer.render_pdf(only))
    assert_all_in(text, ["of €1,829.61 on 20 March 2026 in cash, in full payment of invoice"])
    for absent in ("ref.", "Reference", "Credit notes", "Previously paid"):
        assert absent not in text


def test_receipt_for_a_deposit_invoice_names_it(renderer: Renderer) -> None:
    document = documents.receipt(
        invoice={
            "number": "F-2026-0005",
            "kind": "deposit",
            "issue_date": datetime.date(2026, 3, 2),
            "due_date": None,
            "gross": Decimal("1800.00"),
        },
        paid_total=Decimal("1000.00"),
        credited=Decimal("0.00"),
        balance=Decimal("800.00"),
    )
    text = text_of(renderer.render_pdf(document))
    assert_all_in(
        text,
        [
            "Facture d'acompte F-2026-0005",
            "Date de la facture d'acompte 2 mars 2026",
            "en règlement partiel de la facture d'acompte n° F-2026-0005",
            "Montant de la facture d'acompte 1 800,00 €",
            "Reste à régler : 800,00 €.",
        ],
    )


def test_overpayment_is_shown_as_such(renderer: Renderer) -> None:
    document = documents.receipt_paid_in_full(
        payment={"index": 3, "date": datetime.date(2026, 3, 28), "amount": Decimal("200.00"),
                 "method": "card", "reference": None},
        paid_total=Decimal("1700.00"),
        balance=Decimal("-32.39"),
    )  # fmt: skip
    text = text_of(renderer.render_pdf(document))
    assert_all_in(text, ["Trop-perçu 32,39 €", "Facture acquittée", "par carte bancaire"])
    assert "Reste à payer" not in text


def test_receipt_is_not_a_tax_document(renderer: Renderer) -> None:
    pdf = pikepdf.open(io.BytesIO(renderer.render_pdf(documents.receipt())))
    assert "/AF" not in pdf.Root
    assert "/Names" not in pdf.Root or "/EmbeddedFiles" not in pdf.Root.Names


# -- account statements -----------------------------------------------------------------------

STATEMENT = {
    "fr": [
        "Relevé de compte",
        "Au 31 mars 2026",
        *SELLER_IDENTITY,
        "Client Atelier Dupont SARL",
        "SIREN 552 100 554",
        "Date du relevé 31 mars 2026",
        "Période Du 1 janvier 2026 au 31 mars 2026",
        "Solde dû 3 107,61 €",
        "Date Document Libellé Débit Crédit Solde",
        "01/01/2026 Solde antérieur 1 200,00 €",
        "12/01/2026 F-2025-0042 Paiement (virement) — réf. VIR-0988 700,00 € 500,00 €",
        "30/01/2026 F-2026-0004 Facture 960,00 € 1 460,00 €",
        "25/02/2026 F-2026-0004 Paiement (chèque) 460,00 € 2 440,00 €",
        "20/03/2026 AV-2026-0001 Avoir sur la facture F-2026-0011 162,00 € 4 107,61 €",
        "Total des mouvements 4 229,61 € 2 322,00 €",
        "Solde au 31 mars 2026 3 107,61 €",
        "Factures en attente de règlement",
        "N° Date Échéance Montant TTC Reste dû Retard",
        "F-2025-0042 20/11/2025 20/12/2025 1 200,00 € 500,00 € 101 jours",
        "F-2026-0009 16/02/2026 18/03/2026 1 440,00 € 1 440,00 € 13 jours",
        "F-2026-0011 02/03/2026 01/04/2026 1 829,61 € 667,61 €",
        "Balance âgée",
        "Règlement",
        "FR76 3000 6000 0112 3456 7890 189",
        "BNPAFRPPXXX",
        "Si votre règlement nous est parvenu entre-temps",
        "Sauf erreur ou omission de notre part.",
        "Camille Martin — EI · SIREN 812 345 678",
    ],
    "en": [
        "Account statement",
        "As at 31 March 2026",
        *SELLER_IDENTITY,
        "Customer Atelier Dupont SARL",
        "Statement date 31 March 2026",
        "Period 1 January 2026 to 31 March 2026",
        "Balance due €3,107.61",
        "Date Document Description Debit Credit Balance",
        "01/01/2026 Balance brought forward €1,200.00",
        "12/01/2026 F-2025-0042 Payment (transfer) — ref. VIR-0988 €700.00 €500.00",
        "16/02/2026 F-2026-0009 Invoice €1,440.00 €2,900.00",
        "Period totals €4,229.61 €2,322.00",
        "Balance at 31 March 2026 €3,107.61",
        "Invoices awaiting payment",
        "No. Date Due date Total incl. VAT Outstanding Overdue",
        "F-2026-0004 30/01/2026 28/02/2026 €960.00 €500.00 31 days",
        "Aged balance",
        "Payment",
        "FR76 3000 6000 0112 3456 7890 189",
        "If your payment has reached us in the meantime, please disregard this statement.",
        "Errors and omissions excepted.",
    ],
}

AGING = {
    "fr": [
        "Non échu 1 à 30 jours 31 à 60 jours 61 à 90 jours Plus de 90 jours Total",
        "667,61 € 1 440,00 € 500,00 € 0,00 € 500,00 € 3 107,61 €",
    ],
    "en": [
        "Not due 1-30 days 31-60 days 61-90 days Over 90 days Total",
        "€667.61 €1,440.00 €500.00 €0.00 €500.00 €3,107.61",
    ],
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_statement_shows_the_account_over_the_period(renderer: Renderer, language: str) -> None:
    pages = page_texts(renderer.render_pdf(documents.statement(language)))
    assert len(pages) == 1
    assert_all_in(pages[0], STATEMENT[language])
    assert "1/1" not in pages[0]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_aging_buckets_are_in_order_with_their_amounts(renderer: Renderer, language: str) -> None:
    text = text_of(renderer.render_pdf(documents.statement(language)))
    assert_all_in(text, AGING[language])


def test_each_aging_bucket_holds_its_own_amount(renderer: Renderer) -> None:
    amounts = dict(
        zip(AGING_BUCKETS, ("1.00", "20.00", "300.00", "4000.00", "50000.00"), strict=True)
    )
    document = documents.statement(
        "en",
        aging=[{"bucket": bucket, "amount": Decimal(amount)} for bucket, amount in amounts.items()],
    )
    html = renderer.render_html(document)
    for bucket, shown in zip(
        AGING_BUCKETS, ("€1.00", "€20.00", "€300.00", "€4,000.00", "€50,000.00"), strict=True
    ):
        assert f'class="amount bucket-{bucket}">{shown}</td>' in html
    assert_all_in(
        text_of(renderer.render_pdf(document)),
        ["€1.00 €20.00 €300.00 €4,000.00 €50,000.00 €54,321.00"],
    )


def test_long_statement_spans_pages_with_header_and_page_numbers(renderer: Renderer) -> None:
    document = documents.long_statement(80)
    pages = page_texts(renderer.render_pdf(document))
    count = len(pages)
    assert count >= 2
    for number, text in enumerate(pages, start=1):
        assert "DATE DOCUMENT LIBELLÉ DÉBIT CRÉDIT SOLDE" in text, f"no header on page {number}"
        assert f"{number}/{count}" in text
    assert "Solde antérieur" in pages[0]
    assert "Solde au 31 décembre 2026" in pages[-1]
    # No row is split across two pages: its date, document, description and amounts share one.
    for row in document["rows"]:
        day = row["date"].strftime("%d/%m/%Y")
        holding = [text for text in pages if f"{day} {row['number']} " in text]
        assert len(holding) == 1, f"row of {day} on {len(holding)} pages"
        amount = f"{row['debit'] or row['credit']:.2f}".replace(".", ",")
        description = describe_statement_row(row, "fr")
        assert f"{day} {row['number']} {description} {amount} €" in holding[0]


def test_statement_with_a_credit_balance_and_no_movement(renderer: Renderer) -> None:
    document = documents.statement(
        period={"start": None, "end": datetime.date(2026, 3, 31)},
        opening_balance=Decimal("-120.00"),
        rows=[],
        closing_balance=Decimal("-120.00"),
        open_invoices=[],
        aging=[{"bucket": bucket, "amount": Decimal("0.00")} for bucket in AGING_BUCKETS],
    )
    text = text_of(renderer.render_pdf(document))
    assert_all_in(
        text,
        [
            "Période Jusqu'au 31 mars 2026",
            "Solde en votre faveur 120,00 €",
            "Solde antérieur -120,00 €",
            "Aucun mouvement sur la période.",
            "Solde au 31 mars 2026 -120,00 €",
            "Aucune facture en attente de règlement.",
            "Solde en votre faveur : 120,00 €.",
        ],
    )
    for absent in ("Total des mouvements", "IBAN", "entre-temps"):
        assert absent not in text


# -- PDF/A, metadata, reproducibility -----------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "title", "day"),
    [
        (documents.receipt(), "Reçu de paiement F-2026-0001-R2", "20260320"),
        (
            documents.statement("en"),
            "Account statement — Atelier Dupont SARL — 31 March 2026",
            "20260331",
        ),
    ],
)
def test_pdfa_metadata_comes_from_the_data(
    renderer: Renderer, document: dict[str, object], title: str, day: str
) -> None:
    pdf = pikepdf.open(io.BytesIO(renderer.render_pdf(document)))
    assert str(pdf.docinfo.Title) == title
    assert str(pdf.docinfo.Author) == "Camille Martin"
    assert str(pdf.docinfo.CreationDate).startswith(f"D:{day}")
    assert str(pdf.docinfo.ModDate).startswith(f"D:{day}")
    metadata = pdf.open_metadata()
    assert metadata.get("pdfaid:part") == "3"
    assert metadata.get("pdfaid:conformance") == "B"
    assert metadata.get("dc:title") == title


def test_same_receipt_and_statement_give_identical_bytes_in_two_processes(
    renderer: Renderer,
) -> None:
    script = textwrap.dedent(
        """
        import hashlib, sys
        sys.path.insert(0, sys.argv[1])
        import render_documents
        from facturo.output.pdf.engine import Renderer
        renderer = Renderer()
        for document in (render_documents.receipt(), render_documents.long_statement(80)):
            print(hashlib.sha256(renderer.render_pdf(document)).hexdigest())
        """
    )
    digests = [
        subprocess.run(
            [sys.executable, "-c", script, str(TESTS)],
            check=True,
            capture_output=True,
            text=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout.split()
        for seed in ("1", "2")
    ]
    in_process = [
        hashlib.sha256(renderer.render_pdf(document)).hexdigest()
        for document in (documents.receipt(), documents.long_statement(80))
    ]
    assert digests == [in_process, in_process]


# -- safety --------------------------------------------------------------------------------------


def test_client_and_rows_are_printed_literally(renderer: Renderer) -> None:
    hostile = "<script>alert(1)</script> {{ 7*7 }}"
    receipt = documents.receipt()
    receipt["client"]["name"] = hostile
    receipt["payment"]["reference"] = "<b>VIR</b>"
    html = renderer.render_html(receipt)
    assert "<script>" not in html and "<b>VIR</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    text = text_of(renderer.render_pdf(receipt))
    assert f"reçu de {hostile} la somme" in text
    assert "(réf. <b>VIR</b>)" in text
    assert "49" not in text

    statement = documents.statement()
    statement["client"]["name"] = hostile
    statement["rows"][0]["reference"] = "{% raw %}<script>x</script>"
    html = renderer.render_html(statement)
    assert "<script>" not in html
    text = text_of(renderer.render_pdf(statement))
    assert_all_in(text, [hostile, "réf. {% raw %}<script>x</"])  # the cell wraps after </


# -- templates and batches ------------------------------------------------------------------------


def test_folder_templates_override_receipts_and_statements(tmp_path: Path) -> None:
    _write_template(
        tmp_path,
        "receipt.html",
        '{% extends "base.html" %}{% block closing %}<p>Reçu maison : {{ receipt.amount }}</p>'
        "{% endblock %}",
    )
    _write_template(
        tmp_path,
        "statement.html",
        "<html><body><h1>{{ title }}</h1><p>{{ statement.closing.description }}</p></body></html>",
    )
    renderer = Renderer(tmp_path)
    receipt = text_of(renderer.render_pdf(documents.receipt()))
    assert_all_in(receipt, ["Reçu de paiement", "Reçu maison : 1 000,00 €"])
    statement = text_of(renderer.render_pdf(documents.statement()))
    assert_all_in(statement, ["Relevé de compte", "Solde au 31 mars 2026"])
    assert "Balance âgée".casefold() not in statement.casefold()


def test_template_option_is_for_issued_documents_only(tmp_path: Path) -> None:
    _write_template(
        tmp_path, "minimal.html", "<html><body><p>{{ title }} minimal</p></body></html>"
    )
    jobs = [
        RenderJob(documents.standard_invoice(), tmp_path / "out" / "invoice.pdf"),
        RenderJob(documents.receipt(), tmp_path / "out" / "receipt.pdf"),
        RenderJob(documents.statement(), tmp_path / "out" / "statement.pdf"),
    ]
    outcomes = list(render_batch(jobs, folder_root=tmp_path, template="minimal", workers=2))
    assert [outcome.error for outcome in outcomes] == [None, None, None]
    assert text_of((tmp_path / "out" / "invoice.pdf").read_bytes()) == "Facture minimal"
    assert_all_in(text_of((tmp_path / "out" / "receipt.pdf").read_bytes()), ["Montant reçu"])
    assert_all_in(text_of((tmp_path / "out" / "statement.pdf").read_bytes()), ["Balance âgée"])


def test_branding_applies_to_receipts_and_statements(tmp_path: Path) -> None:
    (tmp_path / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
        '<rect width="120" height="40" fill="#1f4e79"/></svg>'
    )
    renderer = Renderer(tmp_path, logo="logo.svg", accent_color="#aa3300")
    for document in (documents.receipt(), documents.statement()):
        html = renderer.render_html(document)
        assert "--accent: #aa3300" in html
        assert (tmp_path / "logo.svg").resolve().as_uri() in html


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {key: value for key, value in documents.receipt().items() if key != "balance"},
            "F-2026-0001-R2: cannot render this document (KeyError('balance')",
        ),
        (
            documents.statement(aging=[{"bucket": "91-120", "amount": Decimal(1)}]),
            'statement dupont 2026-03-31: cannot render this document (ValueError("unknown '
            "aging bucket '91-120'",
        ),
        (
            documents.statement(language="fr") | {"language": "xx"},
            "statement dupont 2026-03-31: cannot",
        ),
    ],
)
def test_bad_data_is_reported_with_the_document(
    renderer: Renderer, document: dict[str, object], message: str
) -> None:
    with pytest.raises(RenderError) as error:
        renderer.render_pdf(document)
    assert str(error.value).startswith(message)


def test_context_builders_can_be_used_directly() -> None:
    receipt = build_receipt_context(documents.receipt(language="en"))
    assert receipt["receipt"]["amount"] == "€1,000.00"
    assert receipt["receipt"]["paid_in_full"] is False
    statement = build_statement_context(documents.statement("en"))
    assert [row["label"] for row in statement["statement"]["aging"]] == [
        "Not due",
        "1-30 days",
        "31-60 days",
        "61-90 days",
        "Over 90 days",
    ]


# -- credit notes print their reason (issued by `facturo credit`) ---------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Motif : livraison en retard"), ("en", "Reason: livraison en retard")],
)
def test_credit_note_prints_its_reason(renderer: Renderer, language: str, expected: str) -> None:
    document = documents.credit_note(language=language, reason="livraison en retard")
    assert_all_in(text_of(renderer.render_pdf(document)), [expected])
    without = text_of(renderer.render_pdf(documents.credit_note(language=language)))
    assert "Motif" not in without and "Reason" not in without
