"""The function killed after each AWS call of a change in turn: the
redelivery ends with exactly the document of the page and its event. The calls of one change:
UpdateItem taking it, GetObject, PutObject, PutEvents, UpdateItem recording it. Only a death
between PutEvents and the state write repeats the event (k = 5), and the repeat carries the
same change_id.

The kill is an error raised in botocore's ``before-send`` of the k-th call of the delivery (the
call is never made), across the S3, DynamoDB and EventBridge clients alike; the function's own
``finally`` still runs, as it would not after a real crash, so the object's lease is given back
rather than left to expire (tests/integration/test_burst.py covers the expiry).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.deliveries import sqs_event, versioned_body
from tests.support.pages import article_bytes
from tests.support.schemas import validate_event

KEY = "news/killed/story.html"
DOC = f"documents/{KEY}.json"
CALLS_OF_A_CHANGE = 6  # take, read, write, events, record (+1: none killed)


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


@pytest.mark.parametrize("k", range(1, CALLS_OF_A_CHANGE + 1))
def test_killed_before_the_kth_call_loses_and_doubles_nothing(account, app, context, monkeypatch, k):
    monkeypatch.setattr(app.pipeline.publisher, "_sleep", lambda _seconds: None)
    stored = account.s3.put_object(Bucket="pagesift-input", Key=KEY, Body=article_bytes(), ContentType="text/html")
    body = versioned_body("Object Created", KEY, stored["VersionId"], sequencer="0A", etag=stored["ETag"].strip('"'))
    kill = KillAt([app.s3, app.dynamodb, app.pipeline.publisher._events], k)
    responses = []
    for _ in range(3):  # the queue redelivers
        responses.append(app.lambda_handler(sqs_event(body), context))
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
