"""The ``plan`` step of an archive's run: the archive framed from start to end (no parsing, no
extraction) and cut into ranges of whole records (``ranges.cut_ranges``); each range's
manifest (the names of its captures, which its documents are named by) is written and its task
sent as soon as it is cut, so that extraction starts while planning goes on. The number of
ranges is recorded last."""

from __future__ import annotations

from dataclasses import replace

from pagesift.archives.context import RunContext, close
from pagesift.archives.ranges import ByteRange, cut_ranges
from pagesift.archives.tasks import ArchiveTask, TaskAction, TaskOutcome, TaskStatus, manifest_key
from pagesift.archives.warc import WarcReader
from pagesift.contracts.document import record_name
from pagesift.contracts.invocation import Invocation


def plan(context: RunContext, task: ArchiveTask, invocation: Invocation) -> TaskOutcome:
    context.current(task)
    reader = WarcReader(limits=context.options.limits)
    start = task.start if task.splittable else 0
    stream = context.open(task, start)
    index = task.index
    try:
        spans = reader.spans(stream, start=start, skip_before=0 if task.splittable else task.start)
        for piece in cut_ranges(
            spans, start=task.start, max_captures=context.range_pages, max_bytes=context.range_bytes
        ):
            if piece.end is None and not piece.records and index > 0:
                break  # nothing after the last range cut (an archive with no record is one empty range)
            _cut(context, task, index, piece, reader.framing.splittable)
            index += 1
            if piece.end is not None and context.short(invocation):
                context.send(replace(task, index=index, start=piece.end, splittable=reader.framing.splittable))
                return TaskOutcome(TaskAction.PLAN, task.run, index, TaskStatus.CONTINUED)
    finally:
        close(stream)
    progress = context.runs.planned(task.run, ranges=index)
    outcome = TaskOutcome(TaskAction.PLAN, task.run, index, TaskStatus.DONE)
    if progress.complete:
        context.announce(task, index)
        outcome.status = TaskStatus.ANNOUNCED
    return outcome


def _cut(context: RunContext, task: ArchiveTask, index: int, piece: ByteRange, splittable: bool) -> None:
    """One range: its manifest, then its task (a range is never sent before its manifest)."""
    key = manifest_key(context.documents.prefix, task.archive["key"], task.run, index)
    names = "".join(f"{record_name(record_id)}\t{record_id}\n" for record_id in piece.captures)
    context.documents.put_bytes(key, (names or "\n").encode("utf-8"), content_type="text/plain; charset=utf-8")
    duplicates = {str(offset): first for offset, first in piece.duplicates.items()}
    context.send(
        replace(
            task,
            action=TaskAction.RANGE,
            index=index,
            start=piece.start,
            end=piece.end,
            splittable=splittable,
            duplicates=duplicates,
        )
    )
