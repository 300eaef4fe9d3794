"""The FEC (fichier des écritures comptables, LPF art. A47 A-1) of a year's sales and receipts.

18 columns in the article's order, a header line of their names, `|` (or tab) between
fields, dates as YYYYMMDD, amounts with a decimal comma and no thousands separator, one
line per posting, entries numbered in a continuous sequence per journal in date order.
The file is named `<SIREN>FEC<closing date YYYYMMDD>.txt`. The FEC is kept in euros: a
document in another currency is converted at the exchange rate sealed in it at issue (its
payments too), each line giving its amount in that currency (Montantdevise) and the
currency's code (Idevise); one without a rate is left out and returned for the user to see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from facturo.reports.postings import (
    BANK,
    BANK_ACCOUNT,
    CLIENT,
    LOSS,
    REVENUE,
    SALES,
    VAT,
    VAT_PENDING,
    WRITE_OFFS,
    Posting,
    Transaction,
)

COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise",
)  # fmt: skip
SEPARATORS = {"pipe": "|", "tab": "\t"}
ENCODINGS = ("iso-8859-15", "utf-8")

# The FEC is read by the French tax administration: its labels are French.
JOURNALS = {
    SALES: ("VE", "Ventes"), BANK: ("BQ", "Banque"), WRITE_OFFS: ("OD", "Opérations diverses"),
}  # fmt: skip
ACCOUNT_LABELS = {
    CLIENT: "Clients",
    REVENUE: "Prestations de services et ventes",
    VAT: "TVA collectée",
    VAT_PENDING: "TVA collectée sur encaissements en attente",
    BANK_ACCOUNT: "Banque",
    LOSS: "Pertes sur créances irrécouvrables",
}
KIND_LABELS = {
    "invoice": "Facture",
    "deposit": "Facture d'acompte",
    "credit_note": "Avoir",
    "payment": "Règlement",
    "write-off": "Créance abandonnée",
}


def file_name(siren: str, year: int) -> str:
    """`<SIREN>FEC<YYYYMMDD>.txt`, dated the closing day of the (calendar) year."""
    return f"{siren.replace(' ', '')}FEC{dt.date(year, 12, 31):%Y%m%d}.txt"


def _date(day: dt.date | None) -> str:
    return f"{day:%Y%m%d}" if day else ""


def _amount(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f").replace(".", ",")


def _foreign(value: Decimal) -> str:
    """An amount in another currency, to its own minor unit (0 in JPY, 3 in KWD)."""
    return format(value, "f").replace(".", ",")


def _clean(text: str) -> str:
    """Text without the characters that separate fields and lines."""
    return " ".join(text.replace("|", "/").split())


def _rate(rate: Decimal | None) -> str:
    return "" if rate is None else " " + format(rate.normalize(), "f").replace(".", ",") + " %"


def _label(move: Transaction) -> str:
    parts = [KIND_LABELS.get(move.kind, move.kind), move.document, move.client_name]
    if move.reference:
        parts.append(move.reference)
    return _clean(" ".join(parts))


@dataclass(frozen=True)
class Fec:
    """The FEC's text, and the documents left out (in another currency, without a rate)."""

    text: str
    left_out: list[str]
    entries: int


def fec(moves: Sequence[Transaction], separator: str = "|") -> Fec:
    """The FEC of `moves` (in date order); each move becomes one numbered entry."""
    lines = [separator.join(COLUMNS)]
    counters = dict.fromkeys(JOURNALS, 0)
    left_out: list[str] = []
    for stated in moves:
        move = stated.in_euros()
        if move is None:
            if stated.document not in left_out:
                left_out.append(stated.document)
            continue
        code, journal = JOURNALS[move.journal]
        counters[move.journal] += 1
        number = f"{code}{counters[move.journal]:06}"
        for posting in move.postings:
            lines.append(separator.join(_row(move, posting, code, journal, number)))
    return Fec("\r\n".join(lines) + "\r\n", left_out, sum(counters.values()))


def _row(move: Transaction, posting: Posting, code: str, journal: str, number: str) -> list[str]:
    aux = posting.client
    return [
        code,
        journal,
        number,
        _date(move.date),
        posting.account,
        ACCOUNT_LABELS[posting.role] + (_rate(posting.rate) if posting.role != REVENUE else ""),
        aux,
        _clean(move.client_name) if aux else "",
        move.document,
        _date(move.document_date),
        _label(move),
        _amount(posting.debit),
        _amount(posting.credit),
        "",
        "",
        _date(move.date),
        "" if posting.foreign is None else _foreign(posting.foreign),
        move.foreign_currency if posting.foreign is not None else "",
    ]
