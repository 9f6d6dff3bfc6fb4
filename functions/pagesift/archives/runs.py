"""A web archive's run: planned into ranges, the ranges extracted in parallel, one ``Archive
Extracted`` once every range is done, the previous version's leftovers pruned. Written against
the ports (``ArchiveSource``, ``DocumentStore``, ``EventPublisher``, ``RunStore``,
``WorkQueue``); docs/archives.md has the design and why it is a queue.

Every step is an ``ArchiveTask``, a message on the archive queue that the function takes one at
a time, so that each is retried alone and dead-lettered alone:

- ``plan``: the archive is framed from start to end (no parsing, no extraction) and cut into
  ranges of whole records (``archives.cut_ranges``); each range's manifest (the names of
  its captures, which its documents are named by) is written and its task sent as soon as it is
  cut, so that extraction starts while planning goes on. The number of ranges is recorded last.
- ``range``: the range's records are read (a streaming GET from the range's first byte) and
  each page extracted; in ``documents`` mode each document is written and its events put ten at
  a time, the range's progress (the next record's offset and its counts) saved after each put,
  so that a retry resumes there; in ``shards`` mode the documents go to one gzip JSON Lines
  shard, written with its ``Shard Extracted`` event when the range (or the part of it this
  invocation had time for) is done. The range that completes the run puts ``Archive Extracted``.
- ``prune``: what is under the archive's documents prefix and not the current run's (its
  manifests name its documents) is deleted, each document with its ``Document Deleted`` and each
  shard with its ``Shard Deleted``; for a deleted archive, everything is.

A task that runs short of time saves where it is and sends itself again from there.
"""

from __future__ import annotations

import logging
import re
import zlib
from dataclasses import replace
from typing import Any

from pagesift.archives.records import (
    RANGE_BYTES,
    RANGE_PAGES,
    ArchiveCounts,
    ByteRange,
    PageFailure,
    count,
    cut_ranges,
    duplicate_record,
    extract_page,
    is_capture,
)
from pagesift.contracts.document import Document, Record, Source, archive_prefix, content_sha256, document_json, document_key, record_name
from pagesift.contracts.events import (
    Event,
    archive_extracted_event,
    deleted_event,
    extracted_event,
    failed_event,
    shard_deleted_event,
    shard_extracted_event,
)
from pagesift.extraction.steps import Page
from pagesift.contracts.invocation import Invocation, OutOfTime
from pagesift.extraction.limits import DEFAULT_LIMITS, Limits
from pagesift.archives.ports import ArchiveOutputs, ArchiveSource, RunStore, WorkQueue
from pagesift.archives.tasks import (
    ArchiveTask,
    OutputMode,
    TaskAction,
    TaskOutcome,
    TaskStatus,
    TaskSuperseded,
    base_key,
    manifest_key,
    shard_key,
)
from pagesift.contracts.ports import EventPublisher, ObjectGone
from pagesift.extraction.profiles import DEFAULT_PROFILE
from pagesift.archives.warc import Broken, Skipped, WarcReader

log = logging.getLogger(__name__)

ANNOUNCE_LEASE_SECONDS = 120.0  # a task that took the announcement and died: another may take it after
EVENTS_PER_CHECKPOINT = 10  # one PutEvents call's worth: what a killed range may repeat
# Kept for the range's last put and save, and for sending itself on, when time runs short.
FINISH_SECONDS = 3.0


