"""The reference indexer's core on an in-memory reader and the real SqliteSink: upserts, deletes,
shards, duplicates dropped by change_id, late events never overwriting newer ones, and messages
that cannot be applied reported, never raised (pagesift_index.consumer)."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from pagesift_index.changes import MalformedEvent, read_change
from pagesift_index.consumer import DocumentMissing, Indexer, Status
from pagesift_index.sqlite import Filters, IndexUnusable, SqliteSink, match_expression

BUCKET = "documents-bucket"


class FakeDocuments:
    """The documents bucket: key -> bytes."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def read(self, bucket: str, key: str) -> bytes:
        if bucket != BUCKET or key not in self.objects:
            raise DocumentMissing(f"s3://{bucket}/{key} is not there")
        return self.objects[key]

    def put_document(self, document: dict[str, Any]) -> str:
        key = f"documents/{document['id']}.json"
        self.objects[key] = json.dumps(document).encode("utf-8")
        return key

    def put_shard(self, key: str, documents: list[dict[str, Any]]) -> None:
        lines = "".join(json.dumps(document) + "\n" for document in documents)
        self.objects[key] = gzip.compress(lines.encode("utf-8"))


def document(number: int, text: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"{number:032x}",
        "url": f"https://news.example/{number}",
        "hostname": "news.example",
        "title": f"Story {number}",
        "language": "en",
        "date": "2026-11-0" + str(number % 9 + 1),
        "page_type": "article",
        "markdown": f"## Section\n\n{text}",
        "stats": {"words": len(text.split())},
        **fields,
    }


def change(n: int) -> str:
    return f"{n:032x}"


def envelope(detail_type: str, detail: dict[str, Any]) -> str:
    return json.dumps({"version": "0", "id": "e", "source": "pagesift", "detail-type": detail_type, "detail": detail})


def extracted(doc: dict[str, Any], key: str, *, change_id: str, sequencer: str | None) -> str:
    pointer = {"bucket": BUCKET, "key": key, "id": doc["id"]}
    return envelope(
        "Document Extracted",
        {"change_id": change_id, "source": {"key": "page.html", "sequencer": sequencer}, "document": pointer},
    )


def deleted(doc_id: str, key: str, *, change_id: str, sequencer: str | None) -> str:
    pointer = {"bucket": BUCKET, "key": key, "id": doc_id}
    return envelope(
        "Document Deleted",
        {"change_id": change_id, "source": {"key": "page.html", "sequencer": sequencer}, "document": pointer},
    )


def shard_event(kind: str, key: str, *, change_id: str, sequencer: str) -> str:
    detail = {"change_id": change_id, "source": {"key": "crawl.warc.gz", "sequencer": sequencer}}
    shard = {"bucket": BUCKET, "key": key}
    if kind == "Shard Extracted":
        shard.update(range=0, documents=0, bytes=0)
        detail["run"] = change_id
    return envelope(kind, {**detail, "shard": shard})


@pytest.fixture
def world() -> Iterator[tuple[Indexer, SqliteSink, FakeDocuments]]:
    sink, documents = SqliteSink.open(":memory:"), FakeDocuments()
    yield Indexer(sink, documents), sink, documents
    sink.close()


def texts(sink: SqliteSink, doc_id: str) -> list[str]:
    return [text for _, _, text in sink.chunks_of(doc_id)]


def test_a_document_is_upserted_with_its_chunks_and_found(world: Any) -> None:
    indexer, sink, documents = world
    doc = document(1, "The harbour authority approved the new ferry timetable.")
    outcome = indexer.apply(extracted(doc, documents.put_document(doc), change_id=change(1), sequencer="0A"))
    assert outcome.status is Status.UPSERTED and outcome.upserted == 1
    assert sink.document_ids() == [doc["id"]]
    assert sink.chunks_of(doc["id"])[0][1:] == (["Section"], "The harbour authority approved the new ferry timetable.")
    [hit] = sink.search("ferry timetable")
    assert (hit.document_id, hit.title, hit.heading_path) == (doc["id"], "Story 1", ["Section"])
    assert "**ferry**" in hit.snippet


