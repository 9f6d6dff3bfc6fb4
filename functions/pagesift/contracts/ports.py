"""The ports that both delivery and archives write through, and the values that cross them.

``pagesift.aws`` implements them with boto3 (S3, EventBridge); ``tests/fakes.py`` in memory.
They are ``Protocol``s: an implementation only has to have the methods. Each system adds its
own ports beside its code (``delivery/ports.py``, ``archives/ports.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pagesift.contracts.document import Document
from pagesift.contracts.events import Event


class ObjectGone(Exception):
    """The object (or that version of it) no longer exists: it was deleted after the event."""


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


class DocumentStore(Protocol):
    """Where documents are written: the documents bucket, under its prefix."""

    bucket: str
    prefix: str

    def write(self, key: str, document: Document) -> None: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


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
