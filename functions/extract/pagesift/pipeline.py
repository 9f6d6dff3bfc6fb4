"""One object change → its outcome: a document and its event, a deletion, or a failure.

The use case of the function, written against the stores and the publisher it is given
(S3 and EventBridge in Lambda, the same on moto in tests), so the handler only composes
and observes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .document import (
    DETAIL_DELETED,
    DETAIL_EXTRACTED,
    DETAIL_FAILED,
    Source,
    deleted_detail,
    document_id,
    extracted_detail,
    failed_detail,
)
from .errors import ExtractionError
from .extraction import Page, extract
from .publishing import Event, EventPublisher
from .storage import DocumentStore, ObjectGone, PageStore, StoredPage
from .triggers import ChangeKind, ObjectChange

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # "extracted", "deleted", "failed" or "skipped" (superseded by a newer change)
    change: ObjectChange | None  # None for a delivery that named no object
    document_key: str | None = None
    document_id: str | None = None
    event_id: str | None = None
    error: ExtractionError | None = None
    reason: str | None = None  # why a change was skipped
    words: int | None = None
    input_bytes: int | None = None
    duration_ms: float | None = None


class Pipeline:
    def __init__(
        self,
        *,
        pages: PageStore,
        documents: DocumentStore,
        publisher: EventPublisher,
        max_input_bytes: int,
    ) -> None:
        self.pages = pages
        self.documents = documents
        self.publisher = publisher
        self.max_input_bytes = max_input_bytes

    def process(self, change: ObjectChange) -> Outcome:
        """Apply one change. Permanent input errors become a failure event; transient AWS
        errors propagate so that the delivery is retried."""
        source = Source(
            bucket=change.bucket,
            key=change.key,
            version_id=change.version_id,
            etag=change.etag,
            size=change.size,
            sequencer=change.sequencer,
        )
        if change.bucket == self.documents.bucket:
            # Writing a document would trigger another run on it: refuse to loop.
            return self.fail(
                source,
                change=change,
                error=ExtractionError(
                    f"refusing to extract from the documents bucket {change.bucket!r} itself "
                    "(the input rule or notification points at the output bucket)",
                    kind="RecursiveTrigger",
                    stage="trigger",
                ),
            )
        if change.kind is ChangeKind.DELETED:
            return self._delete(source, change)
        try:
            return self._extract(source, change)
        except ExtractionError as error:
            return self.fail(source, change=change, error=error)
        except ObjectGone as gone:
            # Deleted since the event was sent: the deletion's own event removes the document.
            return Outcome("skipped", change, reason=f"{gone}; its deletion event applies")

    def _extract(self, source: Source, change: ObjectChange) -> Outcome:
        stored = self.pages.read(change.bucket, change.key)
        if superseded := _superseded_by(change, stored):
            return Outcome("skipped", change, reason=superseded)
        source.version_id = stored.version_id or source.version_id
        source.etag = stored.etag or source.etag
        source.size = stored.size
        source.content_type = stored.content_type
        source.content_encoding = stored.content_encoding
        source.last_modified = stored.last_modified
        page = Page(
            data=stored.data,
            source=source,
            url=stored.url,
            content_type=stored.content_type,
            content_encoding=stored.content_encoding,
            content_language=stored.content_language,
        )
        document = extract(page, max_input_bytes=self.max_input_bytes)
        key = self.documents.write(document)
        # Until the state table tracks the previous version's text, every extraction is a change.
        detail = extracted_detail(document, self.documents.bucket, key, changed=True)
        resources = (f"arn:aws:s3:::{self.documents.bucket}/{key}",)
        [event_id] = self.publisher.publish([Event(DETAIL_EXTRACTED, detail, resources)])
        return Outcome(
            "extracted",
            change,
            document_key=key,
            document_id=document.id,
            event_id=event_id,
            words=document.stats.words,
            input_bytes=len(stored.data),
            duration_ms=document.extraction.duration_ms,
        )

    def _delete(self, source: Source, change: ObjectChange) -> Outcome:
        if self.pages.exists(change.bucket, change.key):
            # An old version was deleted, or the page was uploaded again since: the document
            # stands for the current version, which still exists.
            return Outcome("skipped", change, reason="the object still has a current version")
        key = self.documents.delete(change.key)
        detail = deleted_detail(source, self.documents.bucket, key)
        [event_id] = self.publisher.publish([Event(DETAIL_DELETED, detail)])
        return Outcome(
            "deleted", change, document_key=key, document_id=document_id(change.bucket, change.key), event_id=event_id
        )

    def fail(self, source: Source, *, error: ExtractionError, change: ObjectChange | None = None) -> Outcome:
        """Record a permanent failure where an operator will find it: a failure event."""
        detail = failed_detail(source, error_type=error.kind, message=error.message, stage=error.stage)
        [event_id] = self.publisher.publish([Event(DETAIL_FAILED, detail)])
        return Outcome("failed", change, event_id=event_id, error=error, input_bytes=source.size)


def _superseded_by(change: ObjectChange, stored: StoredPage) -> str | None:
    """Why the current object is not the one the event is about, or None when it is.

    S3 is the source of truth: a late event for an older version finds a newer current
    version (or an ETag that differs, in an unversioned bucket) and steps aside; the newer
    version's own event brings its document.
    """
    if change.version_id and change.version_id != "null" and stored.version_id and stored.version_id != "null":
        if stored.version_id != change.version_id:
            return f"version {change.version_id} is no longer current (current: {stored.version_id})"
        return None
    if change.etag and stored.etag and change.etag != stored.etag:
        return f"the object changed since the event (ETag {change.etag} is now {stored.etag})"
    return None
