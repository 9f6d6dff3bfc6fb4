"""The seam for objects that hold many pages (pagesift.delivery.readers): a reader that yields a
page per record gives each its own document, id, key and event, through the same pipeline.
A stand-in reader splits an object on a marker; the web-archive reader is to come."""

from __future__ import annotations

from collections.abc import Iterator

import jsonschema
import pytest

from pagesift.contracts.document import Record, Source, document_id, document_key, record_name
from pagesift.extraction.steps import Page
from pagesift.delivery.pipeline import EventsNotPublished, Pipeline, Status
from pagesift.contracts.ports import StoredObject
from pagesift.contracts.schemas import load as load_schema
from pagesift.delivery.triggers import ChangeKind, ObjectChange
from tests.support.fakes import InMemoryDocuments, InMemoryPages, InMemoryState, RecordingPublisher
from tests.support.pages import article_bytes

BUCKET, KEY = "input-bucket", "crawls/2026/part 1+2.pages"
SPLIT = b"\n<!-- next record -->\n"


class SplittingReader:
    """Stands in for a web-archive reader: each part of the object is a record."""

    def pages(self, stored: StoredObject, source: Source) -> Iterator[Page]:
        offset = 0
        assert stored.data is not None
        for number, part in enumerate(stored.data.split(SPLIT), start=1):
            record = Record(id=f"r{number}", offset=offset, length=len(part), date="2026-01-01T00:00:00Z", payload_digest=None)
            offset += len(part) + len(SPLIT)
            yield Page(data=part, source=Source(**{**source.to_dict(), "record": record}), url=f"https://example.org/{number}")


@pytest.fixture
def world():
    pages, documents, publisher, state = InMemoryPages(), InMemoryDocuments(), RecordingPublisher(), InMemoryState()
    pipeline = Pipeline(pages=pages, documents=documents, publisher=publisher, state=state, reader=SplittingReader())
    stored = pages.put(BUCKET, KEY, article_bytes(title="First story") + SPLIT + article_bytes(title="Second story"))
    change = ObjectChange(BUCKET, KEY, ChangeKind.CREATED, version_id=stored.version_id, etag=stored.etag, sequencer="01")
    return pipeline, change, documents, publisher


def test_each_record_is_its_own_document_with_its_own_id_key_and_event(world):
    pipeline, change, documents, publisher = world
    outcome = pipeline.process(change)
    assert outcome.status is Status.EXTRACTED
    keys = [document_key(KEY, "documents/", "r1"), document_key(KEY, "documents/", "r2")]
    assert sorted(documents.documents) == keys
    ids = {documents.documents[key].id for key in keys}
    assert ids == {document_id(BUCKET, KEY, record="r1"), document_id(BUCKET, KEY, record="r2")}
    assert document_id(BUCKET, KEY) not in ids
    assert [event.detail["document"]["key"] for event in publisher.events] == keys
    for key, event in zip(keys, publisher.events, strict=True):
        document = documents.documents[key].to_dict()
        jsonschema.validate(document, load_schema("document"))
        assert record_name(document["source"]["record"]["id"]) == key.rsplit("/", 1)[1].removesuffix(".json")
        envelope = {"source": "pagesift", "detail-type": event.detail_type.value, "detail": event.detail}
        jsonschema.validate(envelope, load_schema(event.detail_type.value))
        assert event.detail["source"]["record"] == document["source"]["record"]
    assert documents.documents[keys[1]].title.startswith("Second")
    assert documents.documents[keys[1]].source.record.offset > 0


def test_a_one_page_object_keeps_the_id_and_key_it_always_had():
    assert document_key(KEY, "documents/") == f"documents/{KEY}.json"
    assert document_id(BUCKET, KEY) != document_id(BUCKET, KEY, record="r1")
    # A record's id is not the id of an object whose name looks like it.
    assert document_id(BUCKET, KEY, record="r1") != document_id(BUCKET, f"{KEY}#r1")


def test_the_same_object_again_is_unchanged_as_a_whole(world):
    pipeline, change, documents, publisher = world
    pipeline.process(change)
    again = ObjectChange(BUCKET, KEY, ChangeKind.CREATED, sequencer="02")
    assert pipeline.process(again).status is Status.UNCHANGED
    assert (documents.writes, len(publisher.events)) == (2, 2)


def test_events_put_before_a_failed_publish_go_out_again_on_the_retry(world):
    # The window docs/reliability.md names: a delivery whose events went out in part is
    # retried whole, and the events that went out are repeated (never a stale one).
    pipeline, change, documents, publisher = world
    publisher.failing, publisher.failing_after = 1, 1
    with pytest.raises(EventsNotPublished):
        pipeline.process(change)
    assert pipeline.process(change).status is Status.EXTRACTED
    assert [event.detail["document"]["key"].rsplit("/", 1)[1] for event in publisher.events] == [f"{record_name(r)}.json" for r in ("r1", "r1", "r2")]
