"""The embedded local stack, provisioned from the real template.yaml on a moto server: the wiring
S3 -> EventBridge -> ExtractQueue, DocumentsBus -> IndexQueue, the key filter parameters, the
redrive to the dead-letter queue, and what the worker gets (function and event source config)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"

from pagesift_local.errors import UsageError
from pagesift_local.stack import LocalStack

pytestmark = pytest.mark.integration

INFO_KEYS = {
    "endpoint_url",
    "region",
    "input_bucket",
    "documents_bucket",
    "event_bus",
    "extract_queue_url",
    "archive_queue_url",
    "archive_dlq_url",
    "extract_dlq_url",
    "index_queue_url",
    "state_table",
}
DEADLINE = 15.0  # seconds: moto delivers synchronously, this only bounds a broken wiring


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(TEMPLATE) as local:
        yield local


def receive(sqs: Any, queue_url: str, match: Callable[[dict[str, Any]], bool]) -> tuple[dict[str, Any], list[dict]]:
    """Poll the queue (deleting what it reads) until a message body matches, within DEADLINE."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in response.get("Messages", []):
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            seen.append(json.loads(message["Body"]))
        hits = [body for body in seen if match(body)]
        if hits:
            return hits[0], seen
    pytest.fail(f"no matching message on {queue_url} within {DEADLINE}s; received {seen}")


