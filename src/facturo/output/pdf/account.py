"""The context of documents about a client's account rather than a sale: receipts and statements."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from facturo.model.account import AGING_BUCKETS
from facturo.output import words as labels
from facturo.output.pdf.parts import (
    country_of,
    describe_client,
    describe_seller,
    document_language,
    footer_lines,
    format_period,
    pdf_metadata,
    strong,
)
from facturo.output.values import as_date, as_decimal, entries_of


def build_receipt_context(
    document: Mapping[str, Any],
    *,
    draft: bool = False,
    logo_url: str | None = None,
    accent_color: str | None = None,
) -> dict[str, Any]:
    """Turn a receipt (a payment received on an invoice) into the variables receipt.html prints.

    Besides the layout variables every document has, `receipt` holds the amount, date,
    method and reference of the payment, the invoice it pays, the acknowledgement sentence
    and whether the invoice is now paid in full; `totals` shows how the balance was reached.
    """
    language = document_language(document)
    words = labels.labels_for(language)
    currency = str(document.get("currency") or "EUR")
    seller: Mapping[str, Any] = document.get("seller") or {}
    client: Mapping[str, Any] = document.get("client") or {}
    invoice: Mapping[str, Any] = document["invoice"]
    payment: Mapping[str, Any] = document["payment"]
    number = None if draft else document.get("number")
    title = words["title_receipt"]
    paid_on = as_date(payment.get("date")) or as_date(document.get("issue_date"))
    if paid_on is None:
        raise ValueError("a receipt needs the date of the payment")
    issue_date = as_date(document.get("issue_date")) or paid_on
    invoice_kind = "deposit" if invoice.get("kind") == "deposit" else "invoice"
    invoice_number = str(invoice["number"])
    invoice_date = as_date(invoice.get("issue_date"))
    due_date = as_date(invoice.get("due_date"))
    amount = as_decimal(payment["amount"])
    paid_total = as_decimal(document.get("paid_total", amount))
    credited = as_decimal(document.get("credited", 0))
    balance = as_decimal(document["balance"])
    previously_paid = paid_total - amount
    method = str(payment.get("method") or "other")
    reference = str(payment.get("reference") or "") or None

    def money(value: Decimal) -> str:
        return labels.format_money(value, currency, language)

    def day(value: datetime.date | None) -> str:
        return labels.format_date(value, language) if value else "?"

    invoice_label = words[f"title_{invoice_kind}"]
    facts = []
    if issue_date != paid_on:
        facts.append((words["receipt_date"], day(issue_date)))
    facts.append((words["payment_date"], day(paid_on)))
    facts.append(
        (words["payment_method"], _capitalized(labels.describe_payment_method(method, language)))
    )
    if reference:
        facts.append((words["payment_received_reference"], reference))
    facts.append((invoice_label, invoice_number))
    if invoice_date:
        facts.append((words[f"receipt_date_{invoice_kind}"], day(invoice_date)))

    totals = [
        {
            "label": words[f"receipt_total_{invoice_kind}"],
            "amount": money(as_decimal(invoice.get("gross", 0))),
            "style": "strong",
        }
    ]
    if credited:
        totals.append({"label": words["credited"], "amount": money(-credited)})
    if previously_paid:
        totals.append({"label": words["previously_paid"], "amount": money(-previously_paid)})
    totals.append({"label": words["this_payment"], "amount": money(-amount), "style": "gross"})
    if balance < 0:
        totals.append({"label": words["overpaid"], "amount": money(-balance), "style": "grand"})
    else:
        totals.append({"label": words["balance_due"], "amount": money(balance), "style": "grand"})

    paid_in_full = balance <= 0
    if not paid_in_full:
        settles = words["settles_part"]
    elif previously_paid > 0:
        settles = words["settles_balance"]
    else:
        settles = words["settles_full"]
    # The sentence is HTML with the amount and the invoice number in bold; every piece of data
    # in it is escaped here, as autoescaping would have done. Names stay in the running text:
    # WeasyPrint 70 misplaces line breaks after a bold run that wraps across two lines.
    acknowledgement = Markup(escape(words["receipt_acknowledgement"])).format(
        seller=str(seller.get("name") or ""),
        from_client=labels.describe_from(str(client.get("name") or ""), language),
        amount=strong(money(amount)),
        date=day(paid_on),
        method=labels.describe_payment_by(method, language),
        reference=(
            words["payment_reference_short"].format(reference=reference) if reference else ""
        ),
        settles=settles,
        document=words[f"document_{invoice_kind}"],
        number=strong(invoice_number),
        invoice_date=day(invoice_date),
    )
    if paid_in_full:
        remaining = None
    elif due_date:
        remaining = words["remaining_by"].format(amount=money(balance), date=day(due_date))
    else:
        remaining = words["remaining"].format(amount=money(balance))
    signed = place_and_date(seller, day(issue_date), words["signed_at"], words["signed_on"])
    return {
        **account_head(
            document,
            "receipt",
            title=title,
            number=number,
            currency=currency,
            meta=pdf_metadata(title, number, seller, client, issue_date, words),
            draft=draft,
            logo_url=logo_url,
            accent_color=accent_color,
        ),
        "facts": facts,
        "receipt": {
            "amount": money(amount),
            "date": day(paid_on),
            "method": labels.describe_payment_method(method, language),
            "reference": reference,
            "invoice": {
                "kind": invoice_kind,
                "title": invoice_label,
                "number": invoice_number,
                "issue_date": day(invoice_date),
                "due_date": day(due_date) if due_date else None,
                "gross": money(as_decimal(invoice.get("gross", 0))),
            },
            "acknowledgement": acknowledgement,
            "paid_in_full": paid_in_full,
            "remaining": remaining,
            "signed": signed,
            "signatory": str(seller.get("name") or ""),
        },
        "totals": totals,
        "mentions": [words["receipt_notice"]],
        "thanks": words["receipt_thanks"],
        "footer": footer_lines(seller, words),
    }


def build_statement_context(
    document: Mapping[str, Any],
    *,
    draft: bool = False,
    logo_url: str | None = None,
    accent_color: str | None = None,
) -> dict[str, Any]:
    """Turn an account statement into the variables statement.html prints.

    Besides the layout variables every document has, `statement` holds the period, the
    opening row, the rows with their running balance, the period totals, the closing row,
    the open invoices and the aged balance, all formatted.
    """
    language = document_language(document)
    words = labels.labels_for(language)
    currency = str(document.get("currency") or "EUR")
    seller: Mapping[str, Any] = document.get("seller") or {}
    client: Mapping[str, Any] = document.get("client") or {}
    title = words["title_statement"]
    period: Mapping[str, Any] = document.get("period") or {}
    end = as_date(period.get("end")) or as_date(document["issue_date"])
    if end is None:
        raise ValueError("a statement needs the end of its period")
    start = as_date(period.get("start"))
    issue_date = as_date(document.get("issue_date")) or end
    opening = as_decimal(document.get("opening_balance", 0))
    closing = as_decimal(document["closing_balance"])

    def money(value: Decimal) -> str:
        return labels.format_money(value, currency, language)

    # Dates as the client reads them in their country (a US client: 12/2/26, December 2, 2026).
    country = country_of(client)

    def short(value: datetime.date | None) -> str:
        return labels.format_short_date(value, language, country) if value else ""

    def optional_money(value: Any) -> str:
        return money(as_decimal(value)) if value is not None else ""

    entries = list(entries_of(document.get("rows")))
    rows = [
        {
            "date": short(as_date(row.get("date"))),
            "kind": str(row.get("kind") or ""),
            "number": str(row.get("number") or ""),
            "description": labels.describe_statement_row(row, language),
            "debit": optional_money(row.get("debit")),
            "credit": optional_money(row.get("credit")),
            "balance": money(as_decimal(row.get("balance", 0))),
        }
        for row in entries
    ]
    debit_total = sum((as_decimal(row.get("debit")) for row in entries), Decimal(0))
    credit_total = sum((as_decimal(row.get("credit")) for row in entries), Decimal(0))
    period_text = _capitalized(
        format_period({"start": start, "end": end}, language, words["period_range"], country)
        if start
        else words["period_until"].format(end=labels.format_date(end, language, country))
    )
    as_at = words["statement_as_at"].format(date=labels.format_date(end, language, country))
    balance_label = words["closing_balance_credit" if closing < 0 else "closing_balance_due"]
    facts = [
        (words["statement_date"], labels.format_date(issue_date, language, country)),
        (words["period"], period_text),
        (balance_label, money(-closing if closing < 0 else closing)),
    ]
    open_invoices = [
        {
            "number": str(item["number"]),
            "issue_date": short(as_date(item.get("issue_date"))),
            "due_date": short(as_date(item.get("due_date"))),
            "gross": money(as_decimal(item.get("gross", 0))),
            "balance": money(as_decimal(item.get("balance", 0))),
            "days_late": (
                labels.describe_days(int(item["days_late"]), language)
                if int(item.get("days_late") or 0) > 0
                else ""
            ),
        }
        for item in entries_of(document.get("open_invoices"))
    ]
    amounts = {
        str(item["bucket"]): as_decimal(item.get("amount"))
        for item in entries_of(document.get("aging"))
    }
    unknown = sorted(set(amounts) - set(AGING_BUCKETS))
    if unknown:
        raise ValueError(f"unknown aging bucket {unknown[0]!r}: expected one of {AGING_BUCKETS}")
    aging = [
        {
            "bucket": bucket,
            "label": words[f"aging_{bucket}"],
            "amount": money(amounts.get(bucket, Decimal(0))),
        }
        for bucket in AGING_BUCKETS
    ]
    mentions = []
    if closing > 0:
        mentions.append(words["statement_paid_meanwhile"])
    elif closing < 0:
        mentions.append(words["statement_credit"].format(amount=money(-closing)))
    mentions.append(words["statement_notice"])
    client_name = str(client.get("name") or "")
    heading = " — ".join(
        part for part in (title, client_name, labels.format_date(end, language, country)) if part
    )
    meta = {
        "title": heading,
        "author": seller.get("name") or "",
        "description": f"{heading} ({period_text})",
        "created": f"{issue_date.isoformat()}T00:00:00Z",
    }
    return {
        **account_head(
            document,
            "statement",
            title=title,
            number=None,
            currency=currency,
            meta=meta,
            draft=draft,
            logo_url=logo_url,
            accent_color=accent_color,
        ),
        "facts": facts,
        "statement": {
            "as_at": as_at,
            "period": period_text,
            "opening": (
                {
                    "date": short(start),
                    "description": words["opening_balance"],
                    "balance": money(opening),
                }
                if start or opening
                else None
            ),
            "rows": rows,
            "period_totals": (
                {"debit": money(debit_total), "credit": money(credit_total)} if rows else None
            ),
            "closing": {
                "date": short(end),
                "description": words["closing_balance"].format(
                    date=labels.format_date(end, language, country)
                ),
                "balance": money(closing),
                "in_credit": closing < 0,
            },
            "open_invoices": open_invoices,
            "aging": aging,
            "aging_total": money(sum(amounts.values(), Decimal(0))),
        },
        "payment": _statement_payment(seller, closing, money(closing)),
        "mentions": mentions,
        "footer": footer_lines(seller, words),
    }


def account_head(
    document: Mapping[str, Any],
    kind: str,
    *,
    title: str,
    number: str | None,
    currency: str,
    meta: Mapping[str, Any],
    draft: bool,
    logo_url: str | None,
    accent_color: str | None,
) -> dict[str, Any]:
    """What receipts, statements and letters share: parties, words, branding, metadata."""
    language = document_language(document)
    seller: Mapping[str, Any] = document.get("seller") or {}
    client: Mapping[str, Any] = document.get("client") or {}
    shown_country = country_of(seller) != country_of(client)
    return {
        **_account_defaults(),
        "document": document,
        "kind": kind,
        "language": language,
        "currency": currency,
        "label": labels.labels_for(language),
        "title": title,
        "number": number,
        "logo_url": logo_url,
        "accent_color": accent_color,
        "seller": describe_seller(seller, language, show_country=shown_country),
        "client": _account_client(client, language, show_country=shown_country),
        "draft": draft,
        "meta": meta,
    }


def place_and_date(seller: Mapping[str, Any], date: str, at: str, on: str) -> str:
    """`at` with the seller's city and `date` ("Lyon, le 2 mars 2026"), or `on` without a city."""
    address = seller.get("address")
    city = address.get("city") if isinstance(address, Mapping) else None
    return at.format(city=city, date=date) if city else on.format(date=date)


