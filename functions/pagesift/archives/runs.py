"""A web archive's run: planned into ranges, the ranges extracted in parallel, one ``Archive
Extracted`` once every range is done, the previous version's leftovers pruned. Written against
the ports (``archives/ports.py`` and the shared ``contracts/ports.py``); docs/archives.md has
the design and why it is a queue.

Every step is an ``ArchiveTask``, a message on the archive queue that the archive function
takes one at a time, so that each is retried alone and dead-lettered alone: ``plan``
(``planning.py``), ``range`` (``extracting.py``) and ``prune`` (``pruning.py``). A task that
runs short of time saves where it is and sends itself again from there.
"""

from __future__ import annotations

import logging

from pagesift.archives.context import RunContext
from pagesift.archives.extracting import extract_range
from pagesift.archives.planning import plan
from pagesift.archives.ports import ArchiveOutputs, ArchiveSource, RunStore, WorkQueue
from pagesift.archives.pruning import prune
from pagesift.archives.tasks import (
    RANGE_BYTES,
    RANGE_PAGES,
    ArchiveTask,
    TaskAction,
    TaskOutcome,
    TaskStatus,
    TaskSuperseded,
)
from pagesift.contracts.invocation import Invocation
from pagesift.contracts.ports import EventPublisher
from pagesift.extraction.options import DEFAULT_OPTIONS, ExtractionOptions

log = logging.getLogger(__name__)

STEPS = {TaskAction.PLAN: plan, TaskAction.RANGE: extract_range, TaskAction.PRUNE: prune}


class ArchiveWork:
    def __init__(
        self,
        *,
        archives: ArchiveSource,
        documents: ArchiveOutputs,
        publisher: EventPublisher,
        runs: RunStore,
        queue: WorkQueue,
        options: ExtractionOptions = DEFAULT_OPTIONS,
        range_pages: int = RANGE_PAGES,
        range_bytes: int = RANGE_BYTES,
    ) -> None:
        self.context = RunContext(archives, documents, publisher, runs, queue, options, range_pages, range_bytes)

    def run(self, task: ArchiveTask, invocation: Invocation | None = None) -> TaskOutcome:
        """Do one task; transient errors are raised (the message is retried, alone)."""
        try:
            return STEPS[task.action](self.context, task, invocation or Invocation())
        except TaskSuperseded as superseded:
            log.info("archive task superseded: %s", superseded)
            return TaskOutcome(task.action, task.run, task.index, TaskStatus.SUPERSEDED)
