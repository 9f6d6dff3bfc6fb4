"""The same checks on the in-memory fakes (tests/support/fakes.py) and on the boto3 adapters on moto,
so that the pipeline's rules tested on the fakes hold on AWS too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pagesift.aws.dynamodb import DynamoDBStateStore, last_error
from pagesift.aws.eventbridge import EventBridgePublisher
from pagesift.aws.s3 import S3DocumentStore, S3PageSource
from pagesift.contracts.events import DetailType, Event
from pagesift.extraction.limits import Limits
from pagesift.contracts.ports import ObjectGone
from pagesift.delivery.ports import AlreadyApplied, Applied, ObjectBusy
from tests.support.fakes import InMemoryDocuments, InMemoryPages, InMemoryState, RecordingPublisher, a_document

REGION = "us-east-1"
BUCKET, KEY = "input-bucket", "deep/a b+c/ünï.html"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["fake", "aws"])
def ports(request) -> Iterator[dict[str, Any]]:
    clock = Clock()
    limits = Limits(max_input_bytes=1_000)
    if request.param == "fake":
        pages = InMemoryPages(limits=limits)
        memory = InMemoryState(clock=clock)
        yield {"clock": clock, "state": memory, "last_error": lambda: memory.state(BUCKET, KEY).get("last_error"), "documents": InMemoryDocuments(), "publisher": RecordingPublisher(),
               "pages": pages, "put": lambda data: pages.put(BUCKET, KEY, data).version_id,
               "delete": lambda version=None: pages.delete(BUCKET, KEY, version)}
        return
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in (BUCKET, "documents-bucket"):
            s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(TableName="state", AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        events = boto3.client("events", region_name=REGION)
        events.create_event_bus(Name="bus")
        store = DynamoDBStateStore(dynamodb, "state", clock=clock)

        def recorded_error() -> str | None:
            item = dynamodb.get_item(TableName="state", Key={"id": {"S": store.item_id(BUCKET, KEY)}})["Item"]
            error = last_error(item)
            return error[0] if error else None

        yield {"clock": clock, "state": store, "last_error": recorded_error,
               "documents": S3DocumentStore(s3, bucket="documents-bucket", prefix="documents/"),
               "publisher": EventBridgePublisher(events, bus_name="bus"), "pages": S3PageSource(s3, limits=limits),
               "put": lambda data: s3.put_object(Bucket=BUCKET, Key=KEY, Body=data)["VersionId"],
               "delete": lambda version=None: s3.delete_object(Bucket=BUCKET, Key=KEY, **({"VersionId": version} if version else {})).get("VersionId")}


OUTCOME = {"status": "extracted", "event_id": "e-1", "document_id": "d" * 32}
APPLIED = Applied("0" * 63 + "A", "v1", "etag", "2026-01-01T00:00:00+00:00", "t" * 64, "c" * 64, deleted=False)


def test_a_lease_is_exclusive_until_it_expires(ports):
    state, clock = ports["state"], ports["clock"]
    first = state.acquire(BUCKET, KEY, "one", 60, "change-one")
    assert (first.sequencer, first.dirty, first.deleted) == (None, False, False)
    with pytest.raises(ObjectBusy):
        state.acquire(BUCKET, KEY, "two", 60, "change-two")
    clock.now += 61
    assert state.acquire(BUCKET, KEY, "two", 60, "change-two").dirty is True  # the first owner's mark stayed


def test_commit_records_the_state_and_frees_the_object(ports):
    state = ports["state"]
    state.acquire(BUCKET, KEY, "one", 60, "change-one")
    state.commit(BUCKET, KEY, "one", APPLIED, change_id="change-one", outcome=OUTCOME)
    seen = state.acquire(BUCKET, KEY, "two", 60, "change-two")
    assert (seen.sequencer, seen.version_id, seen.etag, seen.text_sha256, seen.content_sha256) == (
        APPLIED.sequencer, "v1", "etag", APPLIED.text_sha256, APPLIED.content_sha256)
    assert (seen.dirty, seen.deleted) == (False, False)


def test_the_change_last_committed_is_already_applied_with_its_outcome(ports):
    state, clock = ports["state"], ports["clock"]
    state.acquire(BUCKET, KEY, "one", 60, "change-one")
    state.commit(BUCKET, KEY, "one", APPLIED, change_id="change-one", outcome=OUTCOME)
    with pytest.raises(AlreadyApplied) as duplicate:
        state.acquire(BUCKET, KEY, "again", 60, "change-one")
    assert duplicate.value.outcome == OUTCOME
    state.acquire(BUCKET, KEY, "two", 60, "change-two")  # another change takes it
    with pytest.raises(AlreadyApplied):  # even while the object is leased: it was applied
        state.acquire(BUCKET, KEY, "again", 60, "change-one")
    clock.now += 61
    with pytest.raises(AlreadyApplied):
        state.acquire(BUCKET, KEY, "again", 60, "change-one")


def test_release_keeps_why_and_a_commit_clears_it(ports):
    state = ports["state"]
    state.acquire(BUCKET, KEY, "one", 60, "change-one")
    state.release(BUCKET, KEY, "one", dirty=None, error="EventsNotPublished: 1 of 1 events not put")
    assert ports["last_error"]() == "EventsNotPublished: 1 of 1 events not put"
    state.acquire(BUCKET, KEY, "two", 60, "change-two")
    state.commit(BUCKET, KEY, "two", APPLIED, change_id="change-two", outcome=OUTCOME)
    assert ports["last_error"]() is None


def test_commit_without_the_lease_is_refused(ports):
    state, clock = ports["state"], ports["clock"]
    state.acquire(BUCKET, KEY, "one", 60, "change-one")
    clock.now += 61
    state.acquire(BUCKET, KEY, "two", 60, "change-two")
    with pytest.raises(ObjectBusy):
        state.commit(BUCKET, KEY, "one", APPLIED, change_id="change-one", outcome=OUTCOME)


def test_release_puts_the_dirty_mark_back_or_leaves_it(ports):
    state = ports["state"]
    state.acquire(BUCKET, KEY, "one", 60, "change-one")
    state.release(BUCKET, KEY, "one", dirty=False)
    assert state.acquire(BUCKET, KEY, "two", 60, "change-two").dirty is False
    state.release(BUCKET, KEY, "two", dirty=None)  # something may have been written
    assert state.acquire(BUCKET, KEY, "three", 60, "change-three").dirty is True
    state.release(BUCKET, KEY, "someone-else", dirty=False)  # not the owner: nothing happens
    with pytest.raises(ObjectBusy):
        state.acquire(BUCKET, KEY, "four", 60, "change-four")


def test_pages_are_read_within_the_limit_and_gone_when_deleted(ports):
    pages = ports["pages"]
    ports["put"](b"<p>small</p>")
    stored = pages.read(BUCKET, KEY)
    assert stored.data == b"<p>small</p>" and stored.version_id and stored.etag and '"' not in stored.etag
    head = pages.head(BUCKET, KEY)
    assert head is not None and head.data is None and (head.version_id, head.etag, head.size) == (stored.version_id, stored.etag, stored.size)
    ports["put"](b"x" * 2_000)
    big = pages.read(BUCKET, KEY)
    assert big.data is None and big.size > 1_000
    ports["delete"]()
    assert pages.head(BUCKET, KEY) is None
    with pytest.raises(ObjectGone):
        pages.read(BUCKET, KEY)


def test_documents_are_written_found_and_deleted(ports):
    documents = ports["documents"]
    document = a_document(KEY)
    key = f"documents/{KEY}.json"
    assert not documents.exists(key)
    documents.write(key, document)
    assert documents.exists(key)
    documents.delete(key)
    assert not documents.exists(key)
    documents.delete(key)  # deleting what is gone is not an error


def test_events_get_ids_in_their_order(ports):
    published = ports["publisher"].publish([Event(DetailType.DELETED, {"n": i}) for i in range(12)])
    assert len(published.ids) == len(set(published.ids)) == 12 and published.complete


def test_versions_roll_back_and_delete_markers_come_off(ports):
    pages = ports["pages"]
    first = ports["put"](b"<p>first</p>")
    second = ports["put"](b"<p>second</p>")
    assert pages.read(BUCKET, KEY).version_id == second
    ports["delete"](second)  # the current version, for good: the previous one is current again
    assert (pages.read(BUCKET, KEY).data, pages.read(BUCKET, KEY).version_id) == (b"<p>first</p>", first)
    marker = ports["delete"]()  # a delete marker
    assert marker and pages.head(BUCKET, KEY) is None
    ports["delete"](marker)  # the marker comes off: the page is back
    assert pages.read(BUCKET, KEY).version_id == first
