"""The whole flow on the embedded stack: upload → S3 event → EventBridge → ExtractQueue → worker
(playing Lambda) → handler → document in DocumentsBucket + event on IndexQueue; delete → gone."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pagesift.contracts.document import document_key
from pagesift_local.stack import LocalStack
from pagesift_local.worker import QueueWorker
from tests.support.pages import article_bytes
from tests.support.schemas import validate_document, validate_event

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60.0


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(ROOT / "template.yaml", stack_name="pagesift-e2e") as running:
        yield running


@pytest.fixture(scope="module")
def worker(stack: LocalStack) -> Iterator[QueueWorker]:
    # A one-second batching window (the template's is 5 s) keeps the many round trips short.
    with QueueWorker(stack, batching_window_seconds=1) as running:
        yield running


class Indexer:
    """Reads IndexQueue as an indexer subscribed to DocumentsBus would."""

    def __init__(self, stack: LocalStack) -> None:
        self.sqs = stack.client("sqs")
        self.url = stack.info()["index_queue_url"]
        self.seen: list[dict[str, Any]] = []

    def wait_for(self, key: str, detail_type: str) -> dict[str, Any]:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            for event in self.seen:
                if event["detail-type"] == detail_type and event["detail"]["source"]["key"] == key:
                    return event
            response = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in response.get("Messages", []):
                self.seen.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        pytest.fail(f"no {detail_type!r} event for {key!r} within {DEADLINE}s; saw {[(e['detail-type'], e['detail']['source']['key']) for e in self.seen]}")

    def events_for(self, key: str) -> list[dict[str, Any]]:
        return [e for e in self.seen if e["detail"]["source"]["key"] == key]


@pytest.fixture
def indexer(stack: LocalStack, worker: QueueWorker) -> Indexer:
    return Indexer(stack)


KEYS = [
    "news/2021/11/a page with spaces.html",
    "news/c++ & more+plus.html",
    "noticias/ünïcödé/日本語/página €.html",
    "a/b/c/d/e/f/g/h/i/j/deep.html",
]


@pytest.mark.parametrize("key", KEYS)
def test_upload_then_delete(stack: LocalStack, indexer: Indexer, key: str) -> None:
    info, s3 = stack.info(), stack.client("s3")
    s3.put_object(Bucket=info["input_bucket"], Key=key, Body=article_bytes(), ContentType="text/html",
                  Metadata={"url": "https://news.example.org/x"})

    extracted = indexer.wait_for(key, "Document Extracted")
    validate_event(extracted)
    pointer = extracted["detail"]["document"]
    assert pointer["bucket"] == info["documents_bucket"]
    assert pointer["key"] == document_key(key)
    document = json.loads(s3.get_object(Bucket=pointer["bucket"], Key=pointer["key"])["Body"].read())
    validate_document(document)
    assert document["source"]["key"] == key
    assert document["source"]["bucket"] == info["input_bucket"]
    assert document["url"] == "https://news.example.org/x"
    assert "night bus network" in document["text"]
    assert document["id"] == pointer["id"]

    s3.delete_object(Bucket=info["input_bucket"], Key=key)
    deleted = indexer.wait_for(key, "Document Deleted")
    validate_event(deleted)
    assert deleted["detail"]["document"]["key"] == pointer["key"]
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=pointer["bucket"], Key=pointer["key"])
    assert [e["detail-type"] for e in indexer.events_for(key)] == ["Document Extracted", "Document Deleted"]


def test_bad_objects_among_good_ones(stack: LocalStack, indexer: Indexer) -> None:
    info, s3 = stack.info(), stack.client("s3")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    noise = bytes((i * 2654435761) % 256 for i in range(20_000))
    objects = {
        "mixed/good-1.html": article_bytes(),
        "mixed/image.png": png,
        "mixed/good-2.html.gz": gzip.compress(article_bytes(title="A second story")),
        "mixed/noise.bin": noise,
        "mixed/empty.html": b"",
        "mixed/good-3.html": article_bytes("windows-1252", charset="windows-1252"),
    }
    for key, body in objects.items():
        s3.put_object(Bucket=info["input_bucket"], Key=key, Body=body)
    for key in ("mixed/good-1.html", "mixed/good-2.html.gz", "mixed/good-3.html"):
        validate_event(indexer.wait_for(key, "Document Extracted"))
    for key, kind in (("mixed/image.png", "NotHtml"), ("mixed/noise.bin", "NotHtml"), ("mixed/empty.html", "EmptyInput")):
        failure = indexer.wait_for(key, "Document Extraction Failed")
        validate_event(failure)
        assert failure["detail"]["error"]["type"] == kind
        assert failure["detail"]["error"]["message"]
    listed = s3.list_objects_v2(Bucket=info["documents_bucket"], Prefix="documents/mixed/").get("Contents", [])
    assert sorted(o["Key"] for o in listed) == [
        "documents/mixed/good-1.html.json",
        "documents/mixed/good-2.html.gz.json",
        "documents/mixed/good-3.html.json",
    ]


def test_gzip_stored_with_content_encoding(stack: LocalStack, indexer: Indexer) -> None:
    info, s3 = stack.info(), stack.client("s3")
    s3.put_object(Bucket=info["input_bucket"], Key="gz/page.html", Body=gzip.compress(article_bytes()),
                  ContentType="text/html", ContentEncoding="gzip")
    event = indexer.wait_for("gz/page.html", "Document Extracted")
    document = json.loads(s3.get_object(Bucket=info["documents_bucket"], Key=event["detail"]["document"]["key"])["Body"].read())
    assert document["source"]["content_encoding"] == "gzip"
    assert "night bus network" in document["text"]


def test_nothing_is_left_in_the_dead_letter_queue(stack: LocalStack, worker: QueueWorker, indexer: Indexer) -> None:
    info, s3 = stack.info(), stack.client("s3")
    s3.put_object(Bucket=info["input_bucket"], Key="dlq/check.html", Body=article_bytes())
    indexer.wait_for("dlq/check.html", "Document Extracted")
    sqs = stack.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=info["extract_dlq_url"], AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "0"
    assert worker.stats.handler_errors == 0


def test_reported_failures_stay_on_the_queue_and_successes_are_deleted(stack: LocalStack, worker: QueueWorker) -> None:
    """The worker's part of Lambda's contract, with a stand-in handler: it deletes what succeeded
    and leaves what the handler reported failed for SQS to redeliver."""
    sqs = stack.client("sqs")
    queue_url = sqs.create_queue(QueueName="worker-contract", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    for body in ("ok", "fail", "ok-too"):
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    messages = []
    while len(messages) < 3:
        messages += sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    contract = QueueWorker.__new__(QueueWorker)
    contract.__dict__.update(worker.__dict__)
    contract.source = type(worker.source)(queue_url, 10, 0, None, True)

    def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "fail"]}

    contract.invoke(handler, messages)
    left = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"]).get("Messages", [])
    assert [m["Body"] for m in left] == ["fail"]
    assert left[0]["Attributes"]["ApproximateReceiveCount"] == "2"


def test_a_batch_past_the_function_timeout_is_retried_whole(stack: LocalStack, worker: QueueWorker) -> None:
    """Lambda stops an invocation at its timeout and every message of the batch comes back;
    the local worker applies the same outcome once the (unstoppable) thread returns."""
    sqs = stack.client("sqs")
    queue_url = sqs.create_queue(QueueName="worker-timeout", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="slow")
    messages = []
    while not messages:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    contract = QueueWorker.__new__(QueueWorker)
    contract.__dict__.update(worker.__dict__)
    contract.source = type(worker.source)(queue_url, 10, 0, None, True)
    contract.function_timeout = 0
    timeouts_before = worker.stats.timeouts

    def slow_handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        time.sleep(0.05)
        return {"batchItemFailures": []}

    contract.invoke(slow_handler, messages)
    left = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in left] == ["slow"]
    assert worker.stats.timeouts == timeouts_before + 1


def test_a_change_that_keeps_failing_transiently_ends_in_the_dead_letter_queue() -> None:
    """Throttled on every read: SQS redelivers it MaxReceiveCount times, then moves it to the
    DLQ, while the pages beside it become documents."""
    from botocore.exceptions import ClientError

    def always_throttle_one_key(module: Any) -> None:
        s3 = module.handler.pipeline.pages._s3
        real = s3.get_object

        def get_object(**kwargs: Any) -> Any:
            if kwargs["Key"] == "stuck/page.html":
                raise ClientError({"Error": {"Code": "SlowDown", "Message": "Reduce your request rate"},
                                   "ResponseMetadata": {"HTTPStatusCode": 503}}, "GetObject")
            return real(**kwargs)

        s3.get_object = get_object

    with LocalStack(ROOT / "template.yaml", stack_name="pagesift-dlq") as dlq_stack:
        info, s3, sqs = dlq_stack.info(), dlq_stack.client("s3"), dlq_stack.client("sqs")
        with QueueWorker(dlq_stack, batching_window_seconds=0, visibility_timeout=1, function_timeout=4,
                         on_load=always_throttle_one_key):
            s3.put_object(Bucket=info["input_bucket"], Key="stuck/page.html", Body=article_bytes())
            s3.put_object(Bucket=info["input_bucket"], Key="fine/page.html", Body=article_bytes())
            indexer = Indexer(dlq_stack)
            indexer.wait_for("fine/page.html", "Document Extracted")
            deadline = time.monotonic() + DEADLINE
            dead: list[dict[str, Any]] = []
            while not dead and time.monotonic() < deadline:
                dead = sqs.receive_message(QueueUrl=info["extract_dlq_url"], WaitTimeSeconds=1).get("Messages", [])
        assert dead, "the stuck change never reached the dead-letter queue"
        body = json.loads(dead[0]["Body"])
        assert body["detail"]["object"]["key"] == "stuck/page.html"
        assert indexer.events_for("stuck/page.html") == []
