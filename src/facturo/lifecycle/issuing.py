"""What happens to documents: drafts are prepared, issued with the next number, sealed.

Why so long: issuing is one transaction under one lock (every draft validated, the numbers
known from files, git and the record checked, each draft numbered, sealed, claimed, recorded,
the draft removed, an interrupted issue settled); its steps share the guarantees they keep.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturo.checks.history import Numbers, missing_problems, read_numbers
from facturo.errors import FacturoError, InvalidData, NotFound, Problem
from facturo.files import schema
from facturo.files.canonical import dump, dump_continued
from facturo.files.catalog import fill_items
from facturo.files.marked import YMap, locate
from facturo.files.reading import Report, read_file, suggest
from facturo.files.yamlio import load_mapping
from facturo.lifecycle.drafting import Links, build_document
from facturo.lifecycle.filing import Filing
from facturo.lifecycle.phrases import deposit_deducted
from facturo.lifecycle.sequence import Sequences
from facturo.lifecycle.time_billing import twice_billed
from facturo.model.document import language_of
from facturo.model.kinds import SERIES_OF_KIND
from facturo.model.numbering import Series, named_series, number_problem, series_for
from facturo.store.index import Entry, Ledger
from facturo.store.numbers import Recorded, add_to_record, keep_copy
from facturo.store.seal import compute_seal, immutable_part

TITLES = {
    "invoice": "Invoice",
    "deposit": "Deposit invoice",
    "credit_note": "Credit note",
    "quote": "Quote",
}
CLAIM_ATTEMPTS = 20


def draft_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def in_line_order(problems: list[Problem]) -> list[Problem]:
    """Each file's problems by line and column, as `check` lists a draft's; files in the
    order their first problem came (the draft named first stays first)."""
    first: dict[str, int] = {}
    for problem in problems:
        first.setdefault(problem.path, len(first))
    return sorted(problems, key=lambda p: (first[p.path], p.line, p.col))


def prepare_draft(
    ledger: Ledger, path: Path, issue_date: dt.date
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The document a draft would become on `issue_date`, with every problem found (in
    line order)."""
    document, problems = _prepared(ledger, path, issue_date)
    return document, in_line_order(problems)


def _prepared(
    ledger: Ledger, path: Path, issue_date: dt.date
) -> tuple[dict[str, Any] | None, list[Problem]]:
    display = ledger.folder.display(path)
    if ledger.folder.resolve_inside(str(path)) is None:
        # A link out of the folder would issue (and then delete) a file nobody versions.
        message = f"a draft must be a file inside the billing folder, not {path.resolve()}"
        return None, [Problem(display, 0, 0, message)]
    data, problems = load_mapping(path, display)
    if data is None:
        return None, problems
    items, rated = ledger.catalog_for(data)
    problems += fill_items(data, items, display, vat_rate=rated)
    draft, report = read_file(data, schema.DRAFT, display)
    problems = problems + report.problems
    report.problems = problems
    config, config_problems = ledger.config_with_problems()
    if config is None or any(p.is_error for p in config_problems):
        return None, problems
    client_id = draft.get("client")
    if not isinstance(client_id, str):
        return None, problems
    clients = ledger.clients_with_problems()
    if client_id not in clients:
        report.error(
            draft.mark("client"),
            f"unknown client {client_id!r} ({suggest(client_id, sorted(clients))})",
        )
        return None, report.problems
    client, client_problems = clients[client_id]
    if client is None or any(p.is_error for p in client_problems):
        report.error(
            draft.mark("client"), f"client {client_id!r} has errors (see clients/{client_id}.yaml)"
        )
        return None, report.problems
    if report.has_errors:
        return None, report.problems
    _check_series(draft, config, report)
    links = _resolve_links(ledger, draft, client_id, report)
    if report.has_errors:
        return None, report.problems
    document = build_document(draft, config, client_id, client, issue_date, report, links)
    if document is not None and links.credit_note_of is not None:
        _check_credit_limit(ledger, document, draft, report)
    if document is not None and document["kind"] != "quote":
        _check_einvoice(ledger, document, draft, client, config, report)
        if report.has_errors:
            return None, report.problems
    return document, report.problems


