"""Emailing documents and reminders, each recorded in tracking before it is sent: never twice.

Each email is recorded in the document's tracking section before the server is contacted
and marked sent once it accepted it; the next run retries one the server refused.

A record still pending on a later run means facturo stopped between the two writes (killed,
a broken connection): the message may or may not have gone out. It is reported, never sent
again silently, until the user says which (`resolve_pending`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from facturo.errors import FacturoError, InvalidData
from facturo.model.document import (
    NOT_SENT,
    PENDING,
    SENT,
    IssuedDocument,
    email_status,
    payment_link,
)
from facturo.output.mail.smtp import (
    Mailer,
    MailError,
    MailSettings,
    MailUncertain,
    Outgoing,
    build_message,
    preview_settings,
    settings_from,
)
from facturo.reports.reminders import Late, review
from facturo.store.index import Ledger
from facturo.store.tracking import change_list, load_for_update

ZERO = Decimal(0)
DOCUMENT_WORDS = {
    "fr": {"invoice": "facture", "deposit": "facture", "credit_note": "avoir", "quote": "devis"},
    "en": {
        "invoice": "invoice",
        "deposit": "invoice",
        "credit_note": "credit-note",
        "quote": "quote",
    },
}


@dataclass
class Planned:
    """One email to send: for which document, why, and the message itself."""

    number: str
    level: int | None  # None: the document itself, not a reminder
    outgoing: Outgoing
    subject: str
    text: str


@dataclass(frozen=True)
class Pending:
    """An email recorded as about to be sent and never confirmed: it may have gone out."""

    number: str
    level: int | None  # None: the document itself
    message_id: str
    started: str
    date: Any


@dataclass
class Run:
    """What a sending run did."""

    sent: list[Planned] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (number, why)
    pending: list[Pending] = field(default_factory=list)  # sent or not: the user must say


def _pending(number: str, record: Any) -> Pending:
    level = record.get("level")
    return Pending(
        number=number,
        level=level if isinstance(level, int) else None,
        message_id=str(record.get("message_id") or "?"),
        started=str(record.get("started") or record.get("date") or "?"),
        date=record.get("date"),
    )


def _recipients(
    ledger: Ledger, document: dict[str, Any], to: str | None
) -> tuple[list[tuple[str, str]], list[str]]:
    """The client's billing email (as its file says today) and copies; `to` replaces the email."""
    client_id = document["client"]["id"]
    current: dict[str, Any] = {}
    if client_id in ledger.clients_with_problems():
        try:
            current = ledger.client(client_id)  # invalid: an error, never a fallback address
        except InvalidData as error:
            first = error.problems[0] if error.problems else None
            detail = f"{first.message} (line {first.line})" if first else error.message
            raise FacturoError(f"clients/{client_id}.yaml is invalid: {detail}") from None
    name = current.get("name") or document["client"].get("name", "")
    email = to or current.get("email") or document["client"].get("email")
    if not email:
        raise FacturoError(
            f"no billing email for client {client_id!r}: add `email:` to clients/{client_id}.yaml"
        )
    return [(name, email)], list(current.get("cc") or [])


def _context(document: dict[str, Any], today: dt.date, late: Late | None) -> dict[str, Any]:
    payment = document.get("payment") or {}
    context: dict[str, Any] = {
        "kind": "reminder" if late else "document",
        "level": late.level_due.level if late and late.level_due else None,
        "tone": late.level_due.tone if late and late.level_due else None,
        "language": document.get("language", "fr"),
        "today": today,
        "seller": document["seller"],
        "client": document["client"],
        "document": {
            "number": document["number"],
            "kind": document["kind"],
            "issue_date": document["issue_date"],
            "due_date": document.get("due_date"),
            "valid_until": document.get("valid_until"),
            "gross": document["totals"]["gross"],
            "currency": document["currency"],
        },
        "balance": late.balance if late else document["totals"]["due"],
        "paid": late.account.paid if late else None,
        "credited": late.account.credited if late else None,
        "days_late": late.days_late if late else 0,
        "penalties": None,
        "payment": {
            "iban": payment.get("iban"),
            "bic": payment.get("bic"),
            "methods": list(payment.get("methods") or []),
            "reference": document["number"],
            "link": None,
        },
    }
    if document["kind"] in ("invoice", "deposit"):
        # The amount asked now: the balance (a reminder) or what was due at issue.
        asked = Decimal(context["balance"])
        context["payment"]["link"] = payment_link(
            payment.get("link_template"), document["number"], asked, document["currency"]
        )
    sent = IssuedDocument(document).reminders_sent
    context["reminders_sent"] = [
        {"level": r.get("level"), "date": r.get("date")} for r in sent if email_status(r) == SENT
    ]
    if late is not None and document.get("due_date"):
        context["penalties"] = {
            "rate_percent": late.claim.rate_percent,
            "interest": late.claim.interest,
            "indemnity": late.claim.indemnity,
            "since": document["due_date"],
            "until": today,
        }
    return context


