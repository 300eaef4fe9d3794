"""Exports against the folder of tests/report_folder.py: the FEC read back by a validator
written from LPF article A47 A-1, CSV files, and journals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import Cli
from report_folder import build, ok

# A47 A-1: the 18 fields, in this order, named so on the first line.
FEC_COLUMNS = [
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise",
]  # fmt: skip
DATE_FIELDS = ("EcritureDate", "PieceDate", "DateLet", "ValidDate")
REQUIRED = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum",
            "CompteLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
            "ValidDate")  # fmt: skip


def validate_fec(path: Path, siren: str) -> list[dict[str, str]]:
    """The FEC's rows once every rule checked here holds (an AssertionError otherwise)."""
    assert re.fullmatch(rf"{siren}FEC\d{{8}}\.txt", path.name), path.name
    dt.datetime.strptime(path.name[12:20], "%Y%m%d")  # the closing date is a date
    text = path.read_bytes().decode("iso-8859-15")
    lines = text.splitlines()
    separator = "|" if "|" in lines[0] else "\t"
    assert lines[0].split(separator) == FEC_COLUMNS
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split(separator)
        assert len(fields) == 18, f"line {number}: {len(fields)} fields"
        row = dict(zip(FEC_COLUMNS, fields, strict=True))
        for name in REQUIRED:
            assert row[name], f"line {number}: {name} is empty"
        for name in DATE_FIELDS:
            if row[name]:
                assert re.fullmatch(r"\d{8}", row[name]), f"line {number}: {name}"
                dt.datetime.strptime(row[name], "%Y%m%d")
        for name in ("Debit", "Credit"):
            assert re.fullmatch(r"\d+,\d{2}", row[name]), f"line {number}: {name} {row[name]}"
        debit, credit = (Decimal(row[n].replace(",", ".")) for n in ("Debit", "Credit"))
        assert (debit == 0) != (credit == 0), f"line {number}: one of debit and credit"
        assert re.fullmatch(r"\d{3}\w*", row["CompteNum"]), f"line {number}: CompteNum"
        assert bool(row["CompAuxNum"]) == bool(row["CompAuxLib"]), f"line {number}"
        # Amounts in another currency: both its amount and its ISO 4217 code, or neither.
        assert bool(row["Montantdevise"]) == bool(row["Idevise"]), f"line {number}: devise"
        if row["Idevise"]:
            assert re.fullmatch(r"[A-Z]{3}", row["Idevise"]) and row["Idevise"] != "EUR"
            assert re.fullmatch(r"\d+(,\d+)?", row["Montantdevise"]), f"line {number}"
        rows.append(row)
    # Each entry balances; entries are numbered continuously per journal in date order.
    entries: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        entries.setdefault(row["EcritureNum"], []).append(row)
    for number, lines_of in entries.items():
        debit = sum(Decimal(r["Debit"].replace(",", ".")) for r in lines_of)
        credit = sum(Decimal(r["Credit"].replace(",", ".")) for r in lines_of)
        assert debit == credit, f"{number}: debit {debit} != credit {credit}"
        assert len({(r["EcritureDate"], r["JournalCode"]) for r in lines_of}) == 1
    for journal in {r["JournalCode"] for r in rows}:
        numbers = list(dict.fromkeys(r["EcritureNum"] for r in rows if r["JournalCode"] == journal))
        assert numbers == [f"{journal}{n:06}" for n in range(1, len(numbers) + 1)]
        dates = [entries[n][0]["EcritureDate"] for n in numbers]
        assert dates == sorted(dates)
    return rows


@pytest.fixture
def built(cli: Cli, draft: Callable[..., Path], folder: Path) -> Cli:
    build(cli, draft, folder)
    return cli


def amounts(rows: list[dict[str, str]], account: str, side: str) -> Decimal:
    return sum(
        (Decimal(r[side].replace(",", ".")) for r in rows if r["CompteNum"] == account),
        Decimal(0),
    )


