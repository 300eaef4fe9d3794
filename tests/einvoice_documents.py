"""Sample issued documents (docs/FORMAT.md) covering the VAT cases of the e-invoice tests."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

D = Decimal
ZERO = Decimal(0)

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
    "siren": "732829320",
    "rcs": "RCS Paris 732 829 320",
    "vat_number": "FR44732829320",
    "vat_regime": "standard",
    "email": "camille@example.fr",
    "phone": "+33 6 12 34 56 78",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "bic": "AGRIFRPPXXX",
}
FRANCHISE_SELLER: dict[str, Any] = {
    "name": "Léa Petit",
    "legal_form": "EI",
    "address": {
        "street": "3 place du Marché",
        "postcode": "69002",
        "city": "Lyon",
        "country": "FR",
    },
    "siren": "443061841",
    "vat_regime": "franchise",
    "email": "lea@example.fr",
}
BUSINESS_CLIENT: dict[str, Any] = {
    "id": "dupont",
    "name": "Atelier Dupont SARL",
    "kind": "business",
    "address": {
        "street": "5 avenue de la République",
        "street2": "Bâtiment B",
        "postcode": "33000",
        "city": "Bordeaux",
        "country": "FR",
    },
    "siren": "552100554",
    "vat_number": "FR96552100554",
    "email": "compta@dupont.example",
}
INDIVIDUAL_CLIENT: dict[str, Any] = {
    "id": "durand",
    "name": "Jeanne Durand",
    "kind": "individual",
    "address": {
        "street": "8 rue Victor Hugo",
        "postcode": "13001",
        "city": "Marseille",
        "country": "FR",
    },
}
GERMAN_CLIENT: dict[str, Any] = {
    "id": "muller",
    "name": "Müller Software GmbH",
    "kind": "business",
    "address": {"street": "Hauptstraße 1", "postcode": "10115", "city": "Berlin", "country": "DE"},
    "vat_number": "DE123456789",
    "email": "rechnung@mueller.example",
}
BELGIAN_CLIENT: dict[str, Any] = {
    "id": "dubois",
    "name": "Dubois SA",
    "kind": "business",
    "address": {"street": "Rue Neuve 10", "postcode": "1000", "city": "Bruxelles", "country": "BE"},
    "vat_number": "BE0123456749",
    "electronic_address": "0208:0123456749",
}
AMERICAN_CLIENT: dict[str, Any] = {
    "id": "acme",
    "name": "Acme Inc.",
    "kind": "business",
    "address": {
        "street": "1 Main Street",
        "postcode": "10001",
        "city": "New York",
        "country": "US",
    },
    "email": "billing@acme.example",
}
JAPANESE_CLIENT: dict[str, Any] = {
    "id": "tanaka",
    "name": "Tanaka KK",
    "kind": "business",
    "address": {"street": "1-1 Chiyoda", "postcode": "100-0001", "city": "Tokyo", "country": "JP"},
    "email": "keiri@tanaka.example",
}

EXEMPTIONS = {
    "franchise": {"code": "VATEX-FR-FRANCHISE", "reason": "TVA non applicable, art. 293 B du CGI"},
    "reverse-charge": {
        "code": "VATEX-EU-AE",
        "reason": "Autoliquidation (art. 283-2 du CGI / art. 196 directive 2006/112/CE)",
    },
    "intra-eu-goods": {
        "code": "VATEX-EU-IC",
        "reason": "Exonération de TVA, art. 262 ter I du CGI",
    },
    "export": {"code": "VATEX-EU-G", "reason": "Exonération de TVA, art. 262 I du CGI"},
    "outside-scope": {"code": "VATEX-EU-O", "reason": "TVA non applicable, art. 259-1 du CGI"},
}
CATEGORIES = {
    "franchise": "E",
    "reverse-charge": "AE",
    "intra-eu-goods": "K",
    "export": "G",
    "outside-scope": "O",
}
MINOR_UNITS = {"EUR": D("0.01"), "USD": D("0.01"), "CHF": D("0.01"), "JPY": D("1")}
TYPE_CODES = {"invoice": 380, "credit_note": 381, "deposit": 386}


def issue(
    number: str,
    lines: list[dict[str, Any]],
    *,
    seller: dict[str, Any] = SELLER,
    client: dict[str, Any] = BUSINESS_CLIENT,
    kind: str = "invoice",
    vat: str = "standard",
    currency: str = "EUR",
    discount: str | None = None,
    prepaid: Decimal = ZERO,
    payments: list[Decimal] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An issued document with exact totals, computed the EN 16931 way (VAT per rate)."""
    unit = MINOR_UNITS[currency]
    issued_lines = [_line(line, vat, unit) for line in lines]
    nets: dict[tuple[str, Decimal], Decimal] = {}
    for line in issued_lines:
        key = (line["vat_category"], line["vat_rate"])
        nets[key] = nets.get(key, D(0)) + line["net"]
    lines_net = sum(nets.values(), D(0))
    allowances = _split_discount(discount, nets, lines_net, unit)
    breakdown = []
    for (category, rate), net in sorted(nets.items(), key=lambda item: -item[0][1]):
        base = net - allowances[(category, rate)]
        amount = _round(base * rate / 100, unit)
        breakdown.append({"category": category, "rate": rate, "base": base, "amount": amount})
    total_discount = sum(allowances.values(), D(0))
    vat_total = sum((entry["amount"] for entry in breakdown), D(0))
    net = lines_net - total_discount
    gross = net + vat_total
    business = client.get("kind", "business") == "business"
    document: dict[str, Any] = {
        "number": number,
        "kind": kind,
        "type_code": TYPE_CODES[kind],
        "issue_date": date(2026, 3, 2),
        "due_date": date(2026, 4, 1),
        "payment_terms": "30 jours",
        "currency": currency,
        "language": "fr",
        "operation": "services",
        "vat_on_debits": False,
        "seller": seller,
        "client": client,
        "lines": issued_lines,
    }
    if discount:
        document["discount"] = discount
    if vat != "standard":
        document["vat_exemption"] = EXEMPTIONS[vat]
    document["payment"] = {
        "methods": ["transfer"],
        "iban": seller.get("iban"),
        "bic": seller.get("bic"),
        "late_penalty_rate_percent": D("12.15"),
        **({"recovery_indemnity": D("40.00")} if business else {}),
        "early_payment_discount": "none",
    }
    if not seller.get("iban"):
        document["payment"] = {**document["payment"], "methods": ["cheque"]}
        del document["payment"]["iban"], document["payment"]["bic"]
    document["totals"] = {
        "lines_net": lines_net,
        "discount": total_discount,
        "net": net,
        "vat": breakdown,
        "vat_total": vat_total,
        "gross": gross,
        "prepaid": prepaid,
        "due": gross - prepaid,
    }
    document["source"] = {"draft": f"drafts/{number}.yaml", "sha256": "0" * 64}
    document["seal"] = {"previous": None, "sha256": "0" * 64, "fields": {}}
    document["tracking"] = {
        "payments": [
            {"date": date(2026, 3, 10), "amount": amount, "method": "transfer"}
            for amount in payments or []
        ]
    }
    document.update(extra)
    return document