class _Pdfs:
    """Renders attachments in this process, with one Renderer for the run."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._renderer: Any = None

    def render(self, document: dict[str, Any]) -> bytes:
        from facturo.output.publishing import job_for

        if self._renderer is None:
            from facturo.output.pdf.engine import Renderer
            from facturo.output.publishing import renderer_options

            options = renderer_options(self.ledger)
            self._renderer = Renderer(options.pop("folder_root"), **options)
        job = job_for(self.ledger, document)
        pdf_bytes: bytes = self._renderer.render_pdf(
            job.document, attachments=job.attachments, xmp_metadata=job.xmp_metadata
        )
        return pdf_bytes


def _filename(document: dict[str, Any], suffix: str = "") -> str:
    word = DOCUMENT_WORDS.get(document.get("language", "fr"), DOCUMENT_WORDS["en"])
    return f"{word.get(document['kind'], 'document')}-{document['number']}{suffix}.pdf"


def plan_reminder(
    ledger: Ledger,
    settings: MailSettings,
    late: Late,
    today: dt.date,
    pdfs: _Pdfs,
    now: dt.datetime,
) -> Planned:
    """The reminder email of `late` (its level due now), with the invoice and, for a formal
    notice, the letter attached."""
    from facturo.output.mail.compose import compose

    assert late.level_due is not None
    _, data, _ = load_for_update(ledger, late.entry.number)  # a tampered invoice is not sent
    document = dict(data)
    context = _context(document, today, late)
    composed = compose(f"reminder-{late.level_due.tone}", context, folder_root=ledger.folder.root)
    attachments = [(_filename(document), pdfs.render(document), "application/pdf")]
    if late.level_due.letter:
        from facturo.output.pdf.letter import reminder_letter

        letter = {
            **reminder_letter(context, paid=late.account.paid),
            "currency": document["currency"],
        }
        word = "mise-en-demeure" if document.get("language", "fr") == "fr" else "formal-notice"
        attachments.append(
            (f"{word}-{document['number']}.pdf", pdfs.render(letter), "application/pdf")
        )
    to, cc = _recipients(ledger, document, None)
    outgoing = build_message(
        settings, to=to, cc=cc, subject=composed.subject, text=composed.text,
        html=composed.html, attachments=attachments, when=now,
    )  # fmt: skip
    return Planned(
        document["number"], late.level_due.level, outgoing, composed.subject, composed.text
    )


def plan_document(
    ledger: Ledger, settings: MailSettings, number: str, today: dt.date, to: str | None,
    pdfs: _Pdfs, now: dt.datetime,
) -> Planned:  # fmt: skip
    """The email sending an issued document with its PDF."""
    from facturo.output.mail.compose import compose

    _, data, _ = load_for_update(ledger, number)  # a tampered document is not sent
    document = dict(data)
    context = _context(document, today, None)
    composed = compose("document", context, folder_root=ledger.folder.root)
    attachments = [(_filename(document), pdfs.render(document), "application/pdf")]
    recipients, cc = _recipients(ledger, document, to)
    outgoing = build_message(
        settings, to=recipients, cc=cc, subject=composed.subject, text=composed.text,
        html=composed.html, attachments=attachments, when=now,
    )  # fmt: skip
    return Planned(number, None, outgoing, composed.subject, composed.text)


def _key(planned: Planned) -> str:
    return "reminders" if planned.level is not None else "sendings"


def _write_intent(ledger: Ledger, planned: Planned, today: dt.date, now: dt.datetime) -> None:
    """Record the email as pending, before the server sees it: a crash cannot lose it."""
    record: dict[str, Any] = {"date": today}
    if planned.level is not None:
        record["level"] = planned.level
    record["to"] = planned.outgoing.to
    if planned.outgoing.cc:
        record["cc"] = planned.outgoing.cc
    record["message_id"] = planned.outgoing.message_id
    record["status"] = PENDING
    record["started"] = now.isoformat(timespec="seconds")
    change_list(ledger, planned.number, _key(planned), lambda records: records.append(record))


def _settings(ledger: Ledger, dry_run: bool) -> MailSettings:
    """The SMTP settings; a dry run previews the emails without them."""
    config = ledger.config()
    if dry_run and not isinstance(config.get("mail"), dict):
        return preview_settings(config)
    return settings_from(config, ledger.folder.root)


def _settle(ledger: Ledger, number: str, key: str, message_id: str, status: str | None) -> None:
    """Give the pending record of `message_id` its status; None removes it (never sent)."""

    def settle(records: list[Any]) -> None:
        for index, record in enumerate(records):
            if isinstance(record, dict) and record.get("message_id") == message_id:
                if status is None:
                    del records[index]
                else:
                    record["status"] = status
                return
        raise FacturoError(f"{number}: no record of the email {message_id} in tracking.{key}")

    change_list(ledger, number, key, settle)


def resolve_pending(
    ledger: Ledger, number: str, *, reminder: bool, went_out: bool, wait: float = 300
) -> Pending:
    """Settle the pending email of a document once the user checked their outbox: `went_out`
    marks it sent; otherwise it is marked not sent, and is due again."""
    key = "reminders" if reminder else "sendings"
    with ledger.folder.lock(timeout=wait):
        ledger.invalidate()
        _, data, _ = load_for_update(ledger, number)
        record = IssuedDocument(data).pending_email(key)
        if record is None:
            what = "reminder" if reminder else "sending"
            raise FacturoError(f"{number} has no {what} waiting to be confirmed")
        pending = _pending(number, record)
        _settle(ledger, number, key, pending.message_id, SENT if went_out else NOT_SENT)
    return pending


def send_reminders(
    ledger: Ledger, today: dt.date, now: dt.datetime, *, dry_run: bool = False, wait: float = 300
) -> tuple[Run, list[Planned]]:
    """Send every reminder due now; returns what was sent or failed, and (dry run) the plan.

    Under the folder lock, so two runs at once send each reminder once: the second one
    waits, then finds them recorded.
    """
    run = Run()
    plans: list[Planned] = []
    with ledger.folder.lock(timeout=wait):
        ledger.invalidate()
        reviewed = review(ledger, today)
        run.pending = [
            _pending(late.entry.number, late.pending) for late in reviewed if late.pending
        ]
        due = [late for late in reviewed if late.level_due is not None]
        if not due:
            return run, plans
        settings = _settings(ledger, dry_run)
        pdfs = _Pdfs(ledger)
        for late in due:
            try:
                plans.append(plan_reminder(ledger, settings, late, today, pdfs, now))
            except FacturoError as error:
                run.failed.append((late.entry.number, error.message))
        if dry_run or not plans:
            return run, plans
        _deliver(ledger, settings, plans, today, now, run)
    return run, plans


def send_document(
    ledger: Ledger, number: str, today: dt.date, now: dt.datetime, *, to: str | None = None,
    dry_run: bool = False,
) -> tuple[Run, Planned]:  # fmt: skip
    """Email an issued document (invoice, credit note, quote) to the client."""
    run = Run()
    with ledger.folder.lock():
        ledger.invalidate()
        settings = _settings(ledger, dry_run)
        planned = plan_document(ledger, settings, number, today, to, _Pdfs(ledger), now)
        _, data, _ = load_for_update(ledger, number)
        record = IssuedDocument(data).pending_email("sendings")
        if record is not None:
            run.pending.append(_pending(number, record))
        elif not dry_run:
            _deliver(ledger, settings, [planned], today, now, run)
    return run, planned


def _deliver(
    ledger: Ledger,
    settings: MailSettings,
    plans: list[Planned],
    today: dt.date,
    now: dt.datetime,
    run: Run,
) -> None:
    """Send each plan on one connection: intent recorded, message sent, then marked sent."""
    try:
        with Mailer(settings) as mailer:
            for index, planned in enumerate(plans):
                try:
                    _write_intent(ledger, planned, today, now)
                except FacturoError as error:
                    run.failed.append((planned.number, f"not sent: {error.message}"))
                    continue
                key, message_id = _key(planned), planned.outgoing.message_id
                try:
                    refused = mailer.send(planned.outgoing)
                except MailUncertain:
                    # The server may have taken it: ask the user, never guess.
                    started = now.isoformat(timespec="seconds")
                    pending = Pending(planned.number, planned.level, message_id, started, today)
                    run.pending.append(pending)
                    why = "the connection broke: the next messages were not sent"
                    run.failed.extend((p.number, why) for p in plans[index + 1 :])
                    return
                except MailError as error:
                    run.failed.append((planned.number, error.message))
                    _forget(ledger, planned, run)
                    continue
                try:
                    _settle(ledger, planned.number, key, message_id, SENT)
                except FacturoError as error:
                    why = f"sent but not marked sent: {error.message}"
                    run.failed.append((planned.number, why))
                    continue
                run.sent.append(planned)
                for address, reply in refused.items():
                    why = f"sent; the copy to {address} was refused: {reply}"
                    run.failed.append((planned.number, why))
    except MailError as error:
        done = {p.number for p in run.sent} | {n for n, _ in run.failed}
        done |= {p.number for p in run.pending}
        run.failed.extend((p.number, error.message) for p in plans if p.number not in done)


def _forget(ledger: Ledger, planned: Planned, run: Run) -> None:
    """Remove the intent of a message the server refused for sure: the next run retries it."""
    try:
        _settle(ledger, planned.number, _key(planned), planned.outgoing.message_id, None)
    except FacturoError as error:
        run.failed.append((planned.number, f"refused, but still recorded: {error.message}"))
