"""The ports the delivery of single pages works through, beside the shared ones
(``pagesift.contracts.ports``): the input pages, the per-object state, and the one small
interface through which an object that is a web archive is handed over to its run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pagesift.contracts.document import Source
from pagesift.contracts.ports import StoredObject


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


class ArchiveRuns(Protocol):
    """Web archives, as the delivery of single pages sees them: an object that is one is handed
    over (its run reads it by ranges, elsewhere), and its deletion removes what its run wrote."""

    def is_archive(self, stored: StoredObject, key: str) -> bool:
        """Whether the object is a web archive (by its first bytes, else by its name)."""
        ...

    def start(self, archive: Source, *, run: str, replaces: bool) -> None:
        """Start a run of this version of the archive; ``replaces``: the object had a history,
        whose leftovers the run prunes once it is done."""
        ...

    def remove(self, archive: Source, *, run: str, change: str) -> None:
        """Remove what the archive's run ``run`` wrote, each document with its event."""
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

    def commit(
        self, bucket: str, key: str, owner: str, applied: Applied, *, change_id: str, outcome: dict[str, Any]
    ) -> None:
        """Record the applied change, its id and outcome, and give the lease back; raises
        ObjectBusy if the lease is no longer ``owner``'s (it ran out and another took it)."""
        ...

    def release(self, bucket: str, key: str, owner: str, *, dirty: bool | None, error: str | None = None) -> None:
        """Give the lease back without recording a change; ``dirty`` puts the mark back as it
        was (None leaves it: something may have been written); ``error`` records why the change
        was not applied, where ``pagesift redrive`` shows it beside a dead-lettered message."""
        ...
