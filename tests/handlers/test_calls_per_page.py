"""The AWS requests the handler makes per page, counted with botocore's event hooks on its own
clients (every attempt counts): the bill per page. A change costs two DynamoDB writes
(one taking it, one recording it), one GetObject, one PutObject, and a tenth of a PutEvents
call; a duplicate delivery costs one refused write and nothing else. These tests fail when any
count grows; benchmarks/cost.py prices them.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from typing import Any
from urllib.parse import quote_plus

import boto3

from tests.support.aws import INPUT_BUCKET, REGION, STATE_TABLE
from tests.support.deliveries import sqs_event, versioned_body
from tests.support.pages import article_bytes

DYNAMODB_ITEM_WRITE_UNIT_BYTES = 1024  # a write of an item over this costs two units or more


class CallCounter:
    """Every request the clients send, by ``service.Operation`` (retries included)."""

    def __init__(self, clients: list[Any]) -> None:
        self.calls: Counter[str] = Counter()
        for client in clients:
            client.meta.events.register_first("before-send", self)  # ahead of moto, which answers there

    def __call__(self, **kwargs: Any) -> None:
        self.calls[kwargs["event_name"].removeprefix("before-send.")] += 1

    def take(self) -> dict[str, int]:
        calls, self.calls = dict(self.calls), Counter()
        return calls


def counter(app) -> CallCounter:
    return CallCounter([app.s3, app.dynamodb, app.pipeline.publisher._events])


def upload(account, key: str, sequencer: str, **article: Any) -> str:
    stored = account.s3.put_object(Bucket=INPUT_BUCKET, Key=key, Body=article_bytes(**article), ContentType="text/html")
    return versioned_body("Object Created", encoded(key), stored["VersionId"], sequencer=sequencer, etag=stored["ETag"].strip('"'))


def encoded(key: str) -> str:
    return quote_plus(key, safe="/")  # as S3 puts keys in its events


def keys(n: int) -> list[str]:
    return [f"deep/pre fix/{i} ünï+code.html" for i in range(n)]


def test_a_batch_of_four_pages_makes_two_writes_a_page_and_one_put_events(account, app, context):
    calls = counter(app)
    bodies = [upload(account, key, f"{i + 1:02X}", title=f"Story {i}") for i, key in enumerate(keys(4))]
    assert app.lambda_handler(sqs_event(*bodies), context) == {"batchItemFailures": []}
    assert calls.take() == {"dynamodb.UpdateItem": 8, "s3.GetObject": 4, "s3.PutObject": 4, "eventbridge.PutEvents": 1}
    assert len(account.captured_events()) == 4


def test_a_duplicate_batch_costs_one_refused_write_a_page(account, app, context):
    bodies = [upload(account, key, f"{i + 1:02X}", title=f"Story {i}") for i, key in enumerate(keys(4))]
    app.lambda_handler(sqs_event(*bodies), context)
    account.captured_events()
    calls = counter(app)
    assert app.lambda_handler(sqs_event(*bodies), context) == {"batchItemFailures": []}
    assert calls.take() == {"dynamodb.UpdateItem": 4}
    assert account.captured_events() == []


def test_twenty_five_pages_put_their_events_ten_a_call(account, app, context):
    calls = counter(app)
    bodies = [upload(account, key, f"{i + 1:02X}", title=f"Story {i}") for i, key in enumerate(keys(25))]
    assert app.lambda_handler(sqs_event(*bodies), context) == {"batchItemFailures": []}
    assert calls.take() == {"dynamodb.UpdateItem": 50, "s3.GetObject": 25, "s3.PutObject": 25, "eventbridge.PutEvents": 3}


def test_a_failure_and_a_deletion_cost_two_writes_each(account, app, context):
    [key] = keys(1)
    stored = account.s3.put_object(Bucket=INPUT_BUCKET, Key=key, Body=b"\x89PNG\r\n\x1a\n" + bytes(64), ContentType="image/png")
    failed = versioned_body("Object Created", encoded(key), stored["VersionId"], sequencer="01", etag=stored["ETag"].strip('"'))
    calls = counter(app)
    app.lambda_handler(sqs_event(failed), context)
    assert calls.take() == {"dynamodb.UpdateItem": 2, "s3.GetObject": 1, "eventbridge.PutEvents": 1}
    app.lambda_handler(sqs_event(upload(account, key, "02")), context)
    calls.take()
    marker = account.s3.delete_object(Bucket=INPUT_BUCKET, Key=key)["VersionId"]
    app.lambda_handler(sqs_event(versioned_body("Object Deleted", encoded(key), marker, sequencer="03")), context)
    # HeadObject: is a version still current (a rollback)? DeleteObject of the document.
    assert calls.take() == {"dynamodb.UpdateItem": 2, "s3.HeadObject": 1, "s3.DeleteObject": 1, "eventbridge.PutEvents": 1}


def test_two_changes_of_one_object_in_a_batch_are_applied_in_turn(account, app, context):
    # The same bytes uploaded twice, named by ETag (no version id): the first is extracted and
    # its event pending when the second arrives, which finds the object held by its own round.
    # The round puts the first's event and records it, then takes the second: unchanged.
    [key] = keys(1)
    etags = [account.s3.put_object(Bucket=INPUT_BUCKET, Key=key, Body=article_bytes(), ContentType="text/html")["ETag"].strip('"')
             for _ in range(2)]
    bodies = [versioned_body("Object Created", encoded(key), sequencer=sequencer, etag=etag) for sequencer, etag in zip(("01", "02"), etags, strict=True)]
    calls = counter(app)
    assert app.lambda_handler(sqs_event(*bodies), context) == {"batchItemFailures": []}
    assert calls.take() == {"dynamodb.UpdateItem": 4, "s3.GetObject": 2, "s3.PutObject": 1, "eventbridge.PutEvents": 1}
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extracted"]
    [item] = boto3.client("dynamodb", region_name=REGION).scan(TableName=STATE_TABLE)["Items"]
    assert json.loads(item["outcome"]["S"])["status"] == "unchanged" and "lease_owner" not in item


def test_an_objects_item_stays_within_one_write_unit(account, app, context):
    """Each write is billed by the item's size, 1 KB a unit: the record of a change (its hashes,
    version, sequencer, id and outcome) must not push a typical item into a second unit."""
    key = "news/2026/12/03/a-typical-article-path-of-a-news-site.html"
    app.lambda_handler(sqs_event(upload(account, key, "0123456789ABCDEF01")), context)
    [item] = boto3.client("dynamodb", region_name=REGION).scan(TableName=STATE_TABLE)["Items"]
    assert item_bytes(item) < DYNAMODB_ITEM_WRITE_UNIT_BYTES - 200, item  # room for a longer key


def item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's item size: the UTF-8 length of each attribute's name and value."""

    def value_bytes(value: dict[str, Any]) -> int:
        [(kind, inner)] = value.items()
        if kind in ("S", "N"):
            return len(str(inner).encode("utf-8"))
        if kind == "BOOL":
            return 1
        if kind == "M":
            return 3 + sum(len(k.encode("utf-8")) + value_bytes(v) + 1 for k, v in inner.items())
        raise ValueError(kind)

    return sum(len(name.encode("utf-8")) + value_bytes(value) for name, value in item.items())


