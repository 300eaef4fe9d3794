"""Drafts made from an issued invoice: `facturo new --from NUMBER` bills the same again.

The copy takes what the user wrote (client, lines, terms, references, notes), never what
issue added (number, dates, totals, snapshots, seal): those come anew when the draft is
issued. Deposit deductions and time entries belong to the first invoice and stay there.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError
from facturo.files.canonical import dump
from facturo.model.vat import treatment_of
from facturo.store.index import Ledger

COPIED = ("order_reference", "payment_terms", "currency", "language", "operation", "notes")
LINE_KEYS = ("description", "quantity", "unit", "unit_price")


def draft_from_issued(ledger: Ledger, number: str, today: dt.date) -> Path:
    """Write drafts/<client>-<today>.yaml from the issued invoice `number`."""
    entry = ledger.find(number)
    if entry.kind not in ("invoice", "quote"):
        raise FacturoError(f"{entry.number} is a {entry.kind.replace('_', ' ')}: copy an invoice")
    document = ledger.document(entry.number)
    client_id = str(document["client"]["id"])
    draft: dict[str, Any] = {"client": client_id}
    if entry.kind == "quote":
        draft["kind"] = "quote"
    if document.get("series"):
        draft["series"] = document["series"]  # the same activity's series
    treatment = treatment_of(document)
    if treatment != "standard":
        draft["vat"] = treatment
        if treatment == "exempt":
            draft["vat_exemption_reason"] = document["vat_exemption"]["reason"]
    if entry.kind == "invoice":
        draft["service_period"] = {"start": today.replace(day=1), "end": today}
    for key in COPIED:
        if document.get(key) not in (None, ""):
            draft[key] = document[key]
    if re.fullmatch(r"\d{4}-\d\d-\d\d", str(draft.get("payment_terms", ""))):
        draft.pop("payment_terms")  # a due date the user gave: the next one is not the same
    lines = []
    for line in document["lines"]:
        if "deposit" in line:
            continue
        copy = {key: line[key] for key in LINE_KEYS if key in line}
        if line.get("vat_category") in ("S", "Z") and treatment == "standard":
            copy["vat_rate"] = line["vat_rate"]
        if "discount" in line:
            copy["discount"] = line["discount"]
        lines.append(copy)
    draft["lines"] = lines
    if "discount" in document:
        draft["discount"] = document["discount"]
    header = [
        f"Copied by facturo new --from {entry.number}: edit it, then `facturo issue` it.",
        "It gets its number, dates and totals when it is issued.",
    ]
    text = dump(draft, header)
    return ledger.folder.claim_draft(f"{client_id}-{today.isoformat()}", text)
