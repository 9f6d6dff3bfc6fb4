"""What every step of an archive's run works with: its ports, the extraction's options, the
invocation's clock, and the two things more than one step does (checking the task is still
about the archive's current version, and announcing a run that is complete)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from pagesift.archives.ports import ArchiveOutputs, ArchiveSource, Readable, RunStore, WorkQueue
from pagesift.archives.records import ArchiveCounts
from pagesift.archives.tasks import RANGE_BYTES, RANGE_PAGES, ArchiveTask, TaskAction, TaskSuperseded
from pagesift.contracts.events import Event, archive_extracted_event
from pagesift.contracts.invocation import Invocation, OutOfTime
from pagesift.contracts.ports import EventPublisher, ObjectGone
from pagesift.extraction.options import ExtractionOptions

log = logging.getLogger(__name__)

ANNOUNCE_LEASE_SECONDS = 120.0  # a task that took the announcement and died: another may take it after
# Kept for the range's last put and save, and for sending itself on, when time runs short.
FINISH_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class RunContext:
    archives: ArchiveSource
    documents: ArchiveOutputs
    publisher: EventPublisher
    runs: RunStore
    queue: WorkQueue
    options: ExtractionOptions
    range_pages: int = RANGE_PAGES
    range_bytes: int = RANGE_BYTES

    def current(self, task: ArchiveTask) -> None:
        """Raise TaskSuperseded unless the archive is still the version the task is about."""
        now = self.archives.head(task.archive["bucket"], task.archive["key"])
        if now is None:
            raise TaskSuperseded(f"s3://{task.archive['bucket']}/{task.archive['key']} was deleted")
        if (now.etag, now.version_id) != (task.archive.get("etag"), task.archive.get("version_id")):
            raise TaskSuperseded(
                f"s3://{task.archive['bucket']}/{task.archive['key']} has a newer version ({now.etag})"
            )

    def open(self, task: ArchiveTask, start: int) -> Readable:
        try:
            return self.archives.open(
                task.archive["bucket"],
                task.archive["key"],
                start=start,
                version_id=task.archive.get("version_id"),
                etag=task.archive.get("etag"),
            )
        except ObjectGone as gone:
            raise TaskSuperseded(str(gone)) from gone

    def send(self, task: ArchiveTask) -> None:
        self.queue.send([task.to_message()])

    def publish(self, events: list[Event], what: str) -> None:
        """Put ``events``, or raise (the task is retried, and repeats what it had not saved)."""
        published = self.publisher.publish(events)
        if not published.complete:
            raise RuntimeError(f"{published.ids.count(None)} of {len(events)} {what} not put: {published.error}")

    def short(self, invocation: Invocation) -> bool:
        """Whether too little of the invocation is left for one more page and the task's finish."""
        try:
            left = invocation.seconds_left()
        except OutOfTime:
            return True
        return left is not None and left < (self.options.budget_seconds or 0) + FINISH_SECONDS

    def announce(self, task: ArchiveTask, ranges: int) -> None:
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
            event = archive_extracted_event(
                task.source, run=task.run, mode=task.mode, ranges=ranges, counts=total.to_dict(), change=task.run
            )
            published = self.publisher.publish([event])
            if not published.complete:
                raise RuntimeError(f"Archive Extracted not put: {published.error}")
            self.runs.mark_announced(task.run)
        if task.replaces:
            self.send(replace(task, action=TaskAction.PRUNE, index=0, start=0, end=None))


def close(stream: Any) -> None:
    close_stream = getattr(stream, "close", None)
    if close_stream is not None:
        close_stream()
