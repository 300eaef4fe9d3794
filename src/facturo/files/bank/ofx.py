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
from functools import partial
from xml.sax.saxutils import unescape

from facturo.files.bank import Statement, StatementError, Transaction, parse_amount, problem
from facturo.files.bank.elements import BadValue, Element, Part, read_parts

_TOKEN = re.compile(r"<(/?)([A-Za-z0-9_.]+)[^>]*>([^<]*)")
_ENCODING = re.compile(rb"""encoding=["']([A-Za-z0-9_-]+)["']""")
_ENTITIES = {"&nbsp;": " ", "&apos;": "'", "&quot;": '"'}


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
    """The element tree of an OFX body, SGML (end tags optional on values) or XML, in the
    elements CAMT statements are read into (tags upper case, no namespace)."""
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


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text[:8], "%Y%m%d").date()


def read_ofx(raw: bytes, display: str) -> Statement:
    """The movements of every bank (and card) statement in an OFX file."""
    text = _decode(raw)
    version = re.search(r'VERSION[:=]"?(\d+)', text[: text.upper().find("<OFX>") + 1 or 1024])
    ofx = parse_ofx(text, display)
    statements = ofx.all("BANKMSGSRSV1/STMTTRNRS/STMTRS") + ofx.all(
        "CREDITCARDMSGSRSV1/CCSTMTTRNRS/CCSTMTRS"
    )
    if not statements:
        raise StatementError(
            f"{display} cannot be read",
            problems=[problem(display, ofx.line, "no bank statement (STMTRS) in this file")],
        )
    parts: list[Part] = [
        (
            statement.value("BANKACCTFROM/ACCTID", "CCACCTFROM/ACCTID"),
            statement.all("BANKTRANLIST/STMTTRN"),
            partial(_transaction, currency=statement.value("CURDEF")),
        )
        for statement in statements
    ]
    return read_parts(display, f"ofx {version.group(1)}" if version else "ofx", parts)


def _transaction(item: Element, currency: str) -> list[Transaction]:
    posted = item.value("DTPOSTED")
    try:
        booking = _date(posted)
        available = item.value("DTAVAIL")
        value_date = _date(available) if available else None
    except ValueError:
        tag = "DTAVAIL" if posted and posted[:8].isdigit() else "DTPOSTED"
        value = item.value(tag)
        raise BadValue(
            f"{tag} {value!r} is not a date (YYYYMMDD)", item.first(tag) or item
        ) from None
    written = item.value("TRNAMT")
    # The specification allows either decimal mark: the last one written is it.
    amount = parse_amount(written, "," if written.rfind(",") > written.rfind(".") else ".")
    if amount is None:
        raise BadValue(f"TRNAMT {written!r} is not an amount", item.first("TRNAMT") or item)
    other = item.value("ORIGCURRENCY/CURSYM", "CURRENCY/CURSYM")
    name = item.value("NAME", "PAYEE/NAME")
    memo = item.value("MEMO")
    fitid = item.value("FITID")
    transaction = Transaction(
        id=fitid, booking_date=booking, value_date=value_date, amount=abs(amount),
        currency=currency, credit=amount > 0, counterparty=name,
        iban=item.value("BANKACCTTO/ACCTID"), remittance=" ".join(t for t in (name, memo) if t),
        bank_reference=item.value("REFNUM", "CHECKNUM") or fitid,
        instructed_currency=other if other and other != currency else "", line=item.line,
    )  # fmt: skip
    return [transaction]
