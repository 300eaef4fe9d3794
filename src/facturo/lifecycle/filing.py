"""A batch of issues on disk: one mark before the first claim, each directory synced once.

What a crash at any point leaves, and why the next command sees an issue through (every
command under the lock settles the marks first: Ledger.locked, Folder.settle_marks):

1. Before the first claim, one mark names every draft of the batch (sha256, path and file
   identity), written and fsynced with its directory. A crash before it is durable leaves
   nothing claimed: the drafts are as they were.
2. Each claim is durable before the next number is taken (the file's data fsynced before
   the link, the directory after it): a crash leaves numbers 1..k claimed and k+1.. not, no
   gap, and the seal chain holds. After each claim, the copy as issued is written (data
   fsynced before its rename), the record line kept in memory, the draft unlinked.
3. At the end, also when a step failed: each directory of copies and drafts is fsynced
   once, the record lines are appended and fsynced, and only then is the mark removed, if
   every draft claimed was removed (else it stays for the next command).

So after a crash the mark is there whenever a claimed draft may still be on disk. The
settle removes a marked draft only when an issued document has its sha256 (and the file is
the one marked): the drafts claimed. A draft not claimed stays, because no issued document
had its bytes when the mark was written. That is why a draft whose bytes an issued document
already has (issued again, or twice in one batch) is not in the batch's mark: it gets a mark
of its own just before its claim, its removal is synced at once and its mark cleared, as
for every draft before.

Record lines and copies are durable at the end of the batch rather than after each document
(a killed process loses nothing the system accepted; only a power loss can): a record line
lost is learned again from the files by the next issue (issuing._numbers_in_order), a copy
lost is not made again, as when a crash fell between a claim and its copy before.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from facturo.store.folder import Folder
from facturo.store.numbers import Recorded, add_to_record


@dataclass
class Filing:
    """The writes of a batch of issues that wait for its end (see the module's docstring)."""

    folder: Folder
    record: dict[str, Recorded]  # the record as read under the lock, kept up to date
    marked: set[Path]  # drafts (resolved) the batch's mark names
    mark: str | None
    directories: set[Path] = field(default_factory=set)  # to fsync at the end
    recorded: list[Recorded] = field(default_factory=list)
    open_claims: int = 0  # documents claimed whose draft is not removed yet

    @classmethod
    def start(
        cls,
        folder: Folder,
        record: dict[str, Recorded],
        drafts: list[tuple[str, Path]],
        issued: set[str],
    ) -> Filing:
        """Mark `drafts` (sha256, path) whose bytes no document of `issued` (source sha256
        of every issued document) has, each sha256 once."""
        first: dict[str, Path] = {}
        for sha, path in drafts:
            if sha not in issued:
                first.setdefault(sha, path)
        alone = len(first) == len(drafts)  # else drafts get marks of their own beside it
        mark = folder.mark_issuing(list(first.items()), alone=alone) if first else None
        return cls(folder, record, {path.resolve() for path in first.values()}, mark)

    def own_mark(self, sha: str, path: Path) -> str | None:
        """The mark of a draft the batch's mark does not name, written before its claim."""
        if path.resolve() in self.marked:
            return None
        return self.folder.mark_issuing([(sha, path)], alone=False)

    def claimed(self, recorded: Recorded) -> None:
        """A document claimed: its number is in the record from now on."""
        self.record[recorded.number] = recorded
        self.recorded.append(recorded)
        self.open_claims += 1

    def claim_failed(self, target: Path, own: str | None) -> None:
        """A claim that raised: if the file is there, its issue is left to the next command."""
        if target.exists():
            self.open_claims += 1
        elif own is not None:
            self.folder.clear_issuing(own)

    def removed(self, own: str | None) -> None:
        """The draft of the last document claimed was removed (its own mark, if it had one,
        is cleared: that removal was synced at once)."""
        self.open_claims -= 1
        if own is not None:
            self.folder.clear_issuing(own)

    def finish(self) -> None:
        """Make the batch's writes durable, then clear its mark if nothing is left open."""
        self.folder.sync_directories(self.directories)
        add_to_record(self.folder, self.recorded, known=())
        self.recorded = []
        if self.mark is not None and not self.open_claims:
            self.folder.clear_issuing(self.mark)
            self.mark = None

    def __enter__(self) -> Filing:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """`finish`, also when a step failed (then what cannot be done is left to the
        next command's settle, and the failure is the one reported)."""
        if kind is None:
            self.finish()
        else:
            with contextlib.suppress(Exception):
                self.finish()
