"""The interfaces the pipeline works through, and the values that cross them.

``pagesift.aws`` implements them with boto3 (S3, EventBridge, DynamoDB); ``tests/fakes.py``
implements them in memory, so that the pipeline's rules are tested without AWS. They are
``Protocol``s: an implementation only has to have the methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .document import Document
from .events import Event


class ObjectGone(Exception):
    """The object (or that version of it) no longer exists: it was deleted after the event."""


class ObjectBusy(Exception):
    """Another change of the same object is being applied: retry the delivery later."""


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

    def write(self, key: str, document: Document) -> None: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


class EventPublisher(Protocol):
    """Where events go: the documents bus."""

    def publish(self, events: Sequence[Event]) -> list[str]:
        """Put every event, or raise; returns their ids in the same order."""
        ...


class StateStore(Protocol):
    """Per-object state and the lease that lets one change of an object be applied at a time."""

    def acquire(self, bucket: str, key: str, owner: str, lease_seconds: float) -> ObjectState:
        """Take the object's lease for ``owner`` (or raise ObjectBusy), mark the object dirty in
        the same write (a document may be written before ``commit``), and return its last
        applied state as it was before."""
        ...

    def commit(self, bucket: str, key: str, owner: str, applied: Applied) -> None:
        """Record the applied change and give the lease back; raises ObjectBusy if the lease
        is no longer ``owner``'s (it ran out and another invocation took the object)."""
        ...

    def release(self, bucket: str, key: str, owner: str, *, dirty: bool | None) -> None:
        """Give the lease back without recording a change; ``dirty`` puts the mark back as it
        was (None leaves it: something may have been written)."""
        ...