def _account_defaults() -> dict[str, Any]:
    """The invoice variables of base.html, empty: a receipt or statement template may extend it."""
    return {
        "corrected_invoice": None,
        "credit_reason": None,
        "lines": [],
        "show_unit": False,
        "show_vat": False,
        "vat_breakdown": [],
        "totals": [],
        "payment": None,
        "quote_validity": None,
        "exemption": None,
        "mentions": [],
        "notes": None,
        "thanks": None,
    }


def _account_client(
    client: Mapping[str, Any], language: str, *, show_country: bool
) -> dict[str, Any]:
    # A receipt or a statement is about the client's account: where goods went is not.
    return describe_client(client, language, show_country=show_country) | {"delivery_address": None}


def _statement_payment(
    seller: Mapping[str, Any], closing: Decimal, amount_due: str
) -> dict[str, Any] | None:
    # A statement that asks for money says where to send it; it names no single invoice, so
    # it has no payment reference nor QR code.
    iban = str(seller.get("iban") or "")
    if closing <= 0 or not iban:
        return None
    return {
        "pay_by": None,
        "terms": None,
        "methods": None,
        "account_holder": str(seller.get("name") or ""),
        "iban": labels.format_iban(iban),
        "bic": str(seller.get("bic") or "") or None,
        "reference": None,
        "qr_image": None,
        "qr_payload": None,
        "amount_due": amount_due,
    }


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