def _line(line: dict[str, Any], vat: str, unit: Decimal) -> dict[str, Any]:
    quantity = D(str(line.get("quantity", 1)))
    price = D(str(line["unit_price"]))
    gross = quantity * price
    issued = {
        "description": line["description"],
        "quantity": quantity,
        **({"unit": line["unit"]} if "unit" in line else {}),
        "unit_price": price,
    }
    if vat == "standard":
        rate = D(str(line.get("vat_rate", 20)))
        issued.update(vat_category="S" if rate else "Z", vat_rate=rate)
    else:
        issued.update(vat_category=CATEGORIES[vat], vat_rate=D(0))
    discount_amount = D(0)
    if "discount" in line:
        written = str(line["discount"])
        if written.endswith("%"):
            discount_amount = _round(gross * D(written[:-1]) / 100, unit)
        else:
            discount_amount = D(written)
        issued.update(discount=written, discount_amount=discount_amount)
    issued["net"] = _round(gross - discount_amount, unit)
    return issued


def _split_discount(
    discount: str | None,
    nets: dict[tuple[str, Decimal], Decimal],
    lines_net: Decimal,
    unit: Decimal,
) -> dict[tuple[str, Decimal], Decimal]:
    if not discount:
        return dict.fromkeys(nets, D(0))
    if discount.endswith("%"):
        percent = D(discount[:-1])
        return {key: _round(net * percent / 100, unit) for key, net in nets.items()}
    amount, allowances = D(discount), {}
    keys = sorted(nets, key=lambda key: -nets[key])
    for key in keys[1:]:
        allowances[key] = _round(amount * nets[key] / lines_net, unit)
    allowances[keys[0]] = amount - sum(allowances.values(), D(0))
    return allowances


