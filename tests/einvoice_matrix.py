"""The case matrix of the e-invoice tests: issued documents covering what users sell.

VAT cases, currencies, payment methods, deposits and final invoices, credit notes, long
invoices and hard text, each built as the issued YAML would hold it (docs/FORMAT.md), so
the XML can be judged without rendering a PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import einvoice_documents as samples

D = Decimal
ISSUED = date(2026, 11, 30)

SWISS_CLIENT: dict[str, Any] = {
    "id": "leman",
    "name": "Léman Analytics SA",
    "kind": "business",
    "address": {"street": "Rue du Rhône 42", "postcode": "1204", "city": "Genève", "country": "CH"},
    "email": "finance@leman.example",
}
US_CLIENT: dict[str, Any] = {
    **samples.AMERICAN_CLIENT,
    "email": "ap@acme.example",
}
JAPANESE_CLIENT: dict[str, Any] = {
    **samples.JAPANESE_CLIENT,
    "name": "株式会社田中商事",
    "address": {
        "street": "千代田区丸の内1-1",
        "postcode": "100-0005",
        "city": "東京",
        "country": "JP",
    },
    "email": "keiri@tanaka.example",
}
FRENCH_INDIVIDUAL: dict[str, Any] = {
    **samples.INDIVIDUAL_CLIENT,
    "email": "jeanne.durand@courriel.example",
}


def _rate(value: str, source: str | None = "BCE") -> dict[str, Any]:
    rate: dict[str, Any] = {"rate": D(value), "date": date(2026, 11, 27)}
    if source:
        rate["source"] = source
    return rate


def standard_four_rates() -> dict[str, Any]:
    """Rates 20, 10, 5.5 and 2.1, line discounts in percent and amount, a document discount."""
    return samples.issue(
        "F-2026-0101",
        [
            {"description": "Développement", "quantity": "3", "unit": "day",
             "unit_price": "450.00", "vat_rate": "20", "discount": "10%"},
            {"description": "Repas des participants", "quantity": "12", "unit": "unit",
             "unit_price": "18.50", "vat_rate": "10"},
            {"description": "Livres", "quantity": "4", "unit": "pièce", "unit_price": "12.49",
             "vat_rate": "5.5", "discount": "2.00"},
            {"description": "Presse spécialisée", "quantity": "6", "unit_price": "7.90",
             "vat_rate": "2.1"},
        ],
        discount="5%",
        service_period={"start": date(2026, 11, 2), "end": date(2026, 11, 27)},
    )  # fmt: skip


def franchise_individual() -> dict[str, Any]:
    """Art. 293 B du CGI, sold to a private individual (B2C)."""
    return samples.franchise()


def franchise_business() -> dict[str, Any]:
    """Art. 293 B du CGI, sold to a French business."""
    return samples.franchise_business_client()


def reverse_charge() -> dict[str, Any]:
    """Services to a German business: VAT reverse charge (AE)."""
    return samples.reverse_charge()


def export_services() -> dict[str, Any]:
    """Services to a US business: outside the scope of French VAT (O)."""
    return samples.issue(
        "F-2026-0102",
        [{"description": "Audit de code", "quantity": "2", "unit": "day", "unit_price": "700"}],
        client=US_CLIENT,
        vat="outside-scope",
        language="en",
        payment_terms="30 days",
    )


def export_goods() -> dict[str, Any]:
    """Goods shipped to the United States: exempt export (G)."""
    return samples.issue(
        "F-2026-0103",
        [{"description": "Printed posters", "quantity": "50", "unit": "unit", "unit_price": "9"}],
        client=US_CLIENT,
        vat="export",
        operation="goods",
        language="en",
        service_date=date(2026, 11, 25),
    )


def individual() -> dict[str, Any]:
    """A private individual at the standard rate: B2C, no recovery indemnity."""
    return samples.issue(
        "F-2026-0104",
        [{"description": "Cours particulier", "quantity": "2", "unit": "h", "unit_price": "35"}],
        client=FRENCH_INDIVIDUAL,
        payment_terms="à réception",
    )


def individual_without_email() -> dict[str, Any]:
    """A private individual with no email: no electronic address at all (B2C)."""
    return samples.individual_client()


def usd() -> dict[str, Any]:
    """An invoice in US dollars (services outside the scope of French VAT)."""
    return samples.issue(
        "F-2026-0105",
        [{"description": "Website design", "quantity": "1", "unit_price": "2500.00"}],
        client=US_CLIENT,
        vat="outside-scope",
        currency="USD",
        language="en",
        exchange_rate=_rate("0.9234"),
    )


def usd_with_vat() -> dict[str, Any]:
    """An invoice in US dollars with French VAT: the VAT total in euros is stated."""
    return samples.issue(
        "F-2026-0106",
        [{"description": "Formation à Paris", "quantity": "3", "unit": "day",
          "unit_price": "1200.00", "vat_rate": "20"}],
        client=US_CLIENT,
        currency="USD",
        language="en",
        exchange_rate=_rate("0.9234", source=None),
    )  # fmt: skip


def chf() -> dict[str, Any]:
    """An invoice in Swiss francs to a Swiss business (O)."""
    return samples.issue(
        "F-2026-0107",
        [{"description": "Analyse de données", "quantity": "5", "unit": "day",
          "unit_price": "950.00"}],
        client=SWISS_CLIENT,
        vat="outside-scope",
        currency="CHF",
        exchange_rate=_rate("1.0712"),
    )  # fmt: skip


def jpy() -> dict[str, Any]:
    """An invoice in yen (no minor unit) with VAT and a 3% discount, Japanese text."""
    document = samples.issue(
        "F-2026-0108",
        [
            {"description": "ローカリゼーション (localisation)", "quantity": "7", "unit": "day",
             "unit_price": "48333"},
            {"description": "Relecture 校正", "quantity": "3", "unit": "hour",
             "unit_price": "5999", "vat_rate": "10"},
        ],
        client=JAPANESE_CLIENT,
        currency="JPY",
        discount="3%",
        exchange_rate=_rate("0.006123"),
    )  # fmt: skip
    return document


def _with_methods(document: dict[str, Any], methods: list[str]) -> dict[str, Any]:
    document["payment"] = {**document["payment"], "methods": methods}
    return document


def transfer_only() -> dict[str, Any]:
    """Payment by SEPA transfer only."""
    return _with_methods(_simple("F-2026-0109"), ["transfer"])


def cheque_only() -> dict[str, Any]:
    """Payment by cheque only."""
    return _with_methods(_simple("F-2026-0110"), ["cheque"])


def transfer_cheque_card() -> dict[str, Any]:
    """Transfer, cheque and card accepted: one payment means, the others in text."""
    return _with_methods(_simple("F-2026-0111"), ["transfer", "cheque", "card"])


def no_iban() -> dict[str, Any]:
    """A seller without a bank account on file: transfer accepted but no IBAN, and cheque."""
    seller = {key: value for key, value in samples.SELLER.items() if key not in ("iban", "bic")}
    document = samples.issue(
        "F-2026-0112",
        [{"description": "Maintenance", "quantity": "1", "unit_price": "300"}],
        seller=seller,
    )
    return _with_methods(document, ["transfer", "cheque"])


def _simple(number: str) -> dict[str, Any]:
    return samples.issue(
        number, [{"description": "Maintenance", "quantity": "1", "unit_price": "300"}]
    )


DEPOSIT_LINE = {"description": "Acompte de 30 % sur le devis D-2026-004", "unit_price": "900.00"}


def deposit() -> dict[str, Any]:
    """A deposit invoice (386) of 30% on a quote."""
    return samples.issue(
        "F-2026-0113",
        [DEPOSIT_LINE],
        kind="deposit",
        payment_terms="à réception",
        due_date=date(2026, 3, 2),
        quote={"number": "D-2026-004", "issue_date": date(2026, 2, 20)},
    )


def final_after_deposit() -> dict[str, Any]:
    """The final invoice deducting the deposit invoice F-2026-0113."""
    return _final("F-2026-0114", [("F-2026-0113", date(2026, 3, 2), "900.00")])


def final_after_two_deposits() -> dict[str, Any]:
    """A final invoice deducting two deposit invoices."""
    deposits = [
        ("F-2026-0113", date(2026, 3, 2), "900.00"),
        ("F-2026-0120", date(2026, 3, 20), "100.00"),
    ]
    return _final("F-2026-0115", deposits)


def _final(number: str, deposits: list[tuple[str, date, str]]) -> dict[str, Any]:
    lines: list[dict[str, Any]] = [
        {"description": "Refonte du site", "quantity": "6", "unit": "day", "unit_price": "500.00"}
    ]
    for deposit_number, _, amount in deposits:
        text = f"Déduction de l'acompte : facture {deposit_number}"
        lines.append({"description": text, "quantity": "1", "unit_price": f"-{amount}"})
    document = samples.issue(
        number,
        lines,
        quote={"number": "D-2026-004", "issue_date": date(2026, 2, 20)},
        issue_date=date(2026, 4, 10),
        due_date=date(2026, 5, 10),
    )
    for line, (deposit_number, issued, _) in zip(document["lines"][1:], deposits, strict=True):
        line["deposit"] = {"number": deposit_number, "issue_date": issued}
    return document


CREDITED = {
    "number": "F-2026-0101",
    "issue_date": date(2026, 11, 30),
    "payment": {
        "late_penalty_rate_percent": D("12.15"),
        "recovery_indemnity": D("40.00"),
        "early_payment_discount": "none",
    },
}


def _credit_note(number: str, lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    document = samples.issue(
        number,
        lines,
        kind="credit_note",
        credit_note_of=CREDITED,
        reason="erreur de facturation",
        issue_date=date(2026, 12, 5),
        **extra,
    )
    for key in ("due_date", "payment_terms", "payment"):
        document.pop(key, None)  # credit notes are not owed: no terms nor payment section
    return document


def credit_note_full() -> dict[str, Any]:
    """A full credit note on the four-rate invoice: every line and the document discount."""
    written = [
        {key: line[key] for key in ("description", "quantity", "unit_price", "vat_rate")}
        | ({"discount": line["discount"]} if "discount" in line else {})
        for line in standard_four_rates()["lines"]
    ]
    return _credit_note("AV-2026-0101", written, discount="5%")


def credit_note_line() -> dict[str, Any]:
    """A credit note on one line, part of its quantity."""
    return _credit_note(
        "AV-2026-0102",
        [{"description": "Développement", "quantity": "1", "unit": "day",
          "unit_price": "450.00", "discount": "10%"}],
    )  # fmt: skip


def credit_note_amount() -> dict[str, Any]:
    """A credit note of an amount shared across the invoice's rates."""
    return _credit_note(
        "AV-2026-0103",
        [
            {"description": "Avoir sur F-2026-0101 : geste commercial", "unit_price": "80.00",
             "vat_rate": "20"},
            {"description": "Avoir sur F-2026-0101 : geste commercial", "unit_price": "20.00",
             "vat_rate": "10"},
        ],
    )  # fmt: skip


