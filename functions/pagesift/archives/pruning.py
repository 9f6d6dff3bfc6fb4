"""The ``prune`` step of an archive's run: what is under the archive's documents prefix and not
the current run's (its manifests name its documents) is deleted, each document with its
``Document Deleted`` and each shard with its ``Shard Deleted``; for a deleted archive,
everything its runs wrote is."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from pagesift.archives.context import RunContext
from pagesift.archives.tasks import ArchiveTask, TaskAction, TaskOutcome, TaskStatus, TaskSuperseded, base_key
from pagesift.contracts.document import Record
from pagesift.contracts.events import Event, deleted_event, shard_deleted_event
from pagesift.contracts.invocation import Invocation

DELETIONS_PER_BATCH = 1000  # keys of one DeleteObjects call

_RUN_FILE = re.compile(r"[0-9a-f]{32}/[0-9]{6}\.txt")
_SHARD_FILE = re.compile(r"[0-9a-f]{32}/[0-9]{6}-[0-9]{12}\.jsonl\.gz")


@dataclass(slots=True)
class ArchiveFiles:
    """What the archive's runs wrote, as their manifests and listings say: the documents their
    manifests name (with each one's record id, for its event), their shards and manifests, and
    which of them the current run keeps."""

    shards_prefix: str
    manifests: list[str]
    shards: list[str]
    records: dict[str, str] = field(default_factory=dict)  # document key -> record id
    keep: set[str] = field(default_factory=set)

    def doomed(self, written: set[str]) -> list[str]:
        """What goes, manifests last (so that a retry still finds the documents they name)."""
        documents = sorted(key for key in self.records if key not in self.keep and key in written)
        return [
            *documents,
            *(key for key in self.shards if key not in self.keep),
            *(key for key in self.manifests if key not in self.keep),
        ]


def prune(context: RunContext, task: ArchiveTask, invocation: Invocation) -> TaskOutcome:
    _check_still_to_prune(context, task)
    files = _files(context, task)
    base = base_key(context.documents.prefix, task.archive["key"])
    written = {key for key in context.documents.list(base) if key in files.records} if files.records else set()
    events: list[Event] = []
    batch: list[str] = []
    removed = 0
    for key in files.doomed(written):
        if (event := _deletion_event(context, task, files, key)) is not None:
            events.append(event)
        batch.append(key)
        if len(batch) >= DELETIONS_PER_BATCH or len(events) >= DELETIONS_PER_BATCH:
            removed += _delete(context, events, batch)
            if context.short(invocation):
                context.send(task)
                return TaskOutcome(TaskAction.PRUNE, task.run, 0, TaskStatus.CONTINUED, {"deleted": removed})
    removed += _delete(context, events, batch)
    return TaskOutcome(TaskAction.PRUNE, task.run, 0, TaskStatus.DONE, {"deleted": removed})


def _check_still_to_prune(context: RunContext, task: ArchiveTask) -> None:
    if not task.deleted:
        context.current(task)
        return
    # Gone (or become the page the task names): anything else is a newer version, whose run prunes.
    bucket, archive_key = task.archive["bucket"], task.archive["key"]
    now = context.archives.head(bucket, archive_key)
    if now is not None and (now.etag, now.version_id) != (task.archive.get("etag"), task.archive.get("version_id")):
        raise TaskSuperseded(f"s3://{bucket}/{archive_key} has a newer version: its run prunes")


def _files(context: RunContext, task: ArchiveTask) -> ArchiveFiles:
    # Only what the archive's runs wrote is the archive's: documents its manifests name, and its
    # runs' shards and manifests (never what else lies under the prefix: a nested archive's, a
    # page's). The manifests also say each document's record, for its event.
    documents = context.documents
    base = base_key(documents.prefix, task.archive["key"])
    runs_prefix, shards_prefix, ours = f"{base}_runs/", f"{base}shards/", f"{base}_runs/{task.run}/"
    files = ArchiveFiles(
        shards_prefix,
        manifests=[key for key in documents.list(runs_prefix) if _RUN_FILE.fullmatch(key[len(runs_prefix) :])],
        shards=[key for key in documents.list(shards_prefix) if _SHARD_FILE.fullmatch(key[len(shards_prefix) :])],
    )
    for key in files.manifests:
        for line in (documents.get_bytes(key) or b"").decode("utf-8").split("\n"):
            name, _, record_id = line.partition("\t")
            if not name:
                continue
            document = f"{base}{name}.json"
            if key.startswith(ours) and not task.deleted:
                files.keep.add(document)
            else:
                files.records.setdefault(document, record_id or name)
    if not task.deleted:
        files.keep.update(
            key for key in [*files.manifests, *files.shards] if key.startswith((ours, f"{shards_prefix}{task.run}/"))
        )
    return files


def _deletion_event(context: RunContext, task: ArchiveTask, files: ArchiveFiles, key: str) -> Event | None:
    bucket = context.documents.bucket
    if key.startswith(files.shards_prefix):
        return shard_deleted_event(task.source, bucket, key, change=task.run)
    if key in files.records:
        return deleted_event(replace(task.source, record=Record(id=files.records[key])), bucket, key, change=task.run)
    return None  # a manifest


def _delete(context: RunContext, events: list[Event], keys: list[str]) -> int:
    """Events first: a death between them and the deletion repeats them on the retry (with
    their change_id), where the other order would lose them with the keys."""
    if events:
        context.publish(events, "deletion events")
    removed = len(keys)
    if keys:
        context.documents.delete_many(list(keys))
    events.clear()
    keys.clear()
    return removed
