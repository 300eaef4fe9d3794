"""One account: every place that shows a current balance agrees; issued documents stay as issued."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import facturx
import pytest

from conftest import CONFIG, Cli, issue, listed, write
from facturo.model.account import Account, Movement, aging_bucket, receivable_status
from pdf_text import text_of
from smtp_server import running
from test_payment_link import qr_codes
from test_remind_send import flat

D = Decimal
INVOICE_1800 = """\
client: dupont
lines:
  - description: Développement
    quantity: 3
    unit: day
    unit_price: 500.00
"""  # 1500.00 + 300.00 VAT = 1800.00


def _render(cli: Cli, out: Path) -> tuple[bytes, bytes]:
    """The invoice's PDF as `render` writes it, and the Factur-X XML embedded in it."""
    result = cli("render", "F-2026-0001", "--out", str(out))
    assert result.exit_code == 0, result.output
    pdf = (out / "F-2026-0001.pdf").read_bytes()
    _, xml = facturx.get_xml_from_pdf(io.BytesIO(pdf), check_xsd=False)
    return pdf, xml


def test_a_credit_note_and_a_payment_leave_the_invoice_pdf_and_xml_as_issued(
    cli: Cli, draft, folder: Path, tmp_path: Path
) -> None:
    """Rendering is reproducible (no clock, no random ids in the PDF), so what was issued is
    compared byte for byte: the PDF whole, and the XML inside it."""
    assert issue(cli, draft, "2026-10-01", text=INVOICE_1800) == "F-2026-0001"
    pdf_before, xml_before = _render(cli, tmp_path / "before")
    assert "1 800,00" in text_of(pdf_before)
    assert b"<ram:DuePayableAmount>1800.00</ram:DuePayableAmount>" in xml_before

    assert cli("credit", "F-2026-0001", "--amount", "500", "--reason", "x").exit_code == 0
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-11-05").exit_code == 0
    assert D(listed(cli)["F-2026-0001"]["balance"]) == D("1100.00")

    pdf_after, xml_after = _render(cli, tmp_path / "after")
    assert xml_after == xml_before
    assert pdf_after == pdf_before


def test_every_place_that_shows_what_is_owed_today_shows_1100(
    cli: Cli, draft, folder: Path, tmp_path: Path
) -> None:
    """1,800 invoiced, a 600 credit note, 100 paid: 1,100 in list, show, statement, receipt,
    the reminder email and the formal notice letter (60 days late on TODAY)."""
    with running() as smtp:
        write(folder / "facturo.yaml", CONFIG + smtp.mail_config())
        assert issue(cli, draft, "2026-08-24", text=INVOICE_1800) == "F-2026-0001"
        credited = cli("credit", "F-2026-0001", "--amount", "500", "--reason", "x", "--date",
                       "2026-09-01")  # fmt: skip
        assert credited.exit_code == 0, credited.output
        assert cli("pay", "F-2026-0001", "100", "--date", "2026-09-05").exit_code == 0

        def run(*args: str) -> str:
            result = cli(*args)
            assert result.exit_code == 0, result.output
            return str(result.stdout)

        # list
        assert D(listed(cli)["F-2026-0001"]["balance"]) == D("1100.00")
        [row] = [line for line in run("list").splitlines() if line.startswith("F-2026-0001")]
        assert "1100.00 EUR" in row
        # show
        assert "balance 1100.00 EUR" in run("show", "F-2026-0001")
        # statement: text, JSON and PDF
        assert "Solde au 22/11/2026" in run("statement", "dupont")
        assert flat(run("statement", "dupont").splitlines()[-2]).endswith("1100,00€")
        data = json.loads(run("statement", "dupont", "--json", "--pdf"))
        assert D(data["closing_balance"]) == D("1100.00")
        assert [D(i["balance"]) for i in data["open_invoices"]] == [D("1100.00")]
        statement = flat(text_of((folder / "out/statements/dupont-2026-11-22.pdf").read_bytes()))
        assert "SOLDEDÛ1100,00€" in statement and "Soldeau22novembre20261100,00€" in statement
        # receipt of the payment
        run("receipt", "F-2026-0001", "--out", str(tmp_path / "receipt"))
        receipt = flat(text_of((tmp_path / "receipt" / "F-2026-0001-R1.pdf").read_bytes()))
        assert "Resteàrégler:1100,00€" in receipt and "Resteàpayer1100,00€" in receipt
        # remind: JSON, the email previewed, the email sent and its letter
        [late] = json.loads(run("remind", "--json"))
        assert (late["number"], D(late["balance"]), late["level_due"]) == (
            "F-2026-0001", D("1100.00"), 3
        )  # fmt: skip
        preview = flat(run("remind", "--dry-run"))
        assert "1100,00€restentdus" in preview and "Montantrestantdû:1100,00€" in preview
        run("remind", "--send")
        [received] = smtp.messages
        email = flat(received.text())
        assert "1100,00€restentdus" in email and "Montantrestantdû:1100,00€" in email
        assert "1700,00" not in email
        [(_, invoice), (_, letter)] = [
            (name, data) for name, kind, data in received.attachments() if kind == "application/pdf"
        ]
        assert "Netàpayer1800,00€" in flat(text_of(invoice))  # the invoice as issued
        letter_text = flat(text_of(letter))
        assert "Solderestantdû1100,00€" in letter_text and "1100,00€restentdus" in letter_text
        assert "1700,00" not in letter_text
        # what the letter's transfer QR asks for: the balance, interest and indemnity claimed
        [code] = qr_codes(letter)
        assert "EUR1161.97" in code.splitlines()


