"""The function killed after each AWS call of a change in turn (issue 11, items 4 and 10): the
redelivery ends with exactly the document of the page and its event. The calls of one change:
idempotency PutItem, lease UpdateItem, GetObject, PutObject, PutEvents, state UpdateItem,
idempotency UpdateItem. Only a death between PutEvents and the state write repeats the event
(k = 6), and the repeat carries the same change_id; a death before the idempotency record is
completed (k = 7) leaves it INPROGRESS until it expires, and the redelivery is then a duplicate
by the recorded sequencer (no second event).

The kill is an error raised in botocore's ``before-send`` of the k-th call of the delivery (the
call is never made), across the S3, DynamoDB and EventBridge clients alike; the function's own
``finally`` still runs, as it would not after a real crash, so the object's lease is given back
rather than left to expire (tests/integration/test_burst.py covers the expiry).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.conftest import REGION, STATE_TABLE, validate_event
from tests.deliveries import sqs_event, versioned_body
from tests.pages import article_bytes

KEY = "news/killed/story.html"
DOC = f"documents/{KEY}.json"
CALLS_OF_A_CHANGE = 8  # idempotency, lease, read, write, events, commit, idempotency (+1: none killed)


class Killed(RuntimeError):
    pass


class KillAt:
    """Raise ``Killed`` in place of the ``k``-th AWS call (counted over every client given)."""

    def __init__(self, clients: list[Any], k: int) -> None:
        self.k, self.calls, self.killed = k, [], None
        for client in clients:
            client.meta.events.register_first("before-send", self)

    def __call__(self, request: Any, **kwargs: Any) -> None:
        name = kwargs.get("event_name", "").removeprefix("before-send.")
        self.calls.append(name)
        if len(self.calls) == self.k and self.killed is None:
            self.killed = name
            raise Killed(f"the function died before {name}")


def expire_in_progress_records() -> None:
    """Let the time pass after which Powertools takes over an idempotency record left
    INPROGRESS (the dead invocation's remaining time): a death after the change was applied
    but before the record was completed leaves one, and redeliveries wait for its expiry."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)  # not the function's: no kill here
    for item in dynamodb.scan(TableName=STATE_TABLE)["Items"]:
        if item.get("status", {}).get("S") == "INPROGRESS":
            dynamodb.update_item(
                TableName=STATE_TABLE, Key={"id": item["id"]},
                UpdateExpression="SET in_progress_expiration = :past", ExpressionAttributeValues={":past": {"N": "0"}},
            )


@pytest.mark.parametrize("k", range(1, CALLS_OF_A_CHANGE + 1))
def test_killed_before_the_kth_call_loses_and_doubles_nothing(account, app, context, monkeypatch, k):
    monkeypatch.setattr(app.pipeline.publisher, "_sleep", lambda _seconds: None)
    stored = account.s3.put_object(Bucket="pagesift-input", Key=KEY, Body=article_bytes(), ContentType="text/html")
    body = versioned_body("Object Created", KEY, stored["VersionId"], sequencer="0A", etag=stored["ETag"].strip('"'))
    kill = KillAt([app.s3, app.dynamodb, app.pipeline.publisher._events], k)
    responses = []
    for _ in range(3):  # the queue redelivers
        responses.append(app.lambda_handler(sqs_event(body), context))
        if responses[-1] != {"batchItemFailures": []}:
            expire_in_progress_records()
    assert responses[-1] == {"batchItemFailures": []}, kill.calls
    events = account.captured_events()
    extracted = [e for e in events if e["detail-type"] == "Document Extracted"]
    for event in events:
        validate_event(event)
    assert account.document_keys() == [DOC] and 1 <= len(extracted) <= 2, (kill.killed, events)
    assert len({e["detail"]["change_id"] for e in extracted}) == 1  # a repeat is the same change
    # the one window left: a death right after PutEvents, before the state write
    put_events = next(i for i, name in enumerate(kill.calls) if name.endswith("PutEvents"))
    assert (len(extracted) == 2) == (k - 1 == put_events + 1), (k, kill.calls)
