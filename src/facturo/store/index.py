"""The folder's contents as data: config, clients, drafts and the index of issued documents.

Reading the issued documents is the slow part of `list` and `check` on a large folder, so
each file's summary and problems are cached in `.facturo/cache/issued.json`, keyed by path,
size, mtime and inode: a changed file is always read again. The cache names the check
that found the problems (`checks` passes it in): a cache written by another is not used.
The cache is JSON, never pickle: a folder cloned from someone else could carry a crafted one.

The cache is never trusted. `check` reads every file (seals are verified from the files);
under the lock, where money data is written or sent, a cached summary is used only if its
file's bytes still hash to the cached content hash, and the documents a command acts on
(and their credit notes) are read from their files. An entry of the wrong type is stale;
a cache tracked by git is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from facturo.errors import FacturoError, InvalidData, NotFound, Problem
from facturo.files import schema
from facturo.files.catalog import fill_items, read_catalog
from facturo.files.reading import read_file
from facturo.files.rules import (
    check_client,
    check_config,
    check_subscription,
    client_id_problem,
)
from facturo.files.tracking import tracking_problems
from facturo.files.yamlio import YMap, load_mapping
from facturo.model.account import Account, Movement
from facturo.model.document import IssuedDocument
from facturo.model.vat import vat_treatment
from facturo.store.entry import ZERO, summarize
from facturo.store.entry import Entry as Entry
from facturo.store.entry import amount_or_zero as amount_or_zero
from facturo.store.folder import Folder

CACHE_VERSION = 11  # 11: where each document stands on the approved platform
TRUST_NOTHING, TRUST_CONTENT, TRUST_STAT = 0, 1, 2


# What a ledger may add to each entry: the problems of one issued document on its own.
# A module-level function, so that worker processes can receive it by name.
DocumentCheck = Callable[[YMap, Path, Entry], list[Problem]]


def read_issued(path: Path, display: str, check: DocumentCheck | None = None) -> Entry:
    """Read one issued file: its summary, and with `check` the problems it has on its own."""
    try:
        raw: bytes | None = path.read_bytes()
    except OSError:
        raw = None  # load_mapping reports what is wrong
    content = None if raw is None else hashlib.sha256(raw).hexdigest()
    data, problems = load_mapping(path, display, raw)
    entry = Entry(path=display, problems=list(problems), content_sha256=content)
    if data is None:
        return entry
    summarize(data, entry)
    if check is not None:
        entry.problems.extend(check(data, path, entry))
    return entry


PARALLEL_FROM = 400  # below this, starting worker processes costs more than it saves


def _read_one(item: tuple[Path, str, DocumentCheck | None]) -> Entry:
    return read_issued(*item)


def _read_all(items: list[tuple[Path, str, list[int]]], check: DocumentCheck | None) -> list[Entry]:
    """Read files on every core when there are many (a cold cache on a big folder)."""
    work = [(path, display, check) for path, display, _ in items]
    workers = min(os.cpu_count() or 1, 8)
    if len(work) < PARALLEL_FROM or workers < 2:
        return [_read_one(item) for item in work]
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(50, len(work) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_read_one, work, chunksize=chunk))


def check_name(check: DocumentCheck | None) -> str:
    """What the cache records of the check behind its entries ("" for summaries only)."""
    return "" if check is None else f"{check.__module__}.{check.__qualname__}"


class Ledger:
    """The billing folder read and validated: config, clients, drafts, issued documents."""

    def __init__(
        self, folder: Folder, *, use_cache: bool = True, check: DocumentCheck | None = None
    ) -> None:
        self.folder = folder
        self.use_cache = use_cache
        self.check = check
        # How far cached summaries are trusted: STAT (the file's size, times and inode are
        # unchanged), CONTENT (its bytes hash as cached: under the lock, where money data
        # is written or sent) or NOTHING (`check` reads every file).
        self.trust = TRUST_STAT
        self._settled: dict[Path, str] = {}
        self._tracked_checked = False
        folder.on_lock(self._locked)
        self._config: tuple[YMap | None, list[Problem]] | None = None
        self._clients: dict[str, tuple[YMap | None, list[Problem]]] | None = None
        self._subscriptions: dict[str, tuple[YMap | None, list[Problem]]] | None = None
        self._entries: list[Entry] | None = None
        self._credit_notes: dict[str, list[Entry]] = {}
        self._by_number: dict[str, Entry] | None = None
        self._verified_paths: set[str] = set()

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

    def subscriptions_with_problems(self) -> dict[str, tuple[YMap | None, list[Problem]]]:
        """Each subscription file read against its schema and rules, by id."""
        if self._subscriptions is None:
            clients = self.clients_with_problems()
            self._subscriptions = {}
            for path in self.folder.subscription_files():
                display = self.folder.display(path)
                data, problems = load_mapping(path, display)
                id_problem = client_id_problem(path.stem)
                if id_problem:
                    problems.append(
                        Problem(display, 0, 0, id_problem.replace("client", "subscription"))
                    )
                if data is not None:
                    items, rated = self.catalog_for(data)
                    problems += fill_items(data, items, display, vat_rate=rated)
                    normal, report = read_file(data, schema.SUBSCRIPTION, display)
                    check_subscription(normal, report, set(clients))
                    data, problems = normal, problems + report.problems
                self._subscriptions[path.stem] = (data, problems)
        return self._subscriptions

    def catalog_for(self, data: YMap) -> tuple[dict[str, YMap], bool]:
        """The catalog's items, and whether their VAT rates apply to `data`'s treatment."""
        items, _ = read_catalog(self.folder.root)  # its problems are check's "catalog"
        client, _ = self.clients_with_problems().get(str(data.get("client")), (None, []))
        config, _ = self.config_with_problems()
        seller = (config.get("seller") if config is not None else None) or {}
        return items, vat_treatment(data, client or {}, seller) == "standard"

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
            self._by_number = None
        return self._entries

    def credit_notes_of(self, number: str, until: dt.date | None = None) -> list[Entry]:
        """The credit notes correcting invoice `number` (issued on or before `until`)."""
        if self._entries is None:
            self.entries()
        notes = [self._verified(note) for note in self._credit_notes.get(number, [])]
        if until is None:
            return list(notes)
        return [n for n in notes if n.issue_date is not None and n.issue_date <= until]

    def invalidate(self) -> None:
        self._entries = None
        self._by_number = None
        self._verified_paths = set()

    def _verified(self, entry: Entry) -> Entry:
        """Under the lock, an entry whose money data a command uses is read from its file
        (in place: whoever holds it sees the file's values, not the cache's)."""
        if self.trust != TRUST_CONTENT or entry.path in self._verified_paths:
            return entry
        self._verified_paths.add(entry.path)
        fresh = read_issued(self.folder.root / entry.path, entry.path, self.check)
        credited = entry.credited
        entry.__dict__.update(fresh.__dict__)
        entry.credited = credited
        return entry

    def read_files(self) -> None:
        """Read every issued file again from now on (`check`: seals verified from files)."""
        self.trust = TRUST_NOTHING
        self.invalidate()

    def _locked(self) -> None:
        # Under the lock money data is written or sent: cached summaries must match the
        # bytes of their files, and the issues a crash interrupted are settled first.
        self.trust = min(self.trust, TRUST_CONTENT)
        self.invalidate()
        pending = self.folder.issuing()
        issued_from = {
            e.source_sha256: e.number for e in self.entries() if e.source_sha256 in pending
        }
        self._settled = self.folder.settle_marks(issued_from)
        if self._settled:
            self.invalidate()

    @contextlib.contextmanager
    def locked(self) -> Iterator[dict[Path, str]]:
        """The folder lock (any `folder.lock()` does the same for this ledger): cached
        summaries verified against the files, the issues a crash interrupted settled. Yields
        the drafts found issued and removed, with the number each became."""
        with self.folder.lock():
            yield self._settled

    def _cache_path(self) -> Path:
        return self.folder.state_dir / "cache" / "issued.json"

    def _read_entries(self) -> list[Entry]:
        cached: dict[str, Any] = {}
        if self.use_cache:
            cached = self._load_cache()
        fresh: dict[str, Any] = {}
        found: dict[str, Entry] = {}
        to_read: list[tuple[Path, str, list[int]]] = []
        for display, name in self.folder.issued_names():
            try:
                stat = os.stat(name)
            except OSError:
                continue
            key = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]
            hit = cached.get(display)
            entry = self._cached_entry(hit, key, name, display)
            if entry is not None:
                found[display] = entry
                fresh[display] = hit
            else:
                found[display] = Entry(path=display)  # placeholder keeps the order
                to_read.append((Path(name), display, key))
        for (_, display, key), entry in zip(to_read, _read_all(to_read, self.check), strict=True):
            found[display] = entry
            fresh[display] = {"key": key, "entry": entry.to_json()}
        if self.use_cache and (to_read or len(fresh) != len(cached)):
            self._save_cache(fresh)
        return list(found.values())

    def _cached_entry(self, hit: Any, key: list[int], path: str, display: str) -> Entry | None:
        """The cached summary of a file, if it may be trusted (see `trust`)."""
        if self.trust == TRUST_NOTHING or not isinstance(hit, dict) or hit.get("key") != key:
            return None
        try:
            entry = Entry.from_json(hit.get("entry"))
        except ValueError:
            return None  # wrong types: a stale entry
        if entry.path != display:
            return None
        if self.trust == TRUST_CONTENT:
            try:
                with open(path, "rb") as handle:
                    content = hashlib.sha256(handle.read()).hexdigest()
            except OSError:
                return None
            if content != entry.content_sha256:
                return None
        return entry

    def _load_cache(self) -> dict[str, Any]:
        try:
            data = json.loads(self._cache_path().read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if not self._tracked_checked:
            self._tracked_checked = True
            tracked = self.folder.tracked_state()
            if tracked:
                raise FacturoError(
                    f"{tracked[0]} is tracked by git: facturo's state (.facturo/) is a "
                    "local cache that must never be shared or trusted; remove it from git's "
                    "index (keeping the files), add .facturo/ to .gitignore, then commit"
                )
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return {}
        if data.get("check") != check_name(self.check):
            return {}  # summaries read without this check are never served as checked
        files = data.get("files")
        return files if isinstance(files, dict) else {}

    def _save_cache(self, files: dict[str, Any]) -> None:
        path = self._cache_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            check = check_name(self.check)
            text = json.dumps(
                {"version": CACHE_VERSION, "check": check, "files": files},
                separators=(",", ":"),
            )
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(text, "utf-8")
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only costs time

    def require_valid(self, entries: list[Entry], message: str) -> list[Entry]:
        """`entries` when none has an error, else InvalidData(`message`) with every problem."""
        errors = [p for entry in entries for p in entry.problems if p.is_error]
        if errors:
            raise InvalidData(message, problems=errors)
        return entries

    def find(self, number: str) -> Entry:
        from facturo.files.reading import suggest

        entries = self.entries()
        if self._by_number is None:
            self._by_number = {}
            for entry in entries:
                self._by_number.setdefault(entry.number, entry)
        found = self._by_number.get(number)
        if found is not None:
            self._verified(found)
            if self.trust == TRUST_CONTENT:
                notes = self.credit_notes_of(number)
                found.credited = sum((note.gross for note in notes), ZERO)
            return found
        # Numbers are typed as well as pasted: f-2026-0001 is F-2026-0001, unless two
        # numbers differ only by case.
        folded = [e for e in entries if e.number.casefold() == number.casefold()]
        if len(folded) == 1:
            return folded[0]
        numbers = [e.number for e in entries]
        raise NotFound(f"no issued document {number!r} ({suggest(number, numbers)})")

    def document(self, number: str) -> YMap:
        """The full data of an issued document."""
        entry = self.find(number)
        data, problems = load_mapping(self.folder.root / entry.path, entry.path)
        if data is None:
            raise InvalidData(f"{entry.path} cannot be read", problems=problems)
        invalid_tracking = [p for p in tracking_problems(data, entry.path) if p.is_error]
        if invalid_tracking:
            raise InvalidData(
                f"{entry.path}: its tracking section is invalid", problems=invalid_tracking
            )
        self.require_valid([entry], f"{entry.path} is damaged or was changed after issue")
        return data

    def account_of(self, entry: Entry, document: IssuedDocument | None = None) -> Account:
        """The account of a receivable: its payments and the credit notes issued on it.

        From the index alone, unless the document was read anyway (then from the file).
        """
        credit_notes = [
            (note.issue_date, note.gross)
            for note in self.credit_notes_of(entry.number)
            if note.issue_date is not None
        ]
        if document is not None:
            return document.account(credit_notes)
        return Account(
            currency=entry.currency,
            due=entry.due,
            due_date=entry.due_date,
            payments=tuple(Movement(p.date, p.amount, p.is_write_off) for p in entry.payments),
            credit_notes=tuple(Movement(day, gross) for day, gross in credit_notes),
        )