def forty_lines() -> dict[str, Any]:
    """A 40-line invoice (several PDF pages) at two rates."""
    lines = [
        {
            "description": f"Séance de coaching n° {index} — suivi individuel",
            "quantity": str(1 + index % 3),
            "unit": "hour",
            "unit_price": f"{60 + index}.50",
            "vat_rate": "20" if index % 4 else "10",
        }
        for index in range(1, 41)
    ]
    return samples.issue("F-2026-0116", lines, discount="150.00")


def hard_text() -> dict[str, Any]:
    """Accents, `&`, `<`, quotes and Japanese text in names, lines and notes."""
    client = {
        **samples.BUSINESS_CLIENT,
        "name": "Dupont & Fils <Atelier> « Élan »",
        "address": {**samples.BUSINESS_CLIENT["address"], "street": "5 rue de l'Œuvre & Cie"},
    }
    return samples.issue(
        "F-2026-0117",
        [
            {"description": "Traduction <français → 日本語> & relecture", "quantity": "2",
             "unit": "day", "unit_price": "480"},
            {"description": "Glossaire « qualité » : 品質管理 & ça", "quantity": "1",
             "unit_price": "120"},
        ],
        client=client,
        notes="Merci ! Réf. <A&B> — ご利用ありがとうございます。",
        order_reference="PO-<42>&1",
    )  # fmt: skip


MATRIX: dict[str, Callable[[], dict[str, Any]]] = {
    "standard_four_rates": standard_four_rates,
    "franchise_individual": franchise_individual,
    "franchise_business": franchise_business,
    "reverse_charge": reverse_charge,
    "export_services": export_services,
    "export_goods": export_goods,
    "individual": individual,
    "individual_without_email": individual_without_email,
    "usd": usd,
    "usd_with_vat": usd_with_vat,
    "chf": chf,
    "jpy": jpy,
    "transfer_only": transfer_only,
    "cheque_only": cheque_only,
    "transfer_cheque_card": transfer_cheque_card,
    "no_iban": no_iban,
    "deposit": deposit,
    "final_after_deposit": final_after_deposit,
    "final_after_two_deposits": final_after_two_deposits,
    "credit_note_full": credit_note_full,
    "credit_note_line": credit_note_line,
    "credit_note_amount": credit_note_amount,
    "forty_lines": forty_lines,
    "hard_text": hard_text,
}
# Sold to private individuals: e-reported, not e-invoiced (see test_einvoice_judges.py).
B2C = frozenset({"franchise_individual", "individual", "individual_without_email"})
