"""The context of the documents of a sale: invoices, deposits, credit notes and quotes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from facturo.model.document import is_business, payment_link
from facturo.model.exchange import ExchangeRate, document_vat_in_euros
from facturo.model.vat import treatment_of
from facturo.output import words as labels
from facturo.output.pdf.parts import (
    country_of,
    describe_client,
    describe_seller,
    document_language,
    footer_lines,
    format_period,
    grey_png,
    pdf_metadata,
)
from facturo.output.pdf.totals import (
    PAYABLE_KINDS,
    STANDARD_CATEGORIES,
    deposit_of,
    summary_rows,
    totals_rows,
)
from facturo.output.qr import make_link_qr, make_payment_qr
from facturo.output.values import as_date, as_decimal


def build_context(
    document: Mapping[str, Any],
    *,
    draft: bool = False,
    logo_url: str | None = None,
    accent_color: str | None = None,
) -> dict[str, Any]:
    """Turn an issued document (docs/FORMAT.md) into the variables the templates print."""
    language = document_language(document)
    kind = str(document.get("kind") or "invoice")
    words = labels.labels_for(language)
    if treatment_of(document) == "franchise":
        # No VAT under the franchise (art. 293 B CGI): prices are not "excluding VAT".
        words = {
            **words,
            "unit_price": words["unit_price_no_vat"],
            "line_total": words["line_total_no_vat"],
        }
    currency = str(document.get("currency") or "EUR")
    seller: Mapping[str, Any] = document.get("seller") or {}
    client: Mapping[str, Any] = document.get("client") or {}
    number = None if draft else document.get("number")
    title = words.get(f"title_{kind}", words["title_invoice"])
    issue_date = as_date(document.get("issue_date"))
    seller_country = country_of(seller)
    client_country = country_of(client)
    # Deposit deductions are lines of the sealed document (EN 16931 nets them per rate), but
    # people read them as what they are: a block of the totals, one row per deposit invoice.
    lines = [
        _line(line, currency, language)
        for line in document.get("lines") or []
        if not deposit_of(line)
    ]
    totals: Mapping[str, Any] = document.get("totals") or {}
    # As issued: payments and credit notes recorded later never change the invoice; what is
    # owed today is the account's (statements, receipts, reminders, the letter).
    already_paid = as_decimal(totals.get("prepaid", 0))
    amount_due = as_decimal(totals.get("due", totals.get("gross", 0)))

    return {
        "document": document,
        "kind": kind,
        "language": language,
        "currency": currency,
        "draft": draft,
        "label": words,
        "title": title,
        "number": number,
        "meta": pdf_metadata(title, number, seller, client, issue_date, words),
        "logo_url": logo_url,
        "accent_color": accent_color,
        "seller": describe_seller(seller, language, show_country=seller_country != client_country),
        "client": describe_client(client, language, show_country=seller_country != client_country),
        "facts": _facts(document, kind, language, words),
        "corrected_invoice": _corrected_invoice(document, language, words),
        "quote_reference": _quote_reference(document, kind, language, words),
        "credit_reason": _credit_reason(document, kind, words),
        "lines": lines,
        "show_unit": any(line["unit"] for line in lines),
        "show_vat": any(line["vat_category"] in STANDARD_CATEGORIES for line in lines),
        "vat_breakdown": _vat_breakdown(totals, currency, language),
        "totals": totals_rows(
            kind,
            totals,
            summary_rows(document, currency, language, words),
            already_paid,
            amount_due,
            currency,
            language,
            words,
            no_vat=treatment_of(document) == "franchise",
        ),
        "vat_in_euros": _vat_in_euros(document, language, words),
        "payment": _payment(document, kind, number, amount_due, currency, language),
        "quote_validity": _quote_validity(document, kind, language, words),
        "exemption": _exemption(document, language),
        "mentions": _mentions(document, kind, language, words),
        "notes": document.get("notes") or None,
        "thanks": _thanks(document, words),
        "footer": footer_lines(seller, words),
    }


def _facts(
    document: Mapping[str, Any], kind: str, language: str, words: Mapping[str, str]
) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    issue_date = as_date(document.get("issue_date"))
    if issue_date:
        facts.append((words["issue_date"], labels.format_date(issue_date, language)))
    if kind == "quote":
        valid_until = as_date(document.get("valid_until"))
        if valid_until:
            facts.append((words["valid_until"], labels.format_date(valid_until, language)))
    elif kind in PAYABLE_KINDS:
        due_date = as_date(document.get("due_date"))
        if due_date:
            facts.append((words["due_date"], labels.format_date(due_date, language)))
    operation = str(document.get("operation") or "services")
    service_date = as_date(document.get("service_date"))
    period = document.get("service_period")
    if service_date:
        label = words.get(f"service_date_{operation}", words["service_date_services"])
        facts.append((label, labels.format_date(service_date, language)))
    elif isinstance(period, Mapping):
        facts.append(
            (words["service_period"], format_period(period, language, words["period_range"]))
        )
    if document.get("order_reference"):
        facts.append((words["order_reference"], str(document["order_reference"])))
    return facts


def _corrected_invoice(
    document: Mapping[str, Any], language: str, words: Mapping[str, str]
) -> str | None:
    original = document.get("credit_note_of")
    if not isinstance(original, Mapping) or not original.get("number"):
        return None
    issued = as_date(original.get("issue_date"))
    return words["corrects_invoice"].format(
        number=original["number"], date=labels.format_date(issued, language) if issued else "?"
    )


def _quote_reference(
    document: Mapping[str, Any], kind: str, language: str, words: Mapping[str, str]
) -> str | None:
    """The quote an invoice or deposit invoice comes from, under its number."""
    quote = document.get("quote")
    if kind not in PAYABLE_KINDS or not isinstance(quote, Mapping) or not quote.get("number"):
        return None
    issued = as_date(quote.get("issue_date"))
    return words["quote_reference"].format(
        number=quote["number"], date=labels.format_date(issued, language) if issued else "?"
    )


def _credit_reason(document: Mapping[str, Any], kind: str, words: Mapping[str, str]) -> str | None:
    reason = str(document.get("reason") or "").strip()
    if kind != "credit_note" or not reason:
        return None
    return words["credit_reason"].format(reason=reason)


def _line(line: Mapping[str, Any], currency: str, language: str) -> dict[str, Any]:
    words = labels.labels_for(language)
    category = str(line.get("vat_category") or "S")
    details = []
    period = line.get("service_period")
    if isinstance(period, Mapping):
        details.append(format_period(period, language, words["line_period"]))
    if line.get("discount") not in (None, ""):
        details.append(_line_discount(line, currency, language, words))
    unit = line.get("unit")
    quantity = as_decimal(line.get("quantity", 1))
    unit_price = as_decimal(line.get("unit_price", 0))
    net = line.get("net")
    return {
        "description": str(line.get("description") or ""),
        "details": details,
        "quantity": labels.format_number(quantity, language),
        "unit": labels.describe_unit(str(unit), language) if unit else "",
        "unit_price": labels.format_unit_price(unit_price, currency, language),
        "vat_category": category,
        "vat_rate": (
            labels.format_rate(as_decimal(line.get("vat_rate", 0)), language)
            if category in STANDARD_CATEGORIES
            else ""
        ),
        "total": labels.format_money(
            as_decimal(net) if net is not None else quantity * unit_price, currency, language
        ),
    }


def _line_discount(
    line: Mapping[str, Any], currency: str, language: str, words: Mapping[str, str]
) -> str:
    # A discount is always printed as what it takes off: "Remise −150,00 €", or the rate
    # and the amount it took, "Remise 10 % (−135,00 €)".
    written = line["discount"]
    amount = line.get("discount_amount")
    if not (isinstance(written, str) and written.strip().endswith("%")):
        taken = labels.format_deduction(as_decimal(written), currency, language)
        return words["line_discount"].format(discount=taken)
    rate = labels.format_rate(Decimal(written.strip().rstrip("%")), language)
    if amount is None:
        return words["line_discount"].format(discount=f"\u2212{rate}")
    taken = labels.format_deduction(as_decimal(amount), currency, language)
    return words["line_discount"].format(discount=rate) + f" ({taken})"


def _vat_breakdown(totals: Mapping[str, Any], currency: str, language: str) -> list[dict[str, str]]:
    rows = []
    for group in totals.get("vat") or []:
        if str(group.get("category", "S")) not in STANDARD_CATEGORIES:
            continue
        rows.append(
            {
                "rate": labels.format_rate(as_decimal(group.get("rate", 0)), language),
                "base": labels.format_money(as_decimal(group.get("base", 0)), currency, language),
                "amount": labels.format_money(
                    as_decimal(group.get("amount", 0)), currency, language
                ),
            }
        )
    return rows


def _vat_in_euros(
    document: Mapping[str, Any], language: str, words: Mapping[str, str]
) -> dict[str, Any] | None:
    """The VAT in euros of a non-EUR document that charges VAT (directive 2006/112 art. 230)."""
    euros = document_vat_in_euros(document)
    totals: Mapping[str, Any] = document.get("totals") or {}
    if euros is None or not as_decimal(totals.get("vat_total", 0)):
        return None
    rate = ExchangeRate.of(document.get("exchange_rate"))
    assert rate is not None  # document_vat_in_euros found it
    text = words["exchange_rate"].format(
        date=labels.format_date(rate.date, language),
        currency=document.get("currency"),
        rate=labels.format_number(rate.rate, language),
    )
    if source := rate.source:
        shown = words.get(f"source_{source}", source)
        text += f" ({shown})"
    # Keyed by the rate as the VAT breakdown prints it: a column of that table.
    by_rate = {
        labels.format_rate(vat_rate, language): labels.format_money(amount, "EUR", language)
        for vat_rate, amount in euros.groups
    }
    stored = totals.get("vat_total_eur")
    total = as_decimal(stored) if stored is not None else euros.total
    return {
        "by_rate": by_rate,
        "total": labels.format_money(total, "EUR", language),
        "rate": text,
    }


def _payment(
    document: Mapping[str, Any],
    kind: str,
    number: Any,
    amount_due: Decimal,
    currency: str,
    language: str,
) -> dict[str, Any] | None:
    payment: Mapping[str, Any] = document.get("payment") or {}
    if kind not in (*PAYABLE_KINDS, "quote") or not payment:
        return None
    seller: Mapping[str, Any] = document.get("seller") or {}
    methods = [
        labels.describe_payment_method(str(m), language) for m in payment.get("methods") or []
    ]
    terms = str(document.get("payment_terms") or "")
    # A quote is not paid: its payment block gives the terms, not the bank account.
    iban = str(payment.get("iban") or "") if kind in PAYABLE_KINDS else ""
    due_date = as_date(document.get("due_date"))
    qr = None
    if kind in PAYABLE_KINDS and number and iban and amount_due > 0:
        qr = make_payment_qr(
            name=str(seller.get("name") or ""),
            iban=iban,
            amount=amount_due,
            reference=str(number),
            bic=str(payment["bic"]) if payment.get("bic") else None,
            currency=currency,
        )
    link = None
    if kind in PAYABLE_KINDS and number and amount_due > 0:
        template = payment.get("link_template")
        link = payment_link(str(template) if template else None, str(number), amount_due, currency)
    return {
        "pay_by": (
            labels.format_date(due_date, language)
            if due_date and kind in PAYABLE_KINDS and amount_due > 0
            else None
        ),
        "terms": labels.describe_payment_terms(terms, language) if _is_terms(terms) else None,
        "methods": ", ".join(methods) if methods else None,
        "account_holder": str(seller.get("name") or "") if iban else None,
        "iban": labels.format_iban(iban) or None,
        "bic": (str(payment.get("bic") or "") or None) if iban else None,
        "reference": str(number) if number and kind in PAYABLE_KINDS else None,
        # The PNG, not the SVG: WeasyPrint parses an SVG path of a QR code 5x slower.
        "qr_image": grey_png(qr.png_data_uri) if qr else None,
        "qr_payload": qr.payload if qr else None,
        "amount_due": labels.format_money(amount_due, currency, language),
        "link": link,
        "link_qr": grey_png(make_link_qr(link)) if link else None,
    }


def _is_terms(terms: str) -> bool:
    # A due date given directly is stored as its ISO date: the due date already says it.
    return bool(terms) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", terms)


def _quote_validity(
    document: Mapping[str, Any], kind: str, language: str, words: Mapping[str, str]
) -> str | None:
    valid_until = as_date(document.get("valid_until"))
    if kind != "quote" or valid_until is None:
        return None
    return words["quote_validity"].format(date=labels.format_date(valid_until, language))


def _mentions(
    document: Mapping[str, Any],
    kind: str,
    language: str,
    words: Mapping[str, str],
) -> list[str]:
    mentions: list[str] = []
    if kind == "quote":
        return mentions
    operation = str(document.get("operation") or "")
    if f"operation_{operation}" in words:
        mentions.append(words["operation"].format(nature=words[f"operation_{operation}"]))
    if document.get("vat_on_debits"):
        mentions.append(words["vat_on_debits"])
    payment: Mapping[str, Any] = document.get("payment") or {}
    if kind not in PAYABLE_KINDS:
        return mentions
    rate = payment.get("late_penalty_rate_percent")
    client: Mapping[str, Any] = document.get("client") or {}
    business = is_business(client)
    if rate not in (None, ""):
        # Code de commerce L441-10 (penalties without reminder, the indemnity) binds
        # businesses; a consumer is told the agreed rate only.
        wording = words["late_penalty" if business else "late_penalty_consumer"]
        mentions.append(wording.format(rate=labels.format_rate(as_decimal(rate), language)))
    indemnity = payment.get("recovery_indemnity")
    if indemnity not in (None, "") and business:
        amount = labels.format_money(as_decimal(indemnity), "EUR", language)
        mentions.append(words["recovery_indemnity"].format(amount=amount))
    discount = payment.get("early_payment_discount")
    if discount in (None, "", "none"):
        mentions.append(words["no_early_discount"])
    else:
        mentions.append(words["early_discount"].format(terms=str(discount).rstrip(".")))
    return mentions


def _exemption(document: Mapping[str, Any], language: str) -> str | None:
    exemption = document.get("vat_exemption")
    if isinstance(exemption, Mapping) and exemption.get("reason"):
        code = exemption.get("code")
        return labels.describe_exemption(str(code) if code else None, exemption["reason"], language)
    return None


def _thanks(document: Mapping[str, Any], words: Mapping[str, str]) -> str | None:
    thanks = str(document.get("thanks") or words["thanks"])
    notes = str(document.get("notes") or "")
    # A note that already thanks the client is not repeated under it.
    if _squash(thanks) in _squash(notes):
        return None
    return thanks


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()
