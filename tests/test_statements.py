"""`facturo statement`: a client's account over a period, its closing balance and aging."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest

from conftest import DRAFT, Cli, issue
from facturo.model.account import aging_bucket as bucket
from facturo.output.sandbox import find_packaged_templates

D = Decimal


def ok(cli: Cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def statement(cli: Cli, *args: str) -> dict[str, Any]:
    return dict(json.loads(ok(cli, "statement", *args, "--json")))


@pytest.fixture
def account(cli: Cli, draft) -> None:
    """Dupont's year, seen on 2026-11-22 with 30-day terms (every invoice is 1620.00)."""
    issue(cli, draft, "2026-07-02", "a")  # F-0001 due 08-01: 113 days late, unpaid
    issue(cli, draft, "2026-08-02", "b")  # F-0002 due 09-01: 82 days late, 620 paid
    issue(cli, draft, "2026-09-01", "c")  # F-0003 due 10-01: 52 days late, 120 credited
    issue(cli, draft, "2026-10-02", "d")  # F-0004 due 11-01: 21 days late, 500 paid
    issue(cli, draft, "2026-11-02", "e")  # F-0005 due 12-02: not due
    issue(cli, draft, "2026-11-03", "f")  # F-0006 paid
    issue(cli, draft, "2026-11-04", "g", DRAFT.replace("dupont", "berlin"))  # F-0007 other client
    issue(cli, draft, "2026-11-05", "q", "kind: quote\n" + DRAFT)  # a quote owes nothing
    ok(cli, "pay", "F-2026-0002", "620", "--date", "2026-09-15", "--ref", "VIR-1")
    ok(cli, "credit", "F-2026-0003", "--amount", "100", "--date", "2026-10-15", "--reason", "geste")
    ok(cli, "pay", "F-2026-0006", "--date", "2026-11-10", "--method", "cheque")
    ok(cli, "pay", "F-2026-0004", "500", "--date", "2026-11-15", "--method", "card")
    ok(cli, "pay", "F-2026-0007", "100", "--date", "2026-11-16")


def test_bucket_boundaries() -> None:
    assert [bucket(days) for days in (-3, 0, 1, 30, 31, 60, 61, 90, 91, 400)] == [
        "not_due", "not_due", "1-30", "1-30", "31-60", "31-60", "61-90", "61-90",
        "over_90", "over_90",
    ]  # fmt: skip


def test_statement_lists_invoices_credit_notes_and_payments_with_a_running_balance(
    cli, account
) -> None:
    data = statement(cli, "dupont")
    assert (data["kind"], data["currency"], data["language"]) == ("statement", "EUR", "fr")
    assert data["client"]["name"] == "Atelier Dupont SARL"
    assert data["period"] == {"start": None, "end": "2026-11-22"}
    assert D(data["opening_balance"]) == 0
    rows = [
        (r["date"], r["kind"], r["number"], r["debit"], r["credit"], r["balance"])
        for r in data["rows"]
    ]
    assert rows == [
        ("2026-07-02", "invoice", "F-2026-0001", "1620.00", None, "1620.00"),
        ("2026-08-02", "invoice", "F-2026-0002", "1620.00", None, "3240.00"),
        ("2026-09-01", "invoice", "F-2026-0003", "1620.00", None, "4860.00"),
        ("2026-09-15", "payment", "F-2026-0002", None, "620.00", "4240.00"),
        ("2026-10-02", "invoice", "F-2026-0004", "1620.00", None, "5860.00"),
        ("2026-10-15", "credit_note", "AV-2026-0001", None, "120.00", "5740.00"),
        ("2026-11-02", "invoice", "F-2026-0005", "1620.00", None, "7360.00"),
        ("2026-11-03", "invoice", "F-2026-0006", "1620.00", None, "8980.00"),
        ("2026-11-10", "payment", "F-2026-0006", None, "1620.00", "7360.00"),
        ("2026-11-15", "payment", "F-2026-0004", None, "500.00", "6860.00"),
    ]
    # Descriptions in the client's language name what the number column does not say.
    described = {(r["date"], r["number"]): r["description"] for r in data["rows"]}
    assert described[("2026-07-02", "F-2026-0001")].startswith("Facture")
    assert "F-2026-0003" in described[("2026-10-15", "AV-2026-0001")]  # the invoice credited
    assert "virement" in described[("2026-09-15", "F-2026-0002")]
    assert "VIR-1" in described[("2026-09-15", "F-2026-0002")]
    assert "chèque" in described[("2026-11-10", "F-2026-0006")]
    assert "carte" in described[("2026-11-15", "F-2026-0004")]
    assert data["closing_balance"] == "6860.00"
    listing = json.loads(ok(cli, "list", "--client", "dupont", "--json"))
    assert sum(D(d["balance"]) for d in listing) == D("6860.00")  # the sum of the balances
    aging = {a["bucket"]: D(a["amount"]) for a in data["aging"]}
    assert aging == {
        "not_due": D("1620.00"),
        "1-30": D("1120.00"),
        "31-60": D("1500.00"),
        "61-90": D("1000.00"),
        "over_90": D("1620.00"),
    }
    assert [(i["number"], i["balance"], i["days_late"]) for i in data["open_invoices"]] == [
        ("F-2026-0001", "1620.00", 113),
        ("F-2026-0002", "1000.00", 82),
        ("F-2026-0003", "1500.00", 52),
        ("F-2026-0004", "1120.00", 21),
        ("F-2026-0005", "1620.00", 0),
    ]


