"""The ports an archive's run works through, beside the shared ones
(``pagesift.contracts.ports``): the archives by ranges, the queue of its steps, its progress,
and what it writes besides documents.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from pagesift.contracts.document import Document
from pagesift.contracts.ports import DocumentStore, StoredObject


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class ArchiveSource(Protocol):
    """Where web archives are read, by ranges: the input bucket."""

    def open(self, bucket: str, key: str, *, start: int, version_id: str | None, etag: str | None) -> Readable:
        """The archive's bytes from ``start`` to its end, streamed (never all in memory), of
        that version; raises ObjectGone when it is no longer there or has changed."""
        ...

    def head(self, bucket: str, key: str) -> StoredObject | None: ...


class WorkQueue(Protocol):
    """Where the steps of an archive's run are sent: the archive queue."""

    def send(self, messages: Sequence[str]) -> None:
        """Send every message, or raise."""
        ...


@dataclass(frozen=True, slots=True)
class RunProgress:
    """How far an archive's run is: its ranges (None until planned) and those done."""

    ranges: int | None
    done: int  # of the ranges 0 .. ranges-1 (an index past them, forged or stale, counts for none)

    @property
    def complete(self) -> bool:
        return self.ranges is not None and self.done >= self.ranges


class RunStore(Protocol):
    """The progress of archive runs: each range's resume point and counts, which ranges are
    done, and whether the run's ``Archive Extracted`` went out."""

    def progress(self, run: str, index: int) -> dict[str, Any] | None:
        """The range's saved progress: {"offset", "counts", "done"}, or None."""
        ...

    def save_progress(self, run: str, index: int, *, offset: int, counts: dict[str, Any], done: bool) -> None: ...

    def all_progress(self, run: str, ranges: int) -> list[dict[str, Any]]: ...

    def planned(self, run: str, *, ranges: int) -> RunProgress:
        """Record the run's number of ranges (once planning is over)."""
        ...

    def range_done(self, run: str, index: int) -> RunProgress:
        """Mark the range done (again: no change) and say how far the run is, atomically, so
        that exactly one writer sees it complete first."""
        ...

    def is_announced(self, run: str) -> bool: ...

    def claim_announcement(self, run: str, owner: str, lease_seconds: float) -> bool:
        """Take the right to put the run's ``Archive Extracted`` (not yet announced, and no
        other holder whose lease is still running): two deliveries of the last range at once
        put it once."""
        ...

    def mark_announced(self, run: str) -> None: ...


class WrittenDocument(NamedTuple):
    """What a document as written says of itself: its text and content hashes (its
    fingerprints.sha256 and content_sha256) and the archive run that wrote it, if one did."""

    text_sha256: str | None
    content_sha256: str | None
    run: str | None


class ArchiveOutputs(DocumentStore, Protocol):
    """The documents bucket as an archive's run writes it: its documents (each kept with the
    run that wrote it), its shards and manifests, and what its prune reads and removes."""

    def write(self, key: str, document: Document, *, run: str | None = None) -> None:
        """Write the document; ``run``: the archive run writing it, kept with it."""
        ...

    def put_bytes(self, key: str, data: bytes, *, content_type: str, content_encoding: str | None = None) -> None: ...

    def get_bytes(self, key: str) -> bytes | None: ...

    def list(self, prefix: str) -> Iterator[str]:
        """Every key under ``prefix``."""
        ...

    def delete_many(self, keys: Sequence[str]) -> None: ...

    def written(self, key: str) -> WrittenDocument | None:
        """What the document at ``key`` says of itself, None when there is none."""
        ...
