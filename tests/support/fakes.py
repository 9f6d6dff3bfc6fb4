"""In-memory implementations of the core's ports (pagesift.contracts.ports), for unit tests of the
pipeline's rules without AWS. tests/adapters/test_ports_contract.py runs the same checks on these
and on the boto3 adapters (on moto), so that the fakes behave as the real stores do."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from pagesift.contracts.document import Document, Source, content_sha256
from pagesift.contracts.events import Event
from pagesift.extraction.steps import Page, extract
from pagesift.extraction.limits import DEFAULT_LIMITS, Limits
from pagesift.archives.ports import RunProgress, WrittenDocument
from pagesift.contracts.ports import ObjectGone, Published, StoredObject
from pagesift.delivery.ports import AlreadyApplied, Applied, ObjectBusy, ObjectState


class TransientError(Exception):
    """Stands for a throttled or failed AWS call: the delivery is retried."""


@dataclass
class InMemoryPages:
    """An input bucket: versioned (delete markers, deleting one version) or not."""

    limits: Limits = DEFAULT_LIMITS
    versioned: bool = True
    # (bucket, key) -> versions in upload order: (version id, object), None for a delete marker
    versions: dict[tuple[str, str], list[tuple[str, StoredObject | None]]] = field(default_factory=dict)
    failing_reads: int = 0  # the next reads that fail with TransientError
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def put(self, bucket: str, key: str, data: bytes, *, url: str | None = None, content_type: str = "text/html",
            content_encoding: str | None = None, content_language: str | None = None) -> StoredObject:
        number = next(self._ids)
        stored = StoredObject(
            data=data,
            size=len(data),
            content_type=content_type,
            content_encoding=content_encoding,
            content_language=content_language,
            url=url,
            version_id=f"v{number}" if self.versioned else None,
            etag=hashlib.md5(data).hexdigest(),  # noqa: S324 - what S3 does for a single-part upload
            last_modified=f"2026-01-01T00:{number // 60:02d}:{number % 60:02d}+00:00",
        )
        history = self.versions.setdefault((bucket, key), [])
        if not self.versioned:
            history.clear()
        history.append((stored.version_id or "null", stored))
        return stored

    def delete(self, bucket: str, key: str, version_id: str | None = None) -> str | None:
        """Delete the object (a delete marker, whose id is returned, when versioned) or, with
        ``version_id``, that one version or marker for good."""
        history = self.versions.setdefault((bucket, key), [])
        if version_id is not None:
            history[:] = [(vid, obj) for vid, obj in history if vid != version_id]
            return None
        if not self.versioned:
            history.clear()
            return None
        marker = f"m{next(self._ids)}"
        history.append((marker, None))
        return marker

    def _current(self, bucket: str, key: str) -> StoredObject | None:
        history = self.versions.get((bucket, key))
        return history[-1][1] if history else None

    def read(self, bucket: str, key: str) -> StoredObject:
        if self.failing_reads:
            self.failing_reads -= 1
            raise TransientError("SlowDown")
        stored = self._current(bucket, key)
        if stored is None:
            raise ObjectGone(f"s3://{bucket}/{key} no longer exists (NoSuchKey)")
        if stored.size > self.limits.max_input_bytes:
            return replace(stored, data=None)
        return stored

    def head(self, bucket: str, key: str) -> StoredObject | None:
        stored = self._current(bucket, key)
        return None if stored is None else replace(stored, data=None)


@dataclass
class InMemoryDocuments:
    bucket: str = "documents-bucket"
    prefix: str = "documents/"
    documents: dict[str, Document] = field(default_factory=dict)
    writes: int = 0

    def write(self, key: str, document: Document, *, run: str | None = None) -> None:
        self.writes += 1
        self.documents[key] = document
        self.runs[key] = run

    def exists(self, key: str) -> bool:
        return key in self.documents

    def delete(self, key: str) -> None:
        self.documents.pop(key, None)

    # Shards and manifests are bytes; documents are listed and deleted with them.
    blobs: dict[str, bytes] = field(default_factory=dict)
    runs: dict[str, str | None] = field(default_factory=dict)  # the archive run that wrote each document

    def put_bytes(self, key: str, data: bytes, *, content_type: str, content_encoding: str | None = None) -> None:
        self.writes += 1
        self.blobs[key] = data

    def get_bytes(self, key: str) -> bytes | None:
        return self.blobs.get(key)

    def list(self, prefix: str) -> Iterator[str]:
        yield from sorted(key for key in [*self.documents, *self.blobs] if key.startswith(prefix))

    def written(self, key: str) -> WrittenDocument | None:
        document = self.documents.get(key)
        if document is None:
            return None
        return WrittenDocument(document.fingerprints.sha256, content_sha256(document), self.runs.get(key))

    def delete_many(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.documents.pop(key, None)
            self.blobs.pop(key, None)


@dataclass
class InMemoryArchives:
    """Archives in the input bucket, read by ranges (what InMemoryPages holds)."""

    pages: InMemoryPages
    opened: list[tuple[str, int]] = field(default_factory=list)  # (key, start) of every read

    def open(self, bucket: str, key: str, *, start: int, version_id: str | None, etag: str | None) -> io.BytesIO:
        current = self.pages._current(bucket, key)
        if current is None or (etag is not None and current.etag != etag):
            raise ObjectGone(f"s3://{bucket}/{key} is gone or changed")
        self.opened.append((key, start))
        return io.BytesIO((current.data or b"")[start:])

    def head(self, bucket: str, key: str) -> StoredObject | None:
        return self.pages.head(bucket, key)


@dataclass
class InMemoryQueue:
    """The archive queue: messages sent, taken one at a time."""

    messages: list[str] = field(default_factory=list)
    sent: int = 0
    failing: int = 0  # the next sends that raise

    def send(self, messages: Sequence[str]) -> None:
        if self.failing:
            self.failing -= 1
            raise TransientError("SQS unavailable")
        self.sent += len(messages)
        self.messages.extend(messages)


@dataclass
class InMemoryRuns:
    """The RunStore's semantics (see pagesift.aws.dynamodb.DynamoDBRunStore)."""

    ranges: dict[tuple[str, int], dict] = field(default_factory=dict)
    runs: dict[str, dict] = field(default_factory=dict)

    def progress(self, run: str, index: int) -> dict | None:
        saved = self.ranges.get((run, index))
        return json.loads(json.dumps(saved)) if saved is not None else None

    def save_progress(self, run: str, index: int, *, offset: int, counts: dict, done: bool) -> None:
        self.ranges[(run, index)] = json.loads(json.dumps({"offset": offset, "counts": counts, "done": done}))

    def all_progress(self, run: str, ranges: int) -> list[dict]:
        return [self.ranges[(run, index)] for index in range(ranges) if (run, index) in self.ranges]

    def _progress(self, run: str) -> RunProgress:
        item = self.runs.setdefault(run, {"done": set()})
        ranges = item.get("ranges")
        return RunProgress(ranges, len([i for i in item["done"] if ranges is None or i < ranges]))

    def planned(self, run: str, *, ranges: int) -> RunProgress:
        self.runs.setdefault(run, {"done": set()})["ranges"] = ranges
        return self._progress(run)

    def range_done(self, run: str, index: int) -> RunProgress:
        self.runs.setdefault(run, {"done": set()})["done"].add(index)
        return self._progress(run)

    def is_announced(self, run: str) -> bool:
        return bool(self.runs.get(run, {}).get("announced"))

    def claim_announcement(self, run: str, owner: str, lease_seconds: float) -> bool:
        item = self.runs.setdefault(run, {"done": set()})
        if item.get("announced") or (item.get("claim") not in (None, owner) and item["claim_expires"] > time.time()):
            return False
        item.update(claim=owner, claim_expires=time.time() + lease_seconds)
        return True

    def mark_announced(self, run: str) -> None:
        self.runs.setdefault(run, {"done": set()})["announced"] = True