def _check_series(draft: YMap, config: dict[str, Any], report: Report) -> None:
    """A draft's `series` names a series of numbering.series for its kind of document."""
    name, kind = draft.get("series"), draft.get("kind", "invoice")
    if isinstance(name, str) and kind in SERIES_OF_KIND and series_for(config, kind, name) is None:
        names = [s.name for s in named_series(config) if s.kind == SERIES_OF_KIND[kind]]
        report.error(
            draft.mark("series"),
            f"no {SERIES_OF_KIND[kind].replace('_', ' ')} series {name!r} in numbering.series "
            f"of facturo.yaml ({suggest(name, names)})",
        )


def _resolve_links(ledger: Ledger, draft: YMap, client_id: str, report: Report) -> Links:
    """The issued documents a draft refers to: the invoice a credit note corrects, the quote
    an invoice comes from and the deposit invoices it deducts."""
    links = Links()
    kind = draft.get("kind", "invoice")
    if kind == "credit_note":
        if "credit_note_of" not in draft:
            report.error(
                draft.mark("kind"), "a credit note needs credit_note_of: the invoice number"
            )
        if not draft.get("reason"):
            report.error(draft.mark("kind"), "a credit note needs a reason")
    elif "credit_note_of" in draft:
        report.error(
            draft.mark("credit_note_of"),
            "only a credit note (kind: credit_note) corrects an invoice",
        )
    if "credit_note_of" in draft:
        invoice = _linked(
            ledger, draft, "credit_note_of", client_id, ("invoice", "deposit"), report
        )
        if invoice is not None:
            links.credit_note_of = {"number": invoice.number, "issue_date": invoice.issue_date}
            for deposit in ledger.document(invoice.number).get("lines") or []:
                if isinstance(deposit.get("deposit"), dict):
                    number = str(deposit["deposit"]["number"])
                    links.deposits[number] = dict(deposit["deposit"])
            terms = _payment_mentions(ledger, invoice.number)
            if terms:
                links.credit_note_of["payment"] = terms
    if "quote" in draft:
        quote = _linked(ledger, draft, "quote", client_id, ("quote",), report)
        if quote is not None:
            links.quote = {"number": quote.number, "issue_date": quote.issue_date}
            if quote.declined:
                report.error(draft.mark("quote"), f"quote {quote.number} was declined")
            if kind == "invoice":
                links.deductions = _deposit_deductions(ledger, quote.number, draft)
    return links


def _payment_mentions(ledger: Ledger, number: str) -> dict[str, Any]:
    """The penalty, indemnity and early-payment terms an invoice stated: its credit notes
    repeat them (BR-FR-05: every e-invoice carries the PMT, PMD and AAB mentions)."""
    payment = ledger.document(number).get("payment") or {}
    keys = ("late_penalty_rate_percent", "recovery_indemnity", "early_payment_discount")
    return {key: payment[key] for key in keys if payment.get(key) not in (None, "")}


def _linked(
    ledger: Ledger, draft: YMap, key: str, client_id: str, kinds: tuple[str, ...], report: Report
) -> Entry | None:
    number = str(draft[key])
    entries = {e.number: e for e in ledger.entries()}
    entry = entries.get(number)
    if entry is None:
        candidates = [n for n, e in entries.items() if e.kind in kinds]
        report.error(
            draft.mark(key), f"no issued document {number!r} ({suggest(number, candidates)})"
        )
        return None
    if entry.kind not in kinds:
        report.error(
            draft.mark(key),
            f"{number} is a {entry.kind.replace('_', ' ')} (expected: {', '.join(kinds)})",
        )
        return None
    if entry.client_id != client_id:
        report.error(
            draft.mark(key), f"{number} was issued to {entry.client_id!r}, not to {client_id!r}"
        )
        return None
    return entry


