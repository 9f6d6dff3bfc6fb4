"""One object change → its outcome: documents and their events, a deletion, a failure, or
nothing (a change that is stale, a duplicate, or leaves the documents as they are).

The use case of the function, written against the ports it is given (``pagesift.delivery.ports``
and the shared ``pagesift.contracts.ports``: S3, DynamoDB and EventBridge in Lambda, in-memory
fakes in the unit tests), so that the handler only composes and observes. Each change is
applied under the object's lease on the state store and recorded there only once its documents
and events are out: a retry after any failure starts from the last change fully applied, and so
publishes its events once (but for a death between the events and the record: then again, with
the same change_id).

The changes of one invocation form a ``Round``: each is applied up to its events, the events
of all go out together (PutEvents takes ten a call), and each change is then recorded on its
own, so that one change whose events were refused is retried without its neighbours. A change
costs two state writes (``acquire`` takes it, ``commit`` records it with its outcome, which is
a duplicate delivery's answer).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

from pagesift.contracts.document import Document, Source, content_sha256, document_id, document_key
from pagesift.contracts.errors import ErrorKind, ExtractionError, Stage
from pagesift.contracts.events import deleted_event, extracted_event, failed_event
from pagesift.contracts.invocation import Invocation, OutOfTime
from pagesift.contracts.ports import DocumentStore, EventPublisher, ObjectGone, StoredObject
from pagesift.delivery.ordering import (
    change_id,
    is_duplicate,
    sequencer_key,
    why_not_newer,
    why_state_is_wrong,
    why_superseded,
)
from pagesift.delivery.outcomes import EventsNotPublished, Outcome, Pending, Status
from pagesift.delivery.ports import AlreadyApplied, Applied, ArchiveRuns, ObjectState, PageSource, StateStore
from pagesift.delivery.round import Round
from pagesift.delivery.triggers import ChangeKind, ObjectChange, Purpose
from pagesift.extraction.options import DEFAULT_OPTIONS, ExtractionOptions
from pagesift.extraction.steps import Page, extract, made_by

log = logging.getLogger(__name__)

ERROR_TEXT_CHARACTERS = 240  # of why a change was not applied, on its object's record (which names it)
# An archive's record keeps its run in place of a content hash (an archive has no one document):
# what its deletion and its next upload find it by.
ARCHIVE_MARK = "archive-run:"


def archive_run(state: ObjectState) -> str | None:
    """The run of the archive the object last was, or None if it was not one."""
    content = state.content_sha256 or ""
    return content[len(ARCHIVE_MARK) :] if content.startswith(ARCHIVE_MARK) else None


class Pipeline:
    def __init__(
        self,
        *,
        pages: PageSource,
        documents: DocumentStore,
        publisher: EventPublisher,
        state: StateStore,
        options: ExtractionOptions = DEFAULT_OPTIONS,
        archives: ArchiveRuns | None = None,
    ) -> None:
        self.pages = pages
        self.documents = documents
        self.publisher = publisher
        self.state = state
        self.options = options
        self.archives = archives  # None: web archives are pages like any other (and fail as not HTML)
        self.made_by = made_by(options.limits)  # recorded with every change applied

    def round(self, invocation: Invocation | None = None) -> Round:
        """A round for the changes of one invocation (see Round)."""
        return Round(self, invocation or Invocation())

    def process(self, change: ObjectChange, invocation: Invocation | None = None) -> Outcome:
        """Apply one change on its own. Permanent input errors become a failure event; transient
        errors (AWS, ObjectBusy, OutOfTime, EventsNotPublished) are raised, so that the delivery
        is retried."""
        round_ = self.round(invocation)
        pending = round_.add(change)
        round_.finish()
        return pending.result()

    def fail(
        self,
        source: Source,
        *,
        error: ExtractionError,
        change: ObjectChange | None = None,
        delivery_id: str | None = None,
    ) -> Outcome:
        """Record a permanent failure on its own: its failure event is put at once."""
        round_ = self.round()
        pending = round_.add_failure(source, error=error, change=change, delivery_id=delivery_id)
        round_.finish()
        return pending.result()

    def stage(self, change: ObjectChange, invocation: Invocation) -> Pending:
        """Apply ``change`` up to its events: a Pending that is done already when it has none."""
        invocation.seconds_left()  # raises OutOfTime before anything is taken when too little is left
        source = Source(
            bucket=change.bucket,
            key=change.key,
            version_id=change.version_id,
            etag=change.etag,
            size=change.size,
            sequencer=change.sequencer,
        )
        owner = uuid.uuid4().hex
        try:
            state = self.state.acquire(change.bucket, change.key, owner, invocation.lease_seconds, change_id(change))
        except AlreadyApplied as applied:
            recorded = dict(applied.outcome)
            if recorded.get("status") in (Status.EXTRACTED.value, Status.DELETED.value):
                recorded["document_key"] = self._document_key(source)  # not kept: it follows from the key
            reason = f"duplicate: this change was already applied ({applied})"
            return Pending(change, Outcome(Status.SKIPPED, change, reason=reason, recorded=recorded), done=True)
        if change.bucket == self.documents.bucket:
            # Writing a document would trigger another run on it: refuse to loop. Recorded like
            # any failure (the object's state left as it was), so that a duplicate is answered.
            pending = self.failure(
                source,
                change=change,
                error=ExtractionError(
                    f"refusing to extract from the documents bucket {change.bucket!r} itself "
                    "(the input rule or notification points at the output bucket)",
                    kind=ErrorKind.RECURSIVE_TRIGGER,
                    stage=Stage.TRIGGER,
                ),
            )
            pending.owner, pending.dirty_before = owner, state.dirty
            pending.applied = Applied(
                state.sequencer,
                state.version_id,
                state.etag,
                state.last_modified,
                state.text_sha256,
                state.content_sha256,
                deleted=state.deleted,
                dirty=state.dirty,
            )
            return pending
        pending = Pending(change, owner=owner, dirty_before=state.dirty)
        try:
            if stale := why_not_newer(change, state):
                # Stale on the recorded sequencer's word alone is not enough: S3 is asked (a
                # duplicate of the change last applied needs no second word).
                wrong = (
                    None
                    if is_duplicate(change, state)
                    else why_state_is_wrong(change, state, self.pages.head(change.bucket, change.key))
                )
                if wrong is None:
                    pending.skip(stale)
                    self.settle(pending, [], None)
                    return pending
                log.warning(
                    "s3://%s/%s: %s, though S3 contradicts it (%s): the change is applied and the state repaired",
                    change.bucket,
                    change.key,
                    stale,
                    wrong,
                )
            if change.kind is ChangeKind.DELETED:
                self._delete(source, change, state, pending, invocation)
            else:
                self._extract(source, change, state, pending, invocation)
        except Exception as error:
            self._release(pending, error=error)
            raise
        if not pending.events:
            self.settle(pending, [], None)
        return pending

    def _extract(
        self,
        source: Source,
        change: ObjectChange,
        state: ObjectState,
        pending: Pending,
        invocation: Invocation,
        *,
        reconcile: bool = False,
    ) -> None:
        """Extract the object's current version. ``reconcile``: the change is a deletion that
        left an older version current (a rollback, an undeleted page), which is then applied
        whatever version the event named."""
        try:
            stored = self.pages.read(change.bucket, change.key)
        except ObjectGone as gone:
            # Deleted since the event was sent: the deletion's own event removes the document.
            pending.skip(f"{gone}; its deletion event applies")
            return
        if not reconcile and (superseded := why_superseded(change, stored)):
            pending.skip(superseded)
            return
        if change.purpose and not reconcile and (made := self._already_made(change.purpose, state, stored)):
            pending.skip(made)
            return

        source.version_id = stored.version_id or source.version_id
        source.etag = stored.etag or source.etag
        source.size = stored.size
        source.content_type = stored.content_type
        source.content_encoding = stored.content_encoding
        source.last_modified = stored.last_modified
        if self.archives is not None and self.archives.is_archive(stored, change.key):
            self._hand_over(self.archives, source, change, state, stored, pending)
            return
        if self.archives is not None and (previous := archive_run(state)) is not None:
            # An archive replaced by a page: the archive's documents go (this version is kept).
            self.archives.remove(source, run=previous, change=change_id(change))
        try:
            if stored.data is None:  # the page source did not read it: over the size limit
                raise self.options.limits.input_too_large(stored.size)
            document = self._document(_page(stored, source), change, invocation)
        except ExtractionError as error:
            failure = self.failure(source, change=change, error=error)
            pending.outcome, pending.events = failure.outcome, failure.events
            # A failure leaves the last good document (of an earlier version) in place: a broken
            # upload does not wipe an article; the failure event tells the operator.
            pending.applied = _applied(
                change, state, stored, state.text_sha256, state.content_sha256, dirty=state.dirty, made_by=self.made_by
            )
            return
        self._write(document, change, state, stored, pending)

    def _hand_over(
        self,
        archives: ArchiveRuns,
        source: Source,
        change: ObjectChange,
        state: ObjectState,
        stored: StoredObject,
        pending: Pending,
    ) -> None:
        """A web archive: read by ranges, in parallel, by its run (docs/archives.md), none of it here."""
        run = change_id(change)
        # Any history (a run, a page, a deletion whose prune may not have run): the new run
        # prunes what is not its own once it is done.
        replaces = bool(state.sequencer or state.version_id or state.deleted or state.content_sha256 or state.dirty)
        if (
            archive_run(state) is None
            and (state.content_sha256 or state.dirty)
            and self.documents.exists(key := self._document_key(source))
        ):
            # The object was a page: its document goes, with its event, as the archive's come.
            pending.will_write()
            self.documents.delete(key)
            pending.events.append(deleted_event(replace(source, record=None), self.documents.bucket, key, change=run))
        archives.start(source, run=run, replaces=replaces)
        pending.applied = _applied(change, state, stored, None, ARCHIVE_MARK + run, made_by=self.made_by)
        pending.outcome = Outcome(
            Status.ARCHIVE, change, reason=f"web archive: run {run} started", input_bytes=stored.size
        )

    def _write(
        self, document: Document, change: ObjectChange, state: ObjectState, stored: StoredObject, pending: Pending
    ) -> None:
        """The page's document, written and announced unless it is the one already applied."""
        content, text = content_sha256(document), document.fingerprints.sha256
        pending.applied = _applied(change, state, stored, text, content, made_by=self.made_by)
        if not state.deleted and not state.dirty and state.content_sha256 == content:
            pending.outcome = Outcome(
                Status.UNCHANGED, change, document_id=document.id, reason="same document as the version already applied"
            )
            return
        pending.will_write()
        # `changed` compares with the text last announced (a written but unannounced one does not count).
        changed = state.deleted or state.text_sha256 != text
        key = self._document_key(document.source)
        self.documents.write(key, document)
        pending.events.append(
            extracted_event(document, self.documents.bucket, key, changed=changed, change=change_id(change))
        )
        pending.outcome = Outcome(
            Status.EXTRACTED,
            change,
            document_key=key,
            document_id=document.id,
            words=document.stats.words,
            input_bytes=len(stored.data or b""),
            duration_ms=document.extraction.duration_ms,
        )

    def _already_made(self, purpose: Purpose, state: ObjectState, stored: StoredObject) -> str | None:
        """Why a backfill's task leaves the object alone (None: it is applied): this version was
        applied already, by any pagesift (backfill) or by this one with these options (reextract)."""
        if (
            (state.version_id, state.etag) != (stored.version_id, stored.etag)
            or state.deleted
            or state.dirty
            or state.made_by is None
        ):
            return None
        if purpose == Purpose.BACKFILL:
            return f"backfill: this version was applied already (by pagesift {state.made_by})"
        if state.made_by == self.made_by:
            return "reextract: this version was applied by this pagesift with these options"
        return None

    def _document(self, page: Page, change: ObjectChange, invocation: Invocation) -> Document:
        """One page's document, within its budget and what is left of the invocation."""
        options = self.options.within(invocation.seconds_left())
        try:
            return extract(page, limits=options.limits, time_budget_seconds=options.budget_seconds)
        except ExtractionError as error:
            if error.kind is ErrorKind.EXTRACTION_TIMEOUT and options.budget_seconds != self.options.budget_seconds:
                left = options.budget_seconds or 0.0
                raise OutOfTime(
                    f"s3://{change.bucket}/{change.key}: only {left:.1f} s were left of the invocation"
                ) from error
            raise

    def _delete(
        self, source: Source, change: ObjectChange, state: ObjectState, pending: Pending, invocation: Invocation
    ) -> None:
        if self.pages.head(change.bucket, change.key) is not None:
            # A version was deleted but the object still has a current one: an old version went,
            # or the current one did and an older one is current again (or a delete marker was
            # removed). The document must stand for whatever is current now.
            self._extract(source, change, state, pending, invocation, reconcile=True)
            return
        pending.applied = Applied(
            sequencer_key(change.sequencer) or state.sequencer, None, None, None, None, None, deleted=True
        )
        key = self._document_key(source)
        if state.deleted:
            pending.skip("the document was already deleted")
            return
        if (run := archive_run(state)) is not None and self.archives is not None:
            # Its documents go with it, each with its event: the prune of its run's prefix.
            self.archives.remove(source, run=run, change=change_id(change))
            pending.will_write()
            pending.outcome = Outcome(
                Status.DELETED, change, reason=f"web archive: the documents of run {run} are being removed"
            )
            return
        if state.content_sha256 is None and not state.dirty and not self.documents.exists(key):
            # Never had a document (a failed page, or deleted before it was extracted): nothing
            # to remove, nothing to announce.
            pending.skip("the object never had a document")
            return
        pending.will_write()
        self.documents.delete(key)
        pending.events.append(deleted_event(source, self.documents.bucket, key, change=change_id(change)))
        pending.outcome = Outcome(
            Status.DELETED, change, document_key=key, document_id=document_id(change.bucket, change.key)
        )

    def failure(
        self,
        source: Source,
        *,
        error: ExtractionError,
        change: ObjectChange | None = None,
        delivery_id: str | None = None,
    ) -> Pending:
        """A permanent failure, recorded where an operator will find it: a failure event, with
        the change's id (or, for a delivery that names no object, ``delivery_id``)."""
        identity = change_id(change) if change is not None else delivery_id
        if identity is None:
            raise ValueError("a failure needs its change or the id of its delivery")
        event = failed_event(source, error_type=error.kind, message=error.message, stage=error.stage, change=identity)
        return Pending(change, Outcome(Status.FAILED, change, error=error, input_bytes=source.size), events=[event])

    def settle(self, pending: Pending, event_ids: list[str | None], why: str | None) -> None:
        """Once a change's events are out (``event_ids``), record it; else give it up for a retry."""
        change = pending.change
        if any(event_id is None for event_id in event_ids):
            # The error is kept on the object's own record and logged with its key: it need not name it.
            missing = sum(event_id is None for event_id in event_ids)
            pending.error = EventsNotPublished(f"{missing} of {len(event_ids)} events not put: {why}")
            self._release(pending, error=pending.error)
            return
        if event_ids and pending.outcome is not None:
            pending.outcome = replace(pending.outcome, event_id=event_ids[0])
        if pending.owner is not None and change is not None:
            if pending.applied is None or pending.outcome is None:
                self._release(pending)
            else:
                try:
                    self.state.commit(
                        change.bucket,
                        change.key,
                        pending.owner,
                        pending.applied,
                        change_id=change_id(change),
                        outcome=pending.outcome.record(),
                    )
                except Exception as error:
                    pending.error = error
                    self._release(pending, error=error)
                    return
        pending.done = True

    def _document_key(self, source: Source) -> str:
        return document_key(source.key or "", self.documents.prefix, source.record.id if source.record else None)

    def _release(self, pending: Pending, *, error: BaseException | None = None) -> None:
        """Give the lease back unrecorded: the dirty mark goes back as it was if nothing was
        written, else it stays; ``error`` is recorded as the reason."""
        change = pending.change
        if pending.owner is None or change is None:
            return
        why = f"{type(error).__name__}: {error}"[:ERROR_TEXT_CHARACTERS] if error is not None else None
        try:
            self.state.release(
                change.bucket,
                change.key,
                pending.owner,
                dirty=None if pending.written else pending.dirty_before,
                error=why,
            )
        except Exception:  # the lease expires by itself; never hide the error being raised
            log.warning("could not release the lease on s3://%s/%s", change.bucket, change.key, exc_info=True)
        pending.owner = None


def _page(stored: StoredObject, source: Source) -> Page:
    """The page an HTML object (plain or gzip) is, read within the size limit."""
    assert stored.data is not None  # over-limit objects fail before they are read as a page
    return Page(
        data=stored.data,
        source=source,
        url=stored.url,
        content_type=stored.content_type,
        content_encoding=stored.content_encoding,
        content_language=stored.content_language,
    )


def _applied(
    change: ObjectChange,
    state: ObjectState,
    stored: StoredObject,
    text: str | None,
    content: str | None,
    *,
    dirty: bool = False,
    made_by: str | None = None,
) -> Applied:
    # A change without a sequencer (Batch Operations) keeps the last one, so later events still order.
    sequencer = sequencer_key(change.sequencer) or state.sequencer
    return Applied(
        sequencer,
        stored.version_id,
        stored.etag,
        stored.last_modified,
        text,
        content,
        deleted=False,
        dirty=dirty,
        made_by=made_by,
    )
