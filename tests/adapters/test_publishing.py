"""The EventBridge adapter: ten a call, only failed entries resent; past the attempts they are
reported as not put, each in its place, and the calls that work still go out."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from pagesift.aws.eventbridge import EventBridgePublisher as EventPublisher
from pagesift.contracts.events import DetailType, Event


class FlakyEvents:
    """A PutEvents client whose first ``failures`` calls fail the entries whose detail ``n`` is
    in ``failing``."""

    def __init__(self, failing: set[int], failures: int) -> None:
        self.calls: list[list[dict]] = []
        self.failing = failing
        self.failures = failures
        self.counter = 0

    def put_events(self, Entries):  # noqa: N803 - boto3's parameter name
        self.calls.append(Entries)
        results = []
        for entry in Entries:
            if len(self.calls) <= self.failures and json.loads(entry["Detail"])["n"] in self.failing:
                results.append({"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"})
            else:
                self.counter += 1
                results.append({"EventId": f"id-{self.counter}"})
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


def events(n: int) -> list[Event]:
    return [Event(DetailType.EXTRACTED, {"n": i}) for i in range(n)]


def test_only_failed_entries_are_resent_and_ids_keep_their_order():
    client = FlakyEvents({1}, failures=2)
    publisher = EventPublisher(client, bus_name="bus", sleep=lambda _s: None)
    ids = publisher.publish(events(3)).ids
    assert len(client.calls) == 3
    assert [json.loads(e["Detail"])["n"] for e in client.calls[1]] == [1]
    assert [json.loads(e["Detail"])["n"] for e in client.calls[2]] == [1]
    assert ids == ["id-1", "id-3", "id-2"]


def test_entries_that_keep_failing_are_reported_not_put_in_their_place():
    client = FlakyEvents({0, 12}, failures=100)
    publisher = EventPublisher(client, bus_name="bus", attempts=3, sleep=lambda _s: None)
    published = publisher.publish(events(13))
    assert [i for i, event_id in enumerate(published.ids) if event_id is None] == [0, 12]
    assert not published.complete and "ThrottlingException" in published.error
    assert [len(call) for call in client.calls] == [10, 1, 1, 3, 1, 1]


class DownEvents:
    """A PutEvents client that answers ``answering`` calls, then raises as botocore does
    once its own retries are spent."""

    def __init__(self, answering: int) -> None:
        self.answering, self.calls = answering, 0

    def put_events(self, Entries):  # noqa: N803 - boto3's parameter name
        self.calls += 1
        if self.calls > self.answering:
            raise ConnectionError("Could not connect to the endpoint URL")
        return {"FailedEntryCount": 0, "Entries": [{"EventId": f"id-{self.calls}-{i}"} for i in range(len(Entries))]}


def test_a_call_that_raises_leaves_it_and_the_rest_not_put_without_more_calls():
    client = DownEvents(answering=1)
    published = EventPublisher(client, bus_name="bus", sleep=lambda _s: None).publish(events(25))
    assert all(published.ids[:10]) and published.ids[10:] == [None] * 15
    assert client.calls == 2 and "Could not connect" in published.error


def test_more_than_ten_events_are_split_into_calls():
    client = FlakyEvents(set(), failures=0)
    published = EventPublisher(client, bus_name="bus").publish(events(23))
    assert [len(call) for call in client.calls] == [10, 10, 3]
    assert len(published.ids) == 23 and published.complete and published.error is None


def test_publishes_to_a_real_bus_on_moto():
    with mock_aws():
        client = boto3.client("events", region_name="us-east-1")
        client.create_event_bus(Name="docs")
        [event_id] = EventPublisher(client, bus_name="docs").publish([Event(DetailType.DELETED, {"source": {}})]).ids
        assert event_id


class SizeLimitedEvents:
    """A PutEvents client that refuses, as AWS does, a call whose entries add up past 256 KB."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def put_events(self, Entries):  # noqa: N803 - boto3's parameter name
        from botocore.exceptions import ClientError

        from pagesift.aws.eventbridge import entry_bytes

        size = sum(entry_bytes(entry) for entry in Entries)
        self.calls.append(size)
        if size > 256 * 1024 or len(Entries) > 10:
            raise ClientError({"Error": {"Code": "ValidationException", "Message": "Total size of the entries in the request is over the limit."}},
                              "PutEvents")
        return {"FailedEntryCount": 0, "Entries": [{"EventId": f"id-{len(self.calls)}-{i}"} for i in range(len(Entries))]}


def test_calls_are_cut_by_size_as_well_as_by_count():
    # nine pages with 10,000-character Chinese titles (about 30 KB of detail each) among small ones
    big = [Event(DetailType.EXTRACTED, {"n": i, "title": "标题" * 5_000}) for i in range(9)]
    small = [Event(DetailType.EXTRACTED, {"n": 100 + i}) for i in range(16)]
    client = SizeLimitedEvents()
    published = EventPublisher(client, bus_name="bus").publish(big + small)
    assert published.complete and len(published.ids) == 25
    assert all(size <= 256 * 1024 for size in client.calls) and client.calls[0] > 200_000  # 8 big ones, then the rest


def test_a_call_refused_for_what_it_carries_fails_alone():
    huge = Event(DetailType.EXTRACTED, {"n": 0, "text": "x" * 300_000})  # over the limit by itself
    client = SizeLimitedEvents()
    published = EventPublisher(client, bus_name="bus").publish([Event(DetailType.EXTRACTED, {"n": 1}), huge, Event(DetailType.EXTRACTED, {"n": 2})])
    assert published.ids[0] and published.ids[1] is None and published.ids[2]
    assert "ValidationException" in published.error