def test_a_re_upsert_replaces_the_chunks(world: Any) -> None:
    indexer, sink, documents = world
    doc = document(1, "First version about tides.")
    key = documents.put_document(doc)
    indexer.apply(extracted(doc, key, change_id=change(1), sequencer="0A"))
    doc = document(1, "Second version about harbours.")
    documents.put_document(doc)
    assert indexer.apply(extracted(doc, key, change_id=change(2), sequencer="0B")).status is Status.UPSERTED
    assert texts(sink, doc["id"]) == ["Second version about harbours."]
    assert sink.search("tides") == [] and len(sink.search("harbours")) == 1


def test_a_deletion_removes_the_document_and_its_chunks(world: Any) -> None:
    indexer, sink, documents = world
    doc = document(1, "Soon gone.")
    key = documents.put_document(doc)
    indexer.apply(extracted(doc, key, change_id=change(1), sequencer="0A"))
    outcome = indexer.apply(deleted(doc["id"], key, change_id=change(2), sequencer="0B"))
    assert (outcome.status, outcome.deleted) == (Status.DELETED, 1)
    assert sink.document_ids() == [] and texts(sink, doc["id"]) == [] and sink.search("gone") == []


def test_a_duplicate_change_id_is_skipped(world: Any) -> None:
    indexer, sink, documents = world
    doc = document(1, "Announced twice.")
    message = extracted(doc, documents.put_document(doc), change_id=change(1), sequencer="0A")
    assert indexer.apply(message).status is Status.UPSERTED
    documents.objects.clear()  # a duplicate is known before anything is read
    assert indexer.apply(message).status is Status.DUPLICATE
    assert sink.document_ids() == [doc["id"]]


def test_an_older_change_after_a_newer_one_is_ignored(world: Any) -> None:
    indexer, sink, documents = world
    old, new = document(1, "Old text."), document(1, "New text.")
    key = documents.put_document(new)
    assert indexer.apply(extracted(new, key, change_id=change(2), sequencer="1F")).status is Status.UPSERTED
    # S3 sequencers compare as hex strings of one width: "0F" is before "1F", "1F" before "100".
    assert indexer.apply(extracted(old, key, change_id=change(1), sequencer="0F")).status is Status.STALE
    assert texts(sink, new["id"]) == ["New text."]
    assert indexer.apply(deleted(new["id"], key, change_id=change(3), sequencer="100")).status is Status.DELETED
    late = indexer.apply(extracted(new, key, change_id=change(2), sequencer="1F"))
    assert late.status is Status.DUPLICATE
    assert indexer.apply(extracted(old, key, change_id=change(4), sequencer="FF")).status is Status.STALE
    assert sink.document_ids() == []  # a deletion is remembered: a late older event does not bring it back


def test_a_change_without_a_sequencer_is_applied_and_keeps_the_last_one(world: Any) -> None:
    indexer, sink, documents = world
    doc = document(1, "Backfilled.")
    key = documents.put_document(doc)
    indexer.apply(extracted(doc, key, change_id=change(1), sequencer="20"))
    assert indexer.apply(extracted(doc, key, change_id=change(2), sequencer=None)).status is Status.UPSERTED
    assert indexer.apply(extracted(doc, key, change_id=change(3), sequencer="10")).status is Status.STALE


def test_a_shard_upserts_every_document_and_its_deletion_removes_them(world: Any) -> None:
    indexer, sink, documents = world
    docs = [document(n, f"Archived page number {n} about lighthouses.") for n in range(1, 4)]
    documents.put_shard("documents/crawl.warc.gz/shards/run1/000000-000000000000.jsonl.gz", docs)
    key = "documents/crawl.warc.gz/shards/run1/000000-000000000000.jsonl.gz"
    outcome = indexer.apply(shard_event("Shard Extracted", key, change_id=change(9), sequencer="0A"))
    assert (outcome.status, outcome.upserted) == (Status.UPSERTED, 3)
    assert sink.document_ids() == [d["id"] for d in docs] and len(sink.search("lighthouses")) == 3
    assert (
        indexer.apply(shard_event("Shard Extracted", key, change_id=change(9), sequencer="0A")).status
        is Status.DUPLICATE
    )
    outcome = indexer.apply(shard_event("Shard Deleted", key, change_id=change(10), sequencer="0B"))
    assert (outcome.status, outcome.deleted) == (Status.DELETED, 3)
    assert sink.document_ids() == []
    # The deleted shard's announcement delivered late again (another change) brings nothing back.
    assert (
        indexer.apply(shard_event("Shard Extracted", key, change_id=change(11), sequencer="0A")).status is Status.STALE
    )