def _deposit_deductions(ledger: Ledger, quote: str, draft: YMap) -> list[dict[str, Any]]:
    """Lines deducting each deposit invoice of `quote` not deducted by another invoice yet.

    One negative line per VAT rate of the deposit, so the VAT of the final invoice is
    the VAT of what is left to pay.
    """
    language = language_of(draft)
    deposits = [e for e in ledger.entries() if e.kind == "deposit" and e.quote == quote]
    deducted = _deducted_deposits(ledger)
    lines: list[dict[str, Any]] = []
    for deposit in sorted(deposits, key=lambda e: (e.issue_date or dt.date.min, e.number)):
        if deposit.number in deducted:
            continue
        document = ledger.document(deposit.number)
        assert deposit.issue_date is not None
        text = deposit_deducted(deposit.number, deposit.issue_date, language)
        for group in document["totals"]["vat"]:
            lines.append({
                "description": text,
                "quantity": Decimal(1),
                "unit_price": -group["base"],
                "vat_category": group["category"],
                "vat_rate": group["rate"],
                "deposit": {"number": deposit.number, "issue_date": deposit.issue_date},
            })  # fmt: skip
    return lines


def _deducted_deposits(ledger: Ledger) -> set[str]:
    """Deposit invoices already deducted by an issued invoice."""
    numbers: set[str] = set()
    for entry in ledger.entries():
        numbers.update(entry.deducts)
    return numbers


def _check_credit_limit(
    ledger: Ledger, document: dict[str, Any], draft: YMap, report: Report
) -> None:
    invoice = ledger.find(document["credit_note_of"]["number"])
    if invoice.issue_date and document["issue_date"] < invoice.issue_date:
        report.error(
            draft.mark("credit_note_of"),
            f"a credit note cannot be dated before the invoice it corrects ({invoice.issue_date})",
        )
    if invoice.kind == "deposit" and invoice.number in _deducted_deposits(ledger):
        report.error(
            draft.mark("credit_note_of"),
            f"{invoice.number} is deducted by a final invoice: correct that invoice instead",
        )
    left = invoice.due - invoice.credited
    total = document["totals"]["gross"]
    if total > left:
        report.error(
            draft.mark("credit_note_of"),
            f"this credit note ({total} {invoice.currency}) exceeds what is left to credit on "
            f"{invoice.number} ({left} {invoice.currency})",
        )
    if document["currency"] != invoice.currency:
        report.error(draft.mark("currency"), f"{invoice.number} is in {invoice.currency}")


def _check_einvoice(
    ledger: Ledger,
    document: dict[str, Any],
    draft: YMap,
    client: YMap,
    config: YMap,
    report: Report,
) -> None:
    """Every invoice is also an EN 16931 e-invoice: what would be missing, where to add it."""
    from facturo.checks.einvoice import missing_fields, rejections_foreseen

    folder = ledger.folder
    document = {**document, "number": "DRAFT"}
    found = [(gap, "error") for gap in missing_fields(document)]
    found += [(gap, "warning") for gap in rejections_foreseen(document)]
    for (path, message), severity in found:
        head, _, rest = path.partition(".")
        if head == "client":
            display = folder.display(folder.client_path(document["client"]["id"]))
            line, col = locate(client, rest)
            report.problems.append(Problem(display, line, col, message, severity))
        elif head == "seller":
            line, col = locate(config, path)
            where = folder.display(folder.config_path)
            report.problems.append(Problem(where, line, col, message, severity))
        else:
            report.problems.append(Problem(report.path, *locate(draft, path), message, severity))


@dataclass
class Issued:
    """One draft issued (or, with dry_run, that would be)."""

    number: str
    path: Path
    draft: Path
    document: dict[str, Any]
    recovered: bool = False  # the draft had been issued by a run that was interrupted
    warnings: list[Problem] = field(default_factory=list)  # what `check` says of the draft


def _series(config: dict[str, Any], document: dict[str, Any]) -> Series:
    found = series_for(config, document["kind"], document.get("series"))
    if found is None:  # prepare_draft refused the draft
        raise FacturoError(f"no numbering series {document.get('series')!r} in facturo.yaml")
    return found


def _header(document: dict[str, Any]) -> list[str]:
    title = TITLES.get(document["kind"], "Document")
    return [
        f"{title} {document['number']} issued on {document['issue_date']} and sealed by facturo.",
        "Do not edit this file: `facturo check` reports any change to it.",
        "To correct or cancel it, issue a credit note. Payments and reminders are appended",
        "below by facturo commands.",
    ]


