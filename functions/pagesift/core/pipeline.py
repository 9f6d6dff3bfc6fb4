"""One object change → its outcome: documents and their events, a deletion, a failure, or
nothing (a change that is stale, a duplicate, or leaves the documents as they are).

The use case of the function, written against the ports it is given (``pagesift.core.ports``:
S3, DynamoDB and EventBridge in Lambda, in-memory fakes in the unit tests), so that the
handler only composes and observes. Each change is applied under the object's lease on the
state store and recorded there only once its documents and events are out: a retry after
any failure starts from the last change fully applied, and so publishes its events exactly
once.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from .document import Document, Source, content_sha256, document_id, document_key
from .errors import ErrorKind, ExtractionError, Stage
from .events import deleted_event, extracted_event, failed_event
from .extraction import Page, extract
from .invocation import Invocation, OutOfTime
from .limits import DEFAULT_LIMITS, Limits
from .ordering import change_id, is_duplicate, sequencer_key, why_not_newer, why_state_is_wrong, why_superseded
from .profiles import DEFAULT_PROFILE
from .ports import Applied, DocumentStore, EventPublisher, ObjectGone, ObjectState, PageSource, StateStore, StoredObject
from .readers import ObjectReader, WholeObjectReader
from .triggers import ChangeKind, ObjectChange

log = logging.getLogger(__name__)


class Status(str, enum.Enum):
    EXTRACTED = "extracted"
    DELETED = "deleted"
    FAILED = "failed"
    UNCHANGED = "unchanged"  # the same document as the one applied: nothing rewritten
    SKIPPED = "skipped"  # stale, duplicate or superseded: the newer change's own event applies


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    change: ObjectChange | None  # None for a delivery that named no object
    document_key: str | None = None
    document_id: str | None = None
    event_id: str | None = None
    error: ExtractionError | None = None
    reason: str | None = None
    words: int | None = None
    input_bytes: int | None = None
    duration_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The outcome as plain JSON: its log line, a direct invocation's answer, a Batch
        Operations result, and what the idempotency record keeps for a duplicate delivery."""
        return {
            "status": self.status.value,
            "source_key": self.change.key if self.change else None,
            "document_id": self.document_id,
            "document_key": self.document_key,
            "event_id": self.event_id,
            "error": str(self.error) if self.error else None,
            "reason": self.reason,
            "words": self.words,
            "duration_ms": self.duration_ms,
        }