def test_status_codes_follow_the_movements() -> None:
    day = dt.date(2026, 11, 1)
    account = Account("EUR", D("100.00"), day)
    assert account.status(day) == "issued"
    assert account.status(day + dt.timedelta(days=1)) == "overdue"
    partly = Account("EUR", D("100.00"), day, payments=(Movement(day, D("40.00")),))
    assert partly.status(day) == "partially-paid"
    assert partly.balance == D("60.00")
    credited = Account("EUR", D("100.00"), day, credit_notes=(Movement(day, D("100.00")),))
    assert credited.status(day) == "cancelled"
    assert receivable_status(D("100"), D("100"), D("0"), day, day) == "paid"


def test_the_account_as_it_stood_on_a_day() -> None:
    due = dt.date(2026, 10, 31)
    account = Account(
        "EUR",
        D("1800.00"),
        due,
        payments=(Movement(dt.date(2026, 11, 5), D("100.00")),),
        credit_notes=(Movement(dt.date(2026, 11, 10), D("600.00")),),
    )
    assert account.until(dt.date(2026, 11, 4)).balance == D("1800.00")
    assert account.until(dt.date(2026, 11, 7)).balance == D("1700.00")
    assert account.balance == D("1100.00")
    assert account.at_payment(1).credited == D("0.00")
    assert account.days_late(dt.date(2026, 12, 15)) == 45
    assert account.aging_bucket(dt.date(2026, 12, 15)) == "31-60"
    assert [aging_bucket(d) for d in (0, 1, 30, 31, 61, 91)] == [
        "not_due", "1-30", "1-30", "31-60", "61-90", "over_90",
    ]  # fmt: skip


def test_the_claim_adds_interest_and_the_indemnity_for_a_business_only() -> None:
    due = dt.date(2026, 10, 1)
    account = Account("EUR", D("1000.00"), due)
    today = dt.date(2026, 10, 31)
    business = account.claim(today, D("12.15"), business=True)
    assert business.interest == D("9.99")  # 1000 x 12.15 % x 30 / 365
    assert business.indemnity == D("40.00")
    assert business.total == D("1049.99")
    assert business.deadline == dt.date(2026, 11, 8)
    individual = account.claim(today, D("12.15"), business=False)
    assert individual.indemnity is None
    assert individual.total == D("1009.99")
    assert account.claim(due, D("12.15"), business=True).indemnity is None


def test_the_index_gives_the_same_account_as_the_file_and_remind_reads_no_file(
    cli: Cli, draft, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facturo.model.document import IssuedDocument
    from facturo.reports.reminders import review
    from facturo.store.folder import Folder
    from facturo.store.index import Ledger

    assert issue(cli, draft, "2026-10-01", text=INVOICE_1800) == "F-2026-0001"
    assert cli("credit", "F-2026-0001", "--amount", "500", "--reason", "x").exit_code == 0
    assert cli("pay", "F-2026-0001", "100", "--date", "2026-11-05").exit_code == 0
    assert cli("pay", "F-2026-0001", "50", "--date", "2026-11-20").exit_code == 0
    today = dt.date(2026, 12, 20)
    monkeypatch.setenv("FACTURO_TODAY", today.isoformat())
    assert json.loads(cli("remind", "--json").stdout)

    ledger = Ledger(Folder(folder))
    entry = ledger.find("F-2026-0001")
    from_file = ledger.account_of(entry, IssuedDocument(ledger.document("F-2026-0001")))
    from_index = ledger.account_of(entry)
    assert from_index == from_file
    assert from_index.balance == D("1050.00")
    assert from_index.claim(today, D("12.15"), business=True) == from_file.claim(
        today, D("12.15"), business=True
    )

    def no_file(self: Ledger, number: str) -> None:
        raise AssertionError(f"remind opened {number}")

    warm = Ledger(Folder(folder))
    monkeypatch.setattr(Ledger, "document", no_file)
    (late,) = review(warm, today)
    assert late.entry.number == "F-2026-0001"
    assert late.claim.balance == D("1050.00")
