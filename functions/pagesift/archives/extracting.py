"""The ``range`` step of an archive's run: the range's records read (a streaming GET from the
range's first byte) and each page extracted. In ``documents`` mode each document is written and
its events put ten at a time, the range's progress (the next record's offset and its counts)
saved after each put, so that a retry resumes there; in ``shards`` mode the documents go to one
gzip JSON Lines shard, written with its ``Shard Extracted`` event when the range (or the part
of it this invocation had time for) is done. The range that completes the run puts ``Archive
Extracted``."""

from __future__ import annotations

import zlib
from dataclasses import replace

from pagesift.archives.context import RunContext, close
from pagesift.archives.records import ArchiveCounts, PageFailure, count, duplicate_record, extract_page, is_capture
from pagesift.archives.tasks import ArchiveTask, OutputMode, TaskAction, TaskOutcome, TaskStatus, shard_key
from pagesift.archives.warc import Broken, Item, Skipped, WarcReader
from pagesift.contracts.document import Document, Record, content_sha256, document_json, document_key
from pagesift.contracts.errors import ExtractionError
from pagesift.contracts.events import (
    Event,
    deleted_event,
    extracted_event,
    failed_event,
    shard_extracted_event,
)
from pagesift.contracts.invocation import Invocation
from pagesift.extraction.steps import Page

EVENTS_PER_CHECKPOINT = 10  # one PutEvents call's worth: what a killed range may repeat


def extract_range(context: RunContext, task: ArchiveTask, invocation: Invocation) -> TaskOutcome:
    saved = context.runs.progress(task.run, task.index)
    counts = ArchiveCounts.from_dict(saved["counts"]) if saved else ArchiveCounts()
    if saved and saved.get("done"):
        return range_done(context, task, counts)  # a retry after the range was saved done
    context.current(task)
    return RangeExtraction(context, task, counts, int(saved["offset"]) if saved else task.start).run(invocation)


def range_done(context: RunContext, task: ArchiveTask, counts: ArchiveCounts) -> TaskOutcome:
    progress = context.runs.range_done(task.run, task.index)
    outcome = TaskOutcome(TaskAction.RANGE, task.run, task.index, TaskStatus.DONE, counts.to_dict())
    if progress.complete:
        assert progress.ranges is not None
        context.announce(task, progress.ranges)
        outcome.status = TaskStatus.ANNOUNCED
    return outcome