def balance(rows: list[dict[str, str]], prefix: str) -> Decimal:
    """Debit less credit of the FEC's accounts starting with `prefix` (at least one)."""
    found = [r for r in rows if r["CompteNum"].startswith(prefix)]
    assert found, prefix
    return sum(
        (Decimal(r["Debit"].replace(",", ".")) - Decimal(r["Credit"].replace(",", "."))
         for r in found),
        Decimal(0),
    )  # fmt: skip


def test_fec_passes_the_validator_and_matches_the_vat_report(built: Cli, folder: Path) -> None:
    result = built("export", "fec", "--year", "2026")
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path == folder / "out" / "812345676FEC20261231.txt"
    rows = validate_fec(path, "812345676")
    assert "left out" not in result.stderr
    # Sales (VE): 7 documents: F-0001..0006 and AV-0001.
    sales = {r["EcritureNum"] for r in rows if r["JournalCode"] == "VE"}
    assert len(sales) == 7
    # Receipts (BQ): 810 + 690 + 600 + 2000 EUR, and 300 USD at 0.9 = 270 EUR.
    assert amounts(rows, "512000", "Debit") == Decimal("4370.00")
    # Clients: 1620 + 1411 + 1200 + 2000 + 600 invoiced (6831) and 600 USD (540 EUR), credit
    # note 120 and receipts 4370 credited: 7371 - 4490 = 2881 still owed (report clients:
    # 2611.00 EUR and 300.00 USD, that is 270 EUR at the invoice's rate).
    owed = amounts(rows, "411000", "Debit") - amounts(rows, "411000", "Credit")
    assert owed == Decimal("2881.00")
    # VAT collected (445710) = the VAT report of October and November (135 + 611), which
    # counts the 45 EUR of F-0005 (50 of its 100 USD of VAT, paid) in euros at its rate:
    # goods and debits on the invoice date, services moved from 445740 when paid.
    collected = amounts(rows, "445710", "Credit") - amounts(rows, "445710", "Debit")
    assert collected == Decimal("746.00")
    # Still pending: F-0001 270 - 20 (credit note) - 135 - 115 = 0, F-0003 120 - 60 = 60,
    # F-0005 90 - 45 = 45.
    pending = amounts(rows, "445740", "Credit") - amounts(rows, "445740", "Debit")
    assert pending == Decimal("105.00")
    # Revenue: 1350 + 1200 + 1000 + 2000 + 500 - 100 + 450 (500 USD) = 6400.
    revenue = amounts(rows, "706000", "Credit") - amounts(rows, "706000", "Debit")
    assert revenue == Decimal("6400.00")
    dupont = {r["CompAuxNum"] for r in rows if r["CompteNum"] == "411000"}
    assert dupont == {"411DUPONT", "411BERLIN"}
    # The USD invoice and its payment: euros at 0.9, each line with its amount in dollars.
    dollars = [
        (r["JournalCode"], r["CompteNum"], r["Debit"], r["Credit"], r["Montantdevise"], r["Idevise"])
        for r in rows if r["PieceRef"] == "F-2026-0005"
    ]  # fmt: skip
    assert dollars == [
        ("VE", "411000", "540,00", "0,00", "600,00", "USD"),
        ("VE", "706000", "0,00", "450,00", "500,00", "USD"),
        ("VE", "445740", "0,00", "90,00", "100,00", "USD"),
        ("BQ", "512000", "270,00", "0,00", "300,00", "USD"),
        ("BQ", "411000", "0,00", "270,00", "300,00", "USD"),
        ("BQ", "445740", "45,00", "0,00", "50,00", "USD"),
        ("BQ", "445710", "0,00", "45,00", "50,00", "USD"),
    ]
    assert not any(r["Idevise"] for r in rows if r["PieceRef"] != "F-2026-0005")