class ArchiveWork:
    def __init__(
        self,
        *,
        archives: ArchiveSource,
        documents: ArchiveOutputs,
        publisher: EventPublisher,
        runs: RunStore,
        queue: WorkQueue,
        limits: Limits = DEFAULT_LIMITS,
        extraction_budget_seconds: float | None = None,
        profile: str = DEFAULT_PROFILE,
        range_pages: int = RANGE_PAGES,
        range_bytes: int = RANGE_BYTES,
    ) -> None:
        self.archives = archives
        self.documents = documents
        self.publisher = publisher
        self.runs = runs
        self.queue = queue
        self.limits = limits
        self.extraction_budget_seconds = extraction_budget_seconds
        self.profile = profile
        self.range_pages = range_pages
        self.range_bytes = range_bytes

    # -- the way in

    def run(self, task: ArchiveTask, invocation: Invocation | None = None) -> TaskOutcome:
        """Do one task; transient errors are raised (the message is retried, alone)."""
        invocation = invocation or Invocation()
        try:
            if task.action is TaskAction.PLAN:
                return self._plan(task, invocation)
            if task.action is TaskAction.RANGE:
                return self._range(task, invocation)
            if task.action is TaskAction.PRUNE:
                return self._prune(task, invocation)
        except TaskSuperseded as superseded:
            log.info("archive task superseded: %s", superseded)
            return TaskOutcome(task.action, task.run, task.index, TaskStatus.SUPERSEDED)
        raise ValueError(f"unknown archive task {task.action!r}")

    # -- plan

    def _current(self, task: ArchiveTask) -> None:
        """Raise TaskSuperseded unless the archive is still the version the task is about."""
        now = self.archives.head(task.archive["bucket"], task.archive["key"])
        if now is None:
            raise TaskSuperseded(f"s3://{task.archive['bucket']}/{task.archive['key']} was deleted")
        if (now.etag, now.version_id) != (task.archive.get("etag"), task.archive.get("version_id")):
            raise TaskSuperseded(f"s3://{task.archive['bucket']}/{task.archive['key']} has a newer version ({now.etag})")

    def _open(self, task: ArchiveTask, start: int) -> Any:
        try:
            return self.archives.open(task.archive["bucket"], task.archive["key"], start=start,
                                      version_id=task.archive.get("version_id"), etag=task.archive.get("etag"))
        except ObjectGone as gone:
            raise TaskSuperseded(str(gone)) from gone

    def _plan(self, task: ArchiveTask, invocation: Invocation) -> TaskOutcome:
        self._current(task)
        reader = WarcReader(limits=self.limits)
        start = task.start if task.splittable else 0
        stream = self._open(task, start)
        index = task.index
        try:
            spans = reader.spans(stream, start=start, skip_before=0 if task.splittable else task.start)
            for piece in cut_ranges(spans, start=task.start, max_captures=self.range_pages, max_bytes=self.range_bytes):
                if piece.end is None and not piece.records and index > 0:
                    break  # nothing after the last range cut (an archive with no record is one empty range)
                self._cut(task, index, piece, reader.framing.splittable)
                index += 1
                if piece.end is not None and self._short(invocation):
                    self.queue.send([replace(task, index=index, start=piece.end, splittable=reader.framing.splittable).to_message()])
                    return TaskOutcome(TaskAction.PLAN, task.run, index, TaskStatus.CONTINUED)
        finally:
            _close(stream)
        progress = self.runs.planned(task.run, ranges=index)
        outcome = TaskOutcome(TaskAction.PLAN, task.run, index, TaskStatus.DONE)
        if progress.complete:
            self._announce(task, progress.ranges)
            outcome.status = TaskStatus.ANNOUNCED
        return outcome

    def _cut(self, task: ArchiveTask, index: int, piece: ByteRange, splittable: bool) -> None:
        """One range: its manifest, then its task (a range is never sent before its manifest)."""
        key = manifest_key(self.documents.prefix, task.archive["key"], task.run, index)
        names = "".join(f"{record_name(record_id)}\t{record_id}\n" for record_id in piece.captures)
        self.documents.put_bytes(key, (names or "\n").encode("utf-8"), content_type="text/plain; charset=utf-8")
        duplicates = {str(offset): first for offset, first in piece.duplicates.items()}
        self.queue.send([replace(task, action=TaskAction.RANGE, index=index, start=piece.start, end=piece.end, splittable=splittable,
                                 duplicates=duplicates).to_message()])

    # -- range

    def _range(self, task: ArchiveTask, invocation: Invocation) -> TaskOutcome:
        saved = self.runs.progress(task.run, task.index)
        counts = ArchiveCounts.from_dict(saved["counts"]) if saved else ArchiveCounts()
        if saved and saved.get("done"):
            return self._range_done(task, counts)  # a retry after the range was saved done
        self._current(task)
        offset = int(saved["offset"]) if saved else task.start
        archive = task.source
        reader = WarcReader(limits=self.limits)
        stream = self._open(task, offset if task.splittable else 0)
        events: list[Event] = []
        doomed: list[str] = []  # earlier documents of records that are no page any more, deleted once their events are put
        shard = _Shard() if task.mode is OutputMode.SHARDS else None
        shard_start, next_offset = offset, offset
        published = 0
        try:
            items = reader.items(stream, archive, start=offset if task.splittable else 0, end=task.end,
                                 skip_before=0 if task.splittable else offset)
            for item in items:
                record = item.source.record if isinstance(item, Page) else item.record
                if isinstance(item, Page) and (first := task.duplicates.get(str(record.offset))) is not None:
                    item = duplicate_record(record, first)
                if isinstance(item, Page) and self._short(invocation):
                    # Save where this page starts, and go on from there in a fresh invocation.
                    published += self._checkpoint(task, events, counts, record.offset, shard, shard_start, doomed=doomed)
                    self.queue.send([replace(task).to_message()])
                    return TaskOutcome(TaskAction.RANGE, task.run, task.index, TaskStatus.CONTINUED, counts.to_dict(), published)
                count(counts, item)
                if isinstance(item, Broken):
                    events.append(self._failure(archive, item.record, item.error, task))
                    self._no_longer_a_page(task, record, events, doomed)
                elif isinstance(item, Skipped) and is_capture(item):  # a response or resource: a page in an earlier version, maybe
                    self._no_longer_a_page(task, record, events, doomed)
                elif isinstance(item, Page):
                    result = extract_page(item, limits=self.limits, profile=self.profile, time_budget_seconds=self._budget(invocation))
                    count(counts, result)
                    if isinstance(result, PageFailure):
                        events.append(self._failure(archive, result.record, result.error, task))
                        self._no_longer_a_page(task, record, events, doomed)
                    elif shard is not None:
                        shard.add(result)
                    else:
                        key = document_key(archive.key or "", self.documents.prefix, record.id)
                        # A run that replaces a version (a re-upload, a re-extraction) rewrites and
                        # announces only what changed, as a single page's change does.
                        before = self.documents.written(key) if task.replaces else None
                        if before is not None and before.run == task.run:
                            before = None  # written by this run before a retry: not yet announced
                        if before is not None and before.content_sha256 == content_sha256(result):
                            counts.unchanged += 1
                        else:
                            self.documents.write(key, result, run=task.run)
                            changed = before is None or before.text_sha256 != result.fingerprints.sha256
                            events.append(extracted_event(result, self.documents.bucket, key, changed=changed, change=task.run))
                next_offset = record.offset + (record.length or 0)
                if shard is None and len(events) >= EVENTS_PER_CHECKPOINT:
                    published += self._checkpoint(task, events, counts, next_offset, None, shard_start, doomed=doomed)
        finally:
            _close(stream)
        published += self._checkpoint(task, events, counts, next_offset, shard, shard_start, doomed=doomed, done=True)
        outcome = self._range_done(task, counts)
        outcome.events += published
        return outcome

    def _no_longer_a_page(self, task: ArchiveTask, record: Record, events: list[Event], doomed: list[str]) -> None:
        """A capture that gives no document in a run that replaces a version: the document an
        earlier version's page of that record had goes, with its ``Document Deleted``, so that
        the archive's documents are exactly this version's (as its shards are in shards mode).
        A capture whose id an earlier one has is not the owner of that name: it is left alone."""
        if task.mode is not OutputMode.DOCUMENTS or not task.replaces or str(record.offset) in task.duplicates:
            return
        key = document_key(task.archive["key"], self.documents.prefix, record.id)
        before = self.documents.written(key)
        if before is None or before.run == task.run:
            return
        events.append(deleted_event(replace(task.source, record=record), self.documents.bucket, key, change=task.run))
        doomed.append(key)

    def _checkpoint(self, task: ArchiveTask, events: list[Event], counts: ArchiveCounts, offset: int,
                    shard: _Shard | None, shard_start: int, *, doomed: list[str], done: bool = False) -> int:
        """Put what is pending (the shard first), delete the documents whose deletion the events
        say, then save the range's progress: a retry resumes at ``offset`` and repeats nothing
        that was saved (a death before the deletions repeats their events, then deletes). Raises
        if events were not put."""
        if shard is not None and shard.documents:
            key = shard_key(self.documents.prefix, task.archive["key"], task.run, task.index, shard_start)
            documents, data = shard.documents, shard.close()
            self.documents.put_bytes(key, data, content_type="application/x-ndjson", content_encoding="gzip")
            events.insert(0, shard_extracted_event(task.source, self.documents.bucket, key, run=task.run, range_index=task.index,
                                                   documents=documents, size=len(data), change=task.run))
        put = len(events)
        if events:
            published = self.publisher.publish(events)
            if not published.complete:
                raise RuntimeError(f"{published.ids.count(None)} of {len(events)} events of the range not put: {published.error}")
            events.clear()
        if doomed:
            self.documents.delete_many(doomed)
            doomed.clear()
        self.runs.save_progress(task.run, task.index, offset=offset, counts=counts.to_dict(), done=done)
        return put

    def _range_done(self, task: ArchiveTask, counts: ArchiveCounts) -> TaskOutcome:
        progress = self.runs.range_done(task.run, task.index)
        outcome = TaskOutcome(TaskAction.RANGE, task.run, task.index, TaskStatus.DONE, counts.to_dict())
        if progress.complete:
            self._announce(task, progress.ranges)
            outcome.status = TaskStatus.ANNOUNCED
        return outcome

    def _announce(self, task: ArchiveTask, ranges: int) -> None:
        """Every range is done: the run's counts in one event, once; then the prune of what the
        archive's previous version left, if it had one (sent again by a retry: a prune is
        idempotent)."""
        if not self.runs.is_announced(task.run):
            # The task that completed the run announces it; another one completing it at the same
            # time (the plan's last write and a range's) finds the claim taken. A retry of the
            # same task holds the same claim.
            if not self.runs.claim_announcement(task.run, f"{task.action}:{task.index}", ANNOUNCE_LEASE_SECONDS):
                return
            total = ArchiveCounts()
            for saved in self.runs.all_progress(task.run, ranges):
                total.add(ArchiveCounts.from_dict(saved["counts"]))
            event = archive_extracted_event(task.source, run=task.run, mode=task.mode, ranges=ranges, counts=total.to_dict(), change=task.run)
            published = self.publisher.publish([event])
            if not published.complete:
                raise RuntimeError(f"Archive Extracted not put: {published.error}")
            self.runs.mark_announced(task.run)
        if task.replaces:
            self.queue.send([replace(task, action=TaskAction.PRUNE, index=0, start=0, end=None).to_message()])

    def _failure(self, archive: Source, record: Any, error: Any, task: ArchiveTask) -> Event:
        return failed_event(replace(archive, record=record), error_type=error.kind, message=error.message, stage=error.stage, change=task.run)

    # -- prune

    def _prune(self, task: ArchiveTask, invocation: Invocation) -> TaskOutcome:
        bucket, archive_key = task.archive["bucket"], task.archive["key"]
        if task.deleted:
            # Gone (or become the page the task names): anything else is a newer version, whose run prunes.
            now = self.archives.head(bucket, archive_key)
            if now is not None and (now.etag, now.version_id) != (task.archive.get("etag"), task.archive.get("version_id")):
                raise TaskSuperseded(f"s3://{bucket}/{archive_key} has a newer version: its run prunes")
        else:
            self._current(task)
        base = base_key(self.documents.prefix, archive_key)
        runs_prefix, shards_prefix, ours = f"{base}_runs/", f"{base}shards/", f"{base}_runs/{task.run}/"
        # Only what the archive's runs wrote is the archive's: documents its manifests name, and
        # its runs' shards and manifests (never what else lies under the prefix: a nested
        # archive's, a page's). The manifests also say each document's record, for its event.
        manifests = [key for key in self.documents.list(runs_prefix) if _RUN_FILE.fullmatch(key[len(runs_prefix) :])]
        shards = [key for key in self.documents.list(shards_prefix) if _SHARD_FILE.fullmatch(key[len(shards_prefix) :])]
        records: dict[str, str] = {}
        keep: set[str] = set()
        for key in manifests:
            for line in (self.documents.get_bytes(key) or b"").decode("utf-8").split("\n"):
                name, _, record_id = line.partition("\t")
                if not name:
                    continue
                document = f"{base}{name}.json"
                if key.startswith(ours) and not task.deleted:
                    keep.add(document)
                else:
                    records.setdefault(document, record_id or name)
        if not task.deleted:
            keep.update(key for key in [*manifests, *shards] if key.startswith((ours, f"{shards_prefix}{task.run}/")))
        written = {key for key in self.documents.list(base) if key in records} if records else set()
        documents = sorted(key for key in records if key not in keep and key in written)
        doomed = [*documents, *(key for key in shards if key not in keep), *(key for key in manifests if key not in keep)]  # manifests last
        events: list[Event] = []
        batch: list[str] = []
        removed = 0
        for key in doomed:
            if key.startswith(shards_prefix):
                events.append(shard_deleted_event(task.source, self.documents.bucket, key, change=task.run))
            elif key in records:
                record = Record(id=records[key])
                events.append(deleted_event(replace(task.source, record=record), self.documents.bucket, key, change=task.run))
            batch.append(key)
            if len(batch) >= 1000 or len(events) >= 1000:
                removed += self._delete(events, batch)
                if self._short(invocation):
                    self.queue.send([task.to_message()])
                    return TaskOutcome(TaskAction.PRUNE, task.run, 0, TaskStatus.CONTINUED, {"deleted": removed})
        removed += self._delete(events, batch)
        return TaskOutcome(TaskAction.PRUNE, task.run, 0, TaskStatus.DONE, {"deleted": removed})

    def _delete(self, events: list[Event], keys: list[str]) -> int:
        """Events first: a death between them and the deletion repeats them on the retry
        (with their change_id), where the other order would lose them with the keys."""
        if events:
            published = self.publisher.publish(events)
            if not published.complete:
                raise RuntimeError(f"{published.ids.count(None)} deletion events not put: {published.error}")
        removed = len(keys)
        if keys:
            self.documents.delete_many(list(keys))
        events.clear()
        keys.clear()
        return removed

    # -- time

    def _short(self, invocation: Invocation) -> bool:
        try:
            left = invocation.seconds_left()
        except OutOfTime:
            return True
        return left is not None and left < (self.extraction_budget_seconds or 0) + FINISH_SECONDS

    def _budget(self, invocation: Invocation) -> float | None:
        left = invocation.seconds_left()
        budget = self.extraction_budget_seconds
        return left if left is not None and (budget is None or left < budget) else budget


_RUN_FILE = re.compile(r"[0-9a-f]{32}/[0-9]{6}\.txt")
_SHARD_FILE = re.compile(r"[0-9a-f]{32}/[0-9]{6}-[0-9]{12}\.jsonl\.gz")


class _Shard:
    """A gzip JSON Lines file of documents, compressed as they come."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: a gzip member
        self._parts: list[bytes] = []
        self.documents = 0

    def add(self, document: Document) -> None:
        self._parts.append(self._compressor.compress(document_json(document) + b"\n"))
        self.documents += 1

    def close(self) -> bytes:
        """The file so far; the shard starts empty again (the next part of its range)."""
        data = b"".join([*self._parts, self._compressor.flush()])
        self.__init__()  # type: ignore[misc]
        return data


def _close(stream: Any) -> None:
    close = getattr(stream, "close", None)
    if close is not None:
        close()
