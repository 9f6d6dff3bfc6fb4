"""`pagesift redrive` on the embedded stack: an outage that outlasts
every delivery sends the change to ExtractDLQ; redrive shows it with its reason (and whether a
document was written and not announced); once the outage is over, `--move` puts it back on
ExtractQueue and it ends as it would have: one document, one event, nothing left in the DLQ.

The outages are put into the worker's function (``on_load``): PutEvents or DynamoDB answering
every call with a connection error, until the test ends them.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from pagesift_local import redrive
from pagesift_local.cli import main
from pagesift_local.stack import LocalStack
from pagesift_local.worker import QueueWorker
from tests.integration.test_pipeline import DEADLINE, Indexer
from tests.support.pages import article_bytes
from tests.support.schemas import validate_event

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
STACK = "pagesift-redrive"


class Outages:
    """While ``events`` or ``dynamodb`` is set, the function's PutEvents or DynamoDB calls fail
    as an unreachable endpoint does once botocore's retries are spent."""

    def __init__(self) -> None:
        self.events = False
        self.dynamodb = False

    def install(self, module: Any) -> None:
        publisher_client, dynamodb = module.handler.pipeline.publisher._events, module.handler.pipeline.state._db
        put_events, update_item = publisher_client.put_events, dynamodb.update_item

        def failing_put_events(**kwargs: Any) -> Any:
            if self.events:
                raise EndpointConnectionError(endpoint_url="https://events.us-east-1.amazonaws.com")
            return put_events(**kwargs)

        def failing_update_item(**kwargs: Any) -> Any:
            if self.dynamodb:
                raise EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")
            return update_item(**kwargs)

        publisher_client.put_events, dynamodb.update_item = failing_put_events, failing_update_item


def wait_for_dead_letters(sqs: Any, dlq_url: str, count: int) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        if int(attributes["ApproximateNumberOfMessages"]) >= count:
            return
        time.sleep(0.5)
    pytest.fail(f"fewer than {count} message(s) reached the DLQ within {DEADLINE}s")


def run_cli(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(args)) == 0
    return out.getvalue()


def test_an_outage_past_every_delivery_is_shown_by_redrive_and_brought_back_by_it() -> None:
    outages = Outages()
    with LocalStack(ROOT / "template.yaml", stack_name=STACK) as stack:
        info, s3, sqs = stack.info(), stack.client("s3"), stack.client("sqs")
        with QueueWorker(stack, batching_window_seconds=0, visibility_timeout=1, function_timeout=4, on_load=outages.install):
            indexer = Indexer(stack)
            # PutEvents down for good: the document is written, its event never goes out.
            outages.events = True
            s3.put_object(Bucket=info["input_bucket"], Key="outage/events down.html", Body=article_bytes(title="Events"))
            wait_for_dead_letters(sqs, info["extract_dlq_url"], 1)
            # DynamoDB down for good: nothing is taken, nothing written.
            outages.events, outages.dynamodb = False, True
            s3.put_object(Bucket=info["input_bucket"], Key="outage/state down.html", Body=article_bytes(title="State"))
            wait_for_dead_letters(sqs, info["extract_dlq_url"], 2)
            outages.dynamodb = False

            documents = {o["Key"] for o in s3.list_objects_v2(Bucket=info["documents_bucket"]).get("Contents", [])}
            assert documents == {"documents/outage/events down.html.json"}  # written, not announced

            shown = [json.loads(line) for line in run_cli("redrive", "--endpoint-url", info["endpoint_url"], "--stack", STACK, "--json").splitlines()]
            by_key = {letter["objects"][0]["key"]: letter for letter in shown}
            assert set(by_key) == {"outage/events down.html", "outage/state down.html"}
            events_down = by_key["outage/events down.html"]["objects"][0]
            assert events_down["document_unannounced"] is True and events_down["reason"].startswith("EventsNotPublished")
            assert "Could not connect" in events_down["reason"]
            state_down = by_key["outage/state down.html"]["objects"][0]
            assert state_down["reason"] is None and state_down["document_unannounced"] is False
            assert all(letter["receive_count"] >= 1 for letter in shown)
            # Shown, not moved: both are still in the DLQ.
            assert len(redrive.inspect(sqs, stack.client("dynamodb"), redrive.StackQueues(
                info["extract_dlq_url"], info["extract_queue_url"], info["state_table"]))) == 2
            text = run_cli("redrive", "--endpoint-url", info["endpoint_url"], "--stack", STACK)
            assert "a document was written and not announced" in text and "no reason recorded" in text

            run_cli("redrive", "--endpoint-url", info["endpoint_url"], "--stack", STACK, "--move")
            for key in ("outage/events down.html", "outage/state down.html"):
                event = indexer.wait_for(key, "Document Extracted")
                validate_event(event)
                assert event["detail"]["changed"] is True
        for message in indexer.sqs.receive_message(QueueUrl=indexer.url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", []):
            indexer.seen.append(json.loads(message["Body"]))  # anything more the worker emitted
        for key in ("outage/events down.html", "outage/state down.html"):
            assert [e["detail-type"] for e in indexer.events_for(key)] == ["Document Extracted"]
        assert run_cli("redrive", "--endpoint-url", info["endpoint_url"], "--stack", STACK).strip() == "ExtractDLQ is empty."