def issue_drafts(
    ledger: Ledger,
    drafts: list[Path],
    issue_date: dt.date,
    *,
    dry_run: bool = False,
    today: dt.date | None = None,
    skip_missing: bool = False,
) -> list[Issued]:
    """Issue each draft with the next number of its series; all or none are valid.

    With `skip_missing`, a draft gone when the lock is taken (issued by a parallel run) is
    left out instead of being an error.

    Under the folder lock: validate every draft first (nothing is written if one is
    invalid), then for each one take the next number, seal, claim `<number>.yaml` by
    exclusive create and only then remove the draft (lifecycle/filing.py: what a crash at
    any point leaves, and how the next command sees the issue through).
    """
    check_issue_date(issue_date, today)
    with ledger.locked() as settled:
        if skip_missing:
            done = {path.resolve() for path in settled}
            drafts = [path for path in drafts if path.is_file() or path.resolve() in done]
        return issue_locked(ledger, drafts, issue_date, settled, dry_run=dry_run)


def check_issue_date(issue_date: dt.date, today: dt.date | None) -> None:
    if today is not None and issue_date > today:
        raise FacturoError(f"cannot issue in the future ({issue_date}): numbers follow dates")


def issue_locked(
    ledger: Ledger,
    drafts: list[Path],
    issue_date: dt.date,
    settled: dict[Path, str],
    *,
    dry_run: bool = False,
) -> list[Issued]:
    """`issue_drafts` for a caller that holds the lock (`settled`: what `Ledger.locked`
    gave it)."""
    folder = ledger.folder
    drafts = list({path.resolve(): path for path in reversed(drafts)}.values())[::-1]
    config = ledger.config()
    entries = list(ledger.entries())
    numbers = _numbers_in_order(ledger, dry_run)
    # Once: the numbers issued in this batch are added to `entries` and `sequences`.
    sequences = Sequences(entries, numbers.known())
    recovered = {path: ledger.find(number) for path, number in settled.items()}
    prepared: list[tuple[Path, dict[str, Any], str]] = []
    problems: list[Problem] = []
    for path in drafts:
        if path.resolve() in recovered:
            prepared.append((path, {}, ""))
            continue
        _check_draft_path(folder.root, path)
        sha = draft_sha256(path)
        document, found = prepare_draft(ledger, path, issue_date)
        problems.extend(found)
        if document is not None:
            problems.extend(
                _check_date_order(ledger, path, document, sequences, config, issue_date)
            )
            prepared.append((path, document, sha))
    problems.extend(twice_billed(ledger, [(folder.display(p), d) for p, d, _ in prepared]))
    if any(p.is_error for p in problems):
        raise InvalidData("nothing was issued", problems=in_line_order(problems))  # warnings too
    filing = None
    if not dry_run:
        before = {e.source_sha256 for e in entries if e.source_sha256}
        marked = [(sha, path) for path, document, sha in prepared if document]
        filing = Filing.start(folder, numbers.record, marked, before)
    results: list[Issued] = []
    with filing or contextlib.nullcontext():
        for path, document, sha in prepared:
            if document.get("quote") and document["kind"] == "invoice" and results and filing:
                # A deposit invoice issued just before, in this batch, must be deducted.
                ledger.invalidate()
                document, found = prepare_draft(ledger, path, issue_date)
                if document is None:
                    raise InvalidData(
                        f"issued {', '.join(r.number for r in results)}, then stopped",
                        problems=[p for p in found if p.is_error],
                    )
            if not document:
                done = recovered[path.resolve()]
                where = folder.root / done.path
                results.append(Issued(done.number, where, path, {}, recovered=True))
                continue
            issued = _issue_one(ledger, config, entries, sequences, path, document, sha, filing)
            shown = ledger.folder.display(path)
            issued.warnings = [p for p in problems if p.path == shown and not p.is_error]
            results.append(issued)
    ledger.invalidate()
    return results


