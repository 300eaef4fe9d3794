"""Plain-text accounting journals of sales, VAT and receipts: hledger and beancount syntax.

The same balanced transactions as the FEC (reports/postings.py), in every currency (each
transaction balances in its own), with the accounts declared first so that strict checks
(`hledger check accounts commodities`, `bean-check`) accept the file as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from facturo.reports.postings import BANK_ACCOUNT, CLIENT, LOSS, REVENUE, VAT, VAT_PENDING, Posting
from facturo.reports.postings import Transaction as Move

FORMATS = ("hledger", "beancount")
ROOTS = {
    CLIENT: ("Assets", "Receivables"),
    BANK_ACCOUNT: ("Assets", "Bank"),
    REVENUE: ("Income", "Sales"),
    VAT: ("Liabilities", "VAT"),
    VAT_PENDING: ("Liabilities", "VAT-Pending"),
    LOSS: ("Expenses", "Bad-Debts"),
}
KINDS = {"invoice": "Invoice", "deposit": "Deposit invoice", "credit_note": "Credit note",
         "payment": "Payment", "write-off": "Written off"}  # fmt: skip


def account_name(posting: Posting, style: str) -> str:
    """`Assets:Receivables:411000:411DUPONT`, or lower case for hledger."""
    parts = [*ROOTS[posting.role], posting.account]
    if posting.client:
        parts.append(posting.client)
    name = ":".join(parts)
    return name.lower() if style == "hledger" else name


def _quoted(text: str) -> str:
    return '"' + " ".join(text.replace("\\", "/").replace('"', "'").split()) + '"'


def _amount(posting: Posting) -> Decimal:
    return posting.debit - posting.credit


def _description(move: Move) -> str:
    text = f"{KINDS.get(move.kind, move.kind)} {move.document}"
    if move.kind == "payment" and move.method:
        text += f" ({move.method}{', ' + move.reference if move.reference else ''})"
    return text


def journal(moves: Sequence[Move], style: str) -> str:
    """The journal of `moves` in `style` (hledger or beancount), accounts declared first."""
    accounts = sorted({account_name(p, style) for m in moves for p in m.postings})
    currencies = sorted({m.currency for m in moves})
    first = min((m.date for m in moves), default=None)
    out: list[str] = []
    if style == "beancount":
        out += [f'option "operating_currency" "{c}"' for c in currencies[:1]]
        out += [f"{first} commodity {c}" for c in currencies]
        out += [f"{first} open {a}" for a in accounts]
    else:
        out += [f"commodity 1000.00 {c}" for c in currencies]
        out += [f"account {a}" for a in accounts]
    for move in moves:
        out.append("")
        if style == "beancount":
            out.append(f"{move.date} * {_quoted(move.client_name)} {_quoted(_description(move))}")
            out.append(f"  document: {_quoted(move.document)}")
        else:
            payee = " ".join(move.client_name.replace("|", "/").replace(";", ",").split())
            out.append(f"{move.date} * {payee} | {_description(move)}")
        width = max(len(account_name(p, style)) for p in move.postings)
        for posting in move.postings:
            name = account_name(posting, style).ljust(width)
            out.append(f"    {name}  {format(_amount(posting), 'f'):>12} {move.currency}")
    return "\n".join(out) + "\n"
