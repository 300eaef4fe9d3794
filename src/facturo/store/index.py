"""The folder's contents as data: config, clients, drafts and the index of issued documents.

Reading the issued documents is the slow part of `list` and `check` on a large folder, so
each file's summary and problems are cached in `.facturo/cache/issued.json`, keyed by path,
size, mtime and inode: a changed file is always read again. The cache names the inspection
that found the problems (`checks` passes it in): a cache written by another is not used.
The cache is JSON, never pickle: a folder cloned from someone else could carry a crafted one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturo.errors import InvalidData, NotFound, Problem
from facturo.files import schema
from facturo.files.reading import read_file
from facturo.files.rules import check_client, check_config, client_id_problem
from facturo.files.yamlio import YMap, load_mapping
from facturo.model.account import ISSUED, Account, quote_status, receivable_status
from facturo.model.document import IssuedDocument
from facturo.model.kinds import is_receivable
from facturo.model.money import is_currency, round_money
from facturo.store.folder import Folder
from facturo.store.seal import seal_problems

CACHE_VERSION = 3
ZERO = Decimal(0)


@dataclass
class Entry:
    """What `list`, `check` and numbering need to know of one issued document."""

    path: str
    number: str = ""
    kind: str = ""
    issue_date: dt.date | None = None
    due_date: dt.date | None = None
    valid_until: dt.date | None = None
    client_id: str = ""
    client_name: str = ""
    currency: str = ""
    gross: Decimal = ZERO
    due: Decimal = ZERO
    paid: Decimal = ZERO
    seal: str | None = None
    previous: str | None = None
    previous_line: int = 0
    source_sha256: str | None = None
    credit_note_of: str | None = None  # credit notes: the invoice they correct
    quote: str | None = None  # invoices and deposits made from a quote
    accepted: dt.date | None = None  # quotes
    declined: dt.date | None = None  # quotes
    sent: dt.date | None = None  # first sending by email
    deducts: list[str] = field(default_factory=list)  # deposit invoices deducted by an invoice
    problems: list[Problem] = field(default_factory=list)
    # Derived across documents on every read (never cached): credit notes on an invoice.
    credited: Decimal = ZERO

    @property
    def is_receivable(self) -> bool:
        """Invoices and deposit invoices are owed; quotes and credit notes are not."""
        return is_receivable(self.kind)

    @property
    def balance(self) -> Decimal:
        """What the client still owes: due - payments - credit notes (0 unless receivable)."""
        if not self.is_receivable:
            return self.due * 0  # zero, with the currency's decimals
        return self.due - self.paid - self.credited

    def days_late(self, today: dt.date) -> int:
        if not self.is_receivable or self.due_date is None or self.balance <= 0:
            return 0
        return max(0, (today - self.due_date).days)

    def status(self, today: dt.date) -> str:
        """A status code, derived, never stored (model/account.py lists them)."""
        if self.kind == "quote":
            return quote_status(
                today,
                valid_until=self.valid_until,
                sent=self.sent,
                accepted=self.accepted,
                declined=self.declined,
            )
        if not self.is_receivable:
            return ISSUED
        return receivable_status(self.due, self.paid, self.credited, self.due_date, today)

    def to_json(self) -> dict[str, Any]:
        def text(value: Any) -> Any:
            if isinstance(value, Decimal):
                return format(value, "f")
            if isinstance(value, dt.date):
                return value.isoformat()
            return value

        data = {k: text(v) for k, v in self.__dict__.items() if k not in ("problems", "credited")}
        data["problems"] = [p.as_dict() for p in self.problems]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        entry = cls(path=data["path"])
        for key in (
            "number", "kind", "client_id", "client_name", "currency", "seal", "previous",
            "credit_note_of", "quote",
        ):  # fmt: skip
            setattr(entry, key, data.get(key))
        entry.previous_line = int(data.get("previous_line") or 0)
        entry.deducts = list(data.get("deducts") or [])
        entry.source_sha256 = data.get("source_sha256")
        for key in ("issue_date", "due_date", "valid_until", "accepted", "declined", "sent"):
            value = data.get(key)
            setattr(entry, key, dt.date.fromisoformat(value) if value else None)
        for key in ("gross", "due", "paid"):
            setattr(entry, key, Decimal(data.get(key) or "0"))
        entry.problems = [
            Problem(p["path"], p["line"], p["col"], p["message"], p["severity"])
            for p in data.get("problems", [])
        ]
        return entry


def summarize(data: YMap, entry: Entry) -> None:
    """Fill `entry` from an issued document's fields, and record a seal that does not hold.

    The seal is verified whichever way the ledger is opened: everything that sends money
    data (reminders, statements, receipts) relies on `entry.problems` telling it.
    """
    entry.number = str(data.get("number"))
    kind = data.get("kind")
    entry.kind = kind if isinstance(kind, str) else ""
    for key in ("issue_date", "due_date", "valid_until"):
        value = data.get(key)
        if isinstance(value, dt.date):
            setattr(entry, key, value)
    entry.client_id = str(_inner(data, "client", "id") or "")
    entry.client_name = str(_inner(data, "client", "name") or "")
    entry.currency = str(data.get("currency") or "")
    entry.gross = amount_or_zero(_inner(data, "totals", "gross"))
    entry.due = amount_or_zero(_inner(data, "totals", "due"))
    paid = _payments(data)
    entry.paid = round_money(paid, entry.currency) if is_currency(entry.currency) else paid
    entry.credit_note_of = _inner(data, "credit_note_of", "number")
    entry.quote = _inner(data, "quote", "number")
    for line in data.get("lines") or []:
        deposit = line.get("deposit") if isinstance(line, dict) else None
        if isinstance(deposit, dict) and deposit.get("number") not in entry.deducts:
            entry.deducts.append(str(deposit.get("number")))
    tracking = data.get("tracking")
    if isinstance(tracking, dict):
        for key in ("accepted", "declined"):
            event = tracking.get(key)
            if isinstance(event, dict) and isinstance(event.get("date"), dt.date):
                setattr(entry, key, event["date"])
        sendings = tracking.get("sendings")
        if isinstance(sendings, list) and sendings and isinstance(sendings[0], dict):
            first = sendings[0].get("date")
            entry.sent = first if isinstance(first, dt.date) else None
    entry.source_sha256 = _inner(data, "source", "sha256")
    seal = data.get("seal")
    if isinstance(seal, YMap):
        entry.seal = seal.get("sha256")
        entry.previous = seal.get("previous")
        entry.previous_line = seal.mark("previous")[0]
        entry.problems.extend(seal_problems(data, entry.path))


def _inner(data: YMap, section: str, key: str) -> Any:
    """`data[section][key]`, or None when the section is not a mapping."""
    section_data = data.get(section)
    return section_data.get(key) if isinstance(section_data, dict) else None


def amount_or_zero(value: Any) -> Decimal:
    """A stored amount as a Decimal; 0 for anything that is not a number."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return ZERO


