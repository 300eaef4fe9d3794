"""`facturo bank import|match|pending`: statements read, credits matched and recorded once."""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import TWO_RATES, Cli, issue, snapshot, write
from facturo.files.yamlio import load_mapping
from helpers_process import facturo_command

D = Decimal
FIXTURES = Path(__file__).parent / "fixtures" / "bank"
DUPONT_IBAN = "FR76 3000 4000 0312 3456 7890 143"
ONE_DAY = (
    "client: {client}\nlines:\n  - description: Jour\n    quantity: 1\n    unit_price: {price}\n"
)
THREE_DAYS = (
    "client: berlin\nlines:\n  - description: Days\n    quantity: 3\n    unit_price: 450.00\n"
)


@pytest.fixture
def billed(cli: Cli, draft, folder: Path) -> Path:
    """Five invoices: dupont 1620.00, 2085.00 and 120.00; berlin 1350.00 and 450.00."""
    with (folder / "facturo.yaml").open("a") as config:
        config.write("bank:\n  tolerance: 1.00\n")
    with (folder / "clients" / "dupont.yaml").open("a") as client:
        client.write(f"iban: {DUPONT_IBAN}\n")
    issue(cli, draft, "2026-10-01", "a")
    issue(cli, draft, "2026-10-05", "b", TWO_RATES)
    issue(cli, draft, "2026-10-10", "c", THREE_DAYS)
    issue(cli, draft, "2026-10-12", "d", ONE_DAY.format(client="dupont", price="100.00"))
    issue(cli, draft, "2026-10-15", "e", ONE_DAY.format(client="berlin", price="450.00"))
    return folder


def payments(folder: Path, number: str) -> list[dict[str, Any]]:
    path = f"invoices/2026/{number}.yaml"
    data, problems = load_mapping(folder / path, path)
    assert data is not None and problems == []
    return list((data.get("tracking") or {}).get("payments") or [])


