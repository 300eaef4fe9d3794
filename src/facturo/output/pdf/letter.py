"""The context of a formal notice to pay: the letter sent with the last reminder."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from facturo.model.account import INDEMNITY_CURRENCY
from facturo.output import words as labels
from facturo.output.pdf.account import account_head, place_and_date
from facturo.output.pdf.parts import (
    document_language,
    footer_lines,
    grey_png,
    pdf_metadata,
    strong,
)
from facturo.output.qr import make_payment_qr
from facturo.output.values import as_date, as_decimal, claim_of


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
    language = document_language(document)
    words = labels.labels_for(language)
    invoice: Mapping[str, Any] = document["document"]
    currency = str(invoice.get("currency") or "EUR")
    seller: Mapping[str, Any] = document.get("seller") or {}
    client: Mapping[str, Any] = document.get("client") or {}
    number = None if draft else document.get("number")
    title = words["title_reminder_letter"]
    today = as_date(document.get("issue_date")) or as_date(document.get("today"))
    if today is None:
        raise ValueError("a formal notice needs its date (today)")
    invoice_kind = "deposit" if invoice.get("kind") == "deposit" else "invoice"
    invoice_number = str(invoice["number"])
    invoice_date = as_date(invoice.get("issue_date"))
    due_date = as_date(invoice.get("due_date"))
    gross = as_decimal(invoice.get("gross", 0))
    paid = as_decimal(document.get("paid", 0))
    balance = as_decimal(document["balance"])
    # The account says what credit notes took off; a context without it (a preview) infers it.
    credited = (
        as_decimal(document["credited"])
        if document.get("credited") is not None
        else gross - paid - balance
    )
    days_late = int(document.get("days_late") or 0)
    penalties: Mapping[str, Any] | None = document.get("penalties") or None
    owed = claim_of({**document, "currency": currency}, today)
    if owed is None:
        raise ValueError("a formal notice needs the balance it claims")
    interest, indemnity, apart = owed.interest, owed.indemnity, owed.indemnity_apart
    total, deadline = owed.total, owed.deadline

    def money(value: Decimal) -> str:
        return labels.format_money(value, currency, language)

    def euros(value: Decimal) -> str:
        return labels.format_money(value, INDEMNITY_CURRENCY, language)

    def day(value: datetime.date | None) -> str:
        return labels.format_date_in_text(value, language) if value else "?"

    def sentence(key: str, **values: Any) -> Markup:
        # Data is escaped here, as autoescaping would have done; only the marks are HTML.
        return Markup(escape(words[key])).format(**values)

    document_word = words[f"document_{invoice_kind}"]
    days = labels.describe_days(days_late, language)
    rate = (
        labels.format_rate(as_decimal(penalties["rate_percent"]), language) if penalties else None
    )
    until = as_date(penalties.get("until")) if penalties else None
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
                indemnity=_nowrap(euros(indemnity or Decimal(0))),
            )
        )
    paragraphs.append(
        sentence(
            "letter_demand_indemnity_apart" if apart else "letter_demand",
            total=strong(money(total)),
            indemnity=strong(euros(indemnity or Decimal(0))),
            deadline=strong(day(deadline)),
        )
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
    indemnity_row = {
        "label": words["letter_indemnity_apart" if apart else "letter_indemnity"],
        "detail": words["letter_indemnity_detail"],
        "amount": euros(indemnity or Decimal(0)),
    }
    if indemnity is not None and not apart:
        claim.append(indemnity_row)
    claim.append({"label": words["letter_total"], "amount": money(total), "style": "grand"})
    if apart:
        claim.append(indemnity_row)
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
    return {
        **account_head(
            document,
            "reminder_letter",
            title=title,
            number=number,
            currency=currency,
            meta=pdf_metadata(title, number, seller, client, today, words),
            draft=draft,
            logo_url=logo_url,
            accent_color=accent_color,
        ),
        "facts": [fact for fact in facts if fact is not None],
        "letter": {
            "place_date": place_and_date(
                seller, day(today), words["letter_place_date"], words["letter_date"]
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
        "footer": footer_lines(seller, words),
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
        "iban": labels.format_iban(iban) or None,
        "bic": bic if iban else None,
        "reference": reference,
        "qr_image": grey_png(qr.png_data_uri) if qr else None,
        "qr_payload": qr.payload if qr else None,
        "amount_due": labels.format_money(total, currency, language),
    }


def _nowrap(text: str) -> Markup:
    # Amounts, dates and durations stay on one line: "1 234,56 €" split after "1" misreads.
    return Markup('<span class="nowrap">{}</span>').format(text)