def _round(value: Decimal, unit: Decimal) -> Decimal:
    return value.quantize(unit, rounding=ROUND_HALF_UP)


def standard_several_rates() -> dict[str, Any]:
    """Rates 20, 10 and 5.5, line discounts (percent and amount) and a 5% document discount."""
    return issue(
        "F-2026-0001",
        [
            {
                "description": "Développement",
                "quantity": "3",
                "unit": "day",
                "unit_price": "450.00",
                "vat_rate": "20",
                "discount": "10%",
            },
            {
                "description": "Formation",
                "quantity": "2.5",
                "unit": "heures",
                "unit_price": "80.00",
                "vat_rate": "10",
            },
            {
                "description": "Livres techniques",
                "quantity": "4",
                "unit": "pièce",
                "unit_price": "12.49",
                "vat_rate": "5.5",
            },
            {
                "description": "Abonnement logiciel",
                "quantity": "1",
                "unit": "month",
                "unit_price": "29.99",
                "vat_rate": "20",
                "discount": "5.00",
            },
        ],
        discount="5%",
        order_reference="PO-2026-118",
        service_period={"start": date(2026, 2, 1), "end": date(2026, 2, 28)},
        notes="Merci pour votre confiance.",
        vat_on_debits=True,
    )


def franchise() -> dict[str, Any]:
    """A micro-entrepreneur without VAT number (art. 293 B du CGI) billing an individual."""
    return issue(
        "F-2026-0002",
        [{"description": "Séance photo", "quantity": "1", "unit_price": "350.00"}],
        seller=FRANCHISE_SELLER,
        client=INDIVIDUAL_CLIENT,
        vat="franchise",
        service_date=date(2026, 2, 27),
    )


def franchise_business_client() -> dict[str, Any]:
    """A micro-entrepreneur billing a French business, with an amount document discount."""
    return issue(
        "F-2026-0003",
        [
            {"description": "Illustrations", "quantity": "5", "unit": "unit", "unit_price": "120"},
            {"description": "Retouches", "quantity": "3", "unit": "hour", "unit_price": "45"},
        ],
        seller=FRANCHISE_SELLER,
        client=BUSINESS_CLIENT,
        vat="franchise",
        discount="30.00",
    )


def reverse_charge() -> dict[str, Any]:
    """B2B services to a German company: VAT reverse charge (AE)."""
    return issue(
        "F-2026-0004",
        [{"description": "Consulting", "quantity": "4", "unit": "days", "unit_price": "600.00"}],
        client=GERMAN_CLIENT,
        vat="reverse-charge",
        language="en",
        payment_terms="30 days",
    )


def intra_eu_goods() -> dict[str, Any]:
    """Goods delivered to a Belgian company: intra-community supply (K)."""
    return issue(
        "F-2026-0005",
        [
            {
                "description": "Affiches imprimées",
                "quantity": "200",
                "unit": "unit",
                "unit_price": "2.35",
            }
        ],
        client=BELGIAN_CLIENT,
        vat="intra-eu-goods",
        operation="goods",
        service_date=date(2026, 2, 25),
    )