def _numbers_in_order(ledger: Ledger, dry_run: bool) -> Numbers:
    """Every number ever issued, refusing to go on while one of them lost its file; the
    record of numbers learns the files seen (under the lock)."""
    numbers = read_numbers(ledger)
    missing = [p for p in missing_problems(ledger, numbers) if p.is_error]
    if missing:
        names = ", ".join(Path(p.path).stem for p in missing)
        raise FacturoError(
            f"nothing was issued: {names} issued before but not in the folder (deleted, "
            "renamed or lost by a git reset); numbers are never reused: put the file back "
            "where it was, then issue again",
            problems=missing,
        )
    if not dry_run:
        seen = [
            Recorded(e.number, e.path, e.seal)
            for e in ledger.entries()
            if e.number not in numbers.record and numbers.present.get(e.number) == e.path
        ]
        add_to_record(ledger.folder, seen, numbers.record)
    return numbers


def _check_draft_path(root: Path, path: Path) -> None:
    if not path.is_file():
        raise NotFound(f"{path}: no such draft")
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        raise FacturoError(f"{path}: a draft must be inside the billing folder {root}") from None


def _check_date_order(
    ledger: Ledger,
    path: Path,
    document: dict[str, Any],
    sequences: Sequences,
    config: dict[str, Any],
    issue_date: dt.date,
) -> list[Problem]:
    last = sequences.last(_series(config, document))
    if last is not None and last.issue_date is not None and last.issue_date > issue_date:
        return [
            Problem(
                ledger.folder.display(path),
                0,
                0,
                f"cannot issue on {issue_date}: {last.number} was issued on {last.issue_date} "
                f"and numbers must follow the order of dates (issue on {last.issue_date} "
                "or later)",
            )
        ]
    return []


def _issue_one(
    ledger: Ledger,
    config: dict[str, Any],
    entries: list[Entry],
    sequences: Sequences,
    path: Path,
    document: dict[str, Any],
    sha: str,
    filing: Filing | None,  # None: a dry run
) -> Issued:
    folder = ledger.folder
    series = _series(config, document)
    issue_date: dt.date = document["issue_date"]
    own = filing.own_mark(sha, path) if filing is not None else None
    for _ in range(CLAIM_ATTEMPTS):
        if (message := sequences.restart_problem(series, issue_date.year)) is not None:
            raise FacturoError(f"facturo.yaml: {series.key('pattern')}: {message}")
        number = sequences.next_number(series, issue_date.year)
        if (message := number_problem(number)) is not None:
            raise FacturoError(f"facturo.yaml: {series.key('pattern')}: {message}")
        last = sequences.last_of_period(series, issue_date.year)
        document["number"] = number
        document["source"] = {"draft": folder.display(path), "sha256": sha}
        sealed = immutable_part(document)
        written = dump(sealed)  # once: the seal reads it back, the file begins with it
        document["seal"] = compute_seal(document, last.seal if last else None, written)
        target = folder.root / series.folder / str(issue_date.year) / f"{number}.yaml"
        entry = Entry(
            path=folder.display(target),
            number=number,
            kind=document["kind"],
            series=document.get("series") or None,
            issue_date=issue_date,
            seal=document["seal"]["sha256"],
            previous=document["seal"]["previous"],
            seal_version=document["seal"]["version"],
            source_sha256=sha,
        )
        if filing is None:
            entries.append(entry)
            sequences.add(series, entry)
            return Issued(number, target, path, document)
        text = dump_continued(document, list(sealed), written, _header(document))
        try:
            claimed = folder.claim(target, text)
        except FacturoError:
            filing.claim_failed(target, own)
            raise
        if claimed:
            filing.claimed(Recorded(number, entry.path, entry.seal))
            keep_copy(folder, entry.path, text, later=filing.directories)
            folder.remove(path, later=None if own else filing.directories)
            filing.removed(own)
            entries.append(entry)
            sequences.add(series, entry)
            return Issued(number, target, path, document)
        # Someone else holds that number (a file arrived by git pull): read again, retry.
        ledger.invalidate()
        entries[:] = ledger.entries()
        sequences.reread(entries)
    raise FacturoError(f"could not claim a number in {series.folder}/ after {CLAIM_ATTEMPTS} tries")