class Pipeline:
    def __init__(
        self,
        *,
        pages: PageSource,
        documents: DocumentStore,
        publisher: EventPublisher,
        state: StateStore,
        limits: Limits = DEFAULT_LIMITS,
        extraction_budget_seconds: float | None = None,
        profile: str = DEFAULT_PROFILE,
        reader: ObjectReader | None = None,
    ) -> None:
        self.pages = pages
        self.documents = documents
        self.publisher = publisher
        self.state = state
        self.limits = limits
        self.extraction_budget_seconds = extraction_budget_seconds
        self.profile = profile
        self.reader = reader or WholeObjectReader()

    def process(self, change: ObjectChange, invocation: Invocation | None = None) -> Outcome:
        """Apply one change. Permanent input errors become a failure event; transient AWS
        errors (and ObjectBusy, OutOfTime) propagate so that the delivery is retried."""
        invocation = invocation or Invocation()
        invocation.seconds_left()  # raises OutOfTime before anything is taken when too little is left
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
                    kind=ErrorKind.RECURSIVE_TRIGGER,
                    stage=Stage.TRIGGER,
                ),
            )
        owner = uuid.uuid4().hex
        state = self.state.acquire(change.bucket, change.key, owner, invocation.lease_seconds)
        progress = _Progress()
        recorded = False
        try:
            if stale := why_not_newer(change, state):
                # Stale on the recorded sequencer's word alone is not enough: S3 is asked (a
                # duplicate of the change last applied needs no second word).
                wrong = None if is_duplicate(change, state) else why_state_is_wrong(change, state, self.pages.head(change.bucket, change.key))
                if wrong is None:
                    return Outcome(Status.SKIPPED, change, reason=stale)
                log.warning("s3://%s/%s: %s, though S3 contradicts it (%s): the change is applied and the state repaired",
                            change.bucket, change.key, stale, wrong)
            if change.kind is ChangeKind.DELETED:
                outcome, applied = self._delete(source, change, state, progress, invocation)
            else:
                outcome, applied = self._extract(source, change, state, progress, invocation)
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
        invocation: Invocation,
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
            return Outcome(Status.SKIPPED, change, reason=f"{gone}; its deletion event applies"), None
        if not reconcile and (superseded := why_superseded(change, stored)):
            return Outcome(Status.SKIPPED, change, reason=superseded), None

        source.version_id = stored.version_id or source.version_id
        source.etag = stored.etag or source.etag
        source.size = stored.size
        source.content_type = stored.content_type
        source.content_encoding = stored.content_encoding
        source.last_modified = stored.last_modified
        # A failure leaves the last good document (of an earlier version) in place: a broken
        # upload does not wipe an article; the failure event tells the operator.
        kept = _applied(change, state, stored, state.text_sha256, state.content_sha256, dirty=state.dirty)
        try:
            if stored.data is None:  # the page source did not read it: over the size limit
                raise self.limits.input_too_large(stored.size)
            documents = [self._document(page, change, invocation) for page in self.reader.pages(stored, source)]
        except ExtractionError as error:
            return self.fail(source, change=change, error=error), kept

        content = _combined([content_sha256(document) for document in documents])
        text = _combined([document.fingerprints.sha256 for document in documents])
        if not state.deleted and not state.dirty and state.content_sha256 == content:
            outcome = Outcome(Status.UNCHANGED, change, document_id=documents[0].id, reason="same document as the version already applied")
            return outcome, _applied(change, state, stored, text, content)
        progress.wrote = True
        # `changed` compares with the text last announced (a written but unannounced one does not count).
        changed = state.deleted or state.text_sha256 != text
        keys, events = [], []
        for document in documents:
            key = self._document_key(document.source)
            self.documents.write(key, document)
            keys.append(key)
            events.append(extracted_event(document, self.documents.bucket, key, changed=changed, change=change_id(change)))
        event_ids = self.publisher.publish(events)
        first = documents[0]
        outcome = Outcome(
            Status.EXTRACTED,
            change,
            document_key=keys[0],
            document_id=first.id,
            event_id=event_ids[0],
            words=sum(document.stats.words for document in documents),
            input_bytes=len(stored.data or b""),
            duration_ms=sum(document.extraction.duration_ms for document in documents),
        )
        return outcome, _applied(change, state, stored, text, content)

    def _document(self, page: Page, change: ObjectChange, invocation: Invocation) -> Document:
        """One page's document, within its budget and what is left of the invocation."""
        seconds_left = invocation.seconds_left()
        budget = self.extraction_budget_seconds
        if seconds_left is not None and (budget is None or seconds_left < budget):
            budget = seconds_left
        try:
            return extract(page, limits=self.limits, time_budget_seconds=budget, profile=self.profile)
        except ExtractionError as error:
            if error.kind is ErrorKind.EXTRACTION_TIMEOUT and budget != self.extraction_budget_seconds:
                raise OutOfTime(f"s3://{change.bucket}/{change.key}: only {budget:.1f} s were left of the invocation") from error
            raise

    def _delete(
        self, source: Source, change: ObjectChange, state: ObjectState, progress: _Progress, invocation: Invocation
    ) -> tuple[Outcome, Applied | None]:
        if self.pages.head(change.bucket, change.key) is not None:
            # A version was deleted but the object still has a current one: an old version went,
            # or the current one did and an older one is current again (or a delete marker was
            # removed). The document must stand for whatever is current now.
            return self._extract(source, change, state, progress, invocation, reconcile=True)
        applied = Applied(sequencer_key(change.sequencer) or state.sequencer, None, None, None, None, None, deleted=True)
        key = self._document_key(source)
        if state.deleted:
            return Outcome(Status.SKIPPED, change, reason="the document was already deleted"), applied
        if state.content_sha256 is None and not state.dirty and not self.documents.exists(key):
            # Never had a document (a failed page, or deleted before it was extracted): nothing
            # to remove, nothing to announce.
            return Outcome(Status.SKIPPED, change, reason="the object never had a document"), applied
        progress.wrote = True
        self.documents.delete(key)
        [event_id] = self.publisher.publish([deleted_event(source, self.documents.bucket, key, change=change_id(change))])
        doc_id = document_id(change.bucket, change.key)
        return Outcome(Status.DELETED, change, document_key=key, document_id=doc_id, event_id=event_id), applied

    def fail(
        self, source: Source, *, error: ExtractionError, change: ObjectChange | None = None, delivery_id: str | None = None
    ) -> Outcome:
        """Record a permanent failure where an operator will find it: a failure event, with the
        change's id (or, for a delivery that names no object, ``delivery_id``)."""
        identity = change_id(change) if change is not None else delivery_id
        if identity is None:
            raise ValueError("a failure needs its change or the id of its delivery")
        event = failed_event(source, error_type=error.kind, message=error.message, stage=error.stage, change=identity)
        [event_id] = self.publisher.publish([event])
        return Outcome(Status.FAILED, change, event_id=event_id, error=error, input_bytes=source.size)

    def _document_key(self, source: Source) -> str:
        return document_key(source.key or "", self.documents.prefix, source.record.id if source.record else None)

    def _release(self, change: ObjectChange, owner: str, *, dirty: bool | None) -> None:
        try:
            self.state.release(change.bucket, change.key, owner, dirty=dirty)
        except Exception:  # the lease expires by itself; never hide the error being raised
            log.warning("could not release the lease on s3://%s/%s", change.bucket, change.key, exc_info=True)


@dataclass(slots=True)
class _Progress:
    wrote: bool = False  # a document was written (or deleted): the dirty mark must stay


def _combined(hashes: list[str]) -> str:
    """One hash for the documents of an object: the document's own when it is one page."""
    if len(hashes) == 1:
        return hashes[0]
    return hashlib.sha256("\n".join(hashes).encode("ascii")).hexdigest()


def _applied(
    change: ObjectChange, state: ObjectState, stored: StoredObject, text: str | None, content: str | None, *, dirty: bool = False
) -> Applied:
    # A change without a sequencer (Batch Operations) keeps the last one, so later events still order.
    sequencer = sequencer_key(change.sequencer) or state.sequencer
    return Applied(sequencer, stored.version_id, stored.etag, stored.last_modified, text, content, deleted=False, dirty=dirty)