def drain(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Everything currently on the queue (deleted)."""
    bodies = []
    while True:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        if not response.get("Messages"):
            return bodies
        for message in response["Messages"]:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            bodies.append(json.loads(message["Body"]))


def object_key(body: dict[str, Any]) -> str:
    """The key an S3 EventBridge event names: URL-encoded, as AWS sends it."""
    return unquote_plus(body["detail"]["object"]["key"])


def s3_event_for(key: str, detail_type: str) -> Callable[[dict[str, Any]], bool]:
    return lambda body: body.get("detail-type") == detail_type and object_key(body) == key


def test_info_names_every_resource(stack: LocalStack) -> None:
    info = stack.info()
    assert set(info) == INFO_KEYS
    assert all(isinstance(v, str) and v for v in info.values()), info
    assert info["endpoint_url"] == stack.endpoint_url and info["endpoint_url"].startswith("http://127.0.0.1:")
    assert info["region"] == "us-east-1"
    # The queue URLs point at this server, so any SQS client can use them as they are.
    for key in ("extract_queue_url", "extract_dlq_url", "index_queue_url", "archive_queue_url", "archive_dlq_url"):
        assert info[key].startswith(stack.endpoint_url + "/"), info[key]
    assert info["input_bucket"] == stack.outputs["InputBucketName"]
    assert stack.client("s3").head_bucket(Bucket=info["documents_bucket"])
    assert stack.client("dynamodb").describe_table(TableName=info["state_table"])["Table"]["TableStatus"] == "ACTIVE"


def test_function_config_has_the_real_resource_names(stack: LocalStack) -> None:
    info, fn = stack.info(), stack.function
    assert fn.code_dir == ROOT / "functions"
    assert fn.handler == "extract.app.lambda_handler"
    assert (fn.timeout, fn.memory_size) == (60, 512)
    assert fn.environment["ARCHIVE_QUEUE_URL"].rsplit("/", 1)[1] == info["archive_queue_url"].rsplit("/", 1)[1]
    assert fn.environment == {
        "INPUT_BUCKET": info["input_bucket"],
        "DOCUMENTS_BUCKET": info["documents_bucket"],
        "DOCUMENTS_PREFIX": "documents/",
        "EVENT_BUS_NAME": info["event_bus"],
        "STATE_TABLE": info["state_table"],
        "MAX_INPUT_BYTES": "20971520",
        "EXTRACTION_BUDGET_SECONDS": "10",
        "ARCHIVE_QUEUE_URL": fn.environment["ARCHIVE_QUEUE_URL"],  # moto's URL of it (the worker's is the server's)
        "OUTPUT_MODE": "documents",
        "ARCHIVE_RANGE_PAGES": "1000",
        "POWERTOOLS_SERVICE_NAME": "pagesift",
        "POWERTOOLS_METRICS_NAMESPACE": "Pagesift",
        "LOG_LEVEL": "INFO",
    }


def test_event_source_is_the_templates_and_moto_does_not_poll(stack: LocalStack) -> None:
    source = stack.event_source
    assert source.queue_url == stack.info()["extract_queue_url"]
    assert (source.batch_size, source.batching_window_seconds, source.maximum_concurrency) == (10, 5, 10)
    assert source.report_batch_item_failures is True
    archive = stack.archive_source
    assert archive is not None and archive.queue_url == stack.info()["archive_queue_url"]
    assert (archive.batch_size, archive.maximum_concurrency, archive.report_batch_item_failures) == (1, 10, True)
    # The worker plays the poller: moto's own mappings (which would invoke Lambda in Docker) are off.
    lam = stack.client("lambda")
    for function in ("ExtractFunctionName", "ArchiveFunctionName"):
        mappings = lam.list_event_source_mappings(FunctionName=stack.outputs[function])["EventSourceMappings"]
        assert [m["State"] for m in mappings] == ["Disabled"], function
    # The archive queue's function: the same package and environment, its own handler, a whole vCPU and 900 s.
    archive = stack.archive_function
    assert archive is not None and (archive.timeout, archive.memory_size) == (900, 1769)
    assert (archive.handler, archive.environment) == ("archive.app.lambda_handler", stack.function.environment)
    assert stack.function.handler == "extract.app.lambda_handler"


KEYS = [
    "crawl/2024/06/01/example.com/a page with spaces.html",
    "crawl/deep/er/and/deeper/c++ & more+plus.html",
    "crawl/ünïcödé/日本語/página €.html",
]


@pytest.mark.parametrize("key", KEYS)
def test_put_then_delete_reach_the_extract_queue(stack: LocalStack, key: str) -> None:
    info, s3, sqs = stack.info(), stack.client("s3"), stack.client("sqs")
    put = s3.put_object(Bucket=info["input_bucket"], Key=key, Body=b"<html><p>hello</p></html>")

    created, _ = receive(sqs, info["extract_queue_url"], s3_event_for(key, "Object Created"))
    assert created["source"] == "aws.s3"
    assert created["detail"]["bucket"]["name"] == info["input_bucket"]
    # URL-encoded as AWS does it (moto_fixes); the bucket is versioned as in the template.
    assert created["detail"]["object"]["key"] == quote_plus(key, safe="/")
    assert created["detail"]["object"]["version-id"] == put["VersionId"]

    s3.delete_object(Bucket=info["input_bucket"], Key=key)
    deleted, _ = receive(sqs, info["extract_queue_url"], s3_event_for(key, "Object Deleted"))
    assert deleted["detail"]["bucket"]["name"] == info["input_bucket"]
    assert deleted["detail"]["deletion-type"] == "Delete Marker Created"
    # Nothing else for this key (moto also emits "Object Tags Added", which the rule filters out).
    leftovers = [b for b in drain(sqs, info["extract_queue_url"]) if object_key(b) == key]
    assert leftovers == []


def test_document_event_reaches_the_index_queue(stack: LocalStack) -> None:
    info, sqs = stack.info(), stack.client("sqs")
    detail = {"source": {"bucket": info["input_bucket"], "key": "k.html"}, "document": {"id": "abc"}}
    result = stack.client("events").put_events(
        Entries=[
            {
                "Source": "pagesift",
                "DetailType": "Document Extracted",
                "Detail": json.dumps(detail),
                "EventBusName": info["event_bus"],
            },
            # Not from pagesift: the index rule must not take it.
            {"Source": "someone.else", "DetailType": "Other", "Detail": "{}", "EventBusName": info["event_bus"]},
        ]
    )
    assert result["FailedEntryCount"] == 0
    event, _ = receive(sqs, info["index_queue_url"], lambda b: b.get("detail-type") == "Document Extracted")
    assert event["source"] == "pagesift" and event["detail"] == detail
    assert [b for b in drain(sqs, info["index_queue_url"]) if b.get("source") != "pagesift"] == []


def test_failed_messages_move_to_the_dead_letter_queue(stack: LocalStack) -> None:
    info, sqs = stack.info(), stack.client("sqs")
    sqs.send_message(QueueUrl=info["extract_queue_url"], MessageBody=json.dumps({"poison": True}))
    max_receive = 5  # the template's MaxReceiveCount default
    for _ in range(max_receive):
        response = sqs.receive_message(QueueUrl=info["extract_queue_url"], VisibilityTimeout=0, WaitTimeSeconds=1)
        assert [json.loads(m["Body"]) for m in response.get("Messages", [])] == [{"poison": True}]
    # As in SQS, the next receive finds it past maxReceiveCount and moves it to the DLQ.
    assert drain(sqs, info["extract_queue_url"]) == []
    dead, _ = receive(sqs, info["extract_dlq_url"], lambda b: b == {"poison": True})
    assert dead == {"poison": True}


def test_key_filter_parameters(stack: LocalStack) -> None:
    """A second stack, in the same moto process, that only takes pages/*.html."""
    with LocalStack(
        TEMPLATE, stack_name="pagesift-filtered", parameters={"InputPrefix": "pages/", "InputSuffix": ".html"}
    ) as filtered:
        info, s3, sqs = filtered.info(), filtered.client("s3"), filtered.client("sqs")
        assert info["input_bucket"] != stack.info()["input_bucket"]
        for key in ("other/outside.html", "pages/not-html.txt", "pagesX/close.html"):
            s3.put_object(Bucket=info["input_bucket"], Key=key, Body=b"<html/>")
        s3.put_object(Bucket=info["input_bucket"], Key="pages/a/b/inside.html", Body=b"<html/>")
        _, seen = receive(sqs, info["extract_queue_url"], s3_event_for("pages/a/b/inside.html", "Object Created"))
        seen += drain(sqs, info["extract_queue_url"])
        assert [object_key(b) for b in seen] == ["pages/a/b/inside.html"]

    # The first stack is untouched by the second one's stop.
    key = "after/the/second/stack.html"
    stack.client("s3").put_object(Bucket=stack.info()["input_bucket"], Key=key, Body=b"<html/>")
    receive(stack.client("sqs"), stack.info()["extract_queue_url"], s3_event_for(key, "Object Created"))


def test_parameters_are_checked_as_cloudformation_does() -> None:
    for parameters in ({"FunctionTimeout": "45"}, {"MaxConcurrency": "1"}, {"InputPrefix": "a*b"}, {"Nope": "x"}):
        with pytest.raises(UsageError):
            LocalStack(TEMPLATE, stack_name="pagesift-invalid", parameters=parameters).start()
