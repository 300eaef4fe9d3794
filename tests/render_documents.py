"""Issued documents shaped as in docs/FORMAT.md, for the rendering tests."""

from __future__ import annotations

import copy
import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

D = Decimal
CENT = Decimal("0.01")

SELLER: dict[str, Any] = {
    "name": "Camille Martin",
    "trade_name": "Studio Martin",
    "legal_form": "EI",
    "address": {
        "street": "12 rue des Lilas",
        "postcode": "75011",
        "city": "Paris",
        "country": "FR",
    },
    "siren": "812345678",
    "rcs": "RCS Paris 812 345 678",
    "vat_number": "FR40812345678",
    "vat_regime": "standard",
    "email": "camille@example.fr",
    "phone": "+33 6 12 34 56 78",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "bic": "BNPAFRPPXXX",
}

CLIENT: dict[str, Any] = {
    "id": "dupont",
    "name": "Atelier Dupont SARL",
    "kind": "business",
    "address": {
        "street": "4 avenue Jean Jaurès",
        "postcode": "69007",
        "city": "Lyon",
        "country": "FR",
    },
    "delivery_address": {
        "street": "Entrepôt 3, 18 rue de Gerland",
        "postcode": "69007",
        "city": "Lyon",
        "country": "FR",
    },
    "siren": "552100554",
    "vat_number": "FR55552100554",
    "email": "compta@dupont.fr",
}

PAYMENT: dict[str, Any] = {
    "methods": ["transfer", "cheque"],
    "iban": SELLER["iban"],
    "bic": SELLER["bic"],
    "late_penalty_rate_percent": D("12.15"),
    "recovery_indemnity": D("40.00"),
    "early_payment_discount": "none",
}


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _finish(document: dict[str, Any]) -> dict[str, Any]:
    """Compute line nets and totals the EN 16931 way (VAT per rate on the sum of nets)."""
    groups: dict[tuple[str, Decimal], Decimal] = {}
    for line in document["lines"]:
        gross = _money(Decimal(line["quantity"]) * line["unit_price"])
        discount = line.get("discount")
        if isinstance(discount, str):
            line["discount_amount"] = _money(gross * Decimal(discount.rstrip("%")) / 100)
        line["net"] = gross - line.get("discount_amount", D(0))
        key = (line["vat_category"], Decimal(line["vat_rate"]))
        groups[key] = groups.get(key, D(0)) + line["net"]
    vat = [
        {"category": category, "rate": rate, "base": base, "amount": _money(base * rate / 100)}
        for (category, rate), base in sorted(groups.items(), key=lambda item: -item[0][1])
    ]
    lines_net = sum((line["net"] for line in document["lines"]), D(0))
    vat_total = sum((group["amount"] for group in vat), D(0))
    gross = lines_net + vat_total
    prepaid = document.pop("_prepaid", D("0.00"))
    document["totals"] = {
        "lines_net": lines_net,
        "discount": D("0.00"),
        "net": lines_net,
        "vat": vat,
        "vat_total": vat_total,
        "gross": gross,
        "prepaid": prepaid,
        "due": gross - prepaid,
    }
    return document


def _line(
    description: str,
    quantity: Decimal | int,
    unit_price: str,
    rate: str | int = 20,
    *,
    unit: str | None = "day",
    category: str = "S",
    **extra: Any,
) -> dict[str, Any]:
    line: dict[str, Any] = {"description": description, "quantity": quantity}
    if unit:
        line["unit"] = unit
    line["unit_price"] = D(unit_price)
    line["vat_category"] = category
    line["vat_rate"] = D(str(rate))
    line.update(extra)
    return line


def standard_invoice(**changes: Any) -> dict[str, Any]:
    """A French B2B invoice with three VAT rates, a line discount and a delivery address."""
    document: dict[str, Any] = {
        "number": "F-2026-0001",
        "kind": "invoice",
        "type_code": 380,
        "issue_date": datetime.date(2026, 3, 2),
        "due_date": datetime.date(2026, 4, 1),
        "payment_terms": "30 days",
        "service_date": datetime.date(2026, 2, 27),
        "order_reference": "PO-2026-118",
        "currency": "EUR",
        "language": "fr",
        "operation": "mixed",
        "vat_on_debits": True,
        "seller": copy.deepcopy(SELLER),
        "client": copy.deepcopy(CLIENT),
        "lines": [
            _line("Développement de l'application", 3, "450.00", 20, discount="10%"),
            _line("Restauration de l'atelier", 2, "120.00", "10", unit="hour"),
            _line("Livres techniques", 4, "25.50", "5.5", unit=None),
        ],
        "payment": copy.deepcopy(PAYMENT),
        "notes": "Livraison en deux fois.",
        "tracking": {"payments": []},
    }
    document.update(changes)
    return _finish(document)


