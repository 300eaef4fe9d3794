"""The totals of a sale document: subtotal, discount, deposits deducted, VAT, what is due."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from facturo.model.vat import treatment_of
from facturo.output import words as labels
from facturo.output.values import as_date, as_decimal

PAYABLE_KINDS = ("invoice", "deposit")
STANDARD_CATEGORIES = ("S", "Z")


def deposit_of(line: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The deposit invoice a line deducts ({number, issue_date}), or None for a line of sale."""
    deposit = line.get("deposit")
    return deposit if isinstance(deposit, Mapping) and deposit.get("number") else None


def deposits_deducted(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The deposit invoices a final invoice (or its credit note) deducts, in line order, one
    each: {number, issue_date, amount}, the amount excluding VAT summed over its lines (<0)."""
    found: dict[str, dict[str, Any]] = {}
    for line in document.get("lines") or []:
        deposit = deposit_of(line)
        if deposit is not None:
            number = str(deposit["number"])
            row = found.setdefault(
                number,
                {
                    "number": number,
                    "issue_date": as_date(deposit.get("issue_date")),
                    "amount": Decimal(0),
                },
            )
            row["amount"] += _line_net(line)
    return list(found.values())


def _line_net(line: Mapping[str, Any]) -> Decimal:
    net = line.get("net")
    if net is not None:
        return as_decimal(net)
    return as_decimal(line.get("quantity", 1)) * as_decimal(line.get("unit_price", 0))


def summary_rows(
    document: Mapping[str, Any], currency: str, language: str, words: Mapping[str, str]
) -> list[dict[str, str]]:
    """The rows above the total excluding VAT: the lines' subtotal, the document discount, and
    the deposit invoices a final invoice deducts (one row each, with number and date). Every
    amount is read from the sealed lines and totals, so they add up to the sealed net."""
    totals: Mapping[str, Any] = document.get("totals") or {}
    no_vat = treatment_of(document) == "franchise"

    def money(value: Decimal) -> str:
        return labels.format_money(value, currency, language)

    deposits = deposits_deducted(document)
    deducted = {deposit["number"]: deposit["amount"] for deposit in deposits}
    dates = {deposit["number"]: deposit["issue_date"] for deposit in deposits}
    discount = as_decimal(totals.get("discount", 0))
    regular = as_decimal(totals.get("lines_net", 0)) - sum(deducted.values(), Decimal(0))
    rows: list[dict[str, str]] = []
    if discount:
        rows.append(
            {"label": words["lines_total" if no_vat else "lines_net"], "amount": money(regular)}
        )
        rows.append(
            {
                "label": _discount_label(document.get("discount"), language, words),
                "amount": labels.format_deduction(discount, currency, language),
            }
        )
    if not deducted:
        return rows
    suffix = "_no_vat" if no_vat else ""
    before = {"label": words[f"before_deposits{suffix}"], "amount": money(regular - discount)}
    rows.append({**before, "style": "strong"})
    rows.append({"label": words[f"deposits_deducted{suffix}"], "amount": "", "style": "section"})
    for number, amount in deducted.items():
        issued = dates[number]
        label = words["deposit_invoice"].format(
            number=number,
            date=labels.format_short_date(issued, language) if issued else "?",
        )
        taken = labels.format_deduction(amount, currency, language)
        rows.append({"label": label, "amount": taken, "style": "deduction"})
    return rows


def _discount_label(written: Any, language: str, words: Mapping[str, str]) -> str:
    """ "Remise 5 %" for a discount given as a rate, "Remise" for an amount."""
    if isinstance(written, str) and written.strip().endswith("%"):
        rate = labels.format_rate(Decimal(written.strip().rstrip("%")), language)
        return words["line_discount"].format(discount=rate)
    return words["discount"]


def totals_rows(
    kind: str,
    totals: Mapping[str, Any],
    summary: list[dict[str, str]],
    already_paid: Decimal,
    amount_due: Decimal,
    currency: str,
    language: str,
    words: Mapping[str, str],
    *,
    no_vat: bool = False,
) -> list[dict[str, str]]:
    def money(value: Any) -> str:
        return labels.format_money(as_decimal(value), currency, language)

    rows = list(summary)
    if no_vat:  # VAT franchise: no VAT to speak of, not even "TVA 0,00 €" or "TTC"
        gross = money(totals.get("gross", 0))
        if kind == "credit_note":
            return [
                *rows,
                {"label": words["credit_total_no_vat"], "amount": gross, "style": "grand"},
            ]
        rows.append({"label": words["total"], "amount": gross, "style": "gross"})
        return _amount_due(rows, kind, already_paid, amount_due, money, words)
    rows.append({"label": words["net"], "amount": money(totals.get("net", 0)), "style": "strong"})
    standard = [
        group
        for group in totals.get("vat") or []
        if str(group.get("category", "S")) in STANDARD_CATEGORIES
    ]
    # One VAT rate fits in the totals; several are detailed in the breakdown beside them.
    if len(standard) == 1:
        rate = labels.format_rate(as_decimal(standard[0].get("rate", 0)), language)
        label = words["vat_at"].format(rate=rate)
    else:
        label = words["vat_total"] if standard else words["vat_none"]
    rows.append({"label": label, "amount": money(totals.get("vat_total", 0))})
    if kind == "credit_note":
        rows.append({"label": words["credit_total"], "amount": money(totals.get("gross", 0))})
        rows[-1]["style"] = "grand"
        return rows
    rows.append(
        {"label": words["gross"], "amount": money(totals.get("gross", 0)), "style": "gross"}
    )
    return _amount_due(rows, kind, already_paid, amount_due, money, words)


def _amount_due(
    rows: list[dict[str, str]],
    kind: str,
    already_paid: Decimal,
    amount_due: Decimal,
    money: Callable[[Any], str],
    words: Mapping[str, str],
) -> list[dict[str, str]]:
    if kind not in PAYABLE_KINDS:
        rows[-1]["style"] = "grand"
        return rows
    if already_paid:
        # A true minus sign, as every amount taken off (labels.format_deduction).
        paid = money(-abs(already_paid)).replace("-", "\u2212", 1)
        rows.append({"label": words["already_paid"], "amount": paid})
    rows.append({"label": words["amount_due"], "amount": money(amount_due), "style": "grand"})
    return rows
