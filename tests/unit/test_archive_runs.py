"""An archive's run on the in-memory fakes (pagesift.archives.runs): planned into ranges,
the ranges taken in any order, killed and retried, run short of time, superseded by a new
version; documents and shards modes; replace and delete remove exactly the archive's documents."""

from __future__ import annotations

import gzip
import json
import random
import re
import zlib
from collections import Counter

import pytest

from pagesift.archives.handover import ArchiveHandover
from pagesift.archives.runs import ArchiveWork
from pagesift.archives.tasks import ArchiveTask, OutputMode, is_task_message
from pagesift.contracts.document import document_id, document_key
from pagesift.contracts.events import DetailType
from pagesift.contracts.invocation import Invocation
from pagesift.delivery.ordering import change_id
from pagesift.delivery.outcomes import Status
from pagesift.delivery.pipeline import Pipeline
from pagesift.delivery.triggers import ChangeKind, ObjectChange
from tests.support.fakes import (
    InMemoryArchives,
    InMemoryDocuments,
    InMemoryPages,
    InMemoryQueue,
    InMemoryRuns,
    InMemoryState,
    RecordingPublisher,
    TransientError,
)
from tests.support.schemas import validate_document, validate_event
from tests.support.warcs import archive_with_reused_ids, realistic_archive, repository_pages

BUCKET, KEY = "crawls", "2026/11/CC-MAIN 00001+part.warc.gz"
PAGES = repository_pages()


class Stack:
    """The pipeline and the archive work on one set of fakes, with a queue drained by hand."""

    def __init__(self, *, mode: str = "documents", range_pages: int = 6) -> None:
        self.pages = InMemoryPages()
        self.documents = InMemoryDocuments()
        self.publisher = RecordingPublisher()
        self.queue = InMemoryQueue()
        self.runs = InMemoryRuns()
        self.work = ArchiveWork(archives=InMemoryArchives(self.pages), documents=self.documents, publisher=self.publisher,
                                runs=self.runs, queue=self.queue, range_pages=range_pages)
        self.pipeline = Pipeline(pages=self.pages, documents=self.documents, publisher=self.publisher, state=InMemoryState(),
                                 archives=ArchiveHandover(self.queue, mode=OutputMode(mode)))
        self._sequencer = 0

    def upload(self, data: bytes, key: str = KEY) -> object:
        stored = self.pages.put(BUCKET, key, data, content_type="application/warc")
        self._sequencer += 1
        change = ObjectChange(BUCKET, key, ChangeKind.CREATED, version_id=stored.version_id, etag=stored.etag,
                              size=stored.size, sequencer=f"{self._sequencer:016X}")
        return self.pipeline.process(change)

    def delete(self, key: str = KEY) -> object:
        self.pages.delete(BUCKET, key)
        self._sequencer += 1
        return self.pipeline.process(ObjectChange(BUCKET, key, ChangeKind.DELETED, sequencer=f"{self._sequencer:016X}"))

    def drain(self, *, shuffle: int | None = None, invocation=None, fail=None) -> list[object]:  # noqa: ANN001
        """Run every queued task (and those they send), in order or shuffled; a task that
        raises goes back on the queue, as SQS would redeliver it."""
        outcomes, rounds = [], 0
        rng = random.Random(shuffle)
        while self.queue.messages:
            rounds += 1
            assert rounds < 10_000, "the run does not end"
            if shuffle is not None:
                rng.shuffle(self.queue.messages)
            body = self.queue.messages.pop(0)
            assert is_task_message(body)
            try:
                if fail is not None:
                    fail()
                outcomes.append(self.work.run(ArchiveTask.from_message(body), invocation() if invocation else None))
            except Exception:  # noqa: BLE001 - any error: SQS delivers the message again
                self.queue.messages.append(body)
        return outcomes

    def of(self, detail_type: DetailType) -> list[dict]:
        return [event.detail for event in self.publisher.events if event.detail_type is detail_type]


