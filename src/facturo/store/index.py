"""The folder's contents as data: config, clients, drafts and the index of issued documents.

Reading the issued documents is the slow part of `list` and `check` on a large folder, so
each file's summary and problems are cached in `.facturo/cache/issued.json`, keyed by path,
size, mtime and inode: a changed file is always read again. The cache names the check
that found the problems (`checks` passes it in): a cache written by another is not used.
The cache is JSON, never pickle, and signed (store/cache.py): one facturo did not write for
this user (copied with a folder, edited by hand) is ignored.

The cache is never taken on its word. `check`, and every command under the lock (where
money data is written or sent), hash each file's bytes and use a cached summary, with the
problems the check found in it (seal, keys, totals), only if the bytes hash to the content
hash it was read from: the same bytes and path give the same summary and problems, so a
changed byte is always read and checked again (`check --no-cache` parses everything). The
documents a command acts on (and their credit notes) are read from their files. Elsewhere
(list, statements) a summary is used while the file's size, times and inode are unchanged.
An entry of the wrong type is stale; a cache tracked by git is refused.

One document is found without the index (`show`, `pay`, `render NUMBER` take the same time
in a folder of 100 or 100,000 documents): a number is the name of its file, so
`<series>/<year>/<number>.yaml` is looked for in each series folder and year, and that one
file is read (never a cached summary of it), and accepted only if it holds that number and
no other file has that name. What its account needs of other documents is the credit notes
that correct it: they live in credit-notes/ (`check` reports one anywhere else), whose
summaries are cached on their own (`credit-notes.json`, trusted as above: under the lock
each must hash as cached, and those of the account are read from their files). A number
typed in another case, a misnamed file or two files of the same name are looked up in the
whole index, as before.

Why so long: the Ledger is the one owner of what a command has read and may trust (config,
clients, entries, one client's entries, the columns `list` shows, one document by number,
what the lock verified); split, each part would have to be told what the others invalidated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from facturo import __version__
from facturo.errors import FacturoError, InvalidData, NotFound, Problem
from facturo.files import schema
from facturo.files.catalog import fill_items, read_catalog
from facturo.files.marked import YMap
from facturo.files.reading import Report, read_file
from facturo.files.rules import (
    check_client,
    check_config_after_places,
    check_config_before_places,
    check_config_places,
    check_subscription,
    client_id_problem,
)
from facturo.files.tracking import tracking_problems
from facturo.model.account import Account
from facturo.model.document import IssuedDocument, account_from
from facturo.model.numbering import number_problem
from facturo.model.vat import vat_treatment
from facturo.store.cache import write_signed_lines
from facturo.store.cached_entries import CachedIndex, column_lines, encode_index, load_index
from facturo.store.entry import ZERO, forget_shared
from facturo.store.entry import Entry as Entry
from facturo.store.entry import amount_or_zero as amount_or_zero
from facturo.store.folder import Folder, hashed
from facturo.store.issued import DocumentCheck, read_issued
from facturo.store.issued import read_all as _read_all
from facturo.store.validated import Read, read_validated

CACHE_VERSION = 15  # 13: entries column by column; 15: one JSON line per column
TRUST_CONTENT, TRUST_STAT = 1, 2
# Files read anew (or gone) that a command holding the lock leaves for the next command that
# only reads to save in the index cache: writing money data, it does not rewrite ten years
# of summaries for the few files it and the last command changed (the cache, stale, still
# serves every other file).
LEFT_TO_READERS = 64
INDEX_CACHE = "issued.json"
NOTES_CACHE = "credit-notes.json"  # the credit notes alone: the accounts of single documents
CREDIT_NOTES_DIRS = ("credit-notes",)


def _load_mapping(
    path: Path, display: str, raw: bytes | None = None
) -> tuple[YMap | None, list[Problem]]:
    """yamlio.load_mapping, its YAML parser imported when a file is parsed: a command the
    caches serve (`list`, `statement`) starts without it."""
    from facturo.files.yamlio import load_mapping

    return load_mapping(path, display, raw)


def _read_config(path: Path, display: str, raw: bytes | None) -> Read:
    """facturo.yaml read against its schema and the rules its bytes alone decide that come
    before those on the files it names (Ledger.config_with_problems judges the others)."""
    data, problems = _load_mapping(path, display, raw)
    if data is None:
        return None, problems
    normal, report = read_file(data, schema.CONFIG, display)
    check_config_before_places(normal, report)
    return normal, problems + report.problems


def _read_client(path: Path, display: str, raw: bytes | None) -> Read:
    """A client file read against its schema and rules, its name as an id."""
    data, problems = _load_mapping(path, display, raw)
    id_problem = client_id_problem(path.stem)
    if id_problem:
        problems.append(Problem(display, 0, 0, id_problem))
    if data is None:
        return None, problems
    normal, report = read_file(data, schema.CLIENT, display)
    check_client(normal, report)
    return normal, problems + report.problems


def _holds(path: str, entry: Entry) -> bool:
    """Whether the file at `path` has the bytes `entry` was read from."""
    try:
        return hashed(path)[0] == entry.content_sha256
    except OSError:
        return False


@contextlib.contextmanager
def collecting_less() -> Iterator[None]:
    """Young objects collected every 20,000 while entries are read and saved, not every 700:
    ten thousand entries (and their cache's cells) are made and kept, none of them garbage,
    and each collection walked them again (a second of a cold check at 10,000 invoices).
    Commands that read the index and print it (`list`, `statement`) run so throughout."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], YOUNG_WHILE_READING), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


YOUNG_WHILE_READING = 20_000


def check_name(check: DocumentCheck | None) -> str:
    """What the cache records of the check behind its entries ("" for summaries only)."""
    return "" if check is None else f"{check.__module__}.{check.__qualname__}"


class _Clients(Mapping[str, tuple[YMap | None, list[Problem]]]):
    """Client files by id, each read when first asked for, then kept."""

    def __init__(self, paths: list[Path], load: Callable[[Path], Any]) -> None:
        self._paths = {path.stem: path for path in paths}
        self._load = load
        self._read: dict[str, tuple[YMap | None, list[Problem]]] = {}

    def __getitem__(self, client_id: str) -> tuple[YMap | None, list[Problem]]:
        if client_id not in self._read:
            self._read[client_id] = self._load(self._paths[client_id])
        return self._read[client_id]

    def __contains__(self, client_id: object) -> bool:
        return client_id in self._paths

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


class Ledger:
    """The billing folder read and validated: config, clients, drafts, issued documents."""

    def __init__(
        self, folder: Folder, *, use_cache: bool = True, check: DocumentCheck | None = None
    ) -> None:
        self.folder = folder
        self.use_cache = use_cache
        self.check = check
        # How far cached summaries are trusted: STAT (the file's size, times and inode are
        # unchanged) or CONTENT (its bytes hash as cached: `check`, and under the lock,
        # where money data is written or sent).
        self.trust = TRUST_STAT
        self._validated_kept = use_cache  # user files as last validated (store/validated.py)
        self._locked_here = False  # this process holds the folder lock
        self._settled: dict[Path, str] = {}
        self._tracked_checked = False
        folder.on_lock(self._locked)
        self._config: tuple[YMap | None, list[Problem]] | None = None
        self._clients: _Clients | None = None
        self._subscriptions: dict[str, tuple[YMap | None, list[Problem]]] | None = None
        self._entries: list[Entry] | None = None
        self._credit_notes: dict[str, list[Entry]] = {}
        self._by_number: dict[str, Entry] | None = None
        self._named: dict[str, Entry | None] = {}  # numbers found by their file's name
        self._notes_only: dict[str, list[Entry]] | None = None  # credit-notes/ alone
        self._verified_paths: set[str] = set()
        # The seal of the git blob of each file read (cached summaries name none): true of
        # those bytes for good, so never invalidated (checks/git.py reads fewer blobs).
        self.blob_seals: dict[str, str] = {}

    # -- config and clients ------------------------------------------------------------
    def config_with_problems(self) -> tuple[YMap | None, list[Problem]]:
        if self._config is None:
            path = self.folder.config_path
            data, problems = self._validated(path, _read_config)
            if data is not None:  # what other files decide: checked at every read
                report = Report(self.folder.display(path))
                check_config_places(data, report, self.folder.root)
                check_config_after_places(data, report)  # (listed after, as always)
                problems = problems + report.problems
            self._config = (data, problems)
        return self._config

    def config(self) -> YMap:
        """The valid configuration, or InvalidData listing what is wrong with it."""
        data, problems = self.config_with_problems()
        if data is None or any(p.is_error for p in problems):
            raise InvalidData("facturo.yaml is invalid", problems=problems)  # warnings too
        return data

    def clients_with_problems(self) -> Mapping[str, tuple[YMap | None, list[Problem]]]:
        """Each client file read against its schema and rules, by id; a client is read when
        first asked for (issuing one invoice reads one client of 200, `check` all)."""
        if self._clients is None:
            self._clients = _Clients(self.folder.client_files(), self._load_client)
        return self._clients

    def _load_client(self, path: Path) -> tuple[YMap | None, list[Problem]]:
        return self._validated(path, _read_client)

    def _validated(
        self, path: Path, read: Callable[[Path, str, bytes | None], Read]
    ) -> tuple[YMap | None, list[Problem]]:
        """What `read` gives for the user file at `path`, kept by its bytes
        (store/validated.py): the same bytes are not parsed and judged again."""
        memo = self.folder.state_dir / "cache" / "read" if self._validated_kept else None
        found = self.refuse_tracked_state
        return read_validated(path, self.folder.display(path), memo, read, found=found)

    def subscriptions_with_problems(self) -> dict[str, tuple[YMap | None, list[Problem]]]:
        """Each subscription file read against its schema and rules, by id."""
        if self._subscriptions is None:
            clients = self.clients_with_problems()
            found: dict[str, tuple[YMap | None, list[Problem]]] = {}  # kept once all are read
            for path in self.folder.subscription_files():
                display = self.folder.display(path)
                data, problems = _load_mapping(path, display)
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
                found[path.stem] = (data, problems)
            self._subscriptions = found
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
            credited = {
                number: sum((note.gross for note in notes), ZERO)
                for number, notes in self._credit_notes.items()
            }
            for entry in entries:
                entry.credited = credited.get(entry.number, ZERO)
            self._entries = entries
            self._by_number = None
            self._verified_paths = set()  # new Entry objects: none read from its file yet
        return self._entries

    def columns(self, wanted: tuple[str, ...]) -> dict[str, list[Any]] | None:
        """The fields `wanted` of every issued document, column by column in the order of
        `entries()`, `credited` included: straight from the index cache when it serves
        every file as it is and stat keys are trusted (see `trust`), without making an
        entry of each; None when `entries()` must say (it reads what changed)."""
        from facturo.store.cached_columns import read_columns

        if not self.use_cache or self.trust != TRUST_STAT or self._entries is not None:
            return None
        return read_columns(
            self._cache_path(), self._mark(), wanted, self.folder.issued_names,
            found=self.refuse_tracked_state,
        )  # fmt: skip

    def entries_of(self, client_id: str) -> list[Entry]:
        """The entries of `client_id`'s documents, as `entries()` has them: without making
        an entry of every other document while the cache serves every file (`columns`)."""
        from facturo.store.cached_columns import read_rows

        if self.use_cache and self.trust == TRUST_STAT and self._entries is None:
            root, check = self.folder.root, self.check
            entries = read_rows(
                self._cache_path(), self._mark(), "client_id", client_id,
                self.folder.issued_names, found=self.refuse_tracked_state,
                reread=lambda display: read_issued(root / display, display, check),
            )  # fmt: skip
            if entries is not None:
                return entries
        return [entry for entry in self.entries() if entry.client_id == client_id]

    def credit_notes_of(self, number: str, until: dt.date | None = None) -> list[Entry]:
        """The credit notes correcting invoice `number` (issued on or before `until`)."""
        notes = [self._verified(note) for note in self._credit_note_map().get(number, [])]
        if until is None:
            return list(notes)
        return [n for n in notes if n.issue_date is not None and n.issue_date <= until]

    def _credit_note_map(self) -> dict[str, list[Entry]]:
        """Credit notes by the number they correct: from the whole index once it is read,
        else from credit-notes/ alone (see the module's docstring)."""
        if self._entries is not None:
            return self._credit_notes
        if self._notes_only is None:
            self._notes_only = {}
            names = self.folder.issued_names(CREDIT_NOTES_DIRS)
            for entry in self._read_entries(names, NOTES_CACHE):
                if entry.kind == "credit_note" and entry.credit_note_of:
                    self._notes_only.setdefault(entry.credit_note_of, []).append(entry)
        return self._notes_only

    def invalidate(self) -> None:
        self._entries = None
        self._by_number = None
        self._named = {}
        self._notes_only = None
        self._verified_paths = set()

    def _verified(self, entry: Entry) -> Entry:
        """Under the lock, an entry whose money data a command uses is read from its file
        (in place: whoever holds it sees the file's values, not the cache's)."""
        if self.trust != TRUST_CONTENT or entry.path in self._verified_paths:
            return entry
        self._verified_paths.add(entry.path)
        fresh = read_issued(self.folder.root / entry.path, entry.path, self.check)
        credited = entry.credited
        entry.take(fresh)  # every field is the file's now
        entry.credited = credited
        return entry

    def read_files(self) -> None:
        """Hash every issued file from now on (`check`): a cached summary, with its problems,
        serves only the bytes it was read from. User files are parsed and judged, neither
        served nor kept one by one (for every client of the folder, that costs more than
        it saves; `check` remembers its whole result)."""
        self.trust = TRUST_CONTENT
        self._validated_kept = False
        self.invalidate()

    def _locked(self) -> None:
        # Under the lock money data is written or sent: cached summaries must match the
        # bytes of their files, and the issues a crash interrupted are settled first.
        self.trust = min(self.trust, TRUST_CONTENT)
        self._locked_here = True
        self.invalidate()
        pending = self.folder.issuing()
        issued_from = {  # the whole index only when an issue was interrupted
            e.source_sha256: e.number
            for e in (self.entries() if pending else [])
            if e.source_sha256 in pending
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

    def _cache_path(self, name: str = INDEX_CACHE) -> Path:
        return self.folder.state_dir / "cache" / name

    @collecting_less()
    def _read_entries(
        self, names: list[tuple[str, str]] | None = None, cache_name: str = INDEX_CACHE
    ) -> list[Entry]:
        """The summaries of `names` (every issued file by default), cached in `cache_name`."""
        cached = CachedIndex()
        if self.use_cache:
            cached = self._load_cache(cache_name)
        # Held for every file of ten years at once, so kept lean: the stat keys as machine
        # numbers, a file to read as two texts, its place in `found` as None until read.
        found: list[Entry | None] = []
        keys: array[int] | list[int] = array("q")  # four numbers for each file, in a row
        came_from: list[int | None] = []  # where each entry was in the cache (None: read)
        to_read: list[tuple[str, str]] = []  # (its path, its display path)
        at: list[int] = []  # where each file read goes in `found`
        places, cached_keys, trusted = cached.places, cached.keys, self.trust != TRUST_CONTENT
        for display, name in self.folder.issued_names() if names is None else names:
            try:
                stat = os.stat(name)
            except OSError:
                continue
            key = (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
            # a cached summary serves while the file's stat key is the same (and, trusting
            # contents only, its bytes hash as the summary's did: see `trust`)
            place = places.get(display)
            entry: Entry | None = None
            if place is not None and tuple(cached_keys[4 * place : 4 * place + 4]) == key:
                entry = cached.entries[place]
                if not trusted and not _holds(name, entry):
                    entry = None
            if entry is None:
                to_read.append((name, display))
                at.append(len(found))
                place = None
            found.append(entry)
            try:
                keys.extend(key)
            except OverflowError:  # an inode number past 2**63 (the numbers before it went in)
                keys = [*keys[: 4 * len(came_from)], *key]
            came_from.append(place)
        try:
            read, seals = _read_all(to_read, self.check)
        finally:
            forget_shared()  # what entries from worker processes were made to share
        self.blob_seals.update(seals)
        for place, entry in zip(at, read, strict=True):
            found[place] = entry
        del read
        entries = cast(list[Entry], found)  # every place filled
        served = len(entries) - len(to_read)  # by cached summaries
        changed = len(to_read) + len(cached.entries) - served  # files read anew, or gone
        if self.use_cache and changed and not (self._locked_here and changed <= LEFT_TO_READERS):
            self._save_cache(column_lines(entries, cached, came_from), keys, cache_name)
        return entries

    def _load_cache(self, name: str) -> CachedIndex:
        root, check = self.folder.root, self.check
        return load_index(
            self._cache_path(name), self._mark(), found=self.refuse_tracked_state,
            verifying=self.trust == TRUST_CONTENT,
            reread=lambda display: read_issued(root / display, display, check),
        )  # fmt: skip

    def refuse_tracked_state(self) -> None:
        """FacturoError when git tracks a file of facturo's state (.facturo/)."""
        if self._tracked_checked:
            return
        self._tracked_checked = True
        tracked = self.folder.tracked_state()
        if tracked:
            raise FacturoError(
                f"{tracked[0]} is tracked by git: facturo's state (.facturo/) is a "
                "local cache that must never be shared or trusted; remove it from git's "
                "index (keeping the files), add .facturo/ to .gitignore, then commit"
            )

    def _mark(self) -> dict[str, Any]:
        # summaries read by another version or without this check are never served
        return {"version": CACHE_VERSION, "facturo": __version__, "check": check_name(self.check)}

    def _save_cache(
        self, columns: Iterator[tuple[str, Iterator[bytes]]], keys: Sequence[int], name: str
    ) -> None:
        write_signed_lines(self._cache_path(name), encode_index(self._mark(), keys, columns))

    def require_valid(self, entries: list[Entry], message: str) -> list[Entry]:
        """`entries` when none has an error, else InvalidData(`message`) with every problem."""
        errors = [p for entry in entries for p in entry.problems if p.is_error]
        if errors:
            raise InvalidData(message, problems=errors)
        return entries

    def find(self, number: str) -> Entry:
        from facturo.files.reading import suggest

        if self._entries is None:
            named = self._find_by_name(number)
            if named is not None:
                return named
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

    def _find_by_name(self, number: str) -> Entry | None:
        """The document `number` read from the one file named after it, with the credit
        notes on it; None when the whole index must say (see the module's docstring)."""
        if number in self._named:
            return self._named[number]
        found = None
        if number_problem(number) is None:
            named = self.folder.issued_named(number)
            if len(named) == 1:
                display, path = named[0]
                entry = read_issued(Path(path), display, self.check)
                if entry.number == number:
                    if entry.is_receivable:
                        notes = self.credit_notes_of(number)
                        entry.credited = sum((note.gross for note in notes), ZERO)
                    found = entry
        self._named[number] = found
        return found

    def document(self, number: str) -> YMap:
        """The full data of an issued document."""
        from facturo.files.written import load_file_written  # a YAML parser: when reading

        entry = self.find(number)
        data, problems = load_file_written(self.folder.root / entry.path, entry.path)
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
        return account_from(entry.currency, entry.due, entry.due_date, entry.payments, credit_notes)
