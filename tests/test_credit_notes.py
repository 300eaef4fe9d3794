"""`facturo credit`: credit notes in their own series, by whole invoice, line or amount."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import facturx
import pypdf
import pytest
from lxml import etree

from conftest import DRAFT, TWO_RATES, Cli, issue, listed, snapshot
from facturo.files.yamlio import load_mapping
from facturo.output.facturx import build_xml
from judges import NS

D = Decimal
INVOICE = "invoices/2026/F-2026-0001.yaml"
CREDIT_NOTE = "credit-notes/2026/AV-2026-0001.yaml"
SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"


def read(folder: Path, path: str) -> dict[str, Any]:
    data, problems = load_mapping(folder / path, path)
    assert data is not None and problems == [], problems
    return dict(data)


def check_passes(cli: Cli) -> None:
    result = cli("check", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["errors"] == 0


# -- whole invoice -------------------------------------------------------------------------


@pytest.mark.parametrize("full", [[], ["--full"]])
def test_a_full_credit_note_repeats_the_invoice_and_cancels_it(
    cli, draft, folder: Path, full: list[str]
) -> None:
    issue(cli, draft, "2026-11-02", text=TWO_RATES)
    result = cli("credit", "F-2026-0001", *full, "--reason", "commande annulée")
    assert result.exit_code == 0, result.output
    assert result.stdout == "AV-2026-0001\n"
    assert "credit-notes/2026/AV-2026-0001.yaml corrects F-2026-0001" in result.stderr
    invoice, note = read(folder, INVOICE), read(folder, CREDIT_NOTE)
    assert (note["number"], note["kind"], note["type_code"]) == ("AV-2026-0001", "credit_note", 381)
    assert note["issue_date"] == dt.date(2026, 11, 22)
    assert note["credit_note_of"] == {
        "number": "F-2026-0001",
        "issue_date": dt.date(2026, 11, 2),
        # The invoice's payment mentions, repeated in the e-invoice (BR-FR-05).
        "payment": {
            "late_penalty_rate_percent": invoice["payment"]["late_penalty_rate_percent"],
            "recovery_indemnity": invoice["payment"]["recovery_indemnity"],
            "early_payment_discount": invoice["payment"]["early_payment_discount"],
        },
    }
    assert note["reason"] == "commande annulée"
    assert note["client"] == invoice["client"]
    assert note["lines"] == invoice["lines"]
    assert note["totals"] == invoice["totals"]  # same VAT split, rate by rate
    assert "payment" not in note and "due_date" not in note
    assert list((folder / "drafts").iterdir()) == []
    entry = listed(cli)["F-2026-0001"]
    assert (entry["status"], D(entry["balance"]), entry["days_late"]) == ("cancelled", 0, 0)
    assert [
        d["number"] for d in json.loads(cli("list", "--status", "cancelled", "--json").stdout)
    ] == ["F-2026-0001"]
    check_passes(cli)


def test_credit_notes_have_their_own_continuous_series(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    issue(cli, draft, "2026-11-03", "d2")
    assert (
        cli("credit", "F-2026-0001", "--amount", "10", "--reason", "a").stdout == "AV-2026-0001\n"
    )
    assert (
        cli("credit", "F-2026-0002", "--amount", "10", "--reason", "b").stdout == "AV-2026-0002\n"
    )
    assert (
        cli("credit", "F-2026-0001", "--amount", "10", "--reason", "c").stdout == "AV-2026-0003\n"
    )
    assert issue(cli, draft, "2026-11-22", "d3") == "F-2026-0003"  # invoices go on
    assert sorted(p.name for p in (folder / "credit-notes/2026").iterdir()) == [
        "AV-2026-0001.yaml", "AV-2026-0002.yaml", "AV-2026-0003.yaml",
    ]  # fmt: skip
    assert D(listed(cli)["F-2026-0001"]["balance"]) == D("1620.00") - 2 * D("12.00")
    check_passes(cli)


# -- by line, by amount ------------------------------------------------------------------


def test_a_line_credit_takes_that_line_and_quantity_at_its_rate(
    cli: Cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02", text=TWO_RATES)
    result = cli(
        "credit",
        "F-2026-0001",
        "--line",
        "1",
        "--quantity",
        "0.5",
        "--reason",
        "demi-journée annulée",
    )
    assert result.exit_code == 0, result.output
    note = read(folder, CREDIT_NOTE)
    assert [
        (item["description"], item["quantity"], item["unit_price"], item["vat_rate"], item["net"])
        for item in note["lines"]
    ] == [("Formation", D("0.5"), D("800.00"), 20, D("400.00"))]
    assert note["totals"]["vat"] == [
        {"category": "S", "rate": 20, "base": D("400.00"), "amount": D("80.00")}
    ]
    assert note["totals"]["gross"] == D("480.00")
    assert D(listed(cli)["F-2026-0001"]["balance"]) == D("1605.00")
    second = cli("credit", "F-2026-0001", "--line", "2", "--reason", "repas non servis")
    assert second.exit_code == 0, second.output
    assert read(folder, "credit-notes/2026/AV-2026-0002.yaml")["totals"]["gross"] == D("165.00")
    assert D(listed(cli)["F-2026-0001"]["balance"]) == D("1440.00")
    check_passes(cli)


def test_an_amount_credit_is_shared_across_the_vat_rates_like_the_invoice(
    cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02", text=TWO_RATES)
    result = cli("credit", "F-2026-0001", "--amount", "175", "--reason", "geste commercial")
    assert result.exit_code == 0, result.output
    note = read(folder, CREDIT_NOTE)
    # 175 in proportion to the bases 1600 and 150: 160.00 at 20 % and 15.00 at 10 %.
    assert [(item["unit_price"], item["vat_rate"]) for item in note["lines"]] == [
        (D("160.00"), 20),
        (D("15.00"), 10),
    ]
    for line in note["lines"]:
        assert "F-2026-0001" in line["description"] and "geste commercial" in line["description"]
    assert note["totals"]["net"] == D("175.00")
    assert [(g["rate"], g["amount"]) for g in note["totals"]["vat"]] == [
        (20, D("32.00")),
        (10, D("1.50")),
    ]
    assert D(listed(cli)["F-2026-0001"]["balance"]) == D("2085.00") - D("208.50")
    check_passes(cli)


def test_a_credit_never_exceeds_what_is_left_to_credit(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02", text=TWO_RATES)
    assert cli("credit", "F-2026-0001", "--amount", "175", "--reason", "geste").exit_code == 0
    before = snapshot(folder)
    # 1575.01 excluding VAT is 1876.51 with VAT: one cent more than the 1876.50 left.
    over = cli("credit", "F-2026-0001", "--amount", "1575.01", "--reason", "annulation")
    assert over.exit_code == 1
    assert (
        "this credit note (1876.51 EUR) exceeds what is left to credit on F-2026-0001 (1876.50 EUR)"
    ) in over.stderr
    whole_line = cli("credit", "F-2026-0001", "--line", "1", "--reason", "annulation")
    assert whole_line.exit_code == 1  # 1920.00 with VAT
    assert "exceeds what is left to credit" in whole_line.stderr
    assert snapshot(folder) == before  # no credit note, no draft left behind
    rest = cli("credit", "F-2026-0001", "--amount", "1575", "--reason", "annulation du solde")
    assert rest.exit_code == 0, rest.output
    entry = listed(cli)["F-2026-0001"]
    assert (entry["status"], D(entry["balance"])) == ("cancelled", 0)
    nothing_left = cli("credit", "F-2026-0001", "--amount", "0.01", "--reason", "encore")
    assert nothing_left.exit_code == 1
    assert "(0.00 EUR)" in nothing_left.stderr
    check_passes(cli)


def test_a_credit_note_on_a_paid_invoice_leaves_the_client_a_credit(cli: Cli, draft) -> None:
    issue(cli, draft, "2026-11-02")
    assert cli("pay", "F-2026-0001").exit_code == 0
    assert (
        cli("credit", "F-2026-0001", "--amount", "100", "--reason", "remise oubliée").exit_code == 0
    )
    entry = listed(cli)["F-2026-0001"]
    assert (entry["status"], entry["balance"]) == ("paid", "-120.00")
    statement = json.loads(cli("statement", "dupont", "--json").stdout)
    assert statement["closing_balance"] == "-120.00"


def test_draft_option_writes_the_credit_note_draft_only(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    result = cli(
        "credit", "F-2026-0001", "--line", "1", "--quantity", "1", "--reason", "un jour", "--draft"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "drafts/credit-F-2026-0001.yaml\n"
    assert not (folder / "credit-notes").exists()
    written = read(folder, "drafts/credit-F-2026-0001.yaml")
    assert written == {
        "kind": "credit_note", "client": "dupont", "currency": "EUR", "language": "fr",
        "operation": "services", "credit_note_of": "F-2026-0001", "reason": "un jour",
        "lines": [{"description": "Développement", "quantity": 1, "unit": "day",
                   "unit_price": D("450.00"), "vat_rate": 20}],
    }  # fmt: skip
    again = cli("credit", "F-2026-0001", "--amount", "10", "--reason", "autre", "--draft")
    assert again.stdout == "drafts/credit-F-2026-0001-2.yaml\n"
    issued = cli("issue", "drafts/credit-F-2026-0001.yaml")
    assert issued.exit_code == 0, issued.output
    assert issued.stdout == "AV-2026-0001\n"
    assert read(folder, CREDIT_NOTE)["totals"]["gross"] == D("540.00")
    check_passes(cli)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--full", "--line", "1"], 2, "choose one of --full, --line or --amount"),
        (["--line", "1", "--amount", "5"], 2, "choose one of --full, --line or --amount"),
        (["--quantity", "1"], 2, "--quantity goes with --line"),
        (["--line", "2"], 1, "F-2026-0001 has lines 1 to 1, not 2"),
        (["--line", "0"], 1, "F-2026-0001 has lines 1 to 1, not 0"),
        (["--line", "1", "--quantity", "4"], 1, "credit between 0 and that, not 4"),
        (["--line", "1", "--quantity", "0"], 1, "credit between 0 and that, not 0"),
        (["--amount", "-5"], 1, "the amount of a credit note must be positive"),
        (["--amount", "abc"], 2, "expected an amount like 1250.00"),
        (["--amount", "2000"], 1, "exceeds what is left to credit on F-2026-0001 (1620.00 EUR)"),
    ],
)
def test_a_refused_credit_changes_no_file(
    cli, draft, folder: Path, args: list[str], code: int, message: str
) -> None:
    issue(cli, draft, "2026-11-02")
    before = snapshot(folder)
    result = cli("credit", "F-2026-0001", *args, "--reason", "essai")
    assert result.exit_code == code, result.output
    assert message in result.output
    assert snapshot(folder) == before


def test_a_credit_note_cannot_be_dated_before_the_invoice_it_corrects(
    cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02")
    before = snapshot(folder)
    result = cli("credit", "F-2026-0001", "--date", "2026-11-01", "--reason", "essai")
    assert result.exit_code == 1, result.output
    assert "2026-11-02" in result.stderr  # the invoice's date, which the credit note follows
    assert snapshot(folder) == before


def test_a_reason_is_required(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    result = cli("credit", "F-2026-0001")
    assert result.exit_code == 2
    assert "--reason" in result.output
    assert not (folder / "credit-notes").exists()


def test_only_invoices_and_deposits_are_credited(cli: Cli, draft, folder: Path) -> None:
    issue(cli, draft, "2026-11-02")
    assert cli("credit", "F-2026-0001", "--amount", "10", "--reason", "a").exit_code == 0
    issue(cli, draft, "2026-11-05", "q", "kind: quote\n" + DRAFT)
    issue(cli, draft, "2026-11-06", "dep", "kind: deposit\n" + DRAFT)
    before = snapshot(folder)
    for number, message in [
        ("AV-2026-0001", "AV-2026-0001 is a credit note: only invoices are credited"),
        ("D-2026-0001", "D-2026-0001 is a quote: only invoices are credited"),
        ("F-2026-0099", "no issued document 'F-2026-0099'"),
    ]:
        result = cli("credit", number, "--reason", "x")
        assert result.exit_code == 1, number
        assert message in result.stderr
    assert snapshot(folder) == before
    deposit = cli("credit", "F-2026-0002", "--reason", "acompte remboursé")
    assert deposit.exit_code == 0, deposit.output
    assert listed(cli)["F-2026-0002"]["status"] == "cancelled"


def test_a_reverse_charge_credit_note_keeps_the_treatment_and_the_language(
    cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02", text=DRAFT.replace("dupont", "berlin"))
    result = cli("credit", "F-2026-0001", "--amount", "450", "--reason", "one day not worked")
    assert result.exit_code == 0, result.output
    note = read(folder, CREDIT_NOTE)
    assert note["language"] == "en"
    assert note["vat_exemption"]["code"] == "VATEX-EU-AE"
    assert [(item["vat_category"], item["net"]) for item in note["lines"]] == [("AE", D("450.00"))]
    assert note["lines"][0]["description"].startswith("Credit")  # in the invoice's language
    assert "F-2026-0001" in note["lines"][0]["description"]
    assert (note["totals"]["vat_total"], note["totals"]["gross"]) == (D("0.00"), D("450.00"))
    assert cli("einvoice", "AV-2026-0001", "--check").exit_code == 0


def test_a_hand_written_credit_note_draft_is_checked_like_the_command(
    cli, draft, folder: Path
) -> None:
    issue(cli, draft, "2026-11-02")
    issue(cli, draft, "2026-11-03", "berlin", DRAFT.replace("dupont", "berlin"))
    issue(cli, draft, "2026-11-04", "q", "kind: quote\n" + DRAFT)
    cases = {
        "no-reason": (
            "kind: credit_note\ncredit_note_of: F-2026-0001\n",
            "a credit note needs a reason",
        ),
        "no-invoice": ("kind: credit_note\nreason: x\n", "a credit note needs credit_note_of"),
        "unknown": (
            "kind: credit_note\ncredit_note_of: F-2026-0042\nreason: x\n",
            "no issued document 'F-2026-0042'",
        ),
        "other-client": (
            "kind: credit_note\ncredit_note_of: F-2026-0002\nreason: x\n",
            "F-2026-0002 was issued to 'berlin', not to 'dupont'",
        ),
        "a-quote": (
            "kind: credit_note\ncredit_note_of: D-2026-0001\nreason: x\n",
            "D-2026-0001 is a quote",
        ),
        "not-a-credit-note": (
            "credit_note_of: F-2026-0001\nreason: x\n",
            "only a credit note (kind: credit_note) corrects an invoice",
        ),
    }
    before = snapshot(folder)
    for name, (head, message) in cases.items():
        path = draft(name, head + DRAFT)
        result = cli("issue", str(path))
        assert result.exit_code == 3, name
        assert message in result.stderr, (name, result.stderr)
        path.unlink()
    assert snapshot(folder) == before


# -- e-invoice and PDF ---------------------------------------------------------------------


def test_a_credit_note_is_a_factur_x_381_naming_the_invoice(
    cli, draft, folder: Path, en16931: Callable[[bytes], list[str]]
) -> None:
    issue(cli, draft, "2026-11-02", text=TWO_RATES)
    assert (
        cli(
            "credit", "F-2026-0001", "--line", "2", "--quantity", "4", "--reason", "repas"
        ).exit_code
        == 0
    )
    check = cli("einvoice", "AV-2026-0001", "--check")
    assert check.exit_code == 0, check.output
    xml = build_xml(read(folder, CREDIT_NOTE))
    root = etree.fromstring(xml)
    assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    reference = f"{SETTLEMENT}/ram:InvoiceReferencedDocument"
    assert root.findtext(f"{reference}/ram:IssuerAssignedID", namespaces=NS) == "F-2026-0001"
    date = root.findtext(
        f"{reference}/ram:FormattedIssueDateTime/qdt:DateTimeString", namespaces=NS
    )
    assert date == "20261102"
    assert en16931(xml) == []
    rendered = cli("render", "AV-2026-0001")
    assert rendered.exit_code == 0, rendered.output
    pdf = folder / "out/2026/AV-2026-0001.pdf"
    assert rendered.stdout == "out/2026/AV-2026-0001.pdf\n"
    _, embedded = facturx.get_facturx_xml_from_pdf(pdf.read_bytes(), check_xsd=False)
    assert embedded == xml
    text = " ".join(pypdf.PdfReader(pdf).pages[0].extract_text().split())
    for expected in ("Avoir", "AV-2026-0001", "F-2026-0001", "Repas", "66,00"):
        assert expected in text, expected
    assert cli("einvoice", "AV-2026-0001", "--check").exit_code == 0  # the PDF carries the XML


def test_the_credit_note_pdf_prints_the_reason(cli: Cli, draft, folder: Path) -> None:
    """`facturo credit --help` says the reason is printed (a line credit has no line saying it)."""
    issue(cli, draft, "2026-11-02")
    assert (
        cli(
            "credit",
            "F-2026-0001",
            "--line",
            "1",
            "--quantity",
            "1",
            "--reason",
            "retard de livraison",
        ).exit_code
        == 0
    )
    assert cli("render", "AV-2026-0001").exit_code == 0
    reader = pypdf.PdfReader(folder / "out/2026/AV-2026-0001.pdf")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert text.count("retard de livraison") >= 1


# -- known rounding and proration problems (see the report) --------------------------------


def test_a_partly_credited_line_prorates_its_amount_discount(cli: Cli, draft, folder: Path) -> None:
    issue(
        cli,
        draft,
        "2026-11-02",
        text=DRAFT.replace("unit_price: 450.00", "unit_price: 450.00\n    discount: 150.00"),
    )
    assert read(folder, INVOICE)["lines"][0]["net"] == D("1200.00")
    result = cli(
        "credit", "F-2026-0001", "--line", "1", "--quantity", "1", "--reason", "un jour sur trois"
    )
    assert result.exit_code == 0, result.output
    # One day of three is a third of the line's net (1200.00), not 450.00 - 150.00.
    assert read(folder, CREDIT_NOTE)["totals"]["net"] == D("400.00")


def test_a_line_credit_on_an_invoice_with_an_amount_discount(cli: Cli, draft, folder: Path) -> None:
    issue(
        cli,
        draft,
        "2026-11-02",
        text="client: dupont\nlines:\n  - {description: A, unit_price: 1000.00}\n"
        "  - {description: B, unit_price: 500.00}\ndiscount: 150.00\n",
    )
    result = cli("credit", "F-2026-0001", "--line", "2", "--reason", "B annulé")
    assert result.exit_code == 0, result.output
    # B is a third of the lines, so it carries a third of the discount: 500 - 50.
    assert read(folder, CREDIT_NOTE)["totals"]["net"] == D("450.00")


def test_a_full_credit_after_partial_ones_credits_what_is_left_rate_by_rate(
    cli: Cli, draft, folder: Path
) -> None:
    """`--full` cancels the invoice whatever was credited before: what is left per VAT rate.

    After a line credit, `--amount` cannot do it (it shares the amount across the invoice's
    rates, including one already credited), so `--full` is the only way to finish.
    """
    issue(cli, draft, "2026-11-02", text=TWO_RATES)
    assert cli("credit", "F-2026-0001", "--line", "2", "--reason", "repas annulés").exit_code == 0
    result = cli("credit", "F-2026-0001", "--full", "--reason", "formation annulée")
    assert result.exit_code == 0, result.output
    rest = read(folder, "credit-notes/2026/AV-2026-0002.yaml")
    assert [(g["rate"], g["base"]) for g in rest["totals"]["vat"]] == [(20, D("1600.00"))]
    entry = listed(cli)["F-2026-0001"]
    assert (entry["status"], D(entry["balance"])) == ("cancelled", 0)


def test_line_credits_then_full_cancel_an_invoice_with_an_amount_discount(
    cli: Cli, draft, folder: Path
) -> None:
    issue(
        cli,
        draft,
        "2026-11-02",
        text="client: dupont\nlines:\n"
        + "".join(
            f"  - {{description: {n}, quantity: 1, unit_price: 100.00, vat_rate: 5.5}}\n"
            for n in "ABC"
        )
        + "discount: 10.00\n",
    )  # net 290.00, gross 305.95
    for line in ("1", "2"):
        result = cli(
            "credit", "F-2026-0001", "--line", line, "--quantity", "1", "--reason", f"ligne {line}"
        )
        assert result.exit_code == 0, result.output
    # Each line credit carries its rounded share of the discount (3.33), so the last line
    # alone would be 0.02 too much; --full credits exactly what is left.
    last = cli("credit", "F-2026-0001", "--full", "--reason", "ligne 3")
    assert last.exit_code == 0, last.output
    entry = listed(cli)["F-2026-0001"]
    assert (entry["status"], D(entry["balance"])) == ("cancelled", 0)
