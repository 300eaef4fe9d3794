"""Reminder and sending emails composed from the mail templates, read as the client would."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

import render_documents as documents
from facturo.errors import FacturoError
from facturo.output.mail.compose import (
    MESSAGES,
    REMINDER_MESSAGES,
    Composer,
    MessageError,
    compose,
    reminder_message,
)


@pytest.fixture(scope="module")
def composer() -> Composer:
    return Composer()


def plain(text: str) -> str:
    """Every kind of space (babel uses no-break ones) made plain, runs of them made one."""
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text).strip()


def assert_all_in(text: str, expected: list[str]) -> None:
    flat = plain(text)
    missing = [item for item in expected if plain(item) not in flat]
    assert not missing, f"missing: {missing}\n{text}"


def assert_none_in(text: str, unexpected: list[str]) -> None:
    flat = plain(text).casefold()
    found = [item for item in unexpected if plain(item).casefold() in flat]
    assert not found, f"unexpected: {found}\n{text}"


def _override(root: Path, name: str, text: str) -> None:
    folder = root / "templates" / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


# -- what every reminder says ------------------------------------------------------------------

FACTS = {
    "fr": {
        "number": "F-2026-0001",
        "balance": "1 234,56 €",
        "due": "1er avril 2026",
        "late": "235 jours",
        "rate": "12,15 %",
        "interest": "96,57 €",
        "indemnity": "40,00 €",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "BNPAFRPPXXX",
        "methods": "virement bancaire ou chèque",
        "total": "1 371,13 €",
        "total_individual": "1 331,13 €",
        "deadline": "30 novembre 2026",
        "signature": "Camille Martin",
    },
    "en": {
        "number": "F-2026-0001",
        "balance": "€1,234.56",
        "due": "1 April 2026",
        "late": "235 days",
        "rate": "12.15%",
        "interest": "€96.57",
        "indemnity": "€40.00",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "BNPAFRPPXXX",
        "methods": "bank transfer or cheque",
        "total": "€1,371.13",
        "total_individual": "€1,331.13",
        "deadline": "30 November 2026",
        "signature": "Camille Martin",
    },
}

OVERDUE = [(1, "reminder-friendly"), (2, "reminder-firm"), (3, "reminder-formal")]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("level", "name"), OVERDUE)
def test_an_overdue_reminder_states_the_facts_penalties_and_how_to_pay(
    composer: Composer, language: str, level: int, name: str
) -> None:
    facts = FACTS[language]
    message = composer.compose(name, documents.reminder_context(level, language))
    for body in (message.text, message.html):
        assert_all_in(
            body,
            [
                facts["number"],
                facts["balance"],
                facts["due"],
                facts["late"],
                facts["rate"],
                facts["interest"],
                facts["indemnity"],
                facts["iban"],
                facts["bic"],
                facts["methods"],
                facts["signature"],
            ],
        )
    assert facts["number"] in message.subject
    assert "\n" not in message.subject


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("level", "name"), OVERDUE)
def test_an_individual_client_is_not_charged_the_recovery_indemnity(
    composer: Composer, language: str, level: int, name: str
) -> None:
    facts = FACTS[language]
    message = composer.compose(name, documents.individual_reminder_context(level, language))
    for body in (message.text, message.html):
        assert_all_in(body, [facts["number"], facts["balance"], facts["rate"], facts["interest"]])
        assert_none_in(body, [facts["indemnity"], "indemnité", "indemnity", "D441-5"])
    if level >= 2:
        assert_all_in(message.text, [facts["total_individual"]])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_courtesy_reminder_comes_before_the_due_date(composer: Composer, language: str) -> None:
    facts = FACTS[language]
    context = documents.reminder_context(0, language)
    message = composer.compose("reminder-courtesy", context)
    in_days = {"fr": "dans 7 jours", "en": "in 7 days"}[language]
    for body in (message.text, message.html):
        assert_all_in(body, [facts["number"], facts["balance"], facts["due"], in_days])
        assert_all_in(body, [facts["iban"], facts["bic"], facts["methods"]])
        assert_none_in(body, [facts["late"]])
    assert facts["due"] in plain(message.subject)

    # With the invoice's penalty terms given, it recalls them; the business pays the indemnity.
    terms = copy.deepcopy(context)
    terms["penalties"] = {
        "rate_percent": documents.D("12.15"),
        "interest": documents.D("0.00"),
        "indemnity": documents.D("40.00"),
        "since": context["document"]["due_date"],
        "until": context["today"],
    }
    message = composer.compose("reminder-courtesy", terms)
    for body in (message.text, message.html):
        assert_all_in(body, [facts["rate"], facts["indemnity"]])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_firm_reminder_cites_the_law_and_claims_the_total(
    composer: Composer, language: str
) -> None:
    facts = FACTS[language]
    message = composer.compose("reminder-firm", documents.reminder_context(2, language))
    for body in (message.text, message.html):
        assert_all_in(body, ["L441-10", "D441-5", facts["total"]])
    next_step = {"fr": "mise en demeure", "en": "formal notice"}[language]
    assert next_step in message.text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_formal_notice_gives_eight_days_and_says_what_comes_next(
    composer: Composer, language: str
) -> None:
    facts = FACTS[language]
    message = composer.compose("reminder-formal", documents.reminder_context(3, language))
    words = {
        "fr": ["Mise en demeure de payer", "ci-jointe", "huit jours", "injonction de payer"],
        "en": ["Formal notice to pay", "attached", "eight days", "order for payment"],
    }[language]
    for body in (message.text, message.html):
        assert_all_in(body, [*words[1:], facts["total"], facts["deadline"], "L441-10"])
    assert words[0] in message.subject
    assert words[0] in message.html


# -- the message that sends a document ---------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", ["invoice", "deposit", "credit_note", "quote"])
def test_the_document_message_names_the_document_its_amount_and_the_attachment(
    composer: Composer, language: str, kind: str
) -> None:
    context = documents.document_context(kind, language)
    message = composer.compose("document", context)
    noun = {
        "fr": {
            "invoice": "Facture",
            "deposit": "Facture d'acompte",
            "credit_note": "Avoir",
            "quote": "Devis",
        },
        "en": {
            "invoice": "Invoice",
            "deposit": "Deposit invoice",
            "credit_note": "Credit note",
            "quote": "Quote",
        },
    }[language][kind]
    number = context["document"]["number"]
    amount = (
        {"fr": "162,00 €", "en": "€162.00"}
        if kind == "credit_note"
        else {
            "fr": "1 829,61 €",
            "en": "€1,829.61",
        }
    )
    date = {"fr": "1er avril 2026", "en": "1 April 2026"}[language]
    assert plain(message.subject) == f"{noun} {number} " + (
        "— Studio Martin" if language == "fr" else "from Studio Martin"
    )
    for body in (message.text, message.html):
        assert_all_in(body, [number, amount[language], "PDF", "Camille Martin"])
        if kind == "credit_note":
            assert_none_in(body, [date, "IBAN"])
        else:
            assert_all_in(body, [date])
        if kind in ("invoice", "deposit"):
            assert_all_in(body, ["FR76 3000 6000 0112 3456 7890 189"])
        if kind == "quote":
            assert_all_in(body, ["Bon pour accord" if language == "fr" else "Accepted"])
            assert_none_in(body, ["IBAN"])


def test_every_message_exists_in_both_languages(composer: Composer) -> None:
    for name in MESSAGES:
        for language in ("fr", "en"):
            if name == "document":
                context = documents.document_context("invoice", language)
            else:
                context = documents.reminder_context(REMINDER_MESSAGES.index(name), language)
            message = composer.compose(name, context)
            assert message.subject and message.text.endswith("\n")
            assert "\n\n\n" not in message.text
            assert message.html.startswith("<!DOCTYPE html>")
            assert f'<html lang="{language}">' in message.html
            assert f"<title>{message.subject}</title>" in message.html


def test_reminder_levels_name_their_messages() -> None:
    assert [reminder_message(level) for level in range(4)] == list(REMINDER_MESSAGES)
    with pytest.raises(MessageError, match="reminder level 4"):
        reminder_message(4)


# -- safety: subjects on one line, data printed and never run ----------------------------------

SHOWS_CLIENT = {
    "reminder-friendly.fr.txt": "Subject: Rappel pour {{ client.name }} — {{ document.number }}\n\n"
    "Client : {{ client.name }}\n",
    "reminder-friendly.fr.html": "<p>Client : {{ client.name }}</p>\n",
}


def test_the_subject_stays_on_one_line_whatever_the_names(tmp_path: Path) -> None:
    for name, text in SHOWS_CLIENT.items():
        _override(tmp_path, name, text)
    context = documents.reminder_context(1)
    context["client"]["name"] = "Atelier Dupont\r\nBcc: everyone@example.com"
    message = compose("reminder-friendly", context, folder_root=tmp_path)
    assert message.subject == ("Rappel pour Atelier Dupont Bcc: everyone@example.com — F-2026-0001")

    document = documents.document_context("invoice")
    document["seller"]["trade_name"] = "Studio\nMartin  "
    message = compose("document", document)
    assert message.subject == "Facture F-2026-0001 — Studio Martin"
    assert "\r" not in message.subject and "\n" not in message.subject


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}x"])
def test_a_client_name_is_printed_literally_and_escaped_in_html(tmp_path: Path, name: str) -> None:
    for file, text in SHOWS_CLIENT.items():
        _override(tmp_path, file, text)
    context = documents.reminder_context(1)
    context["client"]["name"] = name
    message = compose("reminder-friendly", context, folder_root=tmp_path)
    assert f"Client : {name}" in message.text
    assert name in message.subject
    if "<" in name:
        assert "<script>" not in message.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    else:
        assert f"Client : {name}" in message.html
    assert "49" not in message.text + message.html


def test_the_packaged_html_escapes_the_seller_data(composer: Composer) -> None:
    context = documents.reminder_context(2)
    context["seller"]["trade_name"] = "<img src=x onerror=alert(1)>"
    message = composer.compose("reminder-firm", context)
    assert "<img" not in message.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in message.html
    assert "<img src=x onerror=alert(1)>" in message.text


def test_templates_run_in_the_sandbox(tmp_path: Path) -> None:
    _override(
        tmp_path,
        "reminder-friendly.fr.txt",
        "Subject: x\n\n{{ client.__class__.__mro__[1].__subclasses__() }}\n",
    )
    with pytest.raises(MessageError, match=r"templates/mail/reminder-friendly\.fr\.txt:3: "):
        compose("reminder-friendly", documents.reminder_context(1), folder_root=tmp_path)


# -- overrides and errors ----------------------------------------------------------------------


def test_a_folder_template_overrides_the_packaged_one_file_by_file(tmp_path: Path) -> None:
    _override(
        tmp_path,
        "reminder-friendly.fr.txt",
        "Subject: Petit rappel : {{ document.number }}\n\n"
        "Coucou, il reste {{ balance | money }} à régler avant le {{ today | date }}.\n",
    )
    message = compose("reminder-friendly", documents.reminder_context(1), folder_root=tmp_path)
    assert message.subject == "Petit rappel : F-2026-0001"
    assert plain(message.text) == "Coucou, il reste 1 234,56 € à régler avant le 22 novembre 2026."
    # The HTML and the English text are still the packaged ones.
    assert "Sauf erreur de notre part" in message.html
    english = compose(
        "reminder-friendly", documents.reminder_context(1, "en"), folder_root=tmp_path
    )
    assert "According to our records" in english.text


def test_a_folder_may_add_its_own_message(tmp_path: Path) -> None:
    _override(tmp_path, "thanks.fr.txt", "Subject: Merci !\n\nMerci pour le règlement.\n")
    _override(tmp_path, "thanks.fr.html", "<p>Merci pour le règlement.</p>\n")
    message = compose("thanks", documents.document_context(), folder_root=tmp_path)
    assert message.subject == "Merci !"


def test_a_template_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    _override(
        tmp_path,
        "reminder-friendly.fr.txt",
        "Subject: Rappel {{ document.number }}\n\nBonjour,\n\n{% if balance %}\nReste dû.\n",
    )
    with pytest.raises(MessageError) as caught:
        compose("reminder-friendly", documents.reminder_context(1), folder_root=tmp_path)
    error = caught.value
    assert isinstance(error, FacturoError)
    assert error.template == "reminder-friendly.fr.txt"
    assert error.line is not None and error.line >= 5
    assert str(error).startswith(f"templates/mail/reminder-friendly.fr.txt:{error.line}: ")


def test_an_error_in_the_subject_is_on_line_one(tmp_path: Path) -> None:
    _override(tmp_path, "reminder-friendly.fr.txt", "Subject: {{ document.number }\n\nBonjour\n")
    with pytest.raises(MessageError, match=r"reminder-friendly\.fr\.txt:1: ") as caught:
        compose("reminder-friendly", documents.reminder_context(1), folder_root=tmp_path)
    assert caught.value.line == 1


def test_an_unknown_variable_names_the_file_and_line(tmp_path: Path) -> None:
    _override(
        tmp_path,
        "reminder-friendly.fr.html",
        "<p>Bonjour,</p>\n<p>{{ client.nmae }}</p>\n",
    )
    with pytest.raises(MessageError) as caught:
        compose("reminder-friendly", documents.reminder_context(1), folder_root=tmp_path)
    assert caught.value.template == "reminder-friendly.fr.html"
    assert caught.value.line == 2
    assert "templates/mail/reminder-friendly.fr.html:2: " in str(caught.value)
    assert "nmae" in str(caught.value)


def test_a_text_template_must_start_with_its_subject(tmp_path: Path) -> None:
    _override(tmp_path, "reminder-friendly.fr.txt", "Bonjour,\n\nIl reste un solde.\n")
    with pytest.raises(MessageError, match=r"reminder-friendly\.fr\.txt:1: .*Subject: \.\.\."):
        compose("reminder-friendly", documents.reminder_context(1), folder_root=tmp_path)


def test_a_missing_message_or_language_is_refused(composer: Composer) -> None:
    with pytest.raises(MessageError, match=r"message template nope\.txt not found"):
        composer.compose("nope", documents.reminder_context(1))
    with pytest.raises(MessageError, match="language 'xx'"):
        composer.compose("reminder-friendly", documents.reminder_context(1, "xx"))
    with pytest.raises(MessageError, match="expected a name"):
        composer.compose("../secret", documents.reminder_context(1))


def test_optional_seller_details_may_be_missing(composer: Composer) -> None:
    context: dict[str, Any] = documents.reminder_context(2)
    for key in ("trade_name", "email", "phone"):
        del context["seller"][key]
    context["payment"] = {"reference": "F-2026-0001", "methods": ["cheque"]}
    message = composer.compose("reminder-firm", context)
    assert_none_in(message.text, ["IBAN", "Studio Martin"])
    assert_all_in(message.text, ["chèque", "F-2026-0001", "Camille Martin"])


def test_composing_does_not_change_the_context(composer: Composer) -> None:
    context = documents.reminder_context(3)
    before = copy.deepcopy(context)
    composer.compose("reminder-formal", context)
    assert context == before