def test_a_new_versions_shard_keeps_the_documents_it_shares_with_the_old_one(world: Any) -> None:
    indexer, sink, documents = world
    old_key, new_key = (
        "documents/a.warc.gz/shards/old/000000-0.jsonl.gz",
        "documents/a.warc.gz/shards/new/000000-0.jsonl.gz",
    )
    documents.put_shard(old_key, [document(1, "Kept page."), document(2, "Dropped page.")])
    documents.put_shard(new_key, [document(1, "Kept page, new version.")])
    indexer.apply(shard_event("Shard Extracted", old_key, change_id=change(1), sequencer="0A"))
    indexer.apply(shard_event("Shard Extracted", new_key, change_id=change(2), sequencer="0B"))
    # The prune of the old version: its shard goes, with the one document the new version lacks.
    outcome = indexer.apply(shard_event("Shard Deleted", old_key, change_id=change(2), sequencer="0B"))
    assert outcome.deleted == 1
    assert sink.document_ids() == [document(1, "")["id"]]
    assert texts(sink, document(1, "")["id"]) == ["Kept page, new version."]


def test_one_change_of_an_archive_applies_to_each_of_its_documents(world: Any) -> None:
    # An archive's run announces all its documents under one change_id: it dedupes with the id.
    indexer, sink, documents = world
    first, second = document(1, "First record."), document(2, "Second record.")
    for doc in (first, second):
        assert indexer.apply(extracted(doc, documents.put_document(doc), change_id=change(7), sequencer="0A")).upserted
    assert sink.document_ids() == [first["id"], second["id"]]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"source": "someone.else", "detail-type": "Document Extracted", "detail": {}}),
        envelope("Document Extracted", {"change_id": "short", "document": {"bucket": BUCKET, "key": "k", "id": "x"}}),
        envelope("Document Extracted", {"change_id": change(1), "source": {}}),
        envelope("Document Deleted", {"change_id": change(1), "document": {"bucket": BUCKET, "key": "k"}}),
        envelope("Shard Extracted", {"change_id": change(1), "shard": {"key": "k"}}),
        envelope("Document Extracted", {"change_id": change(1), "source": {"sequencer": "not hex"}, "document": {}}),
    ],
)
def test_a_malformed_message_is_reported_not_raised(world: Any, body: str) -> None:
    indexer, sink, _ = world
    outcome = indexer.apply(body)
    assert outcome.status is Status.FAILED and not outcome.acknowledge and outcome.reason
    assert sink.document_ids() == []


def test_a_missing_or_broken_document_is_left_for_redrive(world: Any) -> None:
    indexer, sink, documents = world
    doc = document(1, "Never written.")
    missing = indexer.apply(extracted(doc, "documents/missing.json", change_id=change(1), sequencer="0A"))
    assert missing.status is Status.FAILED and "missing.json" in (missing.reason or "")
    documents.objects["documents/broken.json"] = b"{not json"
    broken = indexer.apply(extracted(doc, "documents/broken.json", change_id=change(1), sequencer="0A"))
    assert broken.status is Status.FAILED and "not JSON" in (broken.reason or "")
    other = documents.put_document(document(2, "Another document."))
    mismatch = indexer.apply(extracted(doc, other, change_id=change(1), sequencer="0A"))
    assert mismatch.status is Status.FAILED
    # Nothing was recorded: once the document is there, the same message applies.
    key = documents.put_document(doc)
    assert indexer.apply(extracted(doc, key, change_id=change(1), sequencer="0A")).status is Status.UPSERTED


def test_a_change_that_fails_while_writing_leaves_nothing_behind(world: Any) -> None:
    indexer, sink, documents = world

    def failing_chunker(document_id: str, markdown: str | None) -> list[Any]:
        raise RuntimeError("disk full")

    doc = document(1, "Half written?")
    key = documents.put_document(doc)
    with pytest.raises(RuntimeError):
        Indexer(sink, documents, chunker=failing_chunker).apply(
            extracted(doc, key, change_id=change(1), sequencer="0A")
        )
    assert sink.document_ids() == [] and not sink.has_change(change(1), doc["id"])
    assert indexer.apply(extracted(doc, key, change_id=change(1), sequencer="0A")).status is Status.UPSERTED


