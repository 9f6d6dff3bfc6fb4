"""The steps of an archive's run as messages on the archive queue (``ArchiveTask``), what each
step did (``TaskOutcome``), and where a run's files live in the documents bucket."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from pagesift.contracts.document import Source, archive_prefix

# A range (a task's share of an archive) is cut at this many captures that may be pages
# (responses and resources): about 40 s of extraction on one core, well inside a 900 s function
# timeout, and one shard of a thousand documents in shards mode.
RANGE_PAGES = 1_000
RANGE_BYTES = 128 * 1024 * 1024  # ... or at this many stored bytes (captures that are not pages)
# ... or at this many captures with an earlier capture's id, which its task lists: about 30 KB
# of the message, whatever the range's size (a writer that gives every record one id).
RANGE_DUPLICATES = 1_000
TASK_MARK = "pagesift-archive-task"  # the key that tells an archive task's message from an S3 event


class OutputMode(enum.StrEnum):
    """What an archive's run writes: a document per page, or a shard of documents per range."""

    DOCUMENTS = "documents"
    SHARDS = "shards"


class TaskAction(enum.StrEnum):
    PLAN = "plan"
    RANGE = "range"
    PRUNE = "prune"


class TaskStatus(enum.StrEnum):
    DONE = "done"
    CONTINUED = "continued"  # ran short of time: it sent itself on from where it was
    SUPERSEDED = "superseded"  # the archive changed since the task was made
    ANNOUNCED = "announced"  # done, and it completed the run: Archive Extracted went out


class TaskSuperseded(Exception):
    """The archive changed (a newer version, or deleted) since the task was made: the newer
    change's own run applies."""


@dataclass(slots=True)
class ArchiveTask:
    """One step of an archive's run, as its message says it."""

    action: TaskAction
    archive: dict[str, Any]  # bucket, key, version_id, etag, size, sequencer: the version the run is of
    run: str  # the change_id of the upload that started the run
    mode: OutputMode = OutputMode.DOCUMENTS
    index: int = 0  # range: its number; plan: the next range's
    start: int = 0  # range: its first byte; plan: where framing resumes
    end: int | None = None  # range: the first byte after it (None: the archive's end)
    splittable: bool = True  # False: offsets are decompressed ones, read from the archive's start
    replaces: bool = False  # the archive had a run before: prune once this one is done
    deleted: bool = False  # prune: the archive was deleted (nothing is kept)
    # range: its captures whose record id an earlier capture had (their offsets, as strings, as
    # JSON keys are), with that capture's offset: those that are pages fail (DuplicateRecord)
    duplicates: dict[str, int] = field(default_factory=dict)

    def to_message(self) -> str:
        return json.dumps({TASK_MARK: 1, **asdict(self)}, separators=(",", ":"))

    @classmethod
    def from_message(cls, body: str) -> ArchiveTask:
        """The task a message says; ValueError if it is not one (a forged or damaged message)."""
        data = json.loads(body)
        if not isinstance(data, dict) or data.pop(TASK_MARK, None) is None:
            raise ValueError("not an archive task")
        try:
            task = cls(**data)
            task.action, task.mode = TaskAction(task.action), OutputMode(task.mode)
        except (TypeError, ValueError) as error:
            raise ValueError(f"not an archive task: {error}") from error
        archive = task.archive
        if not (
            isinstance(archive, dict)
            and isinstance(archive.get("bucket"), str)
            and isinstance(archive.get("key"), str)
            and archive["bucket"]
            and archive["key"]
        ):
            raise ValueError("an archive task names its archive's bucket and key")
        if not isinstance(task.run, str):
            raise ValueError("an archive task names its run")
        if not all(isinstance(n, int) and n >= 0 for n in (task.index, task.start)) or not (
            task.end is None or isinstance(task.end, int)
        ):
            raise ValueError("an archive task's index, start and end are whole numbers")
        if not (
            isinstance(task.duplicates, dict)
            and all(isinstance(k, str) and k.isdigit() and isinstance(v, int) for k, v in task.duplicates.items())
        ):
            raise ValueError("an archive task's duplicates map offsets to offsets")
        return task

    @property
    def source(self) -> Source:
        fields = {name: self.archive.get(name) for name in ("bucket", "key", "version_id", "etag", "size", "sequencer")}
        return Source(**fields)

    @property
    def change(self) -> str:
        return self.run


def is_task_message(body: object) -> bool:
    return isinstance(body, str) and body.lstrip().startswith("{") and f'"{TASK_MARK}"' in body[:64]


@dataclass(slots=True)
class TaskOutcome:
    """What a task did, for its log line."""

    action: TaskAction
    run: str
    index: int
    status: TaskStatus
    counts: dict[str, Any] = field(default_factory=dict)
    events: int = 0


def base_key(prefix: str, archive_key: str) -> str:
    """Where everything of an archive lives in the documents bucket (docs/contracts.md)."""
    return archive_prefix(archive_key, prefix)


def manifest_key(prefix: str, archive_key: str, run: str, index: int) -> str:
    return f"{base_key(prefix, archive_key)}_runs/{run}/{index:06d}.txt"


def shard_key(prefix: str, archive_key: str, run: str, index: int, offset: int) -> str:
    return f"{base_key(prefix, archive_key)}shards/{run}/{index:06d}-{offset:012d}.jsonl.gz"