def test_a_foreign_entry_in_euros_still_balances() -> None:
    from facturo.reports.postings import CLIENT, REVENUE, SALES, VAT, Transaction

    # 3 x 33.33 USD of revenue at three rates, at 0.333333 EUR per USD: converted one by
    # one, 11.11 x 3 = 33.33 EUR; the gross 119.99 USD makes 40.00 EUR: the cent of
    # difference goes to the client line, the largest.
    move = Transaction(SALES, dt.date(2026, 1, 5), "F-1", dt.date(2026, 1, 5), "invoice",
                       "acme", "Acme", "USD", euro_rate=Decimal("0.333333"))  # fmt: skip
    move.post(CLIENT, "411000", Decimal("-119.99"), client="411ACME")
    for rate in (Decimal(20), Decimal(10), Decimal("5.5")):
        move.post(REVENUE, "706000", Decimal("33.33"), rate=rate)
    move.post(VAT, "445710", Decimal("20.00"), rate=Decimal(20))
    assert move.balanced
    euros = move.in_euros()
    assert euros is not None and euros.balanced and euros.currency == "EUR"
    assert euros.foreign_currency == "USD"
    assert [(p.debit, p.credit, p.foreign) for p in euros.postings] == [
        (Decimal("40.00"), Decimal("0.00"), Decimal("119.99")),
        (Decimal("0.00"), Decimal("11.11"), Decimal("33.33")),
        (Decimal("0.00"), Decimal("11.11"), Decimal("33.33")),
        (Decimal("0.00"), Decimal("11.11"), Decimal("33.33")),
        (Decimal("0.00"), Decimal("6.67"), Decimal("20.00")),
    ]
    assert Transaction(SALES, dt.date(2026, 1, 5), "F-2", dt.date(2026, 1, 5), "invoice",
                       "acme", "Acme", "USD").in_euros() is None  # fmt: skip


def test_fec_accounts_come_from_facturo_yaml_and_tab_separates(built: Cli, folder: Path) -> None:
    config = folder / "facturo.yaml"
    config.write_text(
        config.read_text("utf-8")
        + 'accounting:\n  bank: "512100"\n  vat_by_rate: ["20=445712", "5.5=445715"]\n',
        "utf-8",
    )
    path = Path(ok(built, "export", "fec", "--year", "2026", "--separator", "tab").strip())
    rows = validate_fec(path, "812345676")
    assert amounts(rows, "512100", "Debit") == Decimal("4370.00")
    assert amounts(rows, "445715", "Credit") == Decimal("11.00")  # F-0002's books
    assert not amounts(rows, "445710", "Credit")
    config.write_text(config.read_text("utf-8").replace('"5.5=445715"', '"five=445715"'), "utf-8")
    bad = built("export", "fec", "--year", "2026")
    assert bad.exit_code != 0 and "rate=account" in bad.stderr


def test_the_validator_catches_an_unbalanced_entry(built: Cli) -> None:
    path = Path(ok(built, "export", "fec", "--year", "2026").strip())
    text = path.read_bytes().decode("iso-8859-15")
    broken = text.replace("|1620,00|0,00|", "|1620,01|0,00|", 1)
    assert broken != text
    path.write_bytes(broken.encode("iso-8859-15"))
    with pytest.raises(AssertionError, match=r"debit 1620\.01"):
        validate_fec(path, "812345676")


def test_documents_csv(built: Cli) -> None:
    rows = list(csv.DictReader(io.StringIO(ok(built, "export", "csv", "--year", "2026"))))
    found = {r["number"]: r for r in rows}
    assert list(found) == [
        "F-2026-0001", "F-2026-0002", "F-2026-0003", "F-2026-0004", "F-2026-0005",
        "AV-2026-0001", "F-2026-0006",
    ]  # fmt: skip
    goods = found["F-2026-0002"]  # 1000 at 20 % and 200 at 5.5 %
    assert (goods["net"], goods["vat_20"], goods["vat_5_5"], goods["gross"]) == (
        "1200.00", "200.00", "11.00", "1411.00",
    )  # fmt: skip
    first = found["F-2026-0001"]  # 1620 = 810 + 690 paid + 120 credited
    assert (first["paid"], first["credited"], first["balance"], first["status"]) == (
        "1500.00", "120.00", "0.00", "paid",
    )  # fmt: skip
    assert found["F-2026-0005"]["currency"] == "USD"
    assert found["AV-2026-0001"]["gross"] == "120.00" and found["AV-2026-0001"]["paid"] == ""