def _payments(data: YMap) -> Decimal:
    tracking = data.get("tracking")
    if not isinstance(tracking, dict):
        return ZERO
    payments = tracking.get("payments")
    if not isinstance(payments, list):
        return ZERO
    return sum((amount_or_zero(p.get("amount")) for p in payments if isinstance(p, dict)), ZERO)


# What a ledger may add to each entry: the problems of one issued document on its own.
# A module-level function, so that worker processes can receive it by name.
Inspection = Callable[[YMap, Path, Entry], list[Problem]]


def inspect_issued(path: Path, display: str, inspect: Inspection | None = None) -> Entry:
    """Read one issued file: its summary, and with `inspect` what is wrong with it on its own."""
    data, problems = load_mapping(path, display)
    entry = Entry(path=display, problems=list(problems))
    if data is None:
        return entry
    summarize(data, entry)
    if inspect is not None:
        entry.problems.extend(inspect(data, path, entry))
    return entry


PARALLEL_FROM = 400  # below this, starting worker processes costs more than it saves


def _inspect_one(item: tuple[Path, str, Inspection | None]) -> Entry:
    return inspect_issued(*item)


def _inspect_all(
    items: list[tuple[Path, str, list[int]]], inspect: Inspection | None
) -> list[Entry]:
    """Read files on every core when there are many (a cold cache on a big folder)."""
    work = [(path, display, inspect) for path, display, _ in items]
    workers = min(os.cpu_count() or 1, 8)
    if len(work) < PARALLEL_FROM or workers < 2:
        return [_inspect_one(item) for item in work]
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(50, len(work) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_inspect_one, work, chunksize=chunk))


def inspection_name(inspect: Inspection | None) -> str:
    """What the cache records of the inspection behind its entries ("" for summaries only)."""
    return "" if inspect is None else f"{inspect.__module__}.{inspect.__qualname__}"