def franchise_invoice(**changes: Any) -> dict[str, Any]:
    """A micro-entrepreneur's invoice: no VAT, art. 293 B mention, individual client."""
    seller = copy.deepcopy(SELLER) | {"vat_regime": "franchise"}
    del seller["vat_number"]
    client = {
        "id": "leroy",
        "name": "Julie Leroy",
        "kind": "individual",
        "address": {
            "street": "3 place Bellecour",
            "postcode": "69002",
            "city": "Lyon",
            "country": "FR",
        },
    }
    payment = copy.deepcopy(PAYMENT)
    del payment["recovery_indemnity"]
    document: dict[str, Any] = {
        "number": "F-2026-0002",
        "kind": "invoice",
        "type_code": 380,
        "issue_date": datetime.date(2026, 3, 5),
        "due_date": datetime.date(2026, 3, 5),
        "payment_terms": "on receipt",
        "service_period": {"start": datetime.date(2026, 2, 1), "end": datetime.date(2026, 2, 28)},
        "currency": "EUR",
        "language": "fr",
        "operation": "services",
        "vat_on_debits": False,
        "seller": seller,
        "client": client,
        "lines": [_line("Cours de piano", 8, "35.00", 0, unit="hour", category="E")],
        "vat_exemption": {
            "code": "VATEX-FR-FRANCHISE",
            "reason": "TVA non applicable, art. 293 B du CGI",
        },
        "payment": payment,
        "tracking": {"payments": []},
    }
    document.update(changes)
    return _finish(document)


def reverse_charge_invoice(**changes: Any) -> dict[str, Any]:
    """Services to a German business: reverse charge, both VAT numbers, in English."""
    client = {
        "id": "berlin",
        "name": "Kunstwerk Berlin GmbH",
        "kind": "business",
        "address": {
            "street": "Torstraße 12",
            "postcode": "10119",
            "city": "Berlin",
            "country": "DE",
        },
        "vat_number": "DE123456789",
    }
    document: dict[str, Any] = {
        "number": "F-2026-0003",
        "kind": "invoice",
        "type_code": 380,
        "issue_date": datetime.date(2026, 3, 9),
        "due_date": datetime.date(2026, 4, 30),
        "payment_terms": "45 days end of month",
        "service_date": datetime.date(2026, 3, 6),
        "currency": "EUR",
        "language": "en",
        "operation": "services",
        "vat_on_debits": False,
        "seller": copy.deepcopy(SELLER),
        "client": client,
        "lines": [_line("Brand identity workshop", D("1.5"), "800.00", 0, category="AE")],
        "vat_exemption": {
            "code": "VATEX-EU-AE",
            "reason": "Reverse charge — VAT due by the customer (art. 196 of Directive 2006/112/EC)",
        },
        "payment": copy.deepcopy(PAYMENT) | {"early_payment_discount": "2% if paid within 8 days"},
        "tracking": {"payments": []},
    }
    document.update(changes)
    return _finish(document)


def export_invoice(**changes: Any) -> dict[str, Any]:
    """Goods exported to Switzerland, invoiced in Swiss francs: no EPC QR code."""
    client = {
        "id": "geneve",
        "name": "Horlogerie Léman SA",
        "kind": "business",
        "address": {
            "street": "Rue du Rhône 40",
            "postcode": "1204",
            "city": "Genève",
            "country": "CH",
        },
    }
    document: dict[str, Any] = {
        "number": "F-2026-0004",
        "kind": "invoice",
        "type_code": 380,
        "issue_date": datetime.date(2026, 3, 12),
        "due_date": datetime.date(2026, 4, 11),
        "payment_terms": "30 days",
        "service_date": datetime.date(2026, 3, 10),
        "currency": "CHF",
        "language": "fr",
        "operation": "goods",
        "vat_on_debits": False,
        "seller": copy.deepcopy(SELLER),
        "client": client,
        "lines": [_line("Boîtiers en laiton", 20, "64.00", 0, unit="piece", category="G")],
        "vat_exemption": {
            "code": "VATEX-EU-G",
            "reason": "Exonération de TVA, art. 262 I du CGI (exportation)",
        },
        "payment": copy.deepcopy(PAYMENT),
        "tracking": {"payments": []},
    }
    document.update(changes)
    return _finish(document)


