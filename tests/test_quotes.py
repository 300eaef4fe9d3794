"""Quotes: issued in their series, accepted into invoice drafts (with deposits) or declined."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from conftest import DRAFT, Cli, listed, snapshot
from facturo.files.yamlio import load_mapping
from facturo.output.facturx import build_xml
from facturo.store.folder import Folder
from facturo.store.index import Ledger
from facturo.store.tracking import load_for_update, tracking_list, write_tracking
from judges import NS

D = Decimal
CENT = D("0.01")
QUOTE = "quotes/2026/D-2026-0001.yaml"
QUOTE_DRAFT = "kind: quote\n" + DRAFT  # 3 x 450.00 at 20 %: 1620.00
THREE_RATES = """\
kind: quote
client: dupont
order_reference: PO-77
notes: Démarrage sous deux semaines.
lines:
  - description: Développement
    quantity: 3.333
    unit: day
    unit_price: 333.33
  - description: Repas
    quantity: 7
    unit_price: 12.35
    vat_rate: 10
  - description: Livres
    quantity: 3
    unit_price: 19.99
    vat_rate: 5.5
"""  # bases 1110.99 / 86.45 / 59.97, VAT 222.20 / 8.65 / 3.30, total 1491.56


def issue(
    cli: Cli, draft: Callable[..., Path], date: str, name: str = "q1", text: str = QUOTE_DRAFT
) -> str:
    result = cli("issue", str(draft(name, text)), "--date", date)
    assert result.exit_code == 0, result.output
    return str(result.stdout.strip())


def issue_path(cli: Cli, path: str, date: str) -> str:
    result = cli("issue", path, "--date", date)
    assert result.exit_code == 0, result.output
    return str(result.stdout.strip())


def read(folder: Path, path: str) -> dict[str, Any]:
    data, problems = load_mapping(folder / path, path)
    assert data is not None and problems == [], problems
    return dict(data)


def document(folder: Path, number: str) -> dict[str, Any]:
    return dict(Ledger(Folder(folder)).document(number))


def check_passes(cli: Cli) -> None:
    result = cli("check", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["errors"] == 0


def by_rate(totals: dict[str, Any], key: str) -> dict[Decimal, Decimal]:
    return {D(group["rate"]): group[key] for group in totals["vat"]}


# -- issue and states --------------------------------------------------------------------


def test_a_quote_is_issued_in_its_series_with_a_validity_date(
    cli: Cli, draft, folder: Path
) -> None:
    assert issue(cli, draft, "2026-11-02") == "D-2026-0001"
    assert issue(cli, draft, "2026-11-03", "q2", "valid_days: 10\n" + QUOTE_DRAFT) == "D-2026-0002"
    quote = read(folder, QUOTE)
    assert (quote["kind"], quote["valid_until"]) == ("quote", dt.date(2026, 12, 2))
    assert "type_code" not in quote and "due_date" not in quote
    assert read(folder, "quotes/2026/D-2026-0002.yaml")["valid_until"] == dt.date(2026, 11, 13)
    assert not (folder / "invoices").exists()
    assert issue(cli, draft, "2026-11-04", "inv", DRAFT) == "F-2026-0001"  # its own series
    quotes = listed(cli, "--kind", "quote")
    assert {n: (d["status"], D(d["balance"])) for n, d in quotes.items()} == {
        "D-2026-0001": ("issued", 0),
        "D-2026-0002": ("expired", 0),
    }
    einvoice = cli("einvoice", "D-2026-0001", "--check")
    assert einvoice.exit_code == 1
    assert "not a tax document" in einvoice.stderr
    check_passes(cli)


def test_quote_states_are_derived_and_listed(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-09-01", "old")  # D-0001: valid until 2026-10-01, expired
    for name in ("fresh", "sent", "accepted", "declined"):  # D-0002 .. D-0005
        issue(cli, draft, "2026-11-20", name)
    # What `facturo send` will append when it exists: a sending in tracking.
    ledger = Ledger(Folder(folder))
    path, data, text = load_for_update(ledger, "D-2026-0003")
    tracking_list(data, "sendings").append(
        {"date": dt.date(2026, 11, 21), "to": "compta@dupont.example"}
    )
    write_tracking(ledger, path, data, text)
    assert cli("accept", "D-2026-0004", "--date", "2026-11-21").exit_code == 0
    assert cli("decline", "D-2026-0005", "--reason", "budget reporté").exit_code == 0
    statuses = {n: d["status"] for n, d in listed(cli, "--kind", "quote").items()}
    assert statuses == {
        "D-2026-0001": "expired",
        "D-2026-0002": "issued",
        "D-2026-0003": "sent",
        "D-2026-0004": "accepted",
        "D-2026-0005": "declined",
    }
    for status in ("expired", "issued", "sent", "accepted", "declined"):
        numbers = list(listed(cli, "--status", status))
        assert numbers == [n for n, s in statuses.items() if s == status], status
    check_passes(cli)


# -- accept --------------------------------------------------------------------------------


def test_accept_without_deposit_writes_one_invoice_draft_repeating_the_quote(
    cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02", text=THREE_RATES.replace("lines:", 'discount: "5%"\nlines:'))
    issued = (folder / QUOTE).read_text("utf-8")
    result = cli("accept", "D-2026-0001", "--date", "2026-11-10")
    assert result.exit_code == 0, result.output
    assert result.stdout == "drafts/D-2026-0001-invoice.yaml\n"
    text = (folder / QUOTE).read_text("utf-8")
    assert text.startswith(issued)  # the sealed quote is untouched, acceptance appended
    assert text[len(issued) :] == "tracking:\n  accepted:\n    date: 2026-11-10\n"
    written = read(folder, "drafts/D-2026-0001-invoice.yaml")
    quote = read(folder, QUOTE)
    assert (written["kind"], written["client"], written["quote"]) == (
        "invoice",
        "dupont",
        "D-2026-0001",
    )
    assert (written["order_reference"], written["notes"], written["discount"]) == (
        "PO-77", "Démarrage sous deux semaines.", "5%",
    )  # fmt: skip
    assert [
        (item["description"], item["quantity"], item["unit_price"], D(item["vat_rate"]))
        for item in written["lines"]
    ] == [
        (item["description"], item["quantity"], item["unit_price"], D(item["vat_rate"]))
        for item in quote["lines"]
    ]
    assert listed(cli)["D-2026-0001"]["status"] == "accepted"
    check_passes(cli)
    assert issue_path(cli, "drafts/D-2026-0001-invoice.yaml", "2026-11-12") == "F-2026-0001"
    invoice = document(folder, "F-2026-0001")
    assert invoice["quote"] == {"number": "D-2026-0001", "issue_date": dt.date(2026, 11, 2)}
    assert invoice["totals"] == quote["totals"]
    assert invoice["order_reference"] == "PO-77"
    check_passes(cli)


def test_accept_with_a_deposit_deducts_it_from_the_final_invoice(
    cli, draft, folder: Path, en16931: Callable[[bytes], list[str]]
) -> None:
    issue(cli, draft, "2026-10-01", text=THREE_RATES)
    result = cli("accept", "D-2026-0001", "--deposit", "30%", "--date", "2026-10-05")
    assert result.exit_code == 0, result.output
    assert result.stdout == "drafts/D-2026-0001-deposit.yaml\ndrafts/D-2026-0001-invoice.yaml\n"
    assert read(folder, QUOTE)["tracking"]["accepted"] == {
        "date": dt.date(2026, 10, 5),
        "deposit": "30%",
    }
    deposit_draft = read(folder, "drafts/D-2026-0001-deposit.yaml")
    assert (deposit_draft["kind"], deposit_draft["quote"]) == ("deposit", "D-2026-0001")
    # 30 % of each VAT rate's base, one line per rate.
    assert [(item["unit_price"], D(item["vat_rate"])) for item in deposit_draft["lines"]] == [
        (D("333.30"), D(20)), (D("25.94"), D(10)), (D("17.99"), D("5.5")),
    ]  # fmt: skip
    assert issue_path(cli, "drafts/D-2026-0001-deposit.yaml", "2026-10-06") == "F-2026-0001"
    assert cli("pay", "F-2026-0001", "--date", "2026-10-08").exit_code == 0
    assert issue_path(cli, "drafts/D-2026-0001-invoice.yaml", "2026-11-02") == "F-2026-0002"

    quote, deposit, final = (
        document(folder, n) for n in ("D-2026-0001", "F-2026-0001", "F-2026-0002")
    )
    assert (deposit["kind"], deposit["type_code"], deposit["due_date"]) == (
        "deposit",
        386,
        dt.date(2026, 10, 6),
    )
    assert (final["kind"], final["type_code"]) == ("invoice", 380)
    assert final["quote"] == {"number": "D-2026-0001", "issue_date": dt.date(2026, 10, 1)}
    deductions = [line for line in final["lines"] if "deposit" in line]
    # One negative line per VAT rate of the deposit invoice, naming its number and date.
    assert [(item["unit_price"], D(item["vat_rate"]), item["deposit"]) for item in deductions] == [
        (-base, D(rate), {"number": "F-2026-0001", "issue_date": dt.date(2026, 10, 6)})
        for base, rate in ((D("333.30"), 20), (D("25.94"), 10), (D("17.99"), "5.5"))
    ]
    for line in deductions:
        assert "F-2026-0001" in line["description"] and "6 octobre 2026" in line["description"]

    # Nets add up exactly, rate by rate: the final invoice bills what the deposit did not.
    assert deposit["totals"]["net"] + final["totals"]["net"] == quote["totals"]["net"]
    quote_bases = by_rate(quote["totals"], "base")
    deposit_bases, final_bases = (
        by_rate(deposit["totals"], "base"),
        by_rate(final["totals"], "base"),
    )
    assert {r: deposit_bases[r] + final_bases[r] for r in quote_bases} == quote_bases
    # VAT is rounded per document and per rate (EN 16931), so the two documents' VAT at one
    # rate may differ from the quote's by at most one cent: here 2.59 + 6.05 = 8.64 at 10 %
    # where the quote says 8.65 (25.94 x 10 % = 2.594 and 60.51 x 10 % = 6.051 both round
    # down, 86.45 x 10 % = 8.645 rounds up). Gross is then within one cent per rate.
    quote_vat = by_rate(quote["totals"], "amount")
    deposit_vat, final_vat = (
        by_rate(deposit["totals"], "amount"),
        by_rate(final["totals"], "amount"),
    )
    differences = {r: deposit_vat[r] + final_vat[r] - quote_vat[r] for r in quote_vat}
    assert differences == {D(20): 0, D(10): -CENT, D("5.5"): 0}
    gross = deposit["totals"]["gross"] + final["totals"]["gross"]
    assert abs(gross - quote["totals"]["gross"]) <= CENT * len(quote_vat)
    assert (deposit["totals"]["gross"], final["totals"]["gross"]) == (D("447.47"), D("1044.08"))

    listing = listed(cli)
    assert (listing["F-2026-0001"]["status"], listing["F-2026-0002"]["balance"]) == (
        "paid",
        "1044.08",
    )
    for number in ("F-2026-0001", "F-2026-0002"):
        result = cli("einvoice", number, "--check")
        assert result.exit_code == 0, result.output
    assert (
        etree.fromstring(build_xml(deposit)).findtext(
            "rsm:ExchangedDocument/ram:TypeCode", namespaces=NS
        )
        == "386"
    )
    assert en16931(build_xml(final)) == []
    assert en16931(build_xml(deposit)) == []
    check_passes(cli)


def test_an_amount_deposit_is_shared_across_the_vat_rates(cli: Cli, draft, folder: Path) -> None:
    quote = "kind: quote\nclient: dupont\nlines:\n  - {description: Formation, quantity: 2, unit_price: 800.00}\n  - {description: Repas, quantity: 10, unit_price: 15.00, vat_rate: 10}\n"
    issue(cli, draft, "2026-11-02", text=quote)
    result = cli("accept", "D-2026-0001", "--deposit", "700")
    assert result.exit_code == 0, result.output
    lines = read(folder, "drafts/D-2026-0001-deposit.yaml")["lines"]
    # 700 in proportion to the bases 1600 and 150.
    assert [(item["unit_price"], item["vat_rate"]) for item in lines] == [
        (D("640.00"), 20),
        (D("60.00"), 10),
    ]
    assert all("D-2026-0001" in line["description"] for line in lines)
    assert issue_path(cli, "drafts/D-2026-0001-deposit.yaml", "2026-11-03") == "F-2026-0001"
    assert issue_path(cli, "drafts/D-2026-0001-invoice.yaml", "2026-11-04") == "F-2026-0002"
    assert document(folder, "F-2026-0002")["totals"]["net"] == D("1050.00")


@pytest.mark.parametrize(
    ("deposit", "message"),
    [
        ("0%", "a deposit is between 0% and 100% of the quote"),
        ("100%", "a deposit is between 0% and 100% of the quote"),
        ("1350", "a deposit is less than the quote's total excluding VAT (1350.00)"),
        ("abc", 'a deposit is a percentage like "30%" or an amount'),
        ("-10", 'a deposit is a percentage like "30%" or an amount'),
    ],
)
def test_a_refused_deposit_writes_nothing(
    cli: Cli, draft, folder: Path, deposit: str, message: str
) -> None:
    issue(cli, draft, "2026-11-02")
    before = snapshot(folder)
    result = cli("accept", "D-2026-0001", "--deposit", deposit)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert snapshot(folder) == before
    assert listed(cli)["D-2026-0001"]["status"] == "issued"


def test_a_deposit_that_rounds_to_nothing_is_refused(cli: Cli, draft, folder: Path) -> None:
    issue(
        cli,
        draft,
        "2026-11-02",
        text="kind: quote\nclient: dupont\nlines:\n  - {description: Timbre, unit_price: 0.40}\n",
    )
    before = snapshot(folder)
    result = cli("accept", "D-2026-0001", "--deposit", "1%")  # 0.004 rounds to 0.00
    assert result.exit_code == 1, result.output
    assert snapshot(folder) == before


def test_accept_refuses_to_overwrite_a_draft_and_then_writes_nothing(
    cli: Cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02")
    draft("D-2026-0001-invoice", DRAFT)
    before = snapshot(folder)
    result = cli("accept", "D-2026-0001", "--deposit", "30%")
    assert result.exit_code == 1
    assert "drafts/D-2026-0001-invoice.yaml already exists" in result.stderr
    assert snapshot(folder) == before  # the deposit draft written first was removed


def test_a_quote_is_accepted_or_declined_once(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    issue(cli, draft, "2026-11-03", "q2")
    assert cli("accept", "D-2026-0001", "--date", "2026-11-05").exit_code == 0
    declined = cli("decline", "D-2026-0002", "--reason", "budget reporté", "--date", "2026-11-06")
    assert declined.exit_code == 0, declined.output
    assert declined.stdout == "D-2026-0002 declined\n"
    assert read(folder, "quotes/2026/D-2026-0002.yaml")["tracking"] == {
        "declined": {"date": dt.date(2026, 11, 6), "reason": "budget reporté"}
    }
    (folder / "drafts/D-2026-0001-invoice.yaml").unlink()
    before = snapshot(folder)
    for args, message in [
        (["accept", "D-2026-0001"], "D-2026-0001 was already accepted on 2026-11-05"),
        (["decline", "D-2026-0001"], "D-2026-0001 was already accepted on 2026-11-05"),
        (["accept", "D-2026-0002"], "D-2026-0002 was declined on 2026-11-06"),
        (["decline", "D-2026-0002"], "D-2026-0002 was declined on 2026-11-06"),
        (["accept", "D-2026-0009"], "no issued document 'D-2026-0009'"),
    ]:
        result = cli(*args)
        assert result.exit_code == 1, args
        assert message in result.stderr, args
    assert snapshot(folder) == before
    check_passes(cli)


def test_only_quotes_are_accepted_or_declined(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02", "inv", DRAFT)
    before = snapshot(folder)
    for command in ("accept", "decline"):
        result = cli(command, "F-2026-0001")
        assert result.exit_code == 1
        assert "F-2026-0001 is not a quote" in result.stderr
    assert snapshot(folder) == before


def test_an_expired_quote_is_accepted_only_with_force(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-09-01")  # valid until 2026-10-01
    issue(cli, draft, "2026-09-02", "q2")
    before = snapshot(folder)
    refused = cli("accept", "D-2026-0001")
    assert refused.exit_code == 1
    assert "D-2026-0001 expired on 2026-10-01; use --force" in refused.stderr
    assert snapshot(folder) == before
    assert cli("accept", "D-2026-0001", "--force").exit_code == 0
    assert cli("decline", "D-2026-0002").exit_code == 0  # declining late needs no force
    statuses = {n: d["status"] for n, d in listed(cli, "--kind", "quote").items()}
    assert statuses == {"D-2026-0001": "accepted", "D-2026-0002": "declined"}


def test_an_invoice_cannot_be_made_from_a_declined_quote(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    assert cli("decline", "D-2026-0001").exit_code == 0
    path = draft("from-quote", "quote: D-2026-0001\n" + DRAFT)
    result = cli("issue", str(path))
    assert result.exit_code == 3
    assert "quote D-2026-0001 was declined" in result.stderr
    assert path.is_file() and not (folder / "invoices").exists()


def test_every_deposit_is_deducted_once(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    assert cli("accept", "D-2026-0001", "--deposit", "30%").exit_code == 0
    assert issue_path(cli, "drafts/D-2026-0001-deposit.yaml", "2026-11-03") == "F-2026-0001"
    second = "kind: deposit\nquote: D-2026-0001\nclient: dupont\nlines:\n  - {description: Second acompte, unit_price: 100.00}\n"
    assert issue(cli, draft, "2026-11-04", "second", second) == "F-2026-0002"
    assert issue_path(cli, "drafts/D-2026-0001-invoice.yaml", "2026-11-05") == "F-2026-0003"
    final = document(folder, "F-2026-0003")
    assert [
        (item["deposit"]["number"], item["unit_price"])
        for item in final["lines"]
        if "deposit" in item
    ] == [
        ("F-2026-0001", D("-405.00")),
        ("F-2026-0002", D("-100.00")),
    ]
    assert final["totals"]["net"] == D("1350.00") - D("405.00") - D("100.00")
    # A further invoice of the same quote (extra work) deducts nothing already deducted.
    extra = "quote: D-2026-0001\n" + DRAFT.replace("quantity: 3", "quantity: 1")
    assert issue(cli, draft, "2026-11-06", "extra", extra) == "F-2026-0004"
    assert not [item for item in document(folder, "F-2026-0004")["lines"] if "deposit" in item]
    check_passes(cli)


# -- known problems (see the report) -------------------------------------------------------


def test_the_final_invoice_deducts_a_deposit_issued_in_the_same_command(
    cli: Cli, draft, folder: Path
) -> None:
    """`facturo issue drafts/D-…-deposit.yaml drafts/D-…-invoice.yaml`: the final invoice is
    issued after the deposit invoice, so it must deduct it (or the command must refuse)."""
    issue(cli, draft, "2026-11-02")
    assert cli("accept", "D-2026-0001", "--deposit", "30%").exit_code == 0
    result = cli("issue", "drafts/D-2026-0001-deposit.yaml", "drafts/D-2026-0001-invoice.yaml")
    if result.exit_code == 0:
        billed = sum(document(folder, n)["totals"]["net"] for n in ("F-2026-0001", "F-2026-0002"))
        assert billed == D("1350.00"), "the client is billed the deposit twice"
    else:
        assert "deposit" in result.stderr
        assert not (folder / "invoices").exists()


def test_a_percentage_discount_is_not_applied_again_to_the_deducted_deposit(
    cli, draft, folder: Path
) -> None:
    issue(
        cli,
        draft,
        "2026-11-02",
        text='kind: quote\nclient: dupont\ndiscount: "10%"\nlines:\n  - {description: Dev, quantity: 10, unit_price: 1000.00}\n',
    )
    assert cli("accept", "D-2026-0001", "--deposit", "30%").exit_code == 0
    issue_path(cli, "drafts/D-2026-0001-deposit.yaml", "2026-11-03")
    issue_path(cli, "drafts/D-2026-0001-invoice.yaml", "2026-11-04")
    quote, deposit, final = (
        document(folder, n) for n in ("D-2026-0001", "F-2026-0001", "F-2026-0002")
    )
    assert deposit["totals"]["net"] == D("2700.00")  # 30 % of 9000.00
    assert deposit["totals"]["net"] + final["totals"]["net"] == quote["totals"]["net"]
