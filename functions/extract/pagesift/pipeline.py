"""One object change → its outcome: a document and its event, a deletion, a failure, or nothing
(a change that is stale, a duplicate, or leaves the document as it is).

The use case of the function, written against the stores and the publisher it is given
(S3, DynamoDB and EventBridge in Lambda, the same on moto in tests), so the handler only
composes and observes. Each change is applied under the object's lease on the state table
and recorded there only once its document and event are out: a retry after any failure
starts from the last change fully applied, and so publishes its event exactly once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass

from .document import (
    DETAIL_DELETED,
    DETAIL_EXTRACTED,
    DETAIL_FAILED,
    Document,
    Source,
    deleted_detail,
    document_id,
    extracted_detail,
    failed_detail,
)
from .errors import ExtractionError
from .extraction import Page, extract
from .publishing import Event, EventPublisher
from .state import Applied, ObjectState, StateStore, sequencer_key
from .storage import DocumentStore, ObjectGone, PageStore, StoredPage
from .triggers import ChangeKind, ObjectChange

log = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 900.0  # the longest a Lambda invocation can run


class OutOfTime(Exception):
    """Too little of the invocation is left to give this page its full time budget: the
    delivery is retried in a fresh invocation rather than the page failed for it."""


@dataclass(frozen=True, slots=True)
class Outcome:
    # "extracted", "deleted", "failed", "unchanged" (same document: nothing rewritten) or
    # "skipped" (stale, duplicate or superseded: the newer change's own event applies)
    status: str
    change: ObjectChange | None  # None for a delivery that named no object
    document_key: str | None = None
    document_id: str | None = None
    event_id: str | None = None
    error: ExtractionError | None = None
    reason: str | None = None
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
        state: StateStore,
        max_input_bytes: int,
        extraction_budget_seconds: float | None = None,
    ) -> None:
        self.pages = pages
        self.documents = documents
        self.publisher = publisher
        self.state = state
        self.max_input_bytes = max_input_bytes
        self.extraction_budget_seconds = extraction_budget_seconds

    def process(
        self, change: ObjectChange, *, lease_seconds: float = DEFAULT_LEASE_SECONDS, seconds_left: float | None = None
    ) -> Outcome:
        """Apply one change. Permanent input errors become a failure event; transient AWS
        errors (and ObjectBusy, OutOfTime) propagate so that the delivery is retried.

        ``seconds_left`` is what remains of the invocation for this change, if bounded.
        """
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
        owner = uuid.uuid4().hex
        state = self.state.acquire(change.bucket, change.key, owner, lease_seconds, may_write=True)
        progress = _Progress()
        recorded = False
        try:
            if stale := _not_newer(change, state):
                return Outcome("skipped", change, reason=stale)
            if change.kind is ChangeKind.DELETED:
                outcome, applied = self._delete(source, change, state, progress, seconds_left)
            else:
                outcome, applied = self._extract(source, change, state, progress, seconds_left)
            if applied is not None:
                self.state.commit(change.bucket, change.key, owner, applied)
                recorded = True
            return outcome
        finally:
            if not recorded:
                # Nothing written: the dirty mark goes back as it was; else it stays.
                self._release(change, owner, dirty=None if progress.wrote else state.dirty)

    def _extract(
        self,
        source: Source,
        change: ObjectChange,
        state: ObjectState,
        progress: _Progress,
        seconds_left: float | None,
        *,
        reconcile: bool = False,
    ) -> tuple[Outcome, Applied | None]:
        """Extract the object's current version. ``reconcile``: the change is a deletion that
        left an older version current (a rollback, an undeleted page), which is then applied
        whatever version the event named."""
        try:
            stored = self.pages.read(change.bucket, change.key)
        except ObjectGone as gone:
            # Deleted since the event was sent: the deletion's own event removes the document.
            return Outcome("skipped", change, reason=f"{gone}; its deletion event applies"), None
        if not reconcile and (superseded := _superseded_by(change, stored)):
            return Outcome("skipped", change, reason=superseded), None

        source.version_id = stored.version_id or source.version_id
        source.etag = stored.etag or source.etag
        source.size = stored.size
        source.content_type = stored.content_type
        source.content_encoding = stored.content_encoding
        source.last_modified = stored.last_modified
        # A failure leaves the last good document (of an earlier version) in place: a broken
        # upload does not wipe an article; the failure event tells the operator.
        kept = _applied(change, state, stored, state.text_sha256, state.content_sha256, dirty=state.dirty)
        if stored.data is None:
            error = ExtractionError(
                f"the object is {stored.size:,} bytes, over the limit of {self.max_input_bytes:,} (MAX_INPUT_BYTES)",
                kind="InputTooLarge",
                stage="read",
            )
            return self.fail(source, change=change, error=error), kept
        page = Page(
            data=stored.data,
            source=source,
            url=stored.url,
            content_type=stored.content_type,
            content_encoding=stored.content_encoding,
            content_language=stored.content_language,
        )
        budget = self.extraction_budget_seconds
        if seconds_left is not None and (budget is None or seconds_left < budget):
            budget = seconds_left
        try:
            document = extract(page, max_input_bytes=self.max_input_bytes, time_budget_seconds=budget)
        except ExtractionError as error:
            if error.kind == "ExtractionTimeout" and budget != self.extraction_budget_seconds:
                raise OutOfTime(f"s3://{change.bucket}/{change.key}: only {budget:.1f} s were left of the invocation") from error
            return self.fail(source, change=change, error=error), kept

        content = content_sha256(document)
        text = document.fingerprints.sha256
        if not state.deleted and not state.dirty and state.content_sha256 == content:
            outcome = Outcome("unchanged", change, document_id=document.id, reason="same document as the version already applied")
            return outcome, _applied(change, state, stored, text, content)
        progress.wrote = True
        key = self.documents.write(document)
        # `changed` compares with the text last announced (a written but unannounced one does not count).
        changed = state.deleted or state.text_sha256 != text
        detail = extracted_detail(document, self.documents.bucket, key, changed=changed)
        resources = (f"arn:aws:s3:::{self.documents.bucket}/{key}",)
        [event_id] = self.publisher.publish([Event(DETAIL_EXTRACTED, detail, resources)])
        outcome = Outcome(
            "extracted",
            change,
            document_key=key,
            document_id=document.id,
            event_id=event_id,
            words=document.stats.words,
            input_bytes=len(stored.data),
            duration_ms=document.extraction.duration_ms,
        )
        return outcome, _applied(change, state, stored, text, content)

    def _delete(
        self, source: Source, change: ObjectChange, state: ObjectState, progress: _Progress, seconds_left: float | None
    ) -> tuple[Outcome, Applied | None]:
        if self.pages.exists(change.bucket, change.key):
            # A version was deleted but the object still has a current one: an old version went,
            # or the current one did and an older one is current again (or a delete marker was
            # removed). The document must stand for whatever is current now.
            return self._extract(source, change, state, progress, seconds_left, reconcile=True)
        applied = Applied(change.sequencer or state.sequencer, None, None, None, None, None, deleted=True)
        if state.deleted:
            return Outcome("skipped", change, reason="the document was already deleted"), applied
        if state.content_sha256 is None and not state.dirty and not self.documents.exists(change.key):
            # Never had a document (a failed page, or deleted before it was extracted): nothing
            # to remove, nothing to announce.
            return Outcome("skipped", change, reason="the object never had a document"), applied
        progress.wrote = True
        key = self.documents.delete(change.key)
        detail = deleted_detail(source, self.documents.bucket, key)
        [event_id] = self.publisher.publish([Event(DETAIL_DELETED, detail)])
        doc_id = document_id(change.bucket, change.key)
        return Outcome("deleted", change, document_key=key, document_id=doc_id, event_id=event_id), applied

    def fail(self, source: Source, *, error: ExtractionError, change: ObjectChange | None = None) -> Outcome:
        """Record a permanent failure where an operator will find it: a failure event."""
        detail = failed_detail(source, error_type=error.kind, message=error.message, stage=error.stage)
        [event_id] = self.publisher.publish([Event(DETAIL_FAILED, detail)])
        return Outcome("failed", change, event_id=event_id, error=error, input_bytes=source.size)

    def _release(self, change: ObjectChange, owner: str, *, dirty: bool | None) -> None:
        try:
            self.state.release(change.bucket, change.key, owner, dirty=dirty)
        except Exception:  # the lease expires by itself; never hide the error being raised
            log.warning("could not release the lease on s3://%s/%s", change.bucket, change.key, exc_info=True)


def content_sha256(document: Document) -> str:
    """Hash of what a reader of the document sees: everything but where it was read from and
    how long it took, so that a re-upload of the same page is recognised as the same."""
    data = document.to_dict()
    del data["source"], data["extraction"]
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(slots=True)
class _Progress:
    wrote: bool = False  # the document was written (or deleted): the dirty mark must stay


def _applied(
    change: ObjectChange, state: ObjectState, stored: StoredPage, text: str | None, content: str | None, *, dirty: bool = False
) -> Applied:
    # A change without a sequencer (Batch Operations) keeps the last one, so later events still order.
    sequencer = change.sequencer or state.sequencer
    return Applied(sequencer, stored.version_id, stored.etag, stored.last_modified, text, content, deleted=False, dirty=dirty)


def _not_newer(change: ObjectChange, state: ObjectState) -> str | None:
    """Why a change is not newer than the last one applied to its object (S3 sequencers,
    compared as AWS documents), or None."""
    mine, applied = sequencer_key(change.sequencer), state.sequencer
    if mine is None or applied is None:
        return None
    if mine == applied:
        return f"duplicate: the change with sequencer {change.sequencer} was already applied"
    if mine < applied:
        return f"stale: a later change of this object (sequencer {applied.lstrip('0')}) was already applied"
    return None


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