def credit_note(**changes: Any) -> dict[str, Any]:
    """A credit note cancelling part of F-2026-0001."""
    document = standard_invoice(
        number="AV-2026-0001",
        kind="credit_note",
        type_code=381,
        issue_date=datetime.date(2026, 3, 20),
        credit_note_of={"number": "F-2026-0001", "issue_date": datetime.date(2026, 3, 2)},
        lines=[_line("Remise commerciale sur le développement", 1, "135.00", 20, unit=None)],
        notes=None,
    )
    document.update(changes)
    return _finish(document)


def deposit_invoice(**changes: Any) -> dict[str, Any]:
    """A deposit invoice for 30 % of a project, part of which is already paid."""
    document = standard_invoice(
        number="F-2026-0005",
        kind="deposit",
        type_code=386,
        lines=[_line("Acompte de 30 % sur la refonte du site", 1, "1500.00", 20, unit=None)],
        tracking={"payments": [{"date": datetime.date(2026, 3, 10), "amount": D("300.00")}]},
    )
    document.update(changes)
    return _finish(document)


def quote(**changes: Any) -> dict[str, Any]:
    """A quote in English: no type code, a validity date."""
    document = standard_invoice(
        number="D-2026-0001",
        kind="quote",
        language="en",
        valid_until=datetime.date(2026, 4, 1),
        notes="Prices include two rounds of revisions.",
    )
    del document["type_code"]
    del document["due_date"]
    document.update(changes)
    return _finish(document)


def long_invoice(count: int = 60, **changes: Any) -> dict[str, Any]:
    """An invoice of `count` lines, enough to fill two pages."""
    lines = [
        _line(f"Séance de travail n° {index:02d}", 1, f"{100 + index}.00", 20, unit="hour")
        for index in range(1, count + 1)
    ]
    document = standard_invoice(number="F-2026-0099", lines=lines)
    document.update(changes)
    return _finish(document)


# -- receipts and account statements, shaped as the core builds them ---------------------------


def _client_snapshot() -> dict[str, Any]:
    return copy.deepcopy(CLIENT)


def receipt(**changes: Any) -> dict[str, Any]:
    """The second payment on F-2026-0001, after a credit note: 167.61 remain due."""
    document: dict[str, Any] = {
        "kind": "receipt",
        "number": "F-2026-0001-R2",
        "issue_date": datetime.date(2026, 3, 20),
        "language": "fr",
        "currency": "EUR",
        "seller": copy.deepcopy(SELLER),
        "client": _client_snapshot(),
        "invoice": {
            "number": "F-2026-0001",
            "kind": "invoice",
            "issue_date": datetime.date(2026, 3, 2),
            "due_date": datetime.date(2026, 4, 1),
            "gross": D("1829.61"),
        },
        "payment": {
            "index": 2,
            "date": datetime.date(2026, 3, 20),
            "amount": D("1000.00"),
            "method": "transfer",
            "reference": "VIR-123",
        },
        "paid_total": D("1500.00"),
        "credited": D("162.00"),
        "balance": D("167.61"),
    }
    document.update(changes)
    return document


def receipt_paid_in_full(**changes: Any) -> dict[str, Any]:
    """The third and last payment on F-2026-0001, by cheque: the invoice is paid."""
    document = receipt(
        number="F-2026-0001-R3",
        issue_date=datetime.date(2026, 3, 28),
        payment={
            "index": 3,
            "date": datetime.date(2026, 3, 28),
            "amount": D("167.61"),
            "method": "cheque",
            "reference": "4471203",
        },
        paid_total=D("1667.61"),
        balance=D("0.00"),
    )
    document.update(changes)
    return document


