"""ISO 20022 CAMT.053 statements (camt.053.001.02 and later versions) read as transactions.

camt.052 account reports and camt.054 notifications carry the same entries and are read too.

Facts from the published message definition (BankToCustomerStatement): each `Stmt` has the
account (`Acct/Id/IBAN`) and entries `Ntry` with `Amt` (attribute `Ccy`), `CdtDbtInd`
(CRDT or DBIT), `Sts` (BOOK; a code in `Sts/Cd` from version 08), `BookgDt` and `ValDt`
(`Dt` or `DtTm`), `AcctSvcrRef`, and `NtryDtls/TxDtls` per transaction with `Refs`, the
amount (`Amt` from version 04, `AmtDtls/TxAmt/Amt` in 02), `AmtDtls/InstdAmt` (what the
payer sent, maybe in another currency), `RltdPties` (`Dbtr/Nm`, or `Dbtr/Pty/Nm` from 08,
`DbtrAcct/Id/IBAN`) and `RmtInf` (`Ustrd` lines, `Strd/CdtrRefInf/Ref`).
Versions differ only in the namespace and those few paths, so elements are read by local
name. No DTD or entity is accepted (a statement never has one).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import partial

from facturo.files.bank import Statement, StatementError, Transaction, parse_amount, problem
from facturo.files.bank.elements import BadValue, Element, Part, parse_xml, read_parts

_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:(camt\.05([234])\.001\.(\d+))$")
# The account report (052) and the notification (054) hold the same entries.
_REPORTS = {
    "3": "BkToCstmrStmt/Stmt",
    "2": "BkToCstmrAcctRpt/Rpt",
    "4": "BkToCstmrDbtCdtNtfctn/Ntfctn",
}
_NOT_PROVIDED = "NOTPROVIDED"


def read_camt(raw: bytes, display: str) -> Statement:
    """The booked entries of every statement in a camt.053 document (or camt.052/054)."""
    root = parse_xml(raw, display)
    version = _NAMESPACE.match(root.namespace)
    if root.tag != "Document" or version is None or int(version.group(3)) < 2:
        where = root.namespace or "no namespace"
        raise StatementError(
            f"{display} cannot be read",
            problems=[
                problem(
                    display,
                    root.line,
                    f"not a camt.053 statement ({root.tag} in {where})",
                    root.col,
                )
            ],
        )
    parts: list[Part] = [
        (
            statement.value("Acct/Id/IBAN", "Acct/Id/Othr/Id"),
            statement.all("Ntry"),
            partial(_entry, account_currency=statement.value("Acct/Ccy")),
        )
        for statement in root.all(_REPORTS[version.group(2)])
    ]
    return read_parts(display, version.group(1), parts)


def _amount(node: Element | None, what: str) -> tuple[Decimal, str]:
    if node is None:
        raise ValueError(f"{what} has no amount")
    amount = parse_amount(node.text)
    if amount is None or amount < 0:
        raise BadValue(f"{node.text.strip()!r} is not an amount (Amt of {what})", node)
    return amount, node.attrs.get("Ccy", "")


def _date(node: Element, path: str) -> dt.date | None:
    text = node.value(f"{path}/Dt", f"{path}/DtTm")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{path}: {text!r} is not a date") from None


def _status(entry: Element) -> str:
    return entry.value("Sts/Cd", "Sts/Prtry") or entry.value("Sts")


def _entry(entry: Element, account_currency: str) -> list[Transaction]:
    """The transactions of one booked entry (a batch entry holds several)."""
    if _status(entry) not in ("BOOK", ""):
        return []  # pending or information only: not on the account yet
    if entry.value("RvslInd").lower() == "true":
        return []  # a reversal returns an earlier movement; it pays nothing
    amount, currency = _amount(entry.first("Amt"), "Ntry")
    currency = currency or account_currency
    credit_mark = entry.value("CdtDbtInd")
    if credit_mark not in ("CRDT", "DBIT"):
        raise ValueError(f"CdtDbtInd is {credit_mark!r} (expected CRDT or DBIT)")
    booking = _date(entry, "BookgDt") or _date(entry, "ValDt")
    if booking is None:
        raise ValueError("the entry has no booking date (BookgDt)")
    value_date = _date(entry, "ValDt")
    entry_ref = entry.value("AcctSvcrRef") or entry.value("NtryRef")
    details = entry.all("NtryDtls/TxDtls")
    extra = entry.value("AddtlNtryInf")
    if not details:
        return [
            Transaction(
                id=entry_ref, booking_date=booking, value_date=value_date, amount=amount,
                currency=currency, credit=credit_mark == "CRDT", remittance=extra,
                bank_reference=entry_ref, line=entry.line,
            )
        ]  # fmt: skip
    found = []
    for position, detail in enumerate(details, start=1):
        if len(details) > 1:
            tx_amount, tx_currency = _amount(
                detail.first("Amt", "AmtDtls/TxAmt/Amt"), f"TxDtls {position}"
            )
            tx_currency = tx_currency or currency
        else:
            tx_amount, tx_currency = amount, currency
        mark = detail.value("CdtDbtInd") or credit_mark
        credit = mark == "CRDT"
        party, account = ("Dbtr", "DbtrAcct") if credit else ("Cdtr", "CdtrAcct")
        parties = detail.first("RltdPties")
        name = iban = ""
        if parties is not None:
            name = parties.value(f"{party}/Pty/Nm", f"{party}/Nm", f"Ultmt{party}/Pty/Nm")
            name = name or parties.value(f"Ultmt{party}/Nm")
            iban = parties.value(f"{account}/Id/IBAN")
        remittance = " ".join(n.text.strip() for n in detail.all("RmtInf/Ustrd"))
        references = [n.text.strip() for n in detail.all("RmtInf/Strd/CdtrRefInf/Ref")]
        references += [n.text.strip() for n in detail.all("RmtInf/Strd/RfrdDocInf/Nb")]
        text = " ".join(t for t in (remittance, detail.value("AddtlTxInf"), extra) if t)
        own_ref = detail.value("Refs/AcctSvcrRef")
        tx_id = own_ref or (
            f"{entry_ref}/{position}" if entry_ref and len(details) > 1 else entry_ref
        )
        end_to_end = detail.value("Refs/EndToEndId")
        if end_to_end == _NOT_PROVIDED:
            end_to_end = ""
        instructed = detail.first("AmtDtls/InstdAmt/Amt")
        instructed_amount, instructed_currency = (
            _amount(instructed, "InstdAmt") if instructed is not None else (None, "")
        )
        found.append(
            Transaction(
                id=tx_id, booking_date=booking, value_date=value_date, amount=tx_amount,
                currency=tx_currency, credit=credit, counterparty=name, iban=iban,
                remittance=text, references=tuple(r for r in references if r),
                bank_reference=end_to_end or own_ref or entry_ref,
                instructed_currency=instructed_currency, instructed_amount=instructed_amount,
                line=detail.line,
            )
        )  # fmt: skip
    return found
