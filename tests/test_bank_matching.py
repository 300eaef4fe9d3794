"""Matching rules of bank credits, and statement readers, on values (no folder)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from facturo.files.bank import Transaction, parse_amount, read_statement
from facturo.files.bank.camt import read_camt
from facturo.lifecycle.matching import Invoice, Matcher, Outcome, Rule, numbers_in, same_payer
from facturo.model.numbering import Series

D = Decimal
DAY = dt.date(2026, 11, 20)
INVOICES = Series("invoice", "F-{year}-{seq:04}", "yearly")


def tx(
    amount: str, *, text: str = "", name: str = "", iban: str = "", **more: object
) -> Transaction:
    fields: dict[str, object] = {
        "id": f"T{amount}{text}{name}", "booking_date": DAY, "value_date": None,
        "amount": D(amount), "currency": "EUR", "credit": True, "counterparty": name,
        "iban": iban, "remittance": text,
    }  # fmt: skip
    fields.update(more)
    return Transaction(**fields)  # type: ignore[arg-type]


def invoice(number: str, balance: str, client: str = "dupont", **more: object) -> Invoice:
    fields: dict[str, object] = {
        "number": number, "client_id": client, "names": (f"Atelier {client.title()} SARL",),
        "ibans": frozenset({f"FR76{client.upper()}"}), "currency": "EUR",
        "balance": D(balance), "issue_date": dt.date(2026, 10, 1),
        "due_date": dt.date(2026, 10, 31) + dt.timedelta(days=int(number[-1])),
    }  # fmt: skip
    fields.update(more)
    return Invoice(**fields)  # type: ignore[arg-type]


def matcher(*invoices: Invoice, tolerance: str = "0") -> Matcher:
    return Matcher({i.number: i for i in invoices}, {}, [INVOICES], D(tolerance))


@pytest.mark.parametrize(
    "text",
    [
        "F-2026-0003", "f-2026-0003", "F 2026 0003", "F20260003", "FACTURE F2026-0003 MERCI",
        "F-2026-3", "F.2026.0003", "RF18F20260003", "Ref:F_2026_0003",
    ],
)  # fmt: skip
def test_invoice_numbers_are_found_however_people_type_them(text: str) -> None:
    assert numbers_in([text], [INVOICES]) == ["F-2026-0003"]


@pytest.mark.parametrize("text", ["F-2026-00031X", "AF-2026-0003", "2026-0003", "F-26-0003"])
def test_what_only_looks_like_a_number_is_not_one(text: str) -> None:
    assert "F-2026-0003" not in numbers_in([text], [INVOICES])


def test_numbers_of_other_patterns_and_several_in_one_text() -> None:
    short = Series("invoice", "FAC{yy}-{seq:03}", "yearly")
    assert numbers_in(["fac 26 012 et FAC26/013"], [short]) == ["FAC26-012", "FAC26-013"]
    bare = Series("invoice", "{year}-{seq:04}", "yearly")
    assert numbers_in(["virement du 2026-11-20", "facture 2026-0042"], [bare]) == ["2026-0042"]


def test_payer_names_ignore_case_accents_legal_forms_and_order() -> None:
    assert same_payer(["Hélène Roussel"], "MME ROUSSEL HELENE")
    assert same_payer(["Atelier Dupont SARL"], "SARL ATELIER DUPONT")
    assert same_payer(["Réseau Vélo Partage SAS"], "VIR SEPA RESEAU VELO PARTAGE")
    assert not same_payer(["Atelier Dupont SARL"], "ATELIER MARTIN")
    assert not same_payer(["Atelier Dupont SARL"], "SARL")


def test_a_payment_more_than_the_balance_named_by_number_waits() -> None:
    decision = matcher(invoice("F-2026-0001", "100.00")).decide(tx("150.00", text="F-2026-0001"))
    assert (decision.outcome, decision.why) == (Outcome.AMBIGUOUS, "over-balance")


def test_an_invoice_paid_already_is_not_paid_twice_in_one_statement() -> None:
    match = matcher(invoice("F-2026-0001", "100.00"))
    first = match.decide(tx("100.00", text="F-2026-0001", id="A"))
    second = match.decide(tx("100.00", text="F-2026-0001", id="B"))
    assert first.outcome == Outcome.MATCHED
    assert (second.outcome, second.why) == (Outcome.AMBIGUOUS, "already-paid")


def test_two_invoices_of_the_amount_for_one_iban_are_ambiguous() -> None:
    match = matcher(invoice("F-2026-0001", "100.00"), invoice("F-2026-0002", "100.00"))
    decision = match.decide(tx("100.00", iban="FR76 DUPONT"))
    assert decision.outcome == Outcome.AMBIGUOUS
    assert decision.candidates == ("F-2026-0001", "F-2026-0002")


def test_the_iban_rule_comes_before_the_name_rule() -> None:
    match = matcher(invoice("F-2026-0001", "100.00"), invoice("F-2026-0002", "100.00", "martin"))
    decision = match.decide(tx("100.00", iban="FR76MARTIN", name="ATELIER DUPONT"))
    assert (decision.rule, decision.allocations[0].number) == (Rule.IBAN, "F-2026-0002")


def test_sums_of_open_invoices_and_their_ambiguity() -> None:
    three = [invoice(f"F-2026-000{n}", b) for n, b in ((1, "100.00"), (2, "250.00"), (3, "50.00"))]
    decision = matcher(*three).decide(tx("350.00", name="Atelier Dupont"))
    assert decision.rule == Rule.SUM
    assert [a.number for a in decision.allocations] == ["F-2026-0001", "F-2026-0002"]
    decision = matcher(*three).decide(tx("150.00", name="Atelier Dupont"))
    assert decision.rule == Rule.SUM and len(decision.allocations) == 2
    four = [*three, invoice("F-2026-0004", "300.00")]
    decision = matcher(*four).decide(tx("350.00", name="Atelier Dupont"))
    assert (decision.outcome, decision.rule) == (Outcome.AMBIGUOUS, Rule.SUM)


def test_a_credit_within_the_tolerance_settles_the_invoice() -> None:
    match = matcher(invoice("F-2026-0001", "100.00"), tolerance="1.00")
    decision = match.decide(tx("99.10", iban="FR76DUPONT"))
    assert decision.allocations[0].shortfall == D("0.90")
    assert match.balances["F-2026-0001"] == 0
    beyond = matcher(invoice("F-2026-0001", "100.00"), tolerance="1.00")
    assert beyond.decide(tx("98.90", iban="FR76DUPONT")).outcome == Outcome.UNMATCHED


def test_a_partial_payment_by_number_has_no_write_off() -> None:
    match = matcher(invoice("F-2026-0001", "100.00"), tolerance="1.00")
    decision = match.decide(tx("40.00", text="F-2026-0001"))
    assert decision.allocations[0].amount == D("40.00")
    assert decision.allocations[0].shortfall == 0


def test_invoices_issued_after_the_credit_are_not_candidates() -> None:
    later = invoice("F-2026-0001", "100.00", issue_date=dt.date(2026, 11, 21))
    assert matcher(later).decide(tx("100.00", iban="FR76DUPONT")).outcome == Outcome.UNMATCHED


def test_another_currency_is_never_matched() -> None:
    usd = invoice("F-2026-0001", "100.00", currency="USD")
    decision = matcher(usd).decide(tx("100.00", text="F-2026-0001", currency="USD"))
    assert decision.outcome == Outcome.MATCHED  # an account and an invoice in USD
    decision = matcher(invoice("F-2026-0001", "100.00")).decide(
        tx("100.00", text="F-2026-0001", currency="USD")
    )
    assert decision.outcome == Outcome.FOREIGN
    sent_in_usd = tx("92.00", text="F-2026-0001", instructed_currency="USD",
                     instructed_amount=D("100.00"))  # fmt: skip
    assert matcher(invoice("F-2026-0001", "100.00")).decide(sent_in_usd).outcome == Outcome.FOREIGN


@pytest.mark.parametrize(
    ("text", "mark", "amount"),
    [
        ("1 234,56", ",", "1234.56"), ("1.234,56", ",", "1234.56"), ("-8,40", ",", "-8.40"),
        ("+12,00 €", ",", "12.00"), ("1\u202f620,00", ",", "1620.00"), ("1,234.56", ".", "1234.56"),
        ("12.5O", ".", None), ("", ",", None), ("NaN", ".", None),
    ],
)  # fmt: skip
def test_amounts_as_banks_write_them(text: str, mark: str, amount: str | None) -> None:
    assert parse_amount(text, mark) == (D(amount) if amount else None)


BATCH = """\
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04">
 <BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-20T06:00:00</CreDtTm></GrpHdr>
  <Stmt><Id>S1</Id><CreDtTm>2026-11-20T06:00:00</CreDtTm>
   <Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Ntry><Amt Ccy="EUR">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-11-20</Dt></BookgDt><ValDt><Dt>2026-11-20</Dt></ValDt>
    <AcctSvcrRef>BATCH-7</AcctSvcrRef>
    <NtryDtls><Btch><NbOfTxs>2</NbOfTxs></Btch>
     <TxDtls><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
      <RltdPties><Dbtr><Nm>A</Nm></Dbtr></RltdPties><RmtInf><Ustrd>F-2026-0001</Ustrd></RmtInf></TxDtls>
     <TxDtls><Amt Ccy="EUR">200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
      <RltdPties><Dbtr><Nm>B</Nm></Dbtr></RltdPties><RmtInf><Ustrd>F-2026-0002</Ustrd></RmtInf></TxDtls>
    </NtryDtls></Ntry>
   <Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts>
    <BookgDt><Dt>2026-11-20</Dt></BookgDt></Ntry>
   <Ntry><Amt Ccy="EUR">9.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-11-20</Dt></BookgDt></Ntry>
   <Ntry><Amt Ccy="EUR">7.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><DtTm>2026-11-20T10:00:00</DtTm></BookgDt><AddtlNtryInf>INTERETS</AddtlNtryInf></Ntry>
  </Stmt></BkToCstmrStmt></Document>
