"""The claims of docs/reliability.md about outages, on moto: DynamoDB unavailable for a while and then back,
DynamoDB unavailable for good, PutEvents failing for good. Nothing is lost, nothing doubled.

The faults are injected below botocore's retries (a ``before-send`` hook: the service is
unreachable), so the function's own retry policy (pagesift.aws.clients) is what is tested.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from tests.support.aws import INPUT_BUCKET, STATE_TABLE
from tests.support.deliveries import sqs_event, versioned_body
from tests.support.pages import article_bytes
from tests.support.schemas import validate_event

KEY = "news/outage/story.html"
DOC = f"documents/{KEY}.json"


class Outage:
    """The next ``calls`` requests of a client find the service unreachable (all of them when
    ``calls`` is None); then requests go through again. The error is raised in botocore's
    ``before-send``, ahead of moto's own handler there (which would otherwise still apply the
    request), and is one botocore retries: what an outage looks like from the function."""

    def __init__(self, client: Any, service: str, calls: int | None) -> None:
        self.remaining, self.failed = calls, 0
        client.meta.events.register_first(f"before-send.{service}", self)

    def __call__(self, request: Any, **_kwargs: Any) -> None:
        if self.remaining is not None and self.remaining <= 0:
            return
        if self.remaining is not None:
            self.remaining -= 1
        self.failed += 1
        raise EndpointConnectionError(endpoint_url=request.url)

    def end(self) -> None:
        self.remaining = 0


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    # botocore's backoff between attempts: jittered, at most a few hundred ms for DynamoDB here;
    # PutEvents' own resend of failed entries sleeps through the publisher's _sleep
    import botocore.retries.standard

    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


def upload(account) -> str:
    stored = account.s3.put_object(Bucket=INPUT_BUCKET, Key=KEY, Body=article_bytes(), ContentType="text/html")
    return versioned_body("Object Created", KEY, stored["VersionId"], sequencer="0A", etag=stored["ETag"].strip('"'))


def extracted_events(account) -> list[dict]:
    """The Document Extracted events a subscriber received since it last looked."""
    events = [e for e in account.captured_events() if e["detail-type"] == "Document Extracted"]
    for event in events:
        validate_event(event)
    return events


def test_dynamodb_unavailable_for_a_while_is_ridden_out_by_the_retries(account, app, context):
    body = upload(account)
    outage = Outage(app.dynamodb, "dynamodb", calls=3)  # fewer than the policy's five attempts
    assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}
    assert outage.failed == 3
    assert account.document_keys() == [DOC] and len(extracted_events(account)) == 1
    assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}  # a duplicate
    assert extracted_events(account) == []  # (the subscriber's queue: events since the last look)


def test_dynamodb_unavailable_for_good_fails_the_message_and_the_redelivery_applies_it_once(account, app, context):
    body = upload(account)
    outage = Outage(app.dynamodb, "dynamodb", calls=None)
    for _ in range(3):  # the queue redelivers it until its receive count sends it to the DLQ
        assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert outage.failed >= 3 * 5 - 1
    assert account.document_keys() == [] and extracted_events(account) == []
    outage.end()  # DynamoDB is back; the message comes back (a redelivery, or `pagesift redrive`)
    assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}
    assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}
    events = extracted_events(account)
    assert account.document_keys() == [DOC] and len(events) == 1 and events[0]["detail"]["changed"] is True


def test_putevents_failing_for_good_leaves_the_change_unrecorded_until_its_event_goes_out(account, app, context, monkeypatch):
    body = upload(account)
    monkeypatch.setattr(app.pipeline.publisher, "_sleep", lambda _seconds: None)
    outage = Outage(app.pipeline.publisher._events, "eventbridge", calls=None)
    for _ in range(3):
        assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert outage.failed >= 3 and extracted_events(account) == []
    # the document was written before its event failed: the state says so (dirty), so that a
    # later attempt announces it instead of taking it for unchanged
    assert account.document_keys() == [DOC]
    item = app.dynamodb.get_item(TableName=STATE_TABLE, Key={"id": {"S": f"object#{INPUT_BUCKET}/{KEY}"}}, ConsistentRead=True)["Item"]
    assert item["dirty"]["BOOL"] is True and "sequencer" not in item
    outage.end()
    assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}
    events = extracted_events(account)
    assert len(events) == 1 and events[0]["detail"]["changed"] is True
