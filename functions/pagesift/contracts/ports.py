"""The interfaces the pipeline works through, and the values that cross them.

``pagesift.aws`` implements them with boto3 (S3, EventBridge, DynamoDB); ``tests/fakes.py``
implements them in memory, so that the pipeline's rules are tested without AWS. They are
``Protocol``s: an implementation only has to have the methods.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pagesift.contracts.document import Document
from pagesift.contracts.events import Event


class ObjectGone(Exception):
    """The object (or that version of it) no longer exists: it was deleted after the event."""


class ObjectBusy(Exception):
    """Another change of the same object is being applied: retry the delivery later."""


class AlreadyApplied(Exception):
    """The change is the one last applied to its object (a duplicate delivery): ``outcome`` is
    what was recorded of it."""

    def __init__(self, message: str, outcome: dict[str, Any]) -> None:
        super().__init__(message)
        self.outcome = outcome

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.outcome))


@dataclass(frozen=True, slots=True)
class StoredObject:
    """An input object's current version, as its store reports it."""

    data: bytes | None  # None when the object is over the size limit: it was not read
    size: int
    content_type: str | None
    content_encoding: str | None
    content_language: str | None
    url: str | None  # from user metadata x-amz-meta-url
    version_id: str | None
    etag: str | None
    last_modified: str | None
    # The first bytes, read even when ``data`` is not: what tells a web archive by its content.
    head: bytes = b""


@dataclass(frozen=True, slots=True)
class ObjectState:
    """What was last applied to an object (all None for an object never seen)."""

    sequencer: str | None = None  # in ordering.sequencer_key's form
    version_id: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    text_sha256: str | None = None
    content_sha256: str | None = None
    deleted: bool = False
    # A document may have been written without being recorded (the invocation died, or its
    # event failed): the bucket may hold something the hashes above do not describe.
    dirty: bool = False
    made_by: str | None = None  # extraction.made_by of the pagesift that applied it


@dataclass(frozen=True, slots=True)
class Applied:
    """The state to record once a change has been applied."""

    sequencer: str | None  # in ordering.sequencer_key's form
    version_id: str | None
    etag: str | None
    last_modified: str | None
    text_sha256: str | None
    content_sha256: str | None
    deleted: bool
    dirty: bool = False  # carried over when nothing was written (a failure): see ObjectState
    made_by: str | None = None


class PageSource(Protocol):
    """Where input objects are read: the input bucket."""

    def read(self, bucket: str, key: str) -> StoredObject:
        """The object's current version (never more than the size limit of it read into
        memory); raises ObjectGone when it has none."""
        ...

    def head(self, bucket: str, key: str) -> StoredObject | None:
        """The object's current version without its bytes (``data`` None), or None when it has
        none (a delete marker or no object)."""
        ...


class DocumentStore(Protocol):
    """Where documents are written: the documents bucket, under its prefix."""

    bucket: str
    prefix: str

    def write(self, key: str, document: Document, *, run: str | None = None) -> None:
        """Write the document; ``run``: the archive run writing it, kept with it."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    # What a web archive's run writes besides documents (its shards and manifests), and what
    # its prune reads and removes.
    def put_bytes(self, key: str, data: bytes, *, content_type: str, content_encoding: str | None = None) -> None: ...

    def get_bytes(self, key: str) -> bytes | None: ...

    def list(self, prefix: str) -> Iterator[str]:
        """Every key under ``prefix``."""
        ...

    def delete_many(self, keys: Sequence[str]) -> None: ...

    def hashes(self, key: str) -> tuple[str | None, str | None, str | None] | None:
        """The text and content hashes of the document at ``key`` as written (its
        fingerprints.sha256 and content_sha256) and the archive run that wrote it, None when
        there is none."""
        ...


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


@dataclass(frozen=True, slots=True)
class Published:
    """What became of a publish: an id per event in order, None for each not put."""

    ids: list[str | None]
    error: str | None = None  # why some were not put

    @property
    def complete(self) -> bool:
        return all(event_id is not None for event_id in self.ids)


class EventPublisher(Protocol):
    """Where events go: the documents bus."""

    def publish(self, events: Sequence[Event]) -> Published:
        """Put the events (as few calls as the bus allows) and say which went out; never
        raises for events not put, so that one change's failure is not its neighbours'."""
        ...


class StateStore(Protocol):
    """Per-object state, the lease that lets one change of an object be applied at a time, and
    the id and outcome of the change last applied (a duplicate delivery's answer): ordering and
    idempotency in one item, so that a change costs two writes, ``acquire`` and ``commit``."""

    def acquire(self, bucket: str, key: str, owner: str, lease_seconds: float, change_id: str) -> ObjectState:
        """Take the object's lease for ``owner``, mark the object dirty in the same write (a
        document may be written before ``commit``), and return its last applied state as it
        was before. Raises AlreadyApplied when ``change_id`` is the change last committed, and
        ObjectBusy when another holds the lease."""
        ...

    def commit(self, bucket: str, key: str, owner: str, applied: Applied, *, change_id: str, outcome: dict[str, Any]) -> None:
        """Record the applied change, its id and outcome, and give the lease back; raises
        ObjectBusy if the lease is no longer ``owner``'s (it ran out and another took it)."""
        ...

    def release(self, bucket: str, key: str, owner: str, *, dirty: bool | None, error: str | None = None) -> None:
        """Give the lease back without recording a change; ``dirty`` puts the mark back as it
        was (None leaves it: something may have been written); ``error`` records why the change
        was not applied, where ``pagesift redrive`` shows it beside a dead-lettered message."""
        ...