"""


def test_camt_batch_entries_pending_and_reversed_ones_and_entries_without_ids() -> None:
    statement = read_camt(BATCH.encode(), "batch.xml")
    assert statement.format == "camt.053.001.04"
    found = [(t.id, t.amount, t.counterparty, t.remittance) for t in statement.transactions]
    assert found[:2] == [
        ("BATCH-7/1", D("100.00"), "A", "F-2026-0001"),
        ("BATCH-7/2", D("200.00"), "B", "F-2026-0002"),
    ]
    assert len(found) == 3 and found[2][0].startswith("sha-") and found[2][3] == "INTERETS"
    assert read_camt(BATCH.encode(), "batch.xml").transactions[2].id == found[2][0]


def test_a_statement_of_another_message_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pain = tmp_path / "pain.xml"
    pain.write_text(
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><x/></Document>'
    )
    with pytest.raises(Exception) as error:
        read_statement(pain, "pain.xml")
    assert "not a camt.053 statement (Document in urn:iso" in str(error.value.problems[0])  # type: ignore[attr-defined]


def test_camt052_reports_and_camt054_notifications_hold_the_same_entries() -> None:
    report = (
        BATCH.replace("camt.053.001.04", "camt.052.001.08")
        .replace("BkToCstmrStmt>", "BkToCstmrAcctRpt>")
        .replace("<Stmt>", "<Rpt>")
        .replace("</Stmt>", "</Rpt>")
    )
    statement = read_camt(report.encode(), "report.xml")
    assert statement.format == "camt.052.001.08"
    assert [t.id for t in statement.transactions][:2] == ["BATCH-7/1", "BATCH-7/2"]


def test_ofx_amounts_with_either_decimal_mark() -> None:
    from facturo.files.bank.ofx import read_ofx

    body = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR"
    items = "".join(
        f"<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261120<TRNAMT>{a}<FITID>{n}</STMTTRN>"
        for n, a in enumerate(["1.234,56", "1,234.56", "12,5", "-3.10"])
    )
    text = f"{body}<BANKTRANLIST>{items}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
    statement = read_ofx(text.encode(), "x.ofx")
    assert [(t.amount, t.credit) for t in statement.transactions] == [
        (D("1234.56"), True), (D("1234.56"), True), (D("12.5"), True), (D("3.10"), False),
    ]  # fmt: skip


def test_the_folder_lock_is_reentrant_for_one_folder_and_exclusive_between_two(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from facturo.errors import FolderBusy
    from facturo.store.folder import Folder

    one, other = Folder(tmp_path), Folder(tmp_path)
    with one.lock():
        with one.lock():
            pass  # leaving the inner one keeps the outer one held
        with pytest.raises(FolderBusy), other.lock(timeout=0.1):
            pass
    with other.lock():
        pass


def test_a_transaction_recorded_for_less_than_its_amount_is_reported_not_skipped() -> None:
    invoices = {
        i.number: i for i in (invoice("F-2026-0001", "0.00"), invoice("F-2026-0002", "200.00"))
    }
    recorded = {"T1": {"F-2026-0001": D("100.00")}, "T2": {"F-2026-0001": D("50.00")}}
    match = Matcher(invoices, recorded, [INVOICES])
    partly = match.decide(tx("300.00", id="T1"))
    assert (partly.outcome, partly.why, partly.candidates) == (
        Outcome.AMBIGUOUS, "partly-recorded", ("F-2026-0001",),
    )  # fmt: skip
    assert match.decide(tx("50.00", id="T2")).outcome == Outcome.KNOWN