def test_an_item_given_up_with_its_reason_stays_within_one_write_unit(account, app, context, monkeypatch):
    from botocore.exceptions import EndpointConnectionError

    def unreachable(**_kwargs):
        raise EndpointConnectionError(endpoint_url="https://events.us-east-1.amazonaws.com")

    monkeypatch.setattr(app.pipeline.publisher._events, "put_events", unreachable)
    key = "news/2026/12/03/a-typical-article-path-of-a-news-site.html"
    response = app.lambda_handler(sqs_event(upload(account, key, "0123456789ABCDEF01")), context)
    assert response["batchItemFailures"]
    [item] = boto3.client("dynamodb", region_name=REGION).scan(TableName=STATE_TABLE)["Items"]
    assert item["last_error"]["M"]["message"]["S"].startswith("EventsNotPublished")
    assert item_bytes(item) < DYNAMODB_ITEM_WRITE_UNIT_BYTES - 200, item


def test_a_change_given_up_is_logged_with_its_message_id(account, app, context, monkeypatch):
    # what an operator looks up for a message `pagesift redrive` shows with no recorded reason
    def unreachable(**_kwargs):
        raise RuntimeError("the state table is unreachable")

    monkeypatch.setattr(app.pipeline.state._db, "update_item", unreachable)
    logged = io.StringIO()
    for handler in app.logger._logger.handlers:  # the stream it was given at import
        monkeypatch.setattr(handler, "stream", logged)
    [key] = keys(1)
    event = sqs_event(upload(account, key, "01"))
    assert app.lambda_handler(event, context) == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    lines = [json.loads(line) for line in logged.getvalue().splitlines() if line.startswith("{")]
    [given_up] = [line for line in lines if line.get("message") == "change not processed; the delivery will be retried"]
    assert given_up["message_id"] == event["Records"][0]["messageId"] and given_up["object_key"] == key
