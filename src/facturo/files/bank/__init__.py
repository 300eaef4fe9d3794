"""Bank statements read into typed transactions: CAMT.053, OFX and CSV files."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from facturo.errors import InvalidData, NotFound, Problem


@dataclass(frozen=True)
class Transaction:
    """One movement on the account, as the bank reported it; `amount` is never negative."""

    id: str  # the bank's unique id (or a digest of the movement when the file has none)
    booking_date: dt.date
    value_date: dt.date | None
    amount: Decimal
    currency: str
    credit: bool  # money in; a debit is money out (fees, purchases)
    counterparty: str = ""  # the payer of a credit, the payee of a debit
    iban: str = ""  # the counterparty's account
    remittance: str = ""  # the free text sent with the transfer
    references: tuple[str, ...] = ()  # structured references (creditor reference, document)
    bank_reference: str = ""  # the reference the bank or the payer gave it
    instructed_currency: str = ""  # a credit sent in another currency, before conversion
    instructed_amount: Decimal | None = None
    line: int = 0  # where it starts in the file

    @property
    def foreign(self) -> bool:
        """Sent in another currency than the one it was booked in."""
        return bool(self.instructed_currency) and self.instructed_currency != self.currency

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["references"] = list(self.references)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transaction:
        def day(value: Any) -> dt.date | None:
            return dt.date.fromisoformat(value) if value else None

        instructed = data.get("instructed_amount")
        return cls(
            id=str(data["id"]),
            booking_date=dt.date.fromisoformat(data["booking_date"]),
            value_date=day(data.get("value_date")),
            amount=Decimal(data["amount"]),
            currency=str(data["currency"]),
            credit=bool(data["credit"]),
            counterparty=str(data.get("counterparty") or ""),
            iban=str(data.get("iban") or ""),
            remittance=str(data.get("remittance") or ""),
            references=tuple(data.get("references") or ()),
            bank_reference=str(data.get("bank_reference") or ""),
            instructed_currency=str(data.get("instructed_currency") or ""),
            instructed_amount=Decimal(instructed) if instructed is not None else None,
            line=int(data.get("line") or 0),
        )


@dataclass(frozen=True)
class Statement:
    """The transactions of one file, in the file's order."""

    path: str
    format: str  # e.g. camt.053.001.08, ofx 102, csv
    account: str  # the IBAN or account id the statement is about
    transactions: tuple[Transaction, ...]

    @property
    def last_date(self) -> dt.date | None:
        return max((t.booking_date for t in self.transactions), default=None)


class StatementError(InvalidData):
    """A statement file that cannot be read: every problem found, with its line."""


def problem(path: str, line: int, message: str, col: int = 0) -> Problem:
    return Problem(path, line, col, message)


def parse_amount(text: str, decimal_mark: str = ".") -> Decimal | None:
    """An amount as banks write it: `1 234,56`, `-12.50`, `+1.234,56 €`; None if it is not."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.removesuffix("€").removesuffix("EUR").strip()
    if decimal_mark == ",":
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def with_digest_ids(transactions: list[Transaction], account: str) -> list[Transaction]:
    """Ids for movements the file gave none: a digest of what they are, the same in every
    statement that lists them (the n-th identical movement of a day gets the n-th digest)."""
    seen: Counter[str] = Counter()
    named = []
    for transaction in transactions:
        if transaction.id:
            named.append(transaction)
            continue
        what = "|".join([
            account, transaction.booking_date.isoformat(), format(transaction.amount, "f"),
            "C" if transaction.credit else "D", transaction.counterparty, transaction.iban,
            transaction.remittance, transaction.bank_reference,
        ])  # fmt: skip
        seen[what] += 1
        digest = hashlib.sha256(f"{what}|{seen[what]}".encode()).hexdigest()[:20]
        named.append(replace(transaction, id=f"sha-{digest}"))
    return named


def detect_format(head: bytes) -> str:
    """camt, ofx or csv, from the first bytes of a file."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").decode("latin-1")
    upper = text.upper()
    if upper.startswith("OFXHEADER") or "<OFX>" in upper or "<?OFX" in upper:
        return "ofx"
    if text.startswith("<"):
        return "camt"
    return "csv"


def read_statement(
    path: Path, display: str, csv_settings: dict[str, Any] | None = None
) -> Statement:
    """The statement in `path`, whatever its format; StatementError lists what is wrong."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"{display}: no such file") from None
    except OSError as exc:
        raise StatementError(f"{display}: cannot read it ({exc.strerror})") from None
    kind = detect_format(raw[:4096])
    if kind == "camt":
        from facturo.files.bank.camt import read_camt

        return read_camt(raw, display)
    if kind == "ofx":
        from facturo.files.bank.ofx import read_ofx

        return read_ofx(raw, display)
    from facturo.files.bank.delimited import read_csv

    return read_csv(raw, display, csv_settings)