def run_import(cli: Cli, file: Path, *args: str) -> dict[str, Any]:
    result = cli("bank", "import", str(file), "--json", *args)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def outcomes(report: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    found = {}
    for tx in report["transactions"]:
        numbers = [a["number"] for a in tx["allocations"]] or tx["candidates"]
        found.setdefault(tx["id"], (tx["outcome"], numbers))
    return found


# -- CAMT.053 ------------------------------------------------------------------------------


def test_camt053_credits_are_matched_by_number_iban_name_and_sums(cli: Cli, billed: Path) -> None:
    report = run_import(cli, FIXTURES / "camt053-v08.xml")
    assert report["format"] == "camt.053.001.08"
    assert report["account"] == "FR7630006000011234567890189"
    assert [tx["outcome"] for tx in report["transactions"]] == [
        "matched", "known", "matched", "matched", "matched", "debit", "foreign", "unmatched",
    ]  # fmt: skip
    by_id = outcomes(report)
    assert by_id["2026111600017"] == ("matched", ["F-2026-0001"])  # "f 2026 0001" in the text
    assert by_id["2026111700004"] == ("matched", ["F-2026-0002"])  # structured reference
    assert by_id["2026111800011"] == ("matched", ["F-2026-0003", "F-2026-0005"])  # name + sum
    assert by_id["2026111900002"] == ("matched", ["F-2026-0004"])  # IBAN, 0.50 short
    assert by_id["2026112000006"][0] == "foreign"
    rules = [tx["rule"] for tx in report["transactions"] if tx["outcome"] == "matched"]
    assert rules == ["reference", "reference", "sum", "iban"]
    assert report["write_offs"] == [{"number": "F-2026-0004", "amount": "0.50", "currency": "EUR"}]

    assert payments(billed, "F-2026-0001") == [
        {
            "date": __import__("datetime").date(2026, 11, 16), "amount": D("1620.00"),
            "method": "transfer", "reference": "DUPONT-VIR-1116", "transaction": "2026111600017",
        }
    ]  # fmt: skip
    partial = payments(billed, "F-2026-0002")
    assert [(p["amount"], p["transaction"]) for p in partial] == [(D("1000.00"), "2026111700004")]
    assert [p["amount"] for p in payments(billed, "F-2026-0003")] == [D("1350.00")]
    assert [p["amount"] for p in payments(billed, "F-2026-0005")] == [D("450.00")]
    assert [p["amount"] for p in payments(billed, "F-2026-0004")] == [D("119.50")]
    listed = {d["number"]: d for d in json.loads(cli("list", "--json").stdout)}
    assert listed["F-2026-0002"]["balance"] == "1085.00"
    assert cli("check").exit_code == 0


def test_reimporting_the_same_or_an_overlapping_statement_changes_nothing(
    cli: Cli, billed: Path, tmp_path: Path
) -> None:
    run_import(cli, FIXTURES / "camt053-v08.xml")
    before = snapshot(billed)
    again = run_import(cli, FIXTURES / "camt053-v08.xml")
    assert snapshot(billed) == before
    assert {tx["outcome"] for tx in again["transactions"]} == {
        "known", "debit", "foreign", "unmatched",
    }  # fmt: skip
    overlap = run_import(cli, FIXTURES / "camt053-v02-overlap.xml")
    assert [tx["outcome"] for tx in overlap["transactions"]] == ["known", "matched"]
    assert [p["amount"] for p in payments(billed, "F-2026-0002")] == [D("1000.00"), D("1085.00")]
    after = snapshot(billed)
    run_import(cli, FIXTURES / "camt053-v02-overlap.xml")
    assert snapshot(billed) == after


def test_a_dry_run_records_nothing_and_shows_what_it_would(cli: Cli, billed: Path) -> None:
    before = snapshot(billed)
    result = cli("bank", "import", str(FIXTURES / "camt053-v08.xml"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert snapshot(billed) == before
    assert "to record" in result.stdout
    assert "dry run, nothing recorded" in result.stderr
    assert not (billed / ".facturo" / "bank" / "state.json").exists()


def test_unmatched_and_foreign_credits_wait_for_a_hand_decision(cli: Cli, billed: Path) -> None:
    run_import(cli, FIXTURES / "camt053-v08.xml")
    waiting = json.loads(cli("bank", "pending", "--json").stdout)
    assert [(w["id"], w["outcome"]) for w in waiting] == [
        ("2026112000006", "foreign"), ("2026112000042", "unmatched"),
    ]  # fmt: skip
    refused = cli("bank", "match", "2026112000006", "F-2026-0002")
    assert refused.exit_code == 1
    assert "sent in USD" in refused.stderr
    result = cli("bank", "match", "20261120000", "F-2026-0002")
    assert result.exit_code == 1 and "several" in result.stderr
    result = cli("bank", "match", "2026112000042", "F-2026-0002")
    assert result.exit_code == 0, result.output
    assert "F-2026-0002: 75.00 EUR from 2026112000042 recorded" in result.stdout
    assert payments(billed, "F-2026-0002")[-1]["transaction"] == "2026112000042"
    again = cli("bank", "match", "2026112000042", "F-2026-0002")
    assert again.exit_code == 1 and "no transaction" in again.stderr
    # Importing again does not record it a second time, nor list it as waiting.
    report = run_import(cli, FIXTURES / "camt053-v08.xml")
    assert outcomes(report)["2026112000042"][0] == "known"
    assert [w["id"] for w in json.loads(cli("bank", "pending", "--json").stdout)] == [
        "2026112000006"
    ]


def test_the_table_lists_credits_and_proposes_the_write_off(cli: Cli, billed: Path) -> None:
    result = cli("bank", "import", str(FIXTURES / "camt053-v08.xml"))
    assert result.exit_code == 0, result.output
    assert "F-2026-0004 is 0.50 EUR short of its balance" in result.stdout
    assert "facturo pay F-2026-0004 --write-off" in result.stdout
    assert "FRAIS" not in result.stdout  # debits are ignored
    assert "4 recorded" in result.stderr and "1 debit, ignored" in result.stderr
    written_off = cli("pay", "F-2026-0004", "--write-off")  # the command proposed
    assert written_off.exit_code == 0, written_off.output
    assert payments(billed, "F-2026-0004")[-1]["amount"] == D("0.50")
    listed = {d["number"]: d for d in json.loads(cli("list", "--json").stdout)}
    assert (listed["F-2026-0004"]["status"], listed["F-2026-0004"]["balance"]) == ("paid", "0.00")


def test_concurrent_imports_record_each_transaction_once(billed: Path, cli: Cli) -> None:
    statement = FIXTURES / "camt053-v08.xml"
    (billed / ".facturo").mkdir(exist_ok=True)
    with open(billed / ".facturo" / "lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # all three start, then wait for it
        workers = [
            subprocess.Popen(
                facturo_command(billed, "bank", "import", str(statement)),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    results = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), results
    recorded = [p["transaction"] for n in range(1, 6) for p in payments(billed, f"F-2026-{n:04d}")]
    assert sorted(recorded) == sorted(
        ["2026111600017", "2026111700004", "2026111800011", "2026111800011", "2026111900002"]
    )
    assert cli("check").exit_code == 0


def test_a_broken_statement_is_reported_with_its_line(
    cli: Cli, billed: Path, tmp_path: Path
) -> None:
    broken = write(
        tmp_path / "broken.xml",
        (FIXTURES / "camt053-v08.xml")
        .read_text("utf-8")
        .replace(
            '<Amt Ccy="EUR">119.50</Amt>\n        <CdtDbtInd>',
            '<Amt Ccy="EUR">119,5O</Amt>\n        <CdtDbtInd>',
        ),
    )
    before = snapshot(billed)
    result = cli("bank", "import", str(broken))
    assert result.exit_code == 3
    assert "broken.xml:138:" in result.stderr
    assert "'119,5O' is not an amount (Amt of Ntry)" in result.stderr
    assert snapshot(billed) == before
    bomb = write(
        tmp_path / "bomb.xml",
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<x>&a;</x>\n',
    )
    result = cli("bank", "import", str(bomb))
    assert result.exit_code == 3 and "a DTD is not allowed" in result.stderr


# -- OFX and CSV ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ofx1-sgml.ofx", "ofx2-xml.ofx"])
def test_ofx_statements_are_read_and_matched(cli: Cli, billed: Path, name: str) -> None:
    report = run_import(cli, FIXTURES / name)
    assert report["format"] in ("ofx 102", "ofx 220")
    assert report["account"] == "12345678901"
    assert [(tx["outcome"], tx["amount"]) for tx in report["transactions"]] == [
        ("matched", "1620.00"), ("debit", "8.40"), ("matched", "1800.00"), ("foreign", "452.31"),
    ]  # fmt: skip
    assert payments(billed, "F-2026-0001")[0]["transaction"] == "20261116-0001"
    assert run_import(cli, FIXTURES / name)["transactions"][0]["outcome"] == "known"


CSV_MAPPING = """\
bank:
  tolerance: 1.00
  csv:
    skip_lines: 2
    encoding: cp1252
    columns:
      date: Date opération
      value_date: Date valeur
      label: Libellé
      debit: Débit
      credit: Crédit
      reference: Référence
"""


def test_csv_with_french_decimal_commas(cli: Cli, billed: Path) -> None:
    config = (billed / "facturo.yaml").read_text("utf-8").replace("bank:\n  tolerance: 1.00\n", "")
    (billed / "facturo.yaml").write_text(config + CSV_MAPPING, "utf-8")
    report = run_import(cli, FIXTURES / "releve-fr.csv")
    assert report["format"] == "csv"
    assert [(tx["outcome"], tx["amount"], tx["line"]) for tx in report["transactions"]] == [
        ("matched", "1620.00", 4), ("debit", "8.40", 5), ("matched", "1234.56", 6),
        ("matched", "1800.00", 7),
    ]  # fmt: skip
    assert report["transactions"][2]["allocations"] == [
        {"number": "F-2026-0002", "amount": "1234.56", "shortfall": "0.00"}
    ]
    ids = [tx["id"] for tx in report["transactions"]]
    assert all(i.startswith("sha-") for i in ids) and len(set(ids)) == 4
    assert {tx["outcome"] for tx in run_import(cli, FIXTURES / "releve-fr.csv")["transactions"]} == {
        "known", "debit",
    }  # fmt: skip


def test_a_csv_statement_needs_its_mapping(cli: Cli, billed: Path) -> None:
    result = cli("bank", "import", str(FIXTURES / "releve-fr.csv"))
    assert result.exit_code == 3
    assert "needs a bank.csv section" in result.stderr


def test_remind_dry_run_shows_the_last_import(cli: Cli, billed: Path) -> None:
    result = cli("remind", "--dry-run")
    assert "no bank statement imported yet" in result.stderr
    run_import(cli, FIXTURES / "camt053-v08.xml")
    result = cli("remind", "--dry-run")
    assert "last bank import: 2026-11-22" in result.stderr
    assert "movements up to 2026-11-20" in result.stderr


def test_the_example_statement_imports(tmp_path: Path) -> None:
    example = Path(__file__).parents[1] / "examples" / "freelance"
    folder = tmp_path / "freelance"
    shutil.copytree(example, folder, ignore=shutil.ignore_patterns(".facturo", "out"))
    cli = Cli(folder)
    statement = str(folder / "bank" / "releve-2026-11.xml")
    result = cli("--today", "2026-11-30", "bank", "import", statement, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [tx["outcome"] for tx in report["transactions"]] == [
        "matched", "matched", "debit", "matched", "unmatched",
    ]  # fmt: skip
    assert report["write_offs"] == [{"number": "F-2026-0014", "amount": "0.50", "currency": "EUR"}]
    assert cli("check").exit_code == 0


def test_a_foreign_credit_is_recorded_by_hand_with_the_amount_in_the_invoice_currency(
    cli: Cli, billed: Path
) -> None:
    run_import(cli, FIXTURES / "camt053-v08.xml")
    result = cli("bank", "match", "2026112000006", "F-2026-0002", "--amount", "452,31")
    assert result.exit_code == 0, result.output
    recorded = payments(billed, "F-2026-0002")[-1]
    assert (recorded["amount"], recorded["transaction"]) == (D("452.31"), "2026112000006")
    assert recorded["reference"] == "ACME-INV-F20260005"
    table = cli("bank", "pending")
    assert table.exit_code == 0
    assert table.stdout.splitlines()[1].split()[:3] == ["2026-11-20", "2026112000042", "75.00"]


@pytest.mark.parametrize("given", ["nan", "Infinity", "1e40"])
def test_an_amount_given_by_hand_is_a_number_files_can_hold(
    cli: Cli, billed: Path, given: str
) -> None:
    run_import(cli, FIXTURES / "camt053-v08.xml")
    before = payments(billed, "F-2026-0002")
    result = cli("bank", "match", "2026112000006", "F-2026-0002", "--amount", given)
    assert result.exit_code == 2, result.output
    assert "--amount" in result.output
    assert payments(billed, "F-2026-0002") == before


def test_a_statement_of_another_account_is_imported_with_a_warning(
    cli: Cli, billed: Path, tmp_path: Path
) -> None:
    text = (FIXTURES / "camt053-v08.xml").read_text("utf-8")
    other = write(tmp_path / "other.xml", text.replace(
        "<IBAN>FR7630006000011234567890189</IBAN>", "<IBAN>FR7630004000031234567890143</IBAN>"
    ))  # fmt: skip
    result = cli("bank", "import", str(other), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "warning: the statement is of account FR7630004000031234567890143" in result.stderr
    mine = cli("bank", "import", str(FIXTURES / "camt053-v08.xml"), "--dry-run")
    assert "warning" not in mine.stderr


def test_a_credit_set_aside_stays_aside_when_imported_again(cli: Cli, billed: Path) -> None:
    run_import(cli, FIXTURES / "camt053-v08.xml")
    result = cli("bank", "ignore", "2026112000042")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2026112000042 (2026-11-20, 75.00 EUR) set aside\n"
    assert [w["id"] for w in json.loads(cli("bank", "pending", "--json").stdout)] == [
        "2026112000006"
    ]
    report = run_import(cli, FIXTURES / "camt053-v08.xml")
    assert outcomes(report)["2026112000042"][0] == "ignored"
    assert len(json.loads(cli("bank", "pending", "--json").stdout)) == 1


def test_bad_ofx_and_csv_rows_are_reported_with_their_lines(
    cli: Cli, billed: Path, tmp_path: Path
) -> None:
    ofx = (
        (FIXTURES / "ofx1-sgml.ofx")
        .read_text("cp1252")
        .replace("<DTPOSTED>20261117", "<DTPOSTED>17/11/2026")
    )
    result = cli("bank", "import", str(write(tmp_path / "bad.ofx", ofx)))
    assert result.exit_code == 3
    assert "bad.ofx:51:1: DTPOSTED '17/11/2026' is not a date (YYYYMMDD)" in result.stderr
    config = (billed / "facturo.yaml").read_text("utf-8").replace("bank:\n  tolerance: 1.00\n", "")
    (billed / "facturo.yaml").write_text(config + CSV_MAPPING, "utf-8")
    rows = (FIXTURES / "releve-fr.csv").read_bytes().replace(b"1 234,56", b"1 234,5x")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(rows.replace(b"19/11/2026;19", b"2026-11-19;19"))
    before = snapshot(billed)
    result = cli("bank", "import", str(bad))
    assert result.exit_code == 3
    assert "bad.csv:6:1: '1 234,5x' is not an amount (decimal mark ',')" in result.stderr
    assert "bad.csv:7:1: '2026-11-19' is not a date like %d/%m/%Y" in result.stderr
    assert snapshot(billed) == before
    missing = cli("bank", "import", str(tmp_path / "nowhere.xml"))
    assert missing.exit_code == 1 and "nowhere.xml: no such file" in missing.stderr


def test_csv_with_one_signed_amount_column_and_its_own_formats(
    cli: Cli, billed: Path, tmp_path: Path
) -> None:
    mapping = """\
bank:
  csv:
    separator: ","
    decimal: "."
    date_format: "%Y-%m-%d"
    columns: {date: Date, amount: Amount, counterparty: Payer, iban: IBAN, label: Details, id: Id}
"""
    config = (billed / "facturo.yaml").read_text("utf-8").replace("bank:\n  tolerance: 1.00\n", "")
    (billed / "facturo.yaml").write_text(config + mapping, "utf-8")
    statement = write(tmp_path / "export.csv", f"""\
        Date,Amount,Payer,IBAN,Details,Id
        2026-11-16,"1,620.00",Someone,{DUPONT_IBAN},"Invoice, thanks",X1
        2026-11-17,-8.40,Bank,,Fees,X2
        """)  # fmt: skip
    report = run_import(cli, statement)
    assert [(tx["id"], tx["outcome"], tx["rule"]) for tx in report["transactions"]] == [
        ("X1", "matched", "iban"), ("X2", "debit", None),
    ]  # fmt: skip