def test_lines_csv_says_goods_or_services(built: Cli, folder: Path) -> None:
    out = folder / "lines.csv"
    assert ok(built, "export", "csv", "--lines", "--out", str(out)).strip() == str(out)
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    mixed = [
        (r["description"], r["net"], r["nature"]) for r in rows if r["number"] == "F-2026-0003"
    ]
    assert mixed == [("Installation", "600.00", "services"), ("Pièce détachée", "400.00", "goods")]
    assert {r["nature"] for r in rows if r["number"] == "F-2026-0002"} == {"goods"}


def test_hledger_accepts_the_journal(built: Cli, folder: Path) -> None:
    import subprocess

    path = folder / "sales.journal"
    ok(built, "export", "journal", "--year", "2026", "--out", str(path))
    checked = subprocess.run(
        ["hledger", "-f", str(path), "check", "accounts", "commodities", "ordereddates"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    balance = subprocess.run(
        ["hledger", "-f", str(path), "balance", "--flat", "--no-total", "-O", "csv"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    lines = dict(row[:2] for row in csv.reader(io.StringIO(balance.stdout)))
    # The FEC's figures, each currency on its own: 2611 EUR still owed by dupont, and 300 USD.
    assert lines["assets:receivables:411000:411dupont"] == "2611.00 EUR, 300.00 USD"
    assert lines["liabilities:vat:445710"] == "-701.00 EUR, -50.00 USD"


def test_bean_check_accepts_the_journal(built: Cli, folder: Path) -> None:
    from beancount import loader

    text = ok(built, "export", "journal", "--format", "beancount", "--year", "2026")
    entries, errors, _ = loader.load_string(text)
    assert errors == []
    assert (
        sum(1 for e in entries if type(e).__name__ == "Transaction") == 12
    )  # 7 documents, 5 payments
    broken = text.replace("1620.00 EUR", "1620.01 EUR", 1)
    assert loader.load_string(broken)[1]  # an unbalanced transaction is an error


def test_receipts_book(built: Cli) -> None:
    text = ok(built, "export", "receipts-book", "--year", "2026")
    rows = [(r["date"], r["number"], r["nature"], r["amount"], r["currency"], r["method"])
            for r in csv.DictReader(io.StringIO(text))]  # fmt: skip
    assert rows == [
        ("2026-10-20", "F-2026-0001", "services", "810.00", "EUR", "transfer"),
        ("2026-11-10", "F-2026-0001", "services", "690.00", "EUR", "transfer"),
        ("2026-11-12", "F-2026-0005", "services", "300.00", "USD", "transfer"),
        ("2026-11-15", "F-2026-0003", "mixed", "600.00", "EUR", "transfer"),
        ("2026-11-20", "F-2026-0004", "services", "2000.00", "EUR", "transfer"),
    ]
    # A write-off settles an invoice but brings no money in: it is not a receipt.
    ok(built, "pay", "F-2026-0002", "--write-off", "--force", "--date", "2026-11-21")
    assert ok(built, "export", "receipts-book", "--year", "2026") == text
    assert ok(built, "export", "receipts-book", "--year", "2025").strip() == ",".join(
        ["date", "number", "client", "client_name", "nature", "amount", "currency", "method",
         "reference"]
    )  # fmt: skip


def test_documents_xlsx_holds_numbers_and_dates(built: Cli, folder: Path) -> None:
    from openpyxl import load_workbook

    path = Path(ok(built, "export", "xlsx", "--year", "2026").strip())
    assert path == folder / "out" / "documents-2026.xlsx"
    sheet = load_workbook(path).active
    assert sheet is not None and sheet.title == "documents"
    header = [c.value for c in sheet[1]]
    assert header == next(csv.reader(io.StringIO(ok(built, "export", "csv", "--year", "2026"))))
    found = {
        row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)
    }
    assert list(found) == [
        "F-2026-0001", "F-2026-0002", "F-2026-0003", "F-2026-0004", "F-2026-0005",
        "AV-2026-0001", "F-2026-0006",
    ]  # fmt: skip
    goods = found["F-2026-0002"]  # 1000 at 20 % and 200 at 5.5 %
    assert [goods[c].value for c in ("net", "vat_20", "vat_5_5", "vat_total", "gross")] == [
        1200, 200, 11, 211, 1411,
    ]  # fmt: skip
    assert all(goods[c].data_type == "n" for c in ("net", "vat_20", "gross", "balance"))
    assert goods["gross"].number_format == "#,##0.00"
    first = found["F-2026-0001"]  # 1620 = 810 + 690 paid + 120 credited
    assert [first[c].value for c in ("paid", "credited", "balance", "status")] == [
        1500, 120, 0, "paid",
    ]  # fmt: skip
    assert first["issue_date"].is_date and first["issue_date"].number_format == "yyyy-mm-dd"
    assert first["issue_date"].value == dt.datetime(2026, 10, 5)
    assert first["due_date"].value == dt.datetime(2026, 11, 4)
    mixed = found["F-2026-0003"]  # 1200 gross, 600 paid
    assert (mixed["paid"].value, mixed["balance"].value) == (600, 600)
    assert found["F-2026-0005"]["currency"].value == "USD"
    assert found["F-2026-0005"]["gross"].value == 600
    assert found["AV-2026-0001"]["paid"].value is None
    # A spreadsheet sums the column: 1620 + 1411 + 1200 + 2000 + 600 invoiced in EUR.
    euros = [
        r for r in found.values() if r["currency"].value == "EUR" and r["kind"].value == "invoice"
    ]
    assert sum(Decimal(str(r["gross"].value)) for r in euros) == Decimal("6831")


def test_lines_xlsx_says_goods_or_services(built: Cli, folder: Path) -> None:
    from openpyxl import load_workbook

    out = folder / "lines.xlsx"
    assert ok(built, "export", "xlsx", "--lines", "--out", str(out)).strip() == str(out)
    sheet = load_workbook(out).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True))
            for row in sheet.iter_rows(min_row=2)]  # fmt: skip
    mixed = [(r["description"], r["quantity"], r["unit_price"], r["net"], r["nature"])
             for r in rows if r["number"] == "F-2026-0003"]  # fmt: skip
    assert mixed == [
        ("Installation", 2, 300, 600, "services"),
        ("Pièce détachée", 1, 400, 400, "goods"),
    ]
    book = [r for r in rows if r["number"] == "F-2026-0002"]
    assert [(r["vat_rate"], r["net"]) for r in book] == [(20, 1000), (5.5, 200)]
    assert book[0]["issue_date"] == dt.datetime(2026, 11, 2)


