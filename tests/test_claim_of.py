"""The claim of a reminder read once from its context, for the email and the letter alike."""

from __future__ import annotations

import datetime
from decimal import Decimal

import render_documents as documents
from facturo.output.mail.compose import Composer
from facturo.output.pdf.letter import build_reminder_letter_context, reminder_letter
from facturo.output.values import claim_of
from facturo.output.words import format_money

TODAY = datetime.date(2026, 11, 22)


def test_the_claim_adds_interest_and_the_indemnity_of_a_business_client() -> None:
    claim = claim_of(documents.reminder_context(3), TODAY)
    assert claim is not None
    assert claim.indemnity == Decimal("40.00")
    assert claim.total == claim.balance + claim.interest + Decimal("40.00")
    assert claim.deadline == datetime.date(2026, 11, 30)


def test_an_individual_owes_no_indemnity_and_no_balance_means_no_claim() -> None:
    claim = claim_of(documents.individual_reminder_context(3), TODAY)
    assert claim is not None and claim.indemnity is None
    assert claim.total == claim.balance + claim.interest
    assert claim_of({**documents.reminder_context(3), "balance": None}, TODAY) is None


def test_in_another_currency_the_indemnity_is_claimed_apart() -> None:
    context = documents.reminder_context(3)
    context["document"] = {**context["document"], "currency": "USD"}
    claim = claim_of(context, TODAY)
    assert claim is not None and claim.indemnity_apart
    assert claim.total == claim.balance + claim.interest


def test_the_email_and_the_letter_claim_the_same_total() -> None:
    context = documents.reminder_context(3)
    claim = claim_of(context, context["today"])
    assert claim is not None
    letter = build_reminder_letter_context(reminder_letter(context, paid=Decimal("0")))
    email = Composer().compose("reminder-formal", context)
    grand = [row for row in letter["letter"]["claim"] if row["style"] == "grand"]
    shown = formatted(claim.total)
    assert [row["amount"] for row in grand] == [shown]
    assert shown in email.text


def formatted(amount: Decimal) -> str:
    return format_money(amount, "EUR", "fr")