def _statement_rows(
    opening: Decimal, entries: list[tuple[Any, ...]], language: str
) -> list[dict[str, Any]]:
    """Rows as reports.statements builds them (what happened, no words) with the running balance."""
    balance = opening
    rows = []
    for day, kind, number, amount, *extra in entries:
        what: dict[str, Any] = {"kind": kind}
        if kind == "payment":
            method, reference = extra
            what |= {"method": method, "reference": reference, "reason": None, "correction": False}
        elif kind == "credit_note":
            (invoice,) = extra
            what["credit_note_of"] = invoice
        debit = amount if kind in ("invoice", "deposit") else None
        credit = None if debit is not None else amount
        balance += amount if debit is not None else -amount
        rows.append(
            {
                "date": day,
                "number": number,
                **what,
                "debit": debit,
                "credit": credit,
                "balance": balance,
            }
        )
    return rows


def statement(language: str = "fr", **changes: Any) -> dict[str, Any]:
    """Atelier Dupont's first quarter: an old invoice still half open, one of each bucket."""
    date = datetime.date
    opening = D("1200.00")
    rows = _statement_rows(
        opening,
        [
            (date(2026, 1, 12), "payment", "F-2025-0042", D("700.00"), "transfer", "VIR-0988"),
            (date(2026, 1, 30), "invoice", "F-2026-0004", D("960.00")),
            (date(2026, 2, 16), "invoice", "F-2026-0009", D("1440.00")),
            (date(2026, 2, 25), "payment", "F-2026-0004", D("460.00"), "cheque", None),
            (date(2026, 3, 2), "invoice", "F-2026-0011", D("1829.61")),
            (date(2026, 3, 20), "credit_note", "AV-2026-0001", D("162.00"), "F-2026-0011"),
            (date(2026, 3, 20), "payment", "F-2026-0011", D("1000.00"), "transfer", "VIR-123"),
        ],
        language,
    )
    client = _client_snapshot()
    del client["delivery_address"], client["email"]
    document: dict[str, Any] = {
        "kind": "statement",
        "issue_date": date(2026, 3, 31),
        "language": language,
        "currency": "EUR",
        "seller": copy.deepcopy(SELLER),
        "client": client,
        "period": {"start": date(2026, 1, 1), "end": date(2026, 3, 31)},
        "opening_balance": opening,
        "rows": rows,
        "closing_balance": rows[-1]["balance"],
        "open_invoices": [
            {
                "number": "F-2025-0042",
                "issue_date": date(2025, 11, 20),
                "due_date": date(2025, 12, 20),
                "gross": D("1200.00"),
                "balance": D("500.00"),
                "days_late": 101,
            },
            {
                "number": "F-2026-0004",
                "issue_date": date(2026, 1, 30),
                "due_date": date(2026, 2, 28),
                "gross": D("960.00"),
                "balance": D("500.00"),
                "days_late": 31,
            },
            {
                "number": "F-2026-0009",
                "issue_date": date(2026, 2, 16),
                "due_date": date(2026, 3, 18),
                "gross": D("1440.00"),
                "balance": D("1440.00"),
                "days_late": 13,
            },
            {
                "number": "F-2026-0011",
                "issue_date": date(2026, 3, 2),
                "due_date": date(2026, 4, 1),
                "gross": D("1829.61"),
                "balance": D("667.61"),
                "days_late": 0,
            },
        ],
        "aging": [
            {"bucket": "not_due", "amount": D("667.61")},
            {"bucket": "1-30", "amount": D("1440.00")},
            {"bucket": "31-60", "amount": D("500.00")},
            {"bucket": "61-90", "amount": D("0.00")},
            {"bucket": "over_90", "amount": D("500.00")},
        ],
    }
    document.update(changes)
    return document


def long_statement(count: int = 80, language: str = "fr", **changes: Any) -> dict[str, Any]:
    """A year of weekly invoices, each paid a few days later: `count` rows over several pages."""
    start = datetime.date(2026, 1, 1)
    entries: list[tuple[Any, ...]] = []
    for index in range(count):
        number = f"F-2026-{index // 2 + 1:04d}"
        day = start + datetime.timedelta(days=3 * index + 1)
        amount = D(f"{100 + index // 2}.00")
        if index % 2 == 0:
            entries.append((day, "invoice", number, amount))
        else:
            entries.append((day, "payment", number, amount, "transfer", f"VIR-{index:03d}"))
    rows = _statement_rows(D("0.00"), entries, language)
    document = statement(
        language,
        period={"start": start, "end": datetime.date(2026, 12, 31)},
        issue_date=datetime.date(2026, 12, 31),
        opening_balance=D("0.00"),
        rows=rows,
        closing_balance=rows[-1]["balance"],
        open_invoices=[],
        aging=[
            {"bucket": bucket, "amount": D("0.00")}
            for bucket in ("not_due", "1-30", "31-60", "61-90", "over_90")
        ],
    )
    document.update(changes)
    return document