def export() -> dict[str, Any]:
    """Services sold to a US company: export outside the EU (G), in US dollars."""
    return issue(
        "F-2026-0006",
        [
            {
                "description": "Website design",
                "quantity": "1",
                "unit": "forfait",
                "unit_price": "2500.00",
            }
        ],
        client=AMERICAN_CLIENT,
        vat="export",
        currency="USD",
        language="en",
        payment_terms="on receipt",
        exchange_rate={"rate": D("0.9234"), "date": date(2026, 2, 27), "source": "ECB"},
    )


def outside_scope() -> dict[str, Any]:
    """Services outside the scope of French VAT (O): no VAT identifiers in the XML."""
    return issue(
        "F-2026-0007",
        [{"description": "Conférence à Genève", "quantity": "1", "unit_price": "800.00"}],
        client={**AMERICAN_CLIENT, "vat_number": "CHE-123.456.789 MWST"},
        vat="outside-scope",
    )


def deposit() -> dict[str, Any]:
    """A deposit invoice (386): 30% of a quote, due on receipt."""
    return issue(
        "F-2026-0008",
        [{"description": "Acompte de 30 % sur le devis D-2026-0003", "unit_price": "1350.00"}],
        kind="deposit",
        payment_terms="à réception",
        due_date=date(2026, 3, 2),
    )


def credit_note() -> dict[str, Any]:
    """A credit note (381) cancelling part of F-2026-0001."""
    return issue(
        "AV-2026-0001",
        [
            {
                "description": "Développement (journée non réalisée)",
                "quantity": "1",
                "unit": "day",
                "unit_price": "450.00",
                "discount": "10%",
            }
        ],
        kind="credit_note",
        credit_note_of={"number": "F-2026-0001", "issue_date": date(2026, 3, 2)},
        issue_date=date(2026, 3, 20),
        due_date=date(2026, 3, 20),
        payment_terms="à réception",
    )


def individual_client() -> dict[str, Any]:
    """A standard-rate invoice to an individual: no SIREN, no recovery indemnity."""
    return issue(
        "F-2026-0009",
        [{"description": "Cours particulier", "quantity": "2", "unit": "h", "unit_price": "35.00"}],
        client=INDIVIDUAL_CLIENT,
        payment_terms="à réception",
    )


def yen() -> dict[str, Any]:
    """A yen invoice (no minor unit) with a 3% document discount."""
    return issue(
        "F-2026-0010",
        [
            {"description": "Localisation", "quantity": "7", "unit": "day", "unit_price": "48333"},
            {
                "description": "Relecture",
                "quantity": "3",
                "unit": "hour",
                "unit_price": "5999",
                "vat_rate": "10",
            },
        ],
        client=JAPANESE_CLIENT,
        currency="JPY",
        discount="3%",
        exchange_rate={"rate": D("0.006123"), "date": date(2026, 2, 27)},
    )


def partly_paid() -> dict[str, Any]:
    """An invoice with an amount prepaid at issue and a recorded payment."""
    return issue(
        "F-2026-0011",
        [
            {
                "description": "Maintenance annuelle",
                "quantity": "1",
                "unit": "year",
                "unit_price": "1200.00",
            }
        ],
        prepaid=D("400.00"),
        payments=[D("300.00")],
        payment_terms="45 jours fin de mois",
    )


CASES = {
    "standard_several_rates": standard_several_rates,
    "franchise": franchise,
    "franchise_business_client": franchise_business_client,
    "reverse_charge": reverse_charge,
    "intra_eu_goods": intra_eu_goods,
    "export": export,
    "outside_scope": outside_scope,
    "deposit": deposit,
    "credit_note": credit_note,
    "individual_client": individual_client,
    "yen": yen,
    "partly_paid": partly_paid,
}