def test_receipts_book_pdf_in_the_seller_language(built: Cli, folder: Path) -> None:
    from pdf_text import assert_all_in, text_of

    path = Path(ok(built, "export", "receipts-book", "--year", "2026", "--pdf").strip())
    assert path == folder / "out" / "receipts-book-2026.pdf"
    text = text_of(path.read_bytes())
    assert_all_in(text, [
        "Livre des recettes", "Année 2026", "Octobre 2026", "Novembre 2026",
        "F-2026-0001", "Prestation de services", "Mixte", "Virement", "L123-28",
        # October: 810 EUR. November: 690 + 600 + 2000 = 3290 EUR, and 300 USD.
        "Total Octobre 2026 810,00 €", "Total Novembre 2026 3 290,00 €", "300,00 $US",
        # The year: 4100 EUR, 300 USD, never added together.
        "Total de l'année 2026 4 100,00 €", "Recettes encaissées", "4 100,00 € · 300,00 $US",
        "les totaux sont donnés par devise",
    ])  # fmt: skip
    assert text.index("Octobre 2026") < text.index("Novembre 2026")
    # The receipt, November's total, the year's, and the year's in the facts at the top.
    assert text.count("300,00 $US") == 4
    config = folder / "facturo.yaml"
    config.write_text(config.read_text("utf-8").replace("language: fr", "language: en"), "utf-8")
    out = folder / "book.pdf"
    ok(built, "export", "receipts-book", "--year", "2026", "--pdf", "--out", str(out))
    english = text_of(out.read_bytes())
    assert_all_in(english, ["Receipts book", "Year 2026", "October 2026", "Total for 2026",
                            "€4,100.00", "Services", "Bank transfer", "US$300.00"])  # fmt: skip
    empty = folder / "empty.pdf"
    ok(built, "export", "receipts-book", "--year", "2025", "--pdf", "--out", str(empty))
    assert "No receipts in 2025." in text_of(empty.read_bytes())


