"""Document kinds and their groups, declared once: receivable, tax document, type code, series."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """What a kind of document is, for numbering, accounts and e-invoices."""

    name: str
    series: str  # the numbering series it takes its number from
    type_code: str | None  # UNTDID 1001 (BT-3); None: not a tax document
    receivable: bool  # the client owes its total: payments, reminders, statements

    @property
    def is_tax_document(self) -> bool:
        """Invoices, deposit invoices and credit notes; quotes are not."""
        return self.type_code is not None


INVOICE = Kind("invoice", series="invoice", type_code="380", receivable=True)
# Deposit invoices are invoices (type 386): they share the invoice series.
DEPOSIT = Kind("deposit", series="invoice", type_code="386", receivable=True)
CREDIT_NOTE = Kind("credit_note", series="credit_note", type_code="381", receivable=False)
QUOTE = Kind("quote", series="quote", type_code=None, receivable=False)

KINDS = {kind.name: kind for kind in (INVOICE, DEPOSIT, CREDIT_NOTE, QUOTE)}
KIND_NAMES = tuple(KINDS)
RECEIVABLE_KINDS = tuple(name for name, kind in KINDS.items() if kind.receivable)
TAX_DOCUMENT_KINDS = tuple(name for name, kind in KINDS.items() if kind.is_tax_document)
TYPE_CODES = {name: kind.type_code for name, kind in KINDS.items() if kind.type_code}
SERIES_OF_KIND = {name: kind.series for name, kind in KINDS.items()}
FOLDER_OF_SERIES = {"invoice": "invoices", "credit_note": "credit-notes", "quote": "quotes"}


def kind_of(name: str | None) -> Kind | None:
    """The kind called `name`, or None for an unknown name."""
    return KINDS.get(name or "")


def is_receivable(name: str | None) -> bool:
    """Invoices and deposit invoices are owed; quotes and credit notes are not."""
    kind = KINDS.get(name or "")
    return kind is not None and kind.receivable


def is_tax_document(name: str | None) -> bool:
    """Whether documents of this kind have an e-invoice (quotes do not)."""
    kind = KINDS.get(name or "")
    return kind is not None and kind.is_tax_document


# The French "cadre de facturation" (BT-23): the nature of the operation, then 1 for a plain
# invoice or deposit, 4 for a final invoice deducting deposits already invoiced.
_OPERATION_LETTERS = {"goods": "B", "services": "S", "mixed": "M"}


def billing_framework(operation: str | None, *, deducts_deposits: bool = False) -> str | None:
    """B1/S1/M1, or B4/S4/M4 for a final invoice after deposits; None for an unknown operation."""
    letter = _OPERATION_LETTERS.get(operation or "")
    if letter is None:
        return None
    return f"{letter}{4 if deducts_deposits else 1}"
