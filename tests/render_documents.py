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