def test_text_that_looks_like_a_formula_stays_text_in_a_workbook() -> None:
    import io

    from openpyxl import load_workbook

    from facturo.output.spreadsheets import workbook

    data = workbook((["number", "client_name"], [{"number": "F-1", "client_name": "=1+1"}]), "t")
    cell = load_workbook(io.BytesIO(data)).active["B2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_a_foreign_invoice_paid_in_parts_clears_its_accounts_in_euros(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    # 833.33 USD + VAT 166.67 = 1000.00 USD at 0.855: paid 333.33 + 333.33 + 333.34. Each
    # payment converted alone gives 285.00 + 285.00 + 285.01 = 855.01 against 855.00 invoiced.
    draft("usd", "client: dupont\ncurrency: USD\nexchange_rate: {rate: 0.855, date: 2026-11-02}\n"
          "lines:\n  - {description: Support, quantity: 1, unit_price: 833.33}\n")  # fmt: skip
    ok(cli, "issue", "drafts/usd.yaml", "--date", "2026-11-02", "--no-pdf")
    for amount, day in (("333.33", "05"), ("333.33", "10"), ("333.34", "15")):
        ok(cli, "pay", "F-2026-0001", amount, "--date", f"2026-11-{day}")
    path = Path(ok(cli, "export", "fec", "--year", "2026").strip())
    rows = validate_fec(path, "812345676")

    assert balance(rows, "411") == 0  # paid in full: the client owes nothing, in euros too
    assert balance(rows, "44574") == 0  # the VAT awaiting payment all became due
    assert balance(rows, "512") == Decimal("855.00")


def test_a_write_off_is_a_loss_not_money_in_the_bank(
    cli: Cli, draft: Callable[..., Path], folder: Path
) -> None:
    draft("a")  # 3 days x 450 = 1350 + VAT 270 = 1620, services (VAT due on payment)
    ok(cli, "issue", "drafts/a.yaml", "--date", "2026-11-02", "--no-pdf")
    ok(cli, "pay", "F-2026-0001", "1000", "--date", "2026-11-10")
    ok(cli, "pay", "F-2026-0001", "--write-off", "--force", "--date", "2026-11-20")
    rows = validate_fec(Path(ok(cli, "export", "fec", "--year", "2026").strip()), "812345676")

    assert balance(rows, "512") == Decimal("1000.00")  # only what came in
    assert balance(rows, "411") == 0  # settled
    # 620 given up: its VAT (620 x 270 / 1620 = 103.33) never became due; the rest is a loss.
    assert balance(rows, "654") == Decimal("516.67")
    assert balance(rows, "44574") == 0
    assert balance(rows, "4457") == Decimal("-166.67")  # VAT due on the 1000 received
    assert {r["JournalCode"] for r in rows if r["CompteNum"].startswith("654")} == {"OD"}
    import subprocess

    path = folder / "sales.journal"
    ok(cli, "export", "journal", "--year", "2026", "--out", str(path))
    assert "expenses:bad-debts:654000  " in path.read_text("utf-8")
    checked = subprocess.run(
        ["hledger", "-f", str(path), "check", "accounts", "commodities", "ordereddates"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
