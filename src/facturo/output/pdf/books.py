"""The context of the receipts book (livre des recettes): receipts by month, with totals."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from facturo.output import words as labels
from facturo.output.pdf.account import account_head
from facturo.output.pdf.parts import document_language, footer_lines, pdf_metadata
from facturo.output.values import as_date, as_decimal, entries_of


def build_receipts_book_context(
    document: Mapping[str, Any],
    *,
    draft: bool = False,
    logo_url: str | None = None,
    accent_color: str | None = None,
) -> dict[str, Any]:
    """Turn a receipts book (reports/receipts_book.py) into the variables receipts_book.html
    prints: `book` holds the months, each with its rows and its totals per currency, and
    the year's totals; amounts and dates are formatted in the seller's language."""
    language = document_language(document)
    words = labels.labels_for(language)
    seller: Mapping[str, Any] = document.get("seller") or {}
    year = int(document["year"])
    printed = as_date(document.get("issue_date"))
    title = words["title_receipts_book"]

    def money(value: Any, currency: str) -> str:
        return labels.format_money(as_decimal(value), currency, language)

    def totals(found: Any) -> list[dict[str, str]]:
        if not isinstance(found, Mapping):
            return []
        return [{"currency": str(c), "amount": money(a, str(c))} for c, a in found.items()]

    months = []
    for month in entries_of(document.get("months")):
        first = as_date(month.get("month"))
        if first is None:
            continue
        name = _capitalized(labels.format_month(first, language))
        months.append({
            "name": name,
            "rows": [_row(row, words, language, money) for row in entries_of(month.get("rows"))],
            "total_label": words["receipts_book_month_total"].format(month=name),
            "totals": totals(month.get("totals")),
        })  # fmt: skip
    year_totals = totals(document.get("totals"))
    period = words["period_range"].format(
        start=labels.format_date(datetime.date(year, 1, 1), language),
        end=labels.format_date(datetime.date(year, 12, 31), language),
    )
    facts = [(words["period"], _capitalized(period))]
    if printed:
        facts.append((words["receipts_book_printed"], labels.format_date(printed, language)))
    facts.append((words["receipts_book_count"], str(int(document.get("count") or 0))))
    if year_totals:
        facts.append((words["total"], " · ".join(item["amount"] for item in year_totals)))
    mentions = [words["receipts_book_notice"]]
    if len(year_totals) > 1:
        mentions.append(words["receipts_book_currencies"])
    return {
        **account_head(
            document,
            "receipts_book",
            title=title,
            number=None,
            currency=str(year_totals[0]["currency"]) if year_totals else "EUR",
            meta=pdf_metadata(title, year, seller, {}, printed, words),
            draft=draft,
            logo_url=logo_url,
            accent_color=accent_color,
        ),
        "facts": facts,
        "book": {
            "year": words["receipts_book_year"].format(year=year),
            "months": months,
            "total_label": words["receipts_book_year_total"].format(year=year),
            "totals": year_totals,
            "empty": words["receipts_book_empty"].format(year=year),
        },
        "mentions": mentions,
        "footer": footer_lines(seller, words),
    }


def _row(
    row: Mapping[str, Any], words: Mapping[str, str], language: str, money: Any
) -> dict[str, str]:
    day = as_date(row.get("date"))
    nature = str(row.get("nature") or "")
    method = labels.describe_payment_method(str(row.get("method") or "other"), language)
    reference = str(row.get("reference") or "")
    return {
        "date": labels.format_short_date(day, language) if day else "",
        "client": str(row.get("client_name") or row.get("client") or ""),
        "nature": words.get(f"receipts_book_{nature}", nature),
        "invoice": str(row.get("number") or ""),
        "method": _capitalized(method),
        "reference": reference,
        "amount": money(row.get("amount", Decimal(0)), str(row.get("currency") or "EUR")),
    }


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
