"""How the delivery of single pages hands a web archive over (its ``ArchiveRuns`` port): an
archive's upload starts its run, with its plan task on the archive queue; its deletion sends
the prune of what its runs wrote. Nothing of the archive is read here but its first bytes."""

from __future__ import annotations

from pagesift.archives.ports import WorkQueue
from pagesift.archives.recognition import named_like_archive, sniff
from pagesift.archives.tasks import ArchiveTask, OutputMode, TaskAction
from pagesift.contracts.document import Source
from pagesift.contracts.ports import StoredObject

SNIFFED_BYTES = 512  # of an object read whole, when its store gave no separate head


class ArchiveHandover:
    def __init__(self, queue: WorkQueue, *, mode: OutputMode = OutputMode.DOCUMENTS) -> None:
        self.queue = queue
        self.mode = mode

    def is_archive(self, stored: StoredObject, key: str) -> bool:
        return bool(sniff(stored.head or (stored.data or b"")[:SNIFFED_BYTES])) or named_like_archive(key)

    def start(self, archive: Source, *, run: str, replaces: bool) -> None:
        task = ArchiveTask(TaskAction.PLAN, _pointer(archive), run, mode=self.mode, replaces=replaces)
        self.queue.send([task.to_message()])

    def remove(self, archive: Source, *, run: str, change: str) -> None:
        self.queue.send([ArchiveTask(TaskAction.PRUNE, _pointer(archive), change, deleted=True).to_message()])


def _pointer(archive: Source) -> dict[str, object]:
    """The version a run is of, as its tasks carry it."""
    return {
        "bucket": archive.bucket,
        "key": archive.key,
        "version_id": archive.version_id,
        "etag": archive.etag,
        "size": archive.size,
        "sequencer": archive.sequencer,
    }