class RangeExtraction:
    """One invocation's part of a range, from ``offset``: what it has read and not yet put."""

    def __init__(self, context: RunContext, task: ArchiveTask, counts: ArchiveCounts, offset: int) -> None:
        self.context = context
        self.task = task
        self.counts = counts
        self.offset = offset  # where this invocation starts reading
        self.next_offset = offset  # the first byte after the last record read
        self.events: list[Event] = []
        self.doomed: list[
            str
        ] = []  # earlier documents of records that are no page any more, deleted once their events are put
        self.shard = _Shard() if task.mode == OutputMode.SHARDS else None
        self.published = 0

    def run(self, invocation: Invocation) -> TaskOutcome:
        task = self.task
        splittable = task.splittable
        stream = self.context.open(task, self.offset if splittable else 0)
        try:
            items = WarcReader(limits=self.context.options.limits).items(
                stream,
                task.source,
                start=self.offset if splittable else 0,
                end=task.end,
                skip_before=0 if splittable else self.offset,
            )
            for item in items:
                record = item.source.record if isinstance(item, Page) else item.record
                assert record is not None and record.offset is not None  # the reader places every record it gives
                if isinstance(item, Page) and (first := task.duplicates.get(str(record.offset))) is not None:
                    item = duplicate_record(record, first)
                if isinstance(item, Page) and self.context.short(invocation):
                    # Save where this page starts, and go on from there in a fresh invocation.
                    self.checkpoint(record.offset, shard=self.shard)
                    self.context.send(replace(task))
                    return TaskOutcome(
                        TaskAction.RANGE,
                        task.run,
                        task.index,
                        TaskStatus.CONTINUED,
                        self.counts.to_dict(),
                        self.published,
                    )
                self.read(item, record, invocation)
                self.next_offset = record.offset + (record.length or 0)
                if self.shard is None and len(self.events) >= EVENTS_PER_CHECKPOINT:
                    self.checkpoint(self.next_offset, shard=None)
        finally:
            close(stream)
        self.checkpoint(self.next_offset, shard=self.shard, done=True)
        outcome = range_done(self.context, task, self.counts)
        outcome.events += self.published
        return outcome

    def read(self, item: Item, record: Record, invocation: Invocation) -> None:
        """One record of the range: counted, and its document, failure or deletion pending."""
        count(self.counts, item)
        if isinstance(item, Broken):
            self.events.append(self._failure(record, item.error))
            self._no_longer_a_page(record)
        elif isinstance(item, Skipped) and is_capture(
            item
        ):  # a response or resource: a page in an earlier version, maybe
            self._no_longer_a_page(record)
        elif isinstance(item, Page):
            seconds_left = invocation.seconds_left()
            result = extract_page(item, self.context.options.within(seconds_left))
            count(self.counts, result)
            if isinstance(result, PageFailure):
                self.events.append(self._failure(result.record, result.error))
                self._no_longer_a_page(record)
            elif self.shard is not None:
                self.shard.add(result)
            else:
                self._write(result, record)

    def _write(self, document: Document, record: Record) -> None:
        task, documents = self.task, self.context.documents
        key = document_key(task.archive["key"] or "", documents.prefix, record.id)
        # A run that replaces a version (a re-upload, a re-extraction) rewrites and announces only
        # what changed, as a single page's change does.
        before = documents.written(key) if task.replaces else None
        if before is not None and before.run == task.run:
            before = None  # written by this run before a retry: not yet announced
        if before is not None and before.content_sha256 == content_sha256(document):
            self.counts.unchanged += 1
            return
        documents.write(key, document, run=task.run)
        changed = before is None or before.text_sha256 != document.fingerprints.sha256
        self.events.append(extracted_event(document, documents.bucket, key, changed=changed, change=task.run))

    def _no_longer_a_page(self, record: Record) -> None:
        """A capture that gives no document in a run that replaces a version: the document an
        earlier version's page of that record had goes, with its ``Document Deleted``, so that
        the archive's documents are exactly this version's (as its shards are in shards mode).
        A capture whose id an earlier one has is not the owner of that name: it is left alone."""
        task, documents = self.task, self.context.documents
        if task.mode != OutputMode.DOCUMENTS or not task.replaces or str(record.offset) in task.duplicates:
            return
        key = document_key(task.archive["key"], documents.prefix, record.id)
        before = documents.written(key)
        if before is None or before.run == task.run:
            return
        self.events.append(deleted_event(replace(task.source, record=record), documents.bucket, key, change=task.run))
        self.doomed.append(key)

    def _failure(self, record: Record, error: ExtractionError) -> Event:
        return failed_event(
            replace(self.task.source, record=record),
            error_type=error.kind,
            message=error.message,
            stage=error.stage,
            change=self.task.run,
        )

    def checkpoint(self, offset: int, *, shard: _Shard | None, done: bool = False) -> None:
        """Put what is pending (the shard first), delete the documents whose deletion the events
        say, then save the range's progress: a retry resumes at ``offset`` and repeats nothing
        that was saved (a death before the deletions repeats their events, then deletes). Raises
        if events were not put."""
        task, documents = self.task, self.context.documents
        if shard is not None and shard.documents:
            key = shard_key(documents.prefix, task.archive["key"], task.run, task.index, self.offset)
            written, data = shard.documents, shard.close()
            documents.put_bytes(key, data, content_type="application/x-ndjson", content_encoding="gzip")
            self.events.insert(
                0,
                shard_extracted_event(
                    task.source,
                    documents.bucket,
                    key,
                    run=task.run,
                    range_index=task.index,
                    documents=written,
                    size=len(data),
                    change=task.run,
                ),
            )
        put = len(self.events)
        if self.events:
            self.context.publish(self.events, "events of the range")
            self.events.clear()
        if self.doomed:
            documents.delete_many(self.doomed)
            self.doomed.clear()
        self.context.runs.save_progress(task.run, task.index, offset=offset, counts=self.counts.to_dict(), done=done)
        self.published += put


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
        self._compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
        self._parts = []
        self.documents = 0
        return data
