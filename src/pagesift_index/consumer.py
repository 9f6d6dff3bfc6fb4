"""The consumer's core: one message of IndexQueue in, one change of the index out.

``Indexer.apply(body)`` reads the event (``changes.read_change``) and applies it to a sink:

- ``Document Extracted``: the document is read (``DocumentReader``, the documents bucket) and
  upserted on its ``id`` with its chunks; ``Document Deleted``: it is removed;
- ``Shard Extracted``: every document of the shard (gzip JSON Lines) is upserted and
  remembered as the shard's; ``Shard Deleted``: the documents last upserted from that shard go
  (an archive's new version announces its own shards before the old ones are deleted, so a
  document both versions have is the new shard's by then and stays);
- a change already applied to its target (same ``change_id``, same document or shard) is a
  duplicate; an event older than the last change applied to its document (S3 sequencers, kept
  after a deletion too) is stale and changes nothing, so a late event never overwrites a newer
  document or brings back a deleted one;
- other events (failures, ``Archive Extracted``) change nothing.

Each change is applied in one transaction with its record (a stale one is recorded too), from
the duplicate check on: the document is read inside it, so a second indexer on the same index
waits its turn. The outcome says whether the message may be acknowledged: a message that
cannot be applied (malformed, its document missing or unreadable) is ``FAILED``, rolled back
and left to the queue's redrive, never raised.
"""

from __future__ import annotations

import enum
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pagesift_index.changes import Action, Change, MalformedEvent, read_change
from pagesift_index.chunking import Chunk, chunk_markdown
from pagesift_index.sink import IndexSink, Version

GZIP_MAGIC = b"\x1f\x8b"


class DocumentMissing(Exception):
    """The object an event names is not in the documents bucket (or cannot be read now)."""


class UnreadableDocument(ValueError):
    """The object is there but is not a document (or a shard of documents)."""


class DocumentReader(Protocol):
    def read(self, bucket: str, key: str) -> bytes:
        """The object's bytes; ``DocumentMissing`` when there is none."""
        ...


class Status(enum.Enum):
    UPSERTED = "upserted"
    DELETED = "deleted"
    DUPLICATE = "duplicate"
    STALE = "stale"
    IGNORED = "ignored"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    upserted: int = 0  # documents
    deleted: int = 0
    reason: str | None = None

    @property
    def acknowledge(self) -> bool:
        """Whether the message is done with (committed, or nothing to do): delete it from the queue."""
        return self.status is not Status.FAILED


STALE = Outcome(Status.STALE, reason="a newer change of it was applied already")
Chunker = Callable[[str, str | None], list[Chunk]]


class Indexer:
    def __init__(self, sink: IndexSink, reader: DocumentReader, chunker: Chunker = chunk_markdown) -> None:
        self.sink = sink
        self.reader = reader
        self.chunker = chunker

    def apply(self, body: str) -> Outcome:
        try:
            change = read_change(body)
        except MalformedEvent as error:
            return Outcome(Status.FAILED, reason=f"malformed event: {error}")
        if change.action is Action.IGNORE:
            return Outcome(Status.IGNORED)
        try:
            # One transaction from the duplicate check to the record: two indexers on one index
            # take turns, and a change is in the index with its record or not at all.
            with self.sink.transaction():
                if self.sink.has_change(change.change_id, change.target):
                    return Outcome(Status.DUPLICATE)
                outcome = self._apply(change)
                self.sink.record_change(change.change_id, change.target)
                return outcome
        except (DocumentMissing, UnreadableDocument) as error:
            return Outcome(Status.FAILED, reason=str(error))

    def _apply(self, change: Change) -> Outcome:
        if change.action is Action.UPSERT_DOCUMENT:
            return self._upsert_document(change)
        if change.action is Action.DELETE_DOCUMENT:
            return self._delete_document(change)
        if change.action is Action.UPSERT_SHARD:
            return self._upsert_shard(change)
        return self._delete_shard(change)

    def _upsert_document(self, change: Change) -> Outcome:
        if self._is_stale(change, change.document_id):
            return STALE
        document = parse_document(self.reader.read(change.bucket, change.key), where=_where(change))
        if document["id"] != change.document_id:
            raise UnreadableDocument(
                f"{_where(change)} holds document {document['id']}, the event names {change.document_id}"
            )
        self._put(change, document, shard=None)
        return Outcome(Status.UPSERTED, upserted=1)

    def _delete_document(self, change: Change) -> Outcome:
        if self._is_stale(change, change.document_id):
            return STALE
        self._remove(change, change.document_id)
        return Outcome(Status.DELETED, deleted=1)

    def _upsert_shard(self, change: Change) -> Outcome:
        known = self.sink.version(change.target)
        if (known is not None and known.deleted) or self._is_stale(change, change.target):
            return STALE  # a shard once deleted never comes back: its key names its run
        documents = parse_shard(self.reader.read(change.bucket, change.key), where=_where(change))
        fresh = [document for document in documents if not self._is_stale(change, document["id"])]
        for document in fresh:
            self._put(change, document, shard=change.key)
        self.sink.set_version(change.target, self._next_version(change, change.target, deleted=False))
        return Outcome(Status.UPSERTED, upserted=len(fresh))

    def _delete_shard(self, change: Change) -> Outcome:
        documents = self.sink.shard_documents(change.key)
        for document_id in documents:
            self._remove(change, document_id)
        self.sink.set_version(change.target, self._next_version(change, change.target, deleted=True))
        return Outcome(Status.DELETED, deleted=len(documents))

    def _put(self, change: Change, document: dict[str, Any], *, shard: str | None) -> None:
        chunks = self.chunker(document["id"], document.get("markdown") or document.get("text"))
        self.sink.upsert(document, chunks, shard=shard)
        self.sink.set_version(document["id"], self._next_version(change, document["id"], deleted=False))

    def _remove(self, change: Change, document_id: str) -> None:
        self.sink.delete(document_id)
        self.sink.set_version(document_id, self._next_version(change, document_id, deleted=True))

    def _is_stale(self, change: Change, target: str) -> bool:
        """Whether a newer change of ``target`` was applied already (unknown when either has no
        sequencer: a backfill's change has none, and pagesift announces only current versions)."""
        known = self.sink.version(target)
        if known is None or known.sequencer is None or change.sequencer is None:
            return False
        return change.sequencer < known.sequencer

    def _next_version(self, change: Change, target: str, *, deleted: bool) -> Version:
        # A change without a sequencer keeps the last one, so that later events still order.
        known = self.sink.version(target)
        return Version(change.sequencer or (known.sequencer if known else None), deleted)


def parse_document(data: bytes, *, where: str) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except ValueError as error:
        raise UnreadableDocument(f"{where} is not JSON ({error})") from error
    return _checked(document, where)


def parse_shard(data: bytes, *, where: str) -> list[dict[str, Any]]:
    """The documents of a shard: JSON Lines, gzip-compressed as pagesift writes them."""
    try:
        text = (gzip.decompress(data) if data.startswith(GZIP_MAGIC) else data).decode("utf-8")
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (OSError, EOFError, ValueError) as error:
        raise UnreadableDocument(f"{where} is not a gzip JSON Lines shard ({error})") from error
    return [_checked(document, f"{where} line {number}") for number, document in enumerate(lines, start=1)]


def _checked(document: object, where: str) -> dict[str, Any]:
    if not isinstance(document, dict) or not isinstance(document.get("id"), str) or not document["id"]:
        raise UnreadableDocument(f"{where} is not a pagesift document (no id)")
    return document


def _where(change: Change) -> str:
    return f"s3://{change.bucket}/{change.key}"