class Ledger:
    """The billing folder read and validated: config, clients, drafts, issued documents."""

    def __init__(
        self, folder: Folder, *, use_cache: bool = True, inspect: Inspection | None = None
    ) -> None:
        self.folder = folder
        self.use_cache = use_cache
        self.inspect = inspect
        self._config: tuple[YMap | None, list[Problem]] | None = None
        self._clients: dict[str, tuple[YMap | None, list[Problem]]] | None = None
        self._entries: list[Entry] | None = None
        self._credit_notes: dict[str, list[Entry]] = {}

    # -- config and clients ------------------------------------------------------------
    def config_with_problems(self) -> tuple[YMap | None, list[Problem]]:
        if self._config is None:
            display = self.folder.display(self.folder.config_path)
            data, problems = load_mapping(self.folder.config_path, display)
            if data is None:
                self._config = (None, problems)
            else:
                normal, report = read_file(data, schema.CONFIG, display)
                check_config(normal, report, self.folder.root)
                self._config = (normal, problems + report.problems)
        return self._config

    def config(self) -> YMap:
        """The valid configuration, or InvalidData listing what is wrong with it."""
        data, problems = self.config_with_problems()
        if data is None or any(p.is_error for p in problems):
            raise InvalidData("facturo.yaml is invalid", problems=problems)  # warnings too
        return data

    def clients_with_problems(self) -> dict[str, tuple[YMap | None, list[Problem]]]:
        if self._clients is None:
            self._clients = {}
            for path in self.folder.client_files():
                self._clients[path.stem] = self._load_client(path)
        return self._clients

    def _load_client(self, path: Path) -> tuple[YMap | None, list[Problem]]:
        display = self.folder.display(path)
        data, problems = load_mapping(path, display)
        id_problem = client_id_problem(path.stem)
        if id_problem:
            problems.append(Problem(display, 0, 0, id_problem))
        if data is None:
            return None, problems
        normal, report = read_file(data, schema.CLIENT, display)
        check_client(normal, report)
        return normal, problems + report.problems

    def client(self, client_id: str) -> YMap:
        """A valid client, NotFound with a suggestion, or InvalidData."""
        from facturo.files.reading import suggest

        clients = self.clients_with_problems()
        if client_id not in clients:
            raise NotFound(f"unknown client {client_id!r} ({suggest(client_id, sorted(clients))})")
        data, problems = clients[client_id]
        if data is None or any(p.is_error for p in problems):
            raise InvalidData(f"client {client_id!r} is invalid", problems=problems)
        return data

    # -- issued documents --------------------------------------------------------------
    def entries(self) -> list[Entry]:
        """Every issued document's summary (from the cache when the file is unchanged)."""
        if self._entries is None:
            entries = self._read_entries()
            self._credit_notes = {}
            for entry in entries:
                if entry.kind == "credit_note" and entry.credit_note_of:
                    self._credit_notes.setdefault(entry.credit_note_of, []).append(entry)
            for entry in entries:
                notes = self._credit_notes.get(entry.number, [])
                entry.credited = sum((note.gross for note in notes), ZERO)
            self._entries = entries
        return self._entries

    def credit_notes_of(self, number: str, until: dt.date | None = None) -> list[Entry]:
        """The credit notes correcting invoice `number` (issued on or before `until`)."""
        if self._entries is None:
            self.entries()
        notes = self._credit_notes.get(number, [])
        if until is None:
            return list(notes)
        return [n for n in notes if n.issue_date is not None and n.issue_date <= until]

    def invalidate(self) -> None:
        self._entries = None

    def _cache_path(self) -> Path:
        return self.folder.state_dir / "cache" / "issued.json"

    def _read_entries(self) -> list[Entry]:
        cached: dict[str, Any] = {}
        if self.use_cache:
            cached = self._load_cache()
        fresh: dict[str, Any] = {}
        found: dict[str, Entry] = {}
        to_read: list[tuple[Path, str, list[int]]] = []
        for path in self.folder.issued_files():
            display = self.folder.display(path)
            try:
                stat = path.stat()
            except OSError:
                continue
            key = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]
            hit = cached.get(display)
            if hit is not None and hit.get("key") == key:
                found[display] = Entry.from_json(hit["entry"])
                fresh[display] = hit
            else:
                found[display] = Entry(path=display)  # placeholder keeps the order
                to_read.append((path, display, key))
        for (_, display, key), entry in zip(
            to_read, _inspect_all(to_read, self.inspect), strict=True
        ):
            found[display] = entry
            fresh[display] = {"key": key, "entry": entry.to_json()}
        if self.use_cache and (to_read or len(fresh) != len(cached)):
            self._save_cache(fresh)
        return list(found.values())

    def _load_cache(self) -> dict[str, Any]:
        try:
            data = json.loads(self._cache_path().read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return {}
        if data.get("inspection") != inspection_name(self.inspect):
            return {}  # summaries read without this inspection are never served as checked
        files = data.get("files")
        return files if isinstance(files, dict) else {}

    def _save_cache(self, files: dict[str, Any]) -> None:
        path = self._cache_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            inspection = inspection_name(self.inspect)
            text = json.dumps(
                {"version": CACHE_VERSION, "inspection": inspection, "files": files},
                separators=(",", ":"),
            )
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(text, "utf-8")
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def find(self, number: str) -> Entry:
        from facturo.files.reading import suggest

        for entry in self.entries():
            if entry.number == number:
                return entry
        # Numbers are typed as well as pasted: f-2026-0001 is F-2026-0001, unless two
        # numbers differ only by case.
        folded = [e for e in self.entries() if e.number.casefold() == number.casefold()]
        if len(folded) == 1:
            return folded[0]
        numbers = [e.number for e in self.entries()]
        raise NotFound(f"no issued document {number!r} ({suggest(number, numbers)})")

    def document(self, number: str) -> YMap:
        """The full data of an issued document."""
        entry = self.find(number)
        data, problems = load_mapping(self.folder.root / entry.path, entry.path)
        if data is None:
            raise InvalidData(f"{entry.path} cannot be read", problems=problems)
        return data

    def account_of(self, entry: Entry, document: IssuedDocument | None = None) -> Account:
        """The account of a receivable: its payments and the credit notes issued on it."""
        document = document or IssuedDocument(self.document(entry.number))
        credit_notes = [
            (note.issue_date, note.gross)
            for note in self.credit_notes_of(entry.number)
            if note.issue_date is not None
        ]
        return document.account(credit_notes)