def archive(n: int = 20, *, seed: int = 1, faults: bool = True) -> object:
    return realistic_archive([(f"https://news.example/{seed}/{i}", PAGES[i % len(PAGES)][1]) for i in range(n)], seed=seed, faults=faults)


def test_an_upload_starts_a_run_that_gives_a_document_per_page_and_one_archive_extracted() -> None:
    stack, written = Stack(), archive()
    outcome = stack.upload(written.data)
    assert outcome.status is Status.ARCHIVE
    assert stack.publisher.events == []  # nothing of the archive is read by the upload's own change
    outcomes = stack.drain()
    captures = sum(e.warc_type in ("response", "resource") for e in written.entries)
    assert Counter(o.action for o in outcomes)["range"] == -(-captures // 6)  # six captures a range
    extracted = stack.of(DetailType.EXTRACTED)
    assert sorted(e["source"]["record"]["id"] for e in extracted) == sorted(p.record_id for p in written.pages)
    for event in stack.publisher.events:
        validate_event({"source": "pagesift", "detail-type": event.detail_type.value, "detail": event.detail})
    for detail in extracted:
        key = detail["document"]["key"]
        assert key == document_key(KEY, "documents/", detail["source"]["record"]["id"])
        assert detail["document"]["id"] == document_id(BUCKET, KEY, record=detail["source"]["record"]["id"])
        validate_document(stack.documents.documents[key].to_dict())
    failed = stack.of(DetailType.FAILED)
    assert sorted(f["error"]["type"] for f in failed) == ["CorruptRecord", "TruncatedRecord"]
    assert all("record" in f["source"] for f in failed)
    [summary] = stack.of(DetailType.ARCHIVE_EXTRACTED)
    assert summary["ranges"] == -(-captures // 6) and summary["mode"] == "documents"
    assert summary["documents"] == len(written.pages) == len(extracted)
    assert summary["pages"] == len(written.pages) + 2 and summary["failures"] == {"CorruptRecord": 1, "TruncatedRecord": 1}
    assert summary["skipped"] == dict(sorted(Counter(e.expect[5:] for e in written.expected("skip:")).items()))
    assert summary["change_id"] == summary["run"]


def test_ranges_in_any_order_and_delivered_again_give_the_same_events_once() -> None:
    stack, reference = Stack(), Stack()
    for each in (stack, reference):
        each.upload(archive(30).data)
    sent = list(stack.queue.messages)
    tasks = []
    original = stack.queue.send

    def keep(messages):  # noqa: ANN001 - every task sent, to deliver each again after the run
        tasks.extend(messages)
        original(messages)

    stack.queue.send = keep  # type: ignore[method-assign]
    stack.drain(shuffle=7)
    reference.drain()
    assert Counter(stack.publisher.detail_types()) == Counter(reference.publisher.detail_types())
    before = len(stack.publisher.events)
    for body in [*sent, *tasks]:
        if json.loads(body)["action"] != "prune":
            stack.work.run(ArchiveTask.from_message(body))
    stack.queue.messages.clear()  # a plan delivered again sends its ranges again: done already
    assert len(stack.publisher.events) == before


def _pointer(stack: Stack) -> dict:
    current = stack.pages.head(BUCKET, KEY)
    return {"bucket": BUCKET, "key": KEY, "version_id": current.version_id, "etag": current.etag, "size": current.size, "sequencer": None}


def test_shards_hold_the_same_documents_as_documents_mode() -> None:
    documents, shards = Stack(), Stack(mode="shards")
    for stack in (documents, shards):
        stack.upload(archive(25, faults=False).data)
        stack.drain()
    assert shards.of(DetailType.EXTRACTED) == []
    shard_events = shards.of(DetailType.SHARD_EXTRACTED)
    assert len(shard_events) == shards.of(DetailType.ARCHIVE_EXTRACTED)[0]["ranges"] >= 4
    lines = [json.loads(line) for e in shard_events for line in gzip.decompress(shards.documents.blobs[e["shard"]["key"]]).splitlines()]
    assert sum(e["shard"]["documents"] for e in shard_events) == len(lines)
    for line in lines:
        validate_document(line)
    by_id = {d.id: d.to_dict() for d in documents.documents.documents.values()}
    assert sorted(by_id) == sorted(line["id"] for line in lines)
    for line in lines:
        expected = by_id[line["id"]]
        assert {k: v for k, v in line.items() if k != "extraction"} == {k: v for k, v in expected.items() if k != "extraction"}
    assert shards.documents.documents == {}


def test_a_new_version_replaces_exactly_the_documents_of_the_old_one() -> None:
    stack = Stack()
    old = archive(12, seed=1, faults=False)
    stack.upload(old.data)
    stack.drain()
    old_keys = {k for k in stack.documents.documents}
    new = archive(8, seed=2, faults=False)
    stack.publisher.events.clear()
    stack.upload(new.data)
    stack.drain()
    new_keys = {document_key(KEY, "documents/", p.record_id) for p in new.pages}
    assert set(stack.documents.documents) == new_keys and not new_keys & old_keys
    deleted = stack.of(DetailType.DELETED)
    assert sorted(d["document"]["key"] for d in deleted) == sorted(old_keys)
    assert all(d["document"]["id"] == document_id(BUCKET, KEY, record=d["source"]["record"]["id"]) for d in deleted)
    assert len(stack.of(DetailType.EXTRACTED)) == len(new.pages)
    assert not [k for k in stack.documents.blobs if "/_runs/" in k and json.dumps(stack.of(DetailType.ARCHIVE_EXTRACTED)[0]["run"])[1:-1] not in k]


@pytest.mark.parametrize("mode", ["documents", "shards"])
def test_a_record_that_is_no_page_in_the_new_version_loses_its_document(mode: str) -> None:
    from tests.support.warcs import ArchiveWriter

    def version(changed: bool) -> bytes:
        writer = ArchiveWriter(seed=3)
        writer.warcinfo()
        for n, (kind, html) in enumerate([("kept", PAGES[0][1]), ("404", PAGES[1][1]), ("png", PAGES[2][1]), ("empty", PAGES[3][1]),
                                          ("reused", PAGES[4][1])]):
            url, record_id = f"https://v.example/{kind}", f"<urn:uuid:00000000-0000-4000-8000-00000000000{n}>"
            if not changed or kind == "kept":
                writer.exchange(url, html, record_id=record_id)
            elif kind == "404":
                writer.exchange(url, html, record_id=record_id, status="404 Not Found", expect="skip:not-ok")
            elif kind == "png":
                writer.exchange(url, b"\x89PNG\r\n\x1a\n" + bytes(100), record_id=record_id, content_type="image/png", expect="skip:not-html")
            elif kind == "empty":
                writer.exchange(url, b"", record_id=record_id, expect="broken:EmptyInput")
            else:  # a page whose id the kept page has: it fails, and the kept page's document stays
                writer.exchange(url, html, record_id="<urn:uuid:00000000-0000-4000-8000-000000000000>", expect="broken:DuplicateRecord")
        return writer.archive().data

    stack = Stack(mode=mode, range_pages=2)
    stack.upload(version(False))
    stack.drain()
    stack.publisher.events.clear()
    stack.upload(version(True))
    stack.drain()
    [summary] = stack.of(DetailType.ARCHIVE_EXTRACTED)
    assert (summary["documents"], summary["failures"]) == (1, {"DuplicateRecord": 1, "EmptyInput": 1})
    if mode == "documents":
        # The kept page is unchanged; the three that are no page any more go, each with its event, and so
        # does the page whose record is gone (the reused id's), by the prune.
        assert sorted(d.url for d in stack.documents.documents.values()) == ["https://v.example/kept"]
        assert sorted(d["source"]["record"]["id"][-3:] for d in stack.of(DetailType.DELETED)) == ["01>", "02>", "03>", "04>"]
    else:
        lines = [json.loads(line) for key, blob in stack.documents.blobs.items() if "/shards/" in key
                 for line in gzip.decompress(blob).splitlines()]
        assert [line["url"] for line in lines] == ["https://v.example/kept"]


def test_deleting_the_archive_removes_its_documents_and_shards_each_with_its_event() -> None:
    for mode in ("documents", "shards"):
        stack = Stack(mode=mode)
        stack.upload(archive(10, faults=False).data)
        stack.upload(realistic_archive(PAGES[:2]).data, key="other.warc.gz")  # a neighbour, left alone
        stack.drain()
        neighbour = {k for k in [*stack.documents.documents, *stack.documents.blobs] if k.startswith("documents/other.warc.gz/")}
        ours = [k for k in [*stack.documents.documents, *stack.documents.blobs] if k.startswith(f"documents/{KEY}/")]
        kept = sum(k.endswith(".json") for k in ours) if mode == "documents" else sum("/shards/" in k for k in ours)
        stack.publisher.events.clear()
        assert stack.delete().status is Status.DELETED
        stack.drain()
        left = {k for k in [*stack.documents.documents, *stack.documents.blobs]}
        assert left == neighbour
        if mode == "documents":
            assert len(stack.of(DetailType.DELETED)) == kept == 11  # ten pages and the resource
        else:
            assert len(stack.of(DetailType.SHARD_DELETED)) == kept >= 2 and stack.of(DetailType.DELETED) == []


def test_a_range_killed_anywhere_loses_nothing_and_repeats_nothing() -> None:
    reference = Stack()
    reference.upload(archive(20).data)
    reference.drain()
    expected = Counter(reference.publisher.detail_types())
    for seed in range(6):
        stack = Stack()
        stack.upload(archive(20).data)
        rng = random.Random(seed)
        writes = {"n": 0}
        original = stack.documents.write

        def dying_write(key, document, original=original, **options):  # noqa: ANN001
            writes["n"] += 1
            if rng.random() < 0.08:
                raise TransientError("the worker died")
            original(key, document, **options)

        stack.documents.write = dying_write  # type: ignore[method-assign]
        stack.publisher.failing = 2  # two PutEvents calls refused on the way, too
        stack.drain(shuffle=seed)
        assert Counter(stack.publisher.detail_types()) == expected, seed


def test_a_range_short_of_time_sends_itself_on_and_the_run_ends_the_same() -> None:
    reference = Stack(range_pages=1000)
    reference.upload(archive(20).data)
    reference.drain()
    clock = {"now": 0.0}

    def tick() -> float:
        clock["now"] += 0.4
        return clock["now"]

    stack = Stack(range_pages=1000)
    stack.upload(archive(20).data)
    outcomes = stack.drain(invocation=lambda: Invocation(deadline=clock["now"] + 8.0, margin_seconds=0.5, clock=tick))
    assert Counter(o.status for o in outcomes)["continued"] >= 2
    assert Counter(stack.publisher.detail_types()) == Counter(reference.publisher.detail_types())


def test_a_run_superseded_by_a_new_version_stops_and_the_new_one_wins() -> None:
    stack = Stack()
    old, new = archive(12, seed=1, faults=False), archive(6, seed=3, faults=False)
    stack.upload(old.data)
    stack.drain_one = stack.queue.messages.pop(0)  # the plan, held back
    stack.upload(new.data)
    stack.queue.messages.insert(0, stack.drain_one)
    outcomes = stack.drain()
    assert outcomes[0].status == "superseded"
    assert set(stack.documents.documents) == {document_key(KEY, "documents/", p.record_id) for p in new.pages}
    assert len(stack.of(DetailType.ARCHIVE_EXTRACTED)) == 1


@pytest.mark.parametrize("mode", [None, "whole"])
def test_plain_and_whole_gzip_archives_run_by_ranges_too(mode: str | None) -> None:
    stack = Stack()
    written = realistic_archive([(f"https://w.example/{i}", PAGES[i % len(PAGES)][1]) for i in range(15)], gzip_mode=mode)
    stack.upload(written.data)
    stack.drain()
    extracted = stack.of(DetailType.EXTRACTED)
    assert sorted(e["source"]["record"]["id"] for e in extracted) == sorted(p.record_id for p in written.pages)
    # Offsets and lengths of the records as written (decompressed ones, for an archive gzipped whole).
    placed = {e.record_id: (e.offset, e.length) for e in written.entries}
    assert all((e["source"]["record"]["offset"], e["source"]["record"]["length"]) == placed[e["source"]["record"]["id"]] for e in extracted)
    # Each range ends where the next begins: no range reads past its end into a failure of its own.
    failed = stack.of(DetailType.FAILED)
    assert sorted(f["error"]["type"] for f in failed) == sorted([e.expect[7:] for e in written.expected("broken:")] + (
        ["CorruptRecord"] if mode is None else []))  # the garbage between a plain archive's records
    captures = sum(e.warc_type in ("response", "resource") for e in written.entries)
    [summary] = stack.of(DetailType.ARCHIVE_EXTRACTED)
    assert summary["ranges"] == -(-captures // 6)
    assert summary["documents"] == len(extracted) and sum(summary["failures"].values()) == len(failed)


@pytest.mark.parametrize("mode", ["documents", "shards"])
def test_a_page_with_an_earlier_captures_record_id_fails_alone_and_overwrites_nothing(mode: str) -> None:
    written, firsts, again = archive_with_reused_ids([(f"https://d.example/{i}", PAGES[i][1]) for i in range(8)])
    stack = Stack(mode=mode, range_pages=5)  # the second captures in the same range as the first ones, and in later ones
    stack.upload(written.data)
    stack.drain()
    failed = stack.of(DetailType.FAILED)
    assert [(f["error"]["type"], f["source"]["record"]["offset"]) for f in failed] == [("DuplicateRecord", e.offset) for e in again]
    first_at = {e.record_id: e.offset for e in firsts}
    assert all(f"capture at {first_at[f['source']['record']['id']]}" in f["error"]["message"] for f in failed)
    [summary] = stack.of(DetailType.ARCHIVE_EXTRACTED)
    assert (summary["pages"], summary["documents"], summary["failures"]) == (17, 8, {"DuplicateRecord": 9})
    urls = sorted(e.url for e in firsts if e.expect == "page")
    if mode == "documents":
        assert sorted(d.url for d in stack.documents.documents.values()) == urls
    else:
        lines = [json.loads(line) for e in stack.of(DetailType.SHARD_EXTRACTED)
                 for line in gzip.decompress(stack.documents.blobs[e["shard"]["key"]]).splitlines()]
        assert sorted(line["url"] for line in lines) == urls
    stack.delete()
    stack.drain()
    assert len(stack.of(DetailType.DELETED)) == (8 if mode == "documents" else 0)  # each document once
    assert stack.documents.documents == {} and stack.documents.blobs == {}


def test_the_upload_of_an_archive_is_applied_once_and_ordered_like_any_change() -> None:
    stack = Stack()
    data = archive(4, faults=False).data
    stored = stack.pages.put(BUCKET, KEY, data)
    change = ObjectChange(BUCKET, KEY, ChangeKind.CREATED, version_id=stored.version_id, etag=stored.etag, size=stored.size, sequencer="01")
    stack.pipeline.process(change)
    assert stack.pipeline.process(change).duplicate  # the same upload delivered again
    assert len(stack.queue.messages) == 1
    assert json.loads(stack.queue.messages[0])["run"] == change_id(change)


def test_the_same_archive_again_rewrites_and_announces_nothing_but_its_counts() -> None:
    stack = Stack()
    data = archive(12, faults=False).data
    stack.upload(data)
    stack.drain()
    writes = stack.documents.writes
    stack.publisher.events.clear()
    stack.upload(data + b"")  # the same bytes, a new version
    stack.drain()
    assert stack.of(DetailType.EXTRACTED) == [] and stack.of(DetailType.DELETED) == []
    [summary] = stack.of(DetailType.ARCHIVE_EXTRACTED)
    assert summary["unchanged"] == summary["documents"] == 13
    assert stack.documents.writes - writes == summary["ranges"]  # its manifests only


def test_the_sample_archive_task_is_one_the_function_reads() -> None:
    from pathlib import Path

    event = json.loads((Path(__file__).resolve().parents[2] / "events" / "archive" / "sqs-archive-plan-task.json").read_text())
    [record] = event["Records"]
    assert is_task_message(record["body"])
    task = ArchiveTask.from_message(record["body"])
    assert (task.action, task.mode, task.archive["key"]) == ("plan", "documents", "crawls/2026/11/CC-MAIN-20261102-00001.warc.gz")
    # Messages of ExtractQueue are never taken for one.
    assert not is_task_message(json.dumps({"version": "0", "detail-type": "Object Created", "source": "aws.s3"}))


# Found by an adversarial review of the runs (each was a failure before its fix).

def _page_change(stack: Stack, key: str, data: bytes) -> ObjectChange:
    stored = stack.pages.put(BUCKET, key, data, content_type="text/html")
    stack._sequencer += 1
    return ObjectChange(BUCKET, key, ChangeKind.CREATED, version_id=stored.version_id, etag=stored.etag, size=stored.size,
                        sequencer=f"{stack._sequencer:016X}")


def test_a_replacing_run_retried_after_a_refused_put_announces_every_new_document() -> None:
    stack = Stack()
    stack.upload(archive(12, seed=1, faults=False).data)
    stack.drain()
    old = set(stack.documents.documents)
    stack.publisher.events.clear()
    new = archive(12, seed=2, faults=False)
    stack.upload(new.data)
    stack.publisher.failing = 1  # written, then the events refused: the retry must still announce them
    stack.drain()
    assert len(stack.of(DetailType.EXTRACTED)) == len(new.pages)
    assert stack.of(DetailType.ARCHIVE_EXTRACTED)[0]["unchanged"] == 0
    assert not old & set(stack.documents.documents)


def test_the_prune_is_sent_again_when_its_send_failed() -> None:
    stack = Stack()
    stack.upload(archive(12, seed=1, faults=False).data)
    stack.drain()
    old = set(stack.documents.documents)
    stack.upload(archive(8, seed=2, faults=False).data)
    send, armed = stack.queue.send, {"once": True}

    def failing_prune(messages):  # noqa: ANN001
        if armed["once"] and any('"action":"prune"' in m for m in messages):
            armed["once"] = False
            raise TransientError("SQS unavailable")
        send(messages)

    stack.queue.send = failing_prune  # type: ignore[method-assign]
    stack.drain()
    assert not old & set(stack.documents.documents) and len(stack.of(DetailType.ARCHIVE_EXTRACTED)) == 2


def test_delete_then_upload_again_before_the_prune_leaves_only_the_new_version() -> None:
    stack = Stack()
    stack.upload(archive(12, seed=1, faults=False).data)
    stack.drain()
    old = set(stack.documents.documents)
    stack.delete()
    new = archive(6, seed=2, faults=False)
    stack.upload(new.data)  # before the deletion's prune ran
    stack.drain()
    assert set(stack.documents.documents) == {document_key(KEY, "documents/", p.record_id) for p in new.pages}
    assert len(stack.of(DetailType.DELETED)) == len(old)


def test_a_page_becoming_an_archive_and_back_leaves_nothing_of_the_other() -> None:
    from tests.support.pages import article_bytes

    stack, key = Stack(), "mixed/object"
    stack.pipeline.process(_page_change(stack, key, article_bytes()))
    page_document = document_key(key, "documents/")
    stack.upload(archive(6, faults=False).data, key=key)
    stack.drain()
    assert page_document not in stack.documents.documents
    assert page_document in [d["document"]["key"] for d in stack.of(DetailType.DELETED)]
    stack.pipeline.process(_page_change(stack, key, article_bytes(title="A page again")))
    stack.drain()
    assert set(stack.documents.documents) == {page_document}


def test_records_without_an_id_and_unsafe_archive_keys_are_kept_and_removed_like_any() -> None:
    stack, key = Stack(), "crawl/./odd\x07.warc.gz"
    data = archive(6, faults=False).data
    import gzip as gzip_module

    # The first response record without its WARC-Record-ID.
    members, start = [], 0
    while start < len(data):
        inflater = zlib.decompressobj(31)
        body = inflater.decompress(data[start:])
        end = len(data) - len(inflater.unused_data)
        members.append(body)
        start = end
    first = next(i for i, m in enumerate(members) if b"WARC-Type: response" in m)
    members[first] = re.sub(rb"WARC-Record-ID: [^\r]*\r\n", b"", members[first], count=1)
    data = b"".join(gzip_module.compress(m, mtime=0) for m in members)
    stack.upload(data, key=key)
    stack.drain()
    documents = set(stack.documents.documents)
    assert any("offset_" in k for k in documents) and all(k.startswith("documents/crawl/_/odd") for k in documents)
    stack.upload(data + b"\n", key=key)  # a new version of the same records: nothing of the run's own goes
    stack.drain()
    assert set(stack.documents.documents) == documents
    stack.delete(key)
    stack.drain()
    assert stack.documents.documents == {} and stack.documents.blobs == {}


def test_what_lies_under_an_archive_key_but_is_not_its_own_is_left_alone() -> None:
    stack = Stack()
    stack.upload(archive(6, seed=1, faults=False).data, key="a.warc.gz/inner.warc.gz")
    stack.drain()
    inner = {k for k in [*stack.documents.documents, *stack.documents.blobs]}
    stack.upload(archive(6, seed=2, faults=False).data, key="a.warc.gz")
    stack.drain()
    stack.upload(archive(4, seed=3, faults=False).data, key="a.warc.gz")
    stack.drain()
    stack.delete("a.warc.gz")
    stack.drain()
    assert {k for k in [*stack.documents.documents, *stack.documents.blobs]} == inner


def test_a_range_index_past_the_plan_never_completes_a_run() -> None:
    stack = Stack()
    stack.upload(archive(20, faults=False).data)
    stack.work.run(ArchiveTask.from_message(stack.queue.messages.pop(0)))
    last = stack.queue.messages.pop()
    forged = json.loads(last)
    forged.update(index=999, start=10**12)
    stack.queue.messages.append(json.dumps(forged))
    stack.drain()
    assert stack.of(DetailType.ARCHIVE_EXTRACTED) == []
    stack.queue.messages.append(last)
    stack.drain()
    assert len(stack.of(DetailType.ARCHIVE_EXTRACTED)) == 1


@pytest.mark.parametrize("body", [
    '{"pagesift-archive-task":1}', '{"pagesift-archive-task":1,"action":"plan","archive":null,"run":"r"}',
    '{"pagesift-archive-task":1,"action":"rm","archive":{"bucket":"b","key":"k"},"run":"r"}',
    '{"pagesift-archive-task":1,"action":"range","archive":{"bucket":"b","key":"k"},"run":"r","index":"0"}',
    '{"pagesift-archive-task":1,"action":"range","archive":{"bucket":"b","key":"k"},"run":"r","start":-5}', "[1]", "not json",
])
def test_a_message_that_is_no_task_is_refused_with_a_reason(body: str) -> None:
    with pytest.raises(ValueError):
        ArchiveTask.from_message(body)