# -- reminders: the context messages.compose receives, and the formal notice letter ------------

_TONES = ("courtesy", "friendly", "firm", "formal")


def reminder_context(level: int = 3, language: str = "fr", **changes: Any) -> dict[str, Any]:
    """F-2026-0001, half paid, reminded on 22 November 2026: 235 days late, penalties running.

    Level 0 (courtesy) is sent before the due date: it moves `today` to 25 March 2026.
    """
    date = datetime.date
    due = date(2026, 4, 1)
    today = date(2026, 11, 22) if level else date(2026, 3, 25)
    balance = D("1234.56")
    days_late = (today - due).days
    rate = D("12.15")
    penalties = None
    if days_late > 0:
        interest = _money(balance * rate / 100 * days_late / 365)
        penalties = {
            "rate_percent": rate,
            "interest": interest,
            "indemnity": D("40.00"),
            "since": due + datetime.timedelta(days=1),
            "until": today,
        }
    client = _client_snapshot()
    del client["delivery_address"]
    context: dict[str, Any] = {
        "kind": "reminder",
        "level": level,
        "tone": _TONES[level],
        "language": language,
        "today": today,
        "seller": copy.deepcopy(SELLER),
        "client": client,
        "document": {
            "number": "F-2026-0001",
            "kind": "invoice",
            "issue_date": date(2026, 3, 2),
            "due_date": due,
            "valid_until": None,
            "gross": D("1829.61"),
            "currency": "EUR",
        },
        "balance": balance,
        "days_late": days_late,
        "penalties": penalties,
        "payment": {
            "iban": SELLER["iban"],
            "bic": SELLER["bic"],
            "methods": ["transfer", "cheque"],
            "reference": "F-2026-0001",
        },
    }
    context.update(changes)
    return context


def individual_reminder_context(
    level: int = 3, language: str = "fr", **changes: Any
) -> dict[str, Any]:
    """The same reminder to a private individual: no recovery indemnity."""
    context = reminder_context(level, language, **changes)
    context["client"] = {
        "id": "leroy",
        "name": "Julie Leroy",
        "kind": "individual",
        "address": {
            "street": "3 place Bellecour",
            "postcode": "69002",
            "city": "Lyon",
            "country": "FR",
        },
        "email": "julie.leroy@example.fr",
    }
    if context["penalties"]:
        context["penalties"]["indemnity"] = None
    return context


def document_context(kind: str = "invoice", language: str = "fr", **changes: Any) -> dict[str, Any]:
    """The context of the message that sends a document (invoice, deposit, credit note, quote)."""
    date = datetime.date
    numbers = {
        "invoice": "F-2026-0001",
        "deposit": "F-2026-0005",
        "credit_note": "AV-2026-0001",
        "quote": "D-2026-0001",
    }
    context = reminder_context(1, language)
    context.update(
        kind="document",
        level=None,
        tone=None,
        today=date(2026, 3, 2),
        document={
            "number": numbers[kind],
            "kind": kind,
            "issue_date": date(2026, 3, 2),
            "due_date": date(2026, 4, 1) if kind in ("invoice", "deposit") else None,
            "valid_until": date(2026, 4, 1) if kind == "quote" else None,
            "gross": D("162.00") if kind == "credit_note" else D("1829.61"),
            "currency": "EUR",
        },
        balance=D("1829.61") if kind in ("invoice", "deposit") else D("0.00"),
        days_late=0,
        penalties=None,
    )
    context["payment"]["reference"] = numbers[kind]
    context.update(changes)
    return context


def reminder_letter(language: str = "fr", **changes: Any) -> dict[str, Any]:
    """The formal notice letter sent with the level 3 reminder of F-2026-0001."""
    context = reminder_context(3, language)
    document = {
        **context,
        "kind": "reminder_letter",
        "number": "F-2026-0001-MED",
        "issue_date": context["today"],
        "paid": D("595.05"),
    }
    document.update(changes)
    return document
