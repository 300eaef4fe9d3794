"""Building a document from a draft: defaults, VAT treatment, snapshots, totals, mentions.

The same function builds the document that `issue` seals and the preview a draft renders
to, so what the user previews is what gets issued.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from facturo.files.marked import YList, YMap
from facturo.files.reading import Report
from facturo.lifecycle.phrases import DRAFT_PLACEHOLDER, exemption_mention
from facturo.model.account import RECOVERY_INDEMNITY_EUR
from facturo.model.document import (
    DEFAULTS,
    currency_of,
    is_business,
    language_of,
    payment_terms_of,
    pick,
)
from facturo.model.exchange import ACCOUNTING_CURRENCY, ExchangeRate, vat_in_euros
from facturo.model.kinds import SERIES_OF_KIND, TYPE_CODES
from facturo.model.money import (
    ZERO,
    Discount,
    LineInput,
    compute_totals,
    parse_discount,
    round_money,
)
from facturo.model.terms import due_date_excess, parse_terms
from facturo.model.vat import TREATMENTS, expected_treatments, unknown_rate, vat_treatment


def _snapshot(source: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: _plain_copy(source[key]) for key in keys if source.get(key) not in (None, "")}


def _plain_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_copy(v) for v in value]
    return value


SELLER_KEYS = (
    "name", "trade_name", "legal_form", "address", "siren", "rcs", "share_capital",
    "vat_number", "vat_regime", "email", "electronic_address", "phone", "website", "iban",
    "bic",
)  # fmt: skip
CLIENT_KEYS = ("name", "kind", "address", "siren", "vat_number", "email", "electronic_address")


@dataclass
class Links:
    """What a draft refers to among issued documents, resolved by the caller."""

    credit_note_of: dict[str, Any] | None = None  # {number, issue_date} of the corrected invoice
    quote: dict[str, Any] | None = None  # {number, issue_date} of the quote it comes from
    deductions: list[dict[str, Any]] = field(default_factory=list)  # deposit invoices to deduct
    # {number, issue_date} of the deposit invoices the corrected invoice deducted, by number:
    # a credit note's lines naming one of them (`deposit:`) are deductions as on the invoice.
    deposits: dict[str, dict[str, Any]] = field(default_factory=dict)


def build_document(
    draft: YMap,
    config: dict[str, Any],
    client_id: str,
    client: dict[str, Any],
    issue_date: dt.date,
    report: Report,
    links: Links | None = None,
) -> dict[str, Any] | None:
    """The document `draft` becomes when issued on `issue_date` (without number or seal).

    Problems go to `report` with the draft's lines; None when there are errors.
    """
    links = links or Links()
    seller: dict[str, Any] = config.get("seller") or {}
    defaults: dict[str, Any] = config.get("defaults") or {}
    kind = draft.get("kind", "invoice")
    currency = currency_of(draft, client, defaults)
    language = language_of(draft, client, defaults)
    treatment = vat_treatment(draft, client, seller)
    business = is_business(client)
    errors_before = len([p for p in report.problems if p.is_error])

    operation = pick("operation", draft, defaults, default=DEFAULTS.operation)
    _check_treatment(draft, client, seller, treatment, report)
    _check_treatment_fits(draft, client, seller, treatment, operation, report)

    document: dict[str, Any] = {"number": None, "kind": kind}
    if draft.get("series") and draft["series"] != SERIES_OF_KIND.get(kind):
        document["series"] = draft["series"]  # a named series; its kind's needs no name
    if kind in TYPE_CODES:
        document["type_code"] = int(TYPE_CODES[kind])
    document["issue_date"] = issue_date
    if links.credit_note_of is not None:
        document["credit_note_of"] = links.credit_note_of
        document["reason"] = draft.get("reason", "")
    elif kind == "quote":
        days = draft.get("valid_days", DEFAULTS.quote_validity_days)
        document["valid_until"] = issue_date + dt.timedelta(days=days)
        document["payment_terms"] = _due_date(
            draft, client, defaults, issue_date, business, report
        )[0]
    else:
        terms_text, due = _due_date(draft, client, defaults, issue_date, business, report)
        if due is not None:
            document["due_date"] = due
        document["payment_terms"] = terms_text
    keys = ("service_date", "service_period", "order_reference", "subscription", "time_entries")
    for key in keys:
        if key in draft:
            document[key] = _plain_copy(draft[key])
    if links.quote is not None:
        document["quote"] = links.quote
    if "service_date" in draft and "service_period" in draft:
        report.error(draft.mark("service_period"), "give service_date or service_period, not both")
    period = draft.get("service_period")
    if isinstance(period, dict) and period["end"] < period["start"]:
        report.error(draft.mark("service_period"), "the service period ends before it starts")
    document["currency"] = currency
    rate = _exchange_rate(draft, kind, currency, issue_date, report)
    if rate is not None:
        document["exchange_rate"] = rate.written()
    document["language"] = language
    document["operation"] = operation
    document["vat_on_debits"] = bool(defaults.get("vat_on_debits", False))
    document["seller"] = _snapshot(seller, SELLER_KEYS)
    document["seller"].setdefault("vat_regime", DEFAULTS.vat_regime)
    document["client"] = {"id": client_id, **_snapshot(client, CLIENT_KEYS)}
    document["client"].setdefault("kind", DEFAULTS.client_kind)
    delivery = pick("delivery_address", draft, client)
    if delivery and delivery != client.get("address"):
        document["client"]["delivery_address"] = _plain_copy(delivery)

    drafted, drafted_inputs = _lines(draft, defaults, treatment, currency, report, links)
    # Lines deducting a deposit come after the others, without the document discount.
    lines = [line for line in drafted if "deposit" not in line]
    inputs = [i for line, i in zip(drafted, drafted_inputs, strict=True) if "deposit" not in line]
    deducting = [line for line in drafted if "deposit" in line] + links.deductions
    deductions = [deduction_input(line) for line in deducting]
    regular_count = len(lines)
    lines += deducting
    document["lines"] = lines
    discount: Discount | None = None
    if "discount" in draft:
        discount = parse_discount(draft["discount"])
        document["discount"] = discount.written()
    _, code = TREATMENTS.get(treatment, ("S", ""))
    if treatment != "standard":
        reason = draft.get("vat_exemption_reason") or exemption_mention(treatment, language)
        document["vat_exemption"] = {"code": code, "reason": reason} if code else {"reason": reason}

    if inputs:
        totals = compute_totals(inputs, currency, discount, deductions=deductions)
        regular_net = sum((amount.net for amount in totals.lines[:regular_count]), ZERO)
        for line, amounts in zip(lines, totals.lines, strict=True):
            if amounts.discount:
                line["discount_amount"] = amounts.discount
            line["net"] = amounts.net
        if discount is not None and discount.amount is not None and discount.amount > regular_net:
            report.error(
                draft.mark("discount"), "the discount is larger than the total of the lines"
            )
        if totals.gross == 0 and kind == "credit_note":
            # A credit note of 0.00 (a quantity of 1e-30) corrects nothing but takes a number.
            report.error(draft.mark("lines"), "the credit note's total is 0: it corrects nothing")
        elif totals.gross == 0:
            report.error(draft.mark("lines"), "the total is 0: fill in the lines' unit_price")
        if totals.net < 0:
            report.error(
                draft.mark("lines"),
                "the total is negative: an invoice cannot be; issue a credit note instead",
            )
        if kind != "credit_note":
            document["payment"] = _payment(seller, defaults, business)
            link = (config.get("payment") or {}).get("link_template")
            if link:
                document["payment"]["link_template"] = link
        if "notes" in draft:
            document["notes"] = draft["notes"]
        if defaults.get("thanks"):
            document["thanks"] = defaults["thanks"]
        document["totals"] = {
            "lines_net": totals.lines_net,
            "discount": totals.discount,
            "net": totals.net,
            "vat": [
                {
                    "category": group.category,
                    "rate": group.rate,
                    "base": group.base,
                    "amount": group.amount,
                }
                for group in totals.vat_breakdown
            ],
            "vat_total": totals.vat_total,
            "gross": totals.gross,
            "prepaid": totals.prepaid,
            "due": totals.due,
        }
        if rate is not None:
            euros = vat_in_euros(document["totals"]["vat"], rate)
            document["totals"]["vat_total_eur"] = euros.total
    if len([p for p in report.problems if p.is_error]) > errors_before:
        return None
    return document


def deduction_input(line: dict[str, Any]) -> LineInput:
    """A deposit deduction line as an input of `compute_totals(deductions=...)`."""
    return LineInput(line["quantity"], line["unit_price"], line["vat_category"], line["vat_rate"])


def _exchange_rate(
    draft: YMap, kind: str, currency: str, issue_date: dt.date, report: Report
) -> ExchangeRate | None:
    """The stated rate of a non-EUR draft; EN 16931 BT-111 and art. 230 need the VAT in euros."""
    section = draft.get("exchange_rate")
    if not isinstance(section, YMap):
        return None  # a missing rate is a missing e-invoice field (checks.einvoice)
    if currency == ACCOUNTING_CURRENCY:
        report.error(draft.mark("exchange_rate"), "exchange_rate is for documents not in EUR")
        return None
    rate = ExchangeRate.of(section)
    if rate is None:
        return None  # rate or date missing: reported by the schema
    if rate.date > issue_date:
        report.error(
            section.mark("date"),
            f"the exchange rate of {rate.date} is after the issue date {issue_date}",
        )
        return None
    return rate


def _check_treatment(
    draft: YMap, client: dict[str, Any], seller: dict[str, Any], treatment: str, report: Report
) -> None:
    mark = draft.mark("vat") if "vat" in draft else draft.mark("client")
    regime = seller.get("vat_regime", DEFAULTS.vat_regime)
    if regime == "franchise" and treatment == "standard":
        report.error(mark, "a seller under VAT franchise (art. 293 B du CGI) cannot charge VAT")
    if treatment == "franchise" and regime != "franchise":
        report.error(mark, "vat: franchise needs seller.vat_regime: franchise in facturo.yaml")
    if treatment == "reverse-charge":
        if not client.get("vat_number"):
            report.error(mark, "reverse charge needs the client's vat_number (in its client file)")
        if not seller.get("vat_number"):
            report.error(mark, "reverse charge needs your vat_number in facturo.yaml")
        if client.get("kind") == "individual":
            report.error(mark, "reverse charge applies between businesses, not to an individual")
    if treatment == "intra-eu-goods" and not client.get("vat_number"):
        report.error(mark, "an intra-EU supply of goods needs the client's vat_number")
    if treatment == "exempt" and not draft.get("vat_exemption_reason"):
        report.error(mark, "vat: exempt needs vat_exemption_reason (the legal reference)")


def _check_treatment_fits(
    draft: YMap,
    client: dict[str, Any],
    seller: dict[str, Any],
    treatment: str,
    operation: str,
    report: Report,
) -> None:
    """An error when the treatment contradicts who sells what to whom (franchise aside:
    `_check_treatment` names that case)."""
    if draft.get("kind") == "credit_note":
        return  # a credit note follows the invoice it corrects, even a wrong one
    allowed = expected_treatments(seller, client, operation)
    if treatment in allowed or "franchise" in (treatment, *allowed):
        return
    mark = draft.mark("vat") if "vat" in draft else draft.mark("client")
    address = client.get("address") or {}
    country = str(address.get("country") or "FR")
    who = "an individual" if client.get("kind") == "individual" else "a business"
    if client.get("vat_number"):
        who += " with a VAT number"
    written = f"vat: {treatment}" if "vat" in draft or client.get("vat") else "standard VAT"
    report.error(
        mark,
        f"{written} does not fit {operation} sold to {who} in {country}: "
        f"use vat: {allowed[0]} (or {', '.join(allowed[1:])})",
    )


def _due_date(
    draft: YMap,
    client: dict[str, Any],
    defaults: dict[str, Any],
    issue_date: dt.date,
    business: bool,
    report: Report,
) -> tuple[str, dt.date | None]:
    if "due_date" in draft:
        if "payment_terms" in draft:
            report.error(draft.mark("due_date"), "give payment_terms or due_date, not both")
        due: dt.date = draft["due_date"]
        if due < issue_date:
            report.error(
                draft.mark("due_date"), f"the due date {due} is before the issue date {issue_date}"
            )
        elif business and (excess := due_date_excess(issue_date, due)):
            report.warning(draft.mark("due_date"), excess)
        return due.isoformat(), due
    text = payment_terms_of(draft, client, defaults)
    terms = parse_terms(text)  # validated by the schema
    if business and (excess := terms.legal_excess()):
        mark = draft.mark("payment_terms") if "payment_terms" in draft else draft.mark("client")
        report.warning(mark, excess)
    return text, terms.due_date(issue_date)


def _lines(
    draft: YMap,
    defaults: dict[str, Any],
    treatment: str,
    currency: str,
    report: Report,
    links: Links,
) -> tuple[list[dict[str, Any]], list[LineInput]]:
    raw_lines: YList = draft.get("lines") or YList()
    lines: list[dict[str, Any]] = []
    inputs: list[LineInput] = []
    category = TREATMENTS.get(treatment, ("S", ""))[0]
    for index, line in enumerate(raw_lines):
        if not isinstance(line, YMap):
            continue  # already reported by the schema
        mark = raw_lines.mark(index)
        quantity = line.get("quantity", Decimal(1))
        unit_price: Decimal | None = line.get("unit_price")
        if unit_price is None:
            continue
        if treatment == "standard":
            rate = line.get("vat_rate", defaults.get("vat_rate"))
            if rate is None:
                report.error(
                    mark, "missing vat_rate (on the line, or defaults.vat_rate in facturo.yaml)"
                )
                continue
            line_category = "S" if rate > 0 else "Z"
            if "vat_rate" in line and (why := unknown_rate(rate)) is not None:
                report.warning(line.mark("vat_rate"), why)  # facturo.yaml's: check_config
        else:
            rate = ZERO
            line_category = category
            if line.get("vat_rate"):
                report.error(line.mark("vat_rate"), f"no VAT rate on a line under vat: {treatment}")
        discount = parse_discount(line["discount"]) if "discount" in line else None
        gross = round_money(quantity * unit_price, currency)
        if discount and discount.amount is not None and discount.amount > abs(gross):
            report.error(line.mark("discount"), "the discount is larger than the line amount")
        if " ".join(str(line["description"]).split()).casefold() == DRAFT_PLACEHOLDER.casefold():
            report.error(
                line.mark("description"),
                "the description is still the draft's placeholder: describe the work done",
            )
        entry: dict[str, Any] = {"description": line["description"]}
        entry["quantity"] = quantity
        if "unit" in line:
            entry["unit"] = line["unit"]
        entry["unit_price"] = unit_price
        entry["vat_category"] = line_category
        entry["vat_rate"] = rate
        if discount is not None:
            entry["discount"] = discount.written()
        if "service_period" in line:
            entry["service_period"] = _plain_copy(line["service_period"])
        if "deposit" in line:
            deposit = links.deposits.get(str(line["deposit"]))
            if deposit is None:
                report.error(
                    line.mark("deposit"),
                    f"{line['deposit']} is not a deposit invoice that the invoice this credit "
                    "note corrects deducted (deposit: is for such credit note lines only)",
                )
            elif discount is not None:
                report.error(line.mark("discount"), "a line deducting a deposit has no discount")
            else:
                entry["deposit"] = dict(deposit)
        lines.append(entry)
        inputs.append(LineInput(quantity, unit_price, line_category, rate, discount))
    return lines, inputs


def _payment(seller: dict[str, Any], defaults: dict[str, Any], business: bool) -> dict[str, Any]:
    payment: dict[str, Any] = {"methods": list(defaults.get("payment_methods") or ["transfer"])}
    for key in ("iban", "bic"):
        if seller.get(key):
            payment[key] = seller[key]
    # Required by facturo.yaml's rules (rules.check_config): every invoice states it.
    payment["late_penalty_rate_percent"] = defaults.get("late_penalty_rate_percent")
    if business:
        payment["recovery_indemnity"] = RECOVERY_INDEMNITY_EUR
    payment["early_payment_discount"] = defaults.get("early_payment_discount", "none")
    return payment