def test_a_period_starts_from_the_opening_balance_and_ages_as_of_its_last_day(
    cli: Cli, account
) -> None:
    data = statement(cli, "dupont", "--from", "2026-10-01", "--to", "2026-10-31")
    assert data["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert data["opening_balance"] == "4240.00"
    assert [(r["number"], r["balance"]) for r in data["rows"]] == [
        ("F-2026-0004", "5860.00"),
        ("AV-2026-0001", "5740.00"),
    ]
    assert data["closing_balance"] == "5740.00"
    # On 2026-10-31 the payment of 2026-11-15 had not come: F-2026-0004 was not due yet.
    aging = {a["bucket"]: D(a["amount"]) for a in data["aging"]}
    assert aging == {
        "not_due": D("1620.00"),
        "1-30": D("1500.00"),
        "31-60": D("1000.00"),
        "61-90": D(0),
        "over_90": D("1620.00"),  # due 2026-08-01: 91 days late on 2026-10-31
    }
    assert sum(aging.values()) == D(data["closing_balance"])
    before = statement(cli, "dupont", "--to", "2026-09-30")
    assert before["closing_balance"] == data["opening_balance"]


def test_statement_prints_a_table_and_the_aging(cli: Cli, account) -> None:
    # In the client's language (Atelier Dupont is French): words, dates and amounts.
    lines = [
        plain(line) for line in ok(cli, "statement", "dupont", "--from", "2026-11-01").splitlines()
    ]
    assert lines[0] == "Atelier Dupont SARL (dupont), du 01/11/2026 au 22/11/2026, EUR"
    assert lines[1].split() == ["Date", "Document", "Libellé", "Débit", "Crédit", "Solde"]
    assert lines[2] == "Solde antérieur 5 740,00 €"
    assert lines[3].split()[:2] == ["02/11/2026", "F-2026-0005"]
    assert lines[3].endswith("7 360,00 €")
    assert lines[-2] == "Solde au 22/11/2026 6 860,00 €"
    assert lines[-1] == (
        "Balance âgée (EUR) : Non échu : 1 620,00 € 1 à 30 jours : 1 120,00 € "
        "31 à 60 jours : 1 500,00 € 61 à 90 jours : 1 000,00 € Plus de 90 jours : 1 620,00 €"
    )


def plain(line: str) -> str:
    """No-break spaces made plain, the padding of a table row off."""
    return " ".join(re.sub("[\u00a0\u202f]", " ", line).split())


def test_statement_pdf(cli: Cli, account, folder: Path) -> None:
    if not (find_packaged_templates() / "statement.html").is_file():
        pytest.skip("templates/statement.html is not written yet: the statement PDF cannot render")
    result = cli("statement", "dupont", "--pdf", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["closing_balance"] == "6860.00"  # stdout stays JSON
    assert "out/statements/dupont-2026-11-22.pdf" in result.stderr
    reader = pypdf.PdfReader(folder / "out/statements/dupont-2026-11-22.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (
        "Relevé de compte",
        "Atelier Dupont SARL",
        "6 860,00 €",
        "F-2026-0003",
        "AV-2026-0001",
        "113 jours",
    ):
        assert expected in text, expected
    assert "F-2026-0007" not in text and "D-2026-0001" not in text
    table = cli("statement", "dupont", "--pdf", "--to", "2026-10-31")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[-1] == "out/statements/dupont-2026-10-31.pdf"


def test_statement_in_the_clients_language_with_corrections(cli: Cli, account) -> None:
    ok(cli, "pay", "F-2026-0007", "-100", "--reason", "transfer recalled")
    data = statement(cli, "berlin")
    assert data["language"] == "en"
    assert [(r["kind"], r["debit"], r["credit"]) for r in data["rows"]] == [
        ("invoice", "1350.00", None),
        ("payment", None, "100.00"),
        ("payment", "100.00", None),  # the correction owes the amount again
    ]
    invoice, payment, correction = (r["description"] for r in data["rows"])
    assert invoice.startswith("Invoice")
    assert "transfer" in payment
    assert "correction" in correction and "transfer recalled" in correction
    assert data["closing_balance"] == "1350.00"  # reverse charge: no VAT


def test_an_overpayment_leaves_a_negative_closing_balance_and_no_aging(cli: Cli, draft) -> None:
    issue(cli, draft, "2026-11-02", "a")
    ok(cli, "pay", "F-2026-0001", "2000", "--force")
    data = statement(cli, "dupont")
    assert data["closing_balance"] == "-380.00"
    assert data["open_invoices"] == []
    assert all(D(a["amount"]) == 0 for a in data["aging"])


def test_statement_of_a_client_without_documents_and_of_a_removed_client(
    cli, draft, folder: Path
) -> None:
    empty = statement(cli, "berlin")
    assert (empty["rows"], D(empty["closing_balance"])) == ([], 0)
    issue(cli, draft, "2026-11-02", "a", DRAFT.replace("dupont", "berlin"))
    (folder / "clients/berlin.yaml").unlink()
    gone = statement(cli, "berlin")  # named as its latest document recorded it
    assert (gone["client"]["name"], gone["closing_balance"]) == ("Berlin Works GmbH", "1350.00")


def test_one_currency_per_statement(cli: Cli, draft) -> None:
    issue(cli, draft, "2026-11-02", "a")
    head = "currency: USD\nexchange_rate: {rate: 0.92, date: 2026-11-02}\n"
    issue(cli, draft, "2026-11-03", "b", head + DRAFT)
    assert [r["number"] for r in statement(cli, "dupont")["rows"]] == ["F-2026-0001"]
    usd = statement(cli, "dupont", "--currency", "USD")
    assert (usd["currency"], [r["number"] for r in usd["rows"]]) == ("USD", ["F-2026-0002"])
    for other in ("usd", "CHF"):  # a typo, or a currency they were never billed in
        result = cli("statement", "dupont", "--currency", other)
        assert result.exit_code == 1
        assert f"dupont has no document in {other}: theirs are in EUR, USD" in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nobody"], 1, "unknown client 'nobody' (expected one of: berlin, dupont)"),
        (
            ["dupont", "--from", "2026-11-02", "--to", "2026-11-01"],
            1,
            "starts (2026-11-02) after it ends",
        ),
        (["dupont", "--from", "yesterday"], 2, "expected a date like 2026-03-31"),
    ],
)
def test_statement_errors(
    cli: Cli, draft, folder: Path, args: list[str], code: int, message: str
) -> None:
    issue(cli, draft, "2026-11-02", "a")
    result = cli("statement", *args, "--pdf")
    assert result.exit_code == code
    assert message in result.output
    assert not (folder / "out").exists()


def test_a_client_whose_file_is_invalid_is_said_invalid_not_unknown(cli: Cli, folder: Path) -> None:
    client = folder / "clients" / "dupont.yaml"
    client.write_text(client.read_text("utf-8").replace("552100554", "552100555"), "utf-8")

    result = cli("statement", "dupont")

    assert result.exit_code != 0
    assert "client 'dupont' is invalid" in result.output
    assert re.search(r"clients/dupont\.yaml:\d+:\d+: invalid SIREN '552100555'", result.output)
    assert "unknown client" not in result.output
    unknown = cli("statement", "dupnt")
    assert (
        unknown.exit_code != 0
        and "unknown client 'dupnt' (did you mean 'dupont'?)" in unknown.output
    )