def test_failures_and_summaries_change_nothing(world: Any) -> None:
    indexer, sink, _ = world
    for kind in ("Document Extraction Failed", "Archive Extracted"):
        assert indexer.apply(envelope(kind, {"change_id": change(1), "source": {}})).status is Status.IGNORED
    assert sink.document_ids() == []


def test_search_filters_and_ranks_one_passage_per_document(world: Any) -> None:
    indexer, sink, documents = world
    docs = [
        document(1, "Ferry crossings resume. " * 3, language="en-GB", date="2026-01-05"),
        document(2, "A ferry strike.", hostname="other.example", date="2025-12-01", page_type="forum"),
        document(3, "Le ferry reprend.", language="fr", date=None),
    ]
    for n, doc in enumerate(docs, start=1):
        indexer.apply(extracted(doc, documents.put_document(doc), change_id=change(n), sequencer="0A"))
    assert [h.document_id for h in sink.search("ferry")] != [] and len(sink.search("ferry")) == 3
    assert [h.document_id for h in sink.search("ferry", filters=Filters(language="en"))] == [
        docs[0]["id"],
        docs[1]["id"],
    ]
    assert [h.document_id for h in sink.search("ferry", filters=Filters(host="OTHER.example"))] == [docs[1]["id"]]
    assert [h.document_id for h in sink.search("ferry", filters=Filters(since="2026-01-01"))] == [docs[0]["id"]]
    assert [h.document_id for h in sink.search("ferry", filters=Filters(page_type="forum"))] == [docs[1]["id"]]
    assert len(sink.search("ferry", limit=1)) == 1
    assert sink.search('"strike ferry"') == [] and len(sink.search('"ferry strike"')) == 1


def test_what_a_person_types_never_breaks_the_query() -> None:
    assert match_expression('ferry AND "night bus" NEAR( -x* c++') == '"ferry" "AND" "night bus" "NEAR" "x" "c"'
    assert match_expression("  ?! ") is None


def test_the_index_file_keeps_everything_and_search_needs_one(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    with pytest.raises(IndexUnusable, match="run `pagesift index` first"):
        SqliteSink.open_existing(path)
    sink, documents = SqliteSink.open(path), FakeDocuments()
    doc = document(1, "Stored on disk.")
    Indexer(sink, documents).apply(extracted(doc, documents.put_document(doc), change_id=change(1), sequencer="0A"))
    sink.close()
    again = SqliteSink.open_existing(path)
    assert again.document_ids() == [doc["id"]] and again.has_change(change(1), doc["id"])
    again.close()
    (tmp_path / "not-an-index").write_bytes(b"plain text, not SQLite" * 10)
    with pytest.raises(IndexUnusable, match="not a pagesift index"):
        SqliteSink.open_existing(tmp_path / "not-an-index")


def test_read_change_names_the_target_of_each_kind() -> None:
    doc_change = read_change(extracted(document(1, ""), "k.json", change_id=change(1), sequencer="a1"))
    assert (doc_change.target, doc_change.key, doc_change.sequencer) == (f"{1:032x}", "k.json", "A1".rjust(32, "0"))
    shard = read_change(shard_event("Shard Deleted", "s.jsonl.gz", change_id=change(1), sequencer="1"))
    assert shard.target == "shard:s.jsonl.gz"
    with pytest.raises(MalformedEvent):
        read_change(envelope("Shard Deleted", {"change_id": change(1), "shard": {"bucket": BUCKET}}))


def test_a_file_that_is_not_an_index_is_refused_in_one_line(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(IndexUnusable, match="not a pagesift index of schema 1"):
        SqliteSink.open_existing(other)  # searching never writes a schema into someone else's file
    (tmp_path / "not-an-index").write_bytes(b"plain text, not SQLite" * 10)
    with pytest.raises(IndexUnusable, match="not a pagesift index"):
        SqliteSink.open(tmp_path / "not-an-index")
    with pytest.raises(IndexUnusable, match="cannot open"):
        SqliteSink.open(tmp_path / "no such folder" / "index.sqlite3")
