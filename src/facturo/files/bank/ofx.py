"""OFX statements (1.x SGML and 2.x XML) read as transactions.

Facts from the OFX specification: a 1.x file starts with `KEY:VALUE` header lines
(OFXHEADER:100, CHARSET...), then SGML where elements holding a value may lack their end
tag; 2.x is XML with an `<?OFX OFXHEADER="200" ...?>` instruction. Bank statements are
`STMTRS` (currency `CURDEF`, account `BANKACCTFROM/ACCTID`) with `BANKTRANLIST/STMTTRN`:
`TRNTYPE`, `DTPOSTED` (YYYYMMDD[HHMMSS...]), `DTAVAIL`, `TRNAMT` (signed), `FITID` (unique
per account), `REFNUM`, `NAME` or `PAYEE/NAME`, `MEMO`, `BANKACCTTO`, and `CURRENCY` or
`ORIGCURRENCY` (`CURSYM`) for a movement in another currency.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import unescape

from facturo.files.bank import (
    Statement,
    StatementError,
    Transaction,
    parse_amount,
    problem,
    with_digest_ids,
)

_TOKEN = re.compile(r"<(/?)([A-Za-z0-9_.]+)[^>]*>([^<]*)")
_ENCODING = re.compile(rb"""encoding=["']([A-Za-z0-9_-]+)["']""")
_ENTITIES = {"&nbsp;": " ", "&apos;": "'", "&quot;": '"'}


@dataclass
class Element:
    tag: str
    line: int
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def all(self, path: str) -> list[Element]:
        found = [self]
        for name in path.split("/"):
            found = [child for node in found for child in node.children if child.tag == name]
        return found

    def value(self, *paths: str) -> str:
        for path in paths:
            nodes = self.all(path)
            if nodes and nodes[0].text:
                return nodes[0].text
        return ""


def _decode(raw: bytes) -> str:
    head = raw[:1024]
    declared = _ENCODING.search(head)
    if declared:
        encoding = declared.group(1).decode()
    elif b"CHARSET:1252" in head or b"ENCODING:USASCII" in head:
        encoding = "cp1252"
    else:
        encoding = "utf-8"
    try:
        return raw.decode(encoding.lower().replace("usascii", "ascii"))
    except (LookupError, UnicodeDecodeError):
        return raw.decode("cp1252", errors="replace")


def parse_ofx(text: str, display: str) -> Element:
    """The element tree of an OFX body, SGML (end tags optional on values) or XML."""
    start = text.upper().find("<OFX>")
    if start < 0:
        raise StatementError(
            f"{display} cannot be read", problems=[problem(display, 1, "no <OFX>")]
        )
    line = text.count("\n", 0, start) + 1
    root = Element("ROOT", 0)
    stack = [root]
    for match in _TOKEN.finditer(text, start):
        closing, tag, value = match.group(1), match.group(2).upper(), match.group(3)
        here = line + text.count("\n", start, match.start())
        if closing:
            names = [e.tag for e in stack]
            if tag in names[1:]:
                del stack[len(names) - names[::-1].index(tag) - 1 :]
            continue
        element = Element(tag, here)
        stack[-1].children.append(element)
        content = unescape(value.strip(), _ENTITIES)
        if content:
            element.text = content  # a value: SGML may never close it
        else:
            stack.append(element)
    ofx = root.all("OFX")
    if not ofx:
        raise StatementError(
            f"{display} cannot be read", problems=[problem(display, 1, "no <OFX>")]
        )
    return ofx[0]


class BadValue(ValueError):
    """A value that is not what the specification says, and its line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _line(item: Element, tag: str) -> int:
    found = item.all(tag)
    return found[0].line if found else item.line


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text[:8], "%Y%m%d").date()


def read_ofx(raw: bytes, display: str) -> Statement:
    """The movements of every bank (and card) statement in an OFX file."""
    text = _decode(raw)
    version = re.search(r'VERSION[:=]"?(\d+)', text[: text.upper().find("<OFX>") + 1 or 1024])
    ofx = parse_ofx(text, display)
    problems = []
    transactions: list[Transaction] = []
    accounts = []
    statements = ofx.all("BANKMSGSRSV1/STMTTRNRS/STMTRS") + ofx.all(
        "CREDITCARDMSGSRSV1/CCSTMTTRNRS/CCSTMTRS"
    )
    for statement in statements:
        account = statement.value("BANKACCTFROM/ACCTID", "CCACCTFROM/ACCTID")
        accounts.append(account)
        currency = statement.value("CURDEF")
        found = []
        for item in statement.all("BANKTRANLIST/STMTTRN"):
            try:
                found.append(_transaction(item, currency))
            except ValueError as exc:
                line = exc.line if isinstance(exc, BadValue) else item.line
                problems.append(problem(display, line, str(exc)))
        transactions.extend(with_digest_ids(found, account))
    if not statements:
        problems.append(problem(display, ofx.line, "no bank statement (STMTRS) in this file"))
    if problems:
        raise StatementError(f"{display} cannot be read", problems=problems)
    name = f"ofx {version.group(1)}" if version else "ofx"
    return Statement(display, name, ", ".join(dict.fromkeys(accounts)), tuple(transactions))


def _transaction(item: Element, currency: str) -> Transaction:
    posted = item.value("DTPOSTED")
    try:
        booking = _date(posted)
        available = item.value("DTAVAIL")
        value_date = _date(available) if available else None
    except ValueError:
        tag = "DTAVAIL" if posted and posted[:8].isdigit() else "DTPOSTED"
        value = item.value(tag)
        raise BadValue(f"{tag} {value!r} is not a date (YYYYMMDD)", _line(item, tag)) from None
    written = item.value("TRNAMT")
    # The specification allows either decimal mark: the last one written is it.
    amount = parse_amount(written, "," if written.rfind(",") > written.rfind(".") else ".")
    if amount is None:
        raise BadValue(f"TRNAMT {written!r} is not an amount", _line(item, "TRNAMT"))
    other = item.value("ORIGCURRENCY/CURSYM", "CURRENCY/CURSYM")
    name = item.value("NAME", "PAYEE/NAME")
    memo = item.value("MEMO")
    fitid = item.value("FITID")
    return Transaction(
        id=fitid, booking_date=booking, value_date=value_date, amount=abs(amount),
        currency=currency, credit=amount > 0, counterparty=name,
        iban=item.value("BANKACCTTO/ACCTID"), remittance=" ".join(t for t in (name, memo) if t),
        bank_reference=item.value("REFNUM", "CHECKNUM") or fitid,
        instructed_currency=other if other and other != currency else "", line=item.line,
    )  # fmt: skip