@dataclass
class RecordingPublisher:
    events: list[Event] = field(default_factory=list)
    calls: int = 0
    failing: int = 0  # the next publish calls that put none of their events ...
    # ... but for the first ``failing_after`` of them, as PutEvents can (a call of 10 goes out,
    # the next is refused; or some entries of a call fail for good)
    failing_after: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def publish(self, events: Sequence[Event]) -> Published:
        self.calls += 1
        put = len(events)
        if self.failing:
            self.failing -= 1
            put = min(put, self.failing_after)
        self.events.extend(events[:put])
        ids = [f"event-{next(self._ids)}" for _ in events[:put]] + [None] * (len(events) - put)
        return Published(ids, None if put == len(events) else "ThrottlingException: Rate exceeded")

    def detail_types(self) -> list[str]:
        return [event.detail_type.value for event in self.events]


@dataclass
class InMemoryState:
    """The StateStore's semantics (see pagesift.aws.dynamodb), one dict item per object."""

    clock: Callable[[], float] = time.time
    items: dict[tuple[str, str], dict] = field(default_factory=dict)
    failing_commits: int = 0  # the next commits that fail with TransientError

    def acquire(self, bucket: str, key: str, owner: str, lease_seconds: float, change_id: str) -> ObjectState:
        item = self.items.setdefault((bucket, key), {})
        now = self.clock()
        if item.get("change_id") == change_id:
            raise AlreadyApplied(f"change {change_id} of s3://{bucket}/{key}", dict(item["outcome"]))
        if item.get("lease_owner") is not None and item["lease_expires"] >= now:
            raise ObjectBusy(f"s3://{bucket}/{key} is being processed by another invocation")
        before = ObjectState(**{name: item.get(name) for name in _STATE_FIELDS}, deleted=bool(item.get("deleted")), dirty=bool(item.get("dirty")))
        item.update(lease_owner=owner, lease_expires=now + lease_seconds, dirty=True)
        return before

    def commit(self, bucket: str, key: str, owner: str, applied: Applied, *, change_id: str, outcome: dict) -> None:
        if self.failing_commits:
            self.failing_commits -= 1
            raise TransientError("the state write failed")
        item = self.items.get((bucket, key), {})
        if item.get("lease_owner") != owner:
            raise ObjectBusy(f"lost the lease on s3://{bucket}/{key} before recording it")
        item.clear()
        item.update({name: getattr(applied, name) for name in _STATE_FIELDS}, deleted=applied.deleted, dirty=applied.dirty,
                    change_id=change_id, outcome=dict(outcome))

    def release(self, bucket: str, key: str, owner: str, *, dirty: bool | None, error: str | None = None) -> None:
        item = self.items.get((bucket, key), {})
        if item.get("lease_owner") != owner:
            return
        item.pop("lease_owner"), item.pop("lease_expires")
        if dirty is not None:
            item["dirty"] = dirty
        if error is not None:
            item["last_error"] = error

    def state(self, bucket: str, key: str) -> dict:
        return dict(self.items.get((bucket, key), {}))


_STATE_FIELDS = ("sequencer", "version_id", "etag", "last_modified", "text_sha256", "content_sha256", "made_by")


def a_document(key: str = "news/a.html", *, text: str = "A short article about the harbour, its ships and its people.") -> Document:
    """A real document of a small page, as the extraction core makes it."""
    paragraphs = "".join(f"<p>{text} Paragraph {i} says more about it than the one before.</p>" for i in range(3))
    html = f"<html lang='en'><head><title>Harbour</title></head><body><article><h1>Harbour</h1>{paragraphs}</article></body></html>"
    return extract(Page(html.encode("utf-8"), source=Source(bucket="input-bucket", key=key)))
