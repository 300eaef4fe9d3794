"""`facturo pay` and `facturo receipt`: payments appended to tracking, derived status, receipts."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest

from conftest import DRAFT, TWO_RATES, Cli, issue, listed
from facturo.errors import FacturoError
from facturo.files.yamlio import load_mapping
from facturo.output.sandbox import find_packaged_templates
from facturo.reports.receipts import build_receipt
from facturo.store.folder import Folder
from facturo.store.index import Ledger

D = Decimal
INVOICE = "invoices/2026/F-2026-0001.yaml"


def payments(folder: Path, path: str = INVOICE) -> list[dict[str, Any]]:
    data, problems = load_mapping(folder / path, path)
    assert data is not None and problems == []
    return list((data.get("tracking") or {}).get("payments") or [])


def check_passes(cli: Cli) -> None:
    result = cli("check", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["errors"] == 0


# -- pay ----------------------------------------------------------------------------------


def test_pay_without_amount_pays_the_balance_and_only_appends_to_the_file(
    cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02")
    issued = (folder / INVOICE).read_text("utf-8")
    result = cli("pay", "F-2026-0001")
    assert result.exit_code == 0, result.output
    assert result.stdout == "F-2026-0001 paid; balance 0.00 EUR\n"
    assert "payment 1 of 1620.00 EUR recorded" in result.stderr
    text = (folder / INVOICE).read_text("utf-8")
    # The sealed document, its header comment and seal are kept byte for byte: only the
    # tracking section is added at the end.
    assert text.startswith(issued)
    assert text[len(issued) :] == (
        "tracking:\n  payments:\n  - date: 2026-11-22\n    amount: 1620.00\n    method: transfer\n"
    )
    assert payments(folder) == [
        {"date": dt.date(2026, 11, 22), "amount": D("1620.00"), "method": "transfer"}
    ]
    assert listed(cli)["F-2026-0001"]["status"] == "paid"
    check_passes(cli)


def test_partial_payments_accumulate_and_each_one_is_appended(
    cli: Cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02")
    first = cli(
        "pay", "F-2026-0001", "500", "--date", "2026-11-10", "--method", "cheque", "--ref", "4417"
    )
    assert first.exit_code == 0, first.output
    assert first.stdout == "F-2026-0001 partially-paid; balance 1120.00 EUR\n"
    after_first = (folder / INVOICE).read_text("utf-8")
    second = cli("pay", "F-2026-0001", "620,50", "--method", "card")
    assert second.exit_code == 0, second.output
    assert second.stdout == "F-2026-0001 partially-paid; balance 499.50 EUR\n"
    assert (folder / INVOICE).read_text("utf-8").startswith(after_first)
    assert payments(folder) == [
        {
            "date": dt.date(2026, 11, 10),
            "amount": D("500.00"),
            "method": "cheque",
            "reference": "4417",
        },
        {"date": dt.date(2026, 11, 22), "amount": D("620.50"), "method": "card"},
    ]
    entry = listed(cli)["F-2026-0001"]
    assert (entry["paid"], entry["balance"], entry["status"]) == (
        "1120.50",
        "499.50",
        "partially-paid",
    )
    assert entry["days_late"] == 0
    last = cli("pay", "F-2026-0001")
    assert last.stdout == "F-2026-0001 paid; balance 0.00 EUR\n"
    assert payments(folder)[-1]["amount"] == D("499.50")
    check_passes(cli)


def test_every_payment_method_is_accepted_and_an_unknown_one_is_refused(
    cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02")
    for method in ("transfer", "card", "cheque", "cash", "direct-debit", "other"):
        assert cli("pay", "F-2026-0001", "10", "--method", method).exit_code == 0
    assert [p["method"] for p in payments(folder)] == [
        "transfer", "card", "cheque", "cash", "direct-debit", "other",
    ]  # fmt: skip
    before = (folder / INVOICE).read_bytes()
    result = cli("pay", "F-2026-0001", "10", "--method", "bitcoin")
    assert result.exit_code == 1
    assert "unknown payment method 'bitcoin'" in result.stderr
    assert (folder / INVOICE).read_bytes() == before


def test_overpayment_is_refused_unless_forced_and_then_shows_the_clients_credit(
    cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02")
    before = (folder / INVOICE).read_bytes()
    refused = cli("pay", "F-2026-0001", "2000")
    assert refused.exit_code == 1
    assert "more than the balance of F-2026-0001 (1620.00 EUR)" in refused.stderr
    assert "--force" in refused.stderr
    assert (folder / INVOICE).read_bytes() == before
    forced = cli("pay", "F-2026-0001", "2000", "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.stdout == "F-2026-0001 paid; client credit 380.00 EUR\n"
    entry = listed(cli)["F-2026-0001"]
    assert (entry["balance"], entry["status"]) == ("-380.00", "paid")
    statement = json.loads(cli("statement", "dupont", "--json").stdout)
    assert statement["closing_balance"] == "-380.00"
    check_passes(cli)


def test_payment_on_a_cancelled_invoice_is_refused_unless_forced(
    cli: Cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02")
    assert cli("credit", "F-2026-0001", "--reason", "commande annulée").exit_code == 0
    assert listed(cli)["F-2026-0001"]["status"] == "cancelled"
    before = (folder / INVOICE).read_bytes()
    refused = cli("pay", "F-2026-0001", "100")
    assert refused.exit_code == 1
    assert "F-2026-0001 is cancelled by credit notes" in refused.stderr
    assert (folder / INVOICE).read_bytes() == before
    forced = cli("pay", "F-2026-0001", "100", "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.stdout == "F-2026-0001 cancelled; client credit 100.00 EUR\n"
    assert listed(cli)["F-2026-0001"]["balance"] == "-100.00"
    check_passes(cli)


def test_a_payment_is_undone_only_by_a_negative_correction_with_a_reason(
    cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02")
    assert cli("pay", "F-2026-0001", "500", "--method", "cheque", "--ref", "4417").exit_code == 0
    paid_once = (folder / INVOICE).read_bytes()
    no_reason = cli("pay", "F-2026-0001", "-500")
    assert no_reason.exit_code == 1
    assert "--reason" in no_reason.stderr
    too_much = cli("pay", "F-2026-0001", "-600", "--reason", "chèque impayé")
    assert too_much.exit_code == 1
    assert "exceeds what was paid on F-2026-0001 (500.00)" in too_much.stderr
    assert (folder / INVOICE).read_bytes() == paid_once
    undo = cli("pay", "F-2026-0001", "-500", "--method", "cheque", "--reason", "chèque impayé")
    assert undo.exit_code == 0, undo.output
    assert undo.stdout == "F-2026-0001 issued; balance 1620.00 EUR\n"
    # History is never rewritten: the payment stays, the correction follows it.
    assert (folder / INVOICE).read_bytes().startswith(paid_once)
    assert payments(folder)[1] == {
        "date": dt.date(2026, 11, 22), "amount": D("-500.00"), "method": "cheque",
        "reason": "chèque impayé",
    }  # fmt: skip
    assert listed(cli)["F-2026-0001"]["paid"] == "0.00"
    check_passes(cli)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["10.001"], 1, "10.001 has more than 2 decimals for EUR"),
        (["0"], 1, "a payment of 0 records nothing"),
        (["abc"], 2, "expected an amount like 1250.00"),
        (["nan"], 2, "expected an amount like 1250.00"),
        (["10", "--date", "2026-11-23"], 1, "cannot be dated in the future"),
        (["10", "--date", "2026-10-31"], 1, "before the invoice date 2026-11-02"),
        (["10", "--date", "22/11/2026"], 2, "expected a date like 2026-03-31"),
    ],
)
def test_a_refused_payment_changes_no_file(
    cli, draft, folder: Path, args: list[str], code: int, message: str
) -> None:
    issue(cli, draft, "2026-11-02")
    before = (folder / INVOICE).read_bytes()
    result = cli("pay", "F-2026-0001", *args)
    assert result.exit_code == code
    assert message in result.output
    assert (folder / INVOICE).read_bytes() == before


def test_nothing_left_to_pay_is_said_so(cli: Cli, draft) -> None:
    issue(cli, draft, "2026-11-02")
    assert cli("pay", "F-2026-0001").exit_code == 0
    result = cli("pay", "F-2026-0001")
    assert result.exit_code == 1
    assert "F-2026-0001 has nothing left to pay (paid)" in result.stderr


def test_payments_go_on_invoices_and_deposits_only(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    assert cli("credit", "F-2026-0001", "--amount", "100", "--reason", "geste").exit_code == 0
    issue(cli, draft, "2026-11-05", "q", "kind: quote\n" + DRAFT)
    unknown = cli("pay", "F-2026-0009", "10")
    assert unknown.exit_code == 1
    assert "no issued document 'F-2026-0009'" in unknown.stderr
    on_credit_note = cli("pay", "AV-2026-0001", "10")
    assert on_credit_note.exit_code == 1
    assert (
        "AV-2026-0001 is a credit note: payments are recorded on invoices" in on_credit_note.stderr
    )
    on_quote = cli("pay", "D-2026-0001", "10")
    assert on_quote.exit_code == 1
    assert "D-2026-0001 is a quote" in on_quote.stderr
    assert not (folder / "quotes/2026/D-2026-0001.yaml").read_text("utf-8").count("tracking:")


def test_a_tampered_invoice_gets_no_payment(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    path = folder / INVOICE
    path.write_text(path.read_text("utf-8").replace("unit_price: 450.00", "unit_price: 45.00"))
    before = path.read_bytes()
    result = cli("pay", "F-2026-0001", "10")
    assert result.exit_code == 1
    assert "was changed after issue" in result.stderr
    assert path.read_bytes() == before


def test_pay_waits_for_the_folder_lock_and_gives_up_with_exit_4(
    cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issue(cli, draft, "2026-11-02")
    before = (folder / INVOICE).read_bytes()
    real_lock = Folder.lock
    monkeypatch.setattr(Folder, "lock", lambda self, timeout=30.0: real_lock(self, 0.2))
    with open(folder / ".facturo" / "lock", "a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # another facturo command is writing
        result = cli("pay", "F-2026-0001", "10")
    assert result.exit_code == 4
    assert "another facturo command is writing" in result.stderr
    assert (folder / INVOICE).read_bytes() == before
    assert cli("pay", "F-2026-0001", "10").exit_code == 0


# -- status and list ----------------------------------------------------------------------


def test_status_is_derived_and_list_filters_by_it(cli: Cli, draft) -> None:
    # Issued in date order; today is 2026-11-22 and the terms are 30 days.
    issue(cli, draft, "2026-08-03", "overdue")  # F-0001, due 2026-09-02: 81 days late
    issue(cli, draft, "2026-09-01", "late-partial")  # F-0002, due 2026-10-01: 52 days late
    issue(cli, draft, "2026-10-01", "paid")  # F-0003
    issue(cli, draft, "2026-11-02", "partial")  # F-0004, due 2026-12-02
    issue(cli, draft, "2026-11-03", "cancelled")  # F-0005
    issue(cli, draft, "2026-11-04", "open")  # F-0006
    assert cli("pay", "F-2026-0002", "620").exit_code == 0
    assert cli("pay", "F-2026-0003").exit_code == 0
    assert cli("pay", "F-2026-0004", "1000").exit_code == 0
    assert cli("credit", "F-2026-0005", "--full", "--reason", "annulée").exit_code == 0
    documents = listed(cli)
    got = {n: (d["status"], D(d["balance"]), d["days_late"]) for n, d in documents.items()}
    assert got == {
        "F-2026-0001": ("overdue", D("1620.00"), 81),
        "F-2026-0002": ("overdue", D("1000.00"), 52),
        "F-2026-0003": ("paid", D(0), 0),
        "F-2026-0004": ("partially-paid", D("620.00"), 0),
        "F-2026-0005": ("cancelled", D(0), 0),
        "F-2026-0006": ("issued", D("1620.00"), 0),
        "AV-2026-0001": ("issued", D(0), 0),
    }
    expected = {
        "overdue": ["F-2026-0001", "F-2026-0002"],
        "paid": ["F-2026-0003"],
        "partially-paid": ["F-2026-0004"],
        "cancelled": ["F-2026-0005"],
    }
    for status, numbers in expected.items():
        result = cli("list", "--status", status, "--json")
        assert result.exit_code == 0, result.output
        assert [d["number"] for d in json.loads(result.stdout)] == numbers, status
    table = cli("list", "--status", "overdue").stdout.splitlines()
    assert table[0].split() == [
        "Number",
        "Date",
        "Client",
        "Total",
        "Balance",
        "Due",
        "Status",
        "Late",
    ]
    assert table[2].split()[-4:] == ["EUR", "2026-10-01", "overdue", "52"]
    assert "1000.00 EUR" in table[2]
    assert cli("list", "--status", "late").exit_code == 2


def test_list_shows_the_balance_and_days_late_of_each_invoice(cli: Cli, draft) -> None:
    issue(cli, draft, "2026-09-01")
    assert cli("pay", "F-2026-0001", "120").exit_code == 0
    table = cli("list").stdout.splitlines()
    assert table[1].split() == [
        "F-2026-0001", "2026-09-01", "dupont", "1620.00", "EUR", "1500.00", "EUR",
        "2026-10-01", "overdue", "52",
    ]  # fmt: skip


# -- receipts -----------------------------------------------------------------------------


def test_build_receipt_holds_the_payment_the_invoice_and_what_is_left(
    cli: Cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02", text=TWO_RATES)  # 1600 at 20 % + 150 at 10 %: 2085.00
    assert (
        cli("pay", "F-2026-0001", "1000", "--date", "2026-11-10", "--ref", "VIR-0142").exit_code
        == 0
    )
    assert cli("pay", "F-2026-0001", "85", "--method", "cheque").exit_code == 0
    ledger = Ledger(Folder(folder))
    receipt = build_receipt(ledger, "F-2026-0001", 1)
    seller = receipt.pop("seller")
    client = receipt.pop("client")
    assert (seller["name"], seller["siren"]) == ("Camille Martin", "812345676")
    assert (client["id"], client["name"]) == ("dupont", "Atelier Dupont SARL")
    assert receipt == {
        "kind": "receipt",
        "number": "F-2026-0001-R1",
        "issue_date": dt.date(2026, 11, 10),
        "language": "fr",
        "currency": "EUR",
        "invoice": {
            "number": "F-2026-0001", "kind": "invoice", "issue_date": dt.date(2026, 11, 2),
            "due_date": dt.date(2026, 12, 2), "gross": D("2085.00"),
        },
        "payment": {
            "index": 1, "date": dt.date(2026, 11, 10), "amount": D("1000.00"),
            "method": "transfer", "reference": "VIR-0142",
        },
        "paid_total": D("1000.00"),
        "credited": D("0"),
        "balance": D("1085.00"),
    }  # fmt: skip
    latest = build_receipt(ledger, "F-2026-0001")
    assert (latest["number"], latest["payment"]["amount"]) == ("F-2026-0001-R2", D("85.00"))
    assert (latest["paid_total"], latest["balance"]) == (D("1085.00"), D("1000.00"))
    assert latest["payment"]["reference"] is None


def test_a_receipt_is_about_money_received_on_an_invoice(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    issue(cli, draft, "2026-11-03", "q", "kind: quote\n" + DRAFT)
    ledger = Ledger(Folder(folder))
    with pytest.raises(FacturoError, match="no payment is recorded on F-2026-0001"):
        build_receipt(ledger, "F-2026-0001")
    with pytest.raises(FacturoError, match="D-2026-0001 is not an invoice"):
        build_receipt(ledger, "D-2026-0001")
    assert cli("pay", "F-2026-0001", "100").exit_code == 0
    assert cli("pay", "F-2026-0001", "-100", "--reason", "rejet du virement").exit_code == 0
    ledger = Ledger(Folder(folder))
    with pytest.raises(FacturoError, match="has payments 1 to 2, not 3"):
        build_receipt(ledger, "F-2026-0001", 3)
    with pytest.raises(FacturoError, match="payment 2 on F-2026-0001 is a correction"):
        build_receipt(ledger, "F-2026-0001", 2)
    result = cli("receipt", "F-2026-0001", "--payment", "0")
    assert result.exit_code == 1
    assert "has payments 1 to 2, not 0" in result.stderr
    assert not (folder / "out").exists()


def test_a_receipt_states_the_balance_as_it_was_on_the_day_of_the_payment(
    cli, draft, folder: Path
) -> None:
    """A receipt proves a past event: a credit note issued later does not change it."""
    issue(cli, draft, "2026-09-01")
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-09-10").exit_code == 0
    before = build_receipt(Ledger(Folder(folder)), "F-2026-0001", 1)
    assert before["balance"] == D("1520.00")
    assert cli("credit", "F-2026-0001", "--amount", "100", "--reason", "geste").exit_code == 0
    after = build_receipt(Ledger(Folder(folder)), "F-2026-0001", 1)
    assert (after["credited"], after["balance"]) == (D("0"), D("1520.00"))


def test_receipt_renders_a_pdf_through_the_cli(cli: Cli, draft, folder: Path) -> None:
    if not (find_packaged_templates() / "receipt.html").is_file():
        pytest.skip("templates/receipt.html is not written yet: the receipt PDF cannot render")
    issue(cli, draft, "2026-11-02")
    assert (
        cli(
            "pay",
            "F-2026-0001",
            "500",
            "--date",
            "2026-11-10",
            "--method",
            "cheque",
            "--ref",
            "4417",
        ).exit_code
        == 0
    )
    assert cli("pay", "F-2026-0001", "1120").exit_code == 0
    result = cli("receipt", "F-2026-0001", "--payment", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == "out/2026/F-2026-0001-R1.pdf\n"
    text = " ".join(
        pypdf.PdfReader(folder / "out/2026/F-2026-0001-R1.pdf").pages[0].extract_text().split()
    )
    for expected in (
        "F-2026-0001-R1",
        "Atelier Dupont SARL",
        "500,00 €",
        "10 novembre 2026",
        "4417",
        "1 120,00 €",
    ):
        assert expected in text, expected
    latest = cli("receipt", "F-2026-0001", "--out", str(folder / "receipts"))
    assert latest.exit_code == 0, latest.output
    assert (folder / "receipts/F-2026-0001-R2.pdf").is_file()
    check_passes(cli)
