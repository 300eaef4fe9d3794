"""The translation catalogs: same keys and placeholders in every language, documents in each."""

from __future__ import annotations

import datetime
import string
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

import render_documents as documents
from facturo.files import schema
from facturo.files.languages import CATALOGS, LANGUAGES
from facturo.output import words
from facturo.output.mail.compose import Composer, compose
from facturo.output.pdf.engine import Renderer
from pdf_text import assert_all_in, text_of

FOLDER = Path(str(CATALOGS))


def _catalog(language: str) -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = yaml.safe_load((FOLDER / f"{language}.yaml").read_text("utf-8"))
    return loaded


def _leaves(tree: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in tree.items():
        if isinstance(value, Mapping):
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_languages_are_the_catalogs_present() -> None:
    assert sorted(LANGUAGES) == sorted(p.stem for p in FOLDER.glob("*.yaml"))
    assert LANGUAGES[0] == "fr"
    assert {"fr", "en", "de", "es", "it"} <= set(LANGUAGES)
    assert schema.LANGUAGES == words.LANGUAGES == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_has_the_keys_and_placeholders_of_the_french_one(language: str) -> None:
    french = dict(_leaves(_catalog("fr")))
    other = dict(_leaves(_catalog(language)))
    assert sorted(other) == sorted(french)
    for key, text in other.items():
        assert isinstance(text, str) and (text or key == "phrases.first_day"), key
        assert _placeholders(text) == _placeholders(french[key]), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_legal_references_keep_their_articles(language: str) -> None:
    labels = _catalog(language)["labels"]
    for key, article in [
        ("late_penalty", "L441-10"),
        ("recovery_indemnity", "D441-5"),
        ("letter_penalties_business", "L441-10"),
        ("letter_indemnity_detail", "D441-5"),
    ]:
        assert article in labels[key], (language, key)
    assert "293 B" in _catalog(language)["exemptions"]["VATEX-FR-FRANCHISE"]


INVOICE_WORDS = {
    "de": ["Rechnung", "Zahlungsbedingungen", "Gesamtbetrag brutto", "L441-10", "März 2026"],
    "es": ["Factura", "Condiciones de pago", "Total IVA incluido", "L441-10", "marzo de 2026"],
    "it": ["Fattura", "Condizioni di pagamento", "Totale IVA incl.", "L441-10", "marzo 2026"],
    "en": ["Invoice", "Payment terms", "Total incl. VAT", "L441-10", "March 2026"],
    "fr": ["Facture", "Conditions de paiement", "Total TTC", "L441-10", "mars 2026"],
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_invoice_renders_in_each_language(renderer: Renderer, language: str) -> None:
    text = text_of(renderer.render_pdf(documents.standard_invoice(language=language)))
    assert_all_in(text, INVOICE_WORDS[language])


@pytest.mark.parametrize("language", ["de", "es", "it"])
def test_a_letter_and_a_receipt_render_in_the_new_languages(
    renderer: Renderer, language: str
) -> None:
    letter = text_of(renderer.render_pdf(documents.reminder_letter(language)))
    assert_all_in(letter, [words.labels_for(language)["letter_total"], "D441-5"])
    receipt = text_of(renderer.render_pdf(documents.receipt(language=language)))
    assert_all_in(receipt, [words.labels_for(language)["title_receipt"]])


def test_phrases_follow_each_language() -> None:
    first = datetime.date(2026, 4, 1)
    assert words.format_date_in_text(first, "fr") == "1er avril 2026"
    assert words.format_date_in_text(first, "it") == "1º aprile 2026"
    assert words.format_date_in_text(first, "de") == "1. April 2026"
    assert words.describe_payment_terms("30 days end of month", "es") == "30 días fin de mes"
    assert words.describe_payment_terms("à réception", "de") == "sofort nach Erhalt"
    assert words.describe_from("Atelier Dupont", "fr") == "d'Atelier Dupont"
    assert words.describe_from("Atelier Dupont", "it") == "da Atelier Dupont"
    assert words.describe_unit("days", "de") == "Tage"
    assert words.describe_unit("Days", "en") == "Days"  # English units are kept as written
    reason = "TVA non applicable, art. 293 B du CGI"
    assert words.describe_exemption("VATEX-FR-FRANCHISE", reason, "fr") == reason
    assert words.describe_exemption("VATEX-FR-FRANCHISE", reason, "es").endswith(f"({reason})")


MAIL_WORDS = {
    "de": ["Zahlungserinnerung: Rechnung F-2026-0001", "Guten Tag,", "1.234,56", "Überweisung"],
    "es": ["Recordatorio: factura F-2026-0001", "Buenos días:", "1.234,56", "Transferencia"],
    "it": ["Promemoria: fattura F-2026-0001", "Buongiorno,", "1.234,56", "Bonifico"],
    "en": ["Reminder: invoice F-2026-0001", "Hello,", "€1,234.56", "Bank transfer"],
    "fr": ["Rappel : facture F-2026-0001", "Bonjour,", "1 234,56", "Virement"],
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_every_reminder_is_written_in_the_clients_language(language: str, level: int) -> None:
    context = documents.reminder_context(level, language)
    message = Composer().compose(("reminder-courtesy", "reminder-friendly", "reminder-firm",
                                  "reminder-formal")[level], context)  # fmt: skip
    mail = _catalog(language)["mail"]
    subject = ("subject_courtesy", "subject_friendly", "subject_firm", "subject_formal")[level]
    assert message.subject.startswith(mail[subject].split("{")[0])
    for body in (message.text, message.html):
        assert_all_in(body, ["F-2026-0001", mail["account_holder"], mail["reference"]])
    assert f'<html lang="{language}">' in message.html
    if level == 1:
        flat = " ".join(message.text.split())
        subject, *words_in_text = MAIL_WORDS[language]
        assert message.subject.startswith(subject)
        assert_all_in(flat, words_in_text)
    if language not in ("en", "fr"):  # nothing of the English or French message is left
        for english in ("Kind regards", "Regards", "Hello", "invoice", "Dear", "Bonjour"):
            assert english not in message.text, english


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["invoice", "deposit", "credit_note", "quote"])
def test_the_message_sending_a_document_is_in_the_clients_language(
    language: str, kind: str
) -> None:
    message = Composer().compose("document", documents.document_context(kind, language))
    mail = _catalog(language)["mail"]
    assert message.subject.startswith(f"{mail['titles'][kind]} ")
    assert mail["named"][kind] in message.text and mail["document_closing"] in message.text


def test_the_mail_phrases_fill_only_known_values() -> None:
    # Each placeholder of a phrase is one the templates give (a typo would stop the sending).
    given = {"title", "number", "seller", "due", "named", "date", "amount", "days", "balance",
             "rate", "indemnity", "interest", "until", "total", "deadline"}  # fmt: skip
    for key, text in _leaves(_catalog("fr")["mail"]):
        assert _placeholders(text) <= given, key


def test_a_folder_may_write_to_a_language_in_its_own_words(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "mail"
    folder.mkdir(parents=True)
    (folder / "reminder-friendly.de.txt").write_text(
        "Subject: Erinnerung {{ document.number }}\n\nOffen: {{ balance | money }}.\n", "utf-8"
    )
    (folder / "reminder-friendly.de.html").write_text("<p>Offen.</p>\n", "utf-8")
    message = compose(
        "reminder-friendly", documents.reminder_context(1, "de"), folder_root=tmp_path
    )
    assert message.subject == "Erinnerung F-2026-0001"
    assert message.text == "Offen: 1.234,56\u00a0€.\n"


def test_lines_written_into_documents_speak_the_document_language() -> None:
    import datetime as dt

    from facturo.lifecycle.phrases import credit_line, deposit_deducted

    day = dt.date(2026, 4, 17)
    assert (
        deposit_deducted("F-1", day, "de") == "Abzug der Anzahlung: Rechnung F-1 vom 17. April 2026"
    )
    assert (
        deposit_deducted("F-1", day, "fr")
        == "Déduction de l'acompte : facture F-1 du 17 avril 2026"
    )
    assert deposit_deducted("F-1", day, "it").startswith(
        "Detrazione dell'acconto: fattura F-1 del 17"
    )
    assert (
        credit_line("credit_amount", "F-1", "remise", "es") == "Abono sobre la factura F-1 — remise"
    )
    assert deposit_deducted("F-1", day, "xx") == "Deposit deducted: invoice F-1 of 17 April 2026"
