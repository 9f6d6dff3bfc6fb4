"""The adversarial run, on the embedded stack with two functions at once: hostile pages
among good ones, real duplicate deliveries of processed changes, a late stale delete, a forged
sequencer followed by a real upload. Every good page has exactly one `Document Extracted` (the
real upload after the forged one its own), every hostile one exactly one `Document Extraction
Failed`, nothing else is emitted, and nothing reaches the DLQ.

Duplicates and forgeries are sent to ExtractQueue as S3's EventBridge events are, with the
sequencer S3 gave the change (read back from the object's state item).
"""

from __future__ import annotations

import gzip
import json
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest

from pagesift.aws.dynamodb import DynamoDBStateStore
from pagesift_local.stack import LocalStack
from pagesift_local.worker import QueueWorker
from tests.integration.test_pipeline import DEADLINE
from tests.support.pages import ARTICLE_PARAGRAPHS, article_bytes, article_html
from tests.support.schemas import validate_event

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]

GOOD = [f"news/2026/good {i}+ünï.html" for i in range(6)]


def hostile_pages() -> dict[str, tuple[bytes, dict[str, str], str]]:
    """key -> (body, extra put_object arguments, the failure it must give)"""
    attributes = " ".join(f"a{i}=1" for i in range(200_000))
    nested = ("<html><body>" + "<div>" * 100_000 + "".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS)
              + "</div>" * 100_000 + "</body></html>").encode()
    return {
        "hostile/attributes.html": (article_bytes().replace(b"<article>", f"<div {attributes}></div><article>".encode()), {}, "HtmlTooLarge"),
        "hostile/bomb.html.gz": (gzip.compress(b"<p>" + b"a" * (60 * 1024 * 1024)), {"ContentEncoding": "gzip"}, "InputTooLarge"),
        "hostile/nested.html": (nested, {}, "NoMainContent"),
        "hostile/binary.html": (bytes((i * 7919) % 251 for i in range(20_000)), {}, "NotHtml"),
    }


def script_state_page() -> bytes:
    state = '<script>window.__STATE__ = {"items": "' + "x" * 12_000_000 + '"};</script>'
    return article_html(title="Behind the state").replace("<body>", "<body>" + state).encode()


def s3_event(bucket: str, key: str, kind: str, *, sequencer: str, version: str | None = None, etag: str | None = None) -> str:
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "sequencer": sequencer}
    if version:
        obj["version-id"] = version
    if etag:
        obj["etag"] = etag
    if kind == "Object Created":
        obj["size"] = 1
    detail: dict[str, Any] = {"version": "0", "bucket": {"name": bucket}, "object": obj, "reason": "PutObject"}
    if kind == "Object Deleted":
        detail.update(reason="DeleteObject", **{"deletion-type": "Delete Marker Created"})
    return json.dumps({"version": "0", "id": str(uuid.uuid4()), "detail-type": kind, "source": "aws.s3", "account": "123456789012",
                       "time": "2026-12-03T00:00:00Z", "region": "us-east-1", "resources": [f"arn:aws:s3:::{bucket}"], "detail": detail})


class Index:
    """IndexQueue, read as an indexer would: every event, kept."""

    def __init__(self, stack: LocalStack) -> None:
        self.sqs, self.url, self.events = stack.client("sqs"), stack.info()["index_queue_url"], []

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            for message in messages:
                self.events.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])

    def until(self, done: Any) -> None:
        deadline = time.monotonic() + DEADLINE
        while not done(self.counts()) and time.monotonic() < deadline:
            self.read(1)
        assert done(self.counts()), self.counts()

    def counts(self) -> Counter:
        return Counter((e["detail"]["source"]["key"], e["detail-type"]) for e in self.events)


def recorded_sequencer(dynamodb: Any, table: str, bucket: str, key: str) -> str:
    item = dynamodb.get_item(TableName=table, Key={"id": {"S": DynamoDBStateStore.item_id(bucket, key)}}, ConsistentRead=True)["Item"]
    return item["sequencer"]["S"].lstrip("0")


def test_hostile_pages_duplicates_stale_and_forged_events_give_exactly_the_right_events() -> None:
    with LocalStack(ROOT / "template.yaml", stack_name="pagesift-adversarial") as stack, \
            QueueWorker(stack, concurrency=2, batching_window_seconds=1):
        info, s3, sqs, dynamodb = stack.info(), stack.client("s3"), stack.client("sqs"), stack.client("dynamodb")
        bucket, table = info["input_bucket"], info["state_table"]
        index = Index(stack)
        hostile = hostile_pages()
        stored = {}
        for i, key in enumerate(GOOD):
            stored[key] = s3.put_object(Bucket=bucket, Key=key, Body=article_bytes(title=f"Story {i}"), ContentType="text/html")
            if i == 2:  # hostile pages in the middle of the good ones
                for hostile_key, (body, extra, _kind) in hostile.items():
                    s3.put_object(Bucket=bucket, Key=hostile_key, Body=body, ContentType="text/html", **extra)
        stored["script/state.html"] = s3.put_object(Bucket=bucket, Key="script/state.html", Body=script_state_page(), ContentType="text/html")
        good = [*GOOD, "script/state.html"]
        index.until(lambda c: all(c[(k, "Document Extracted")] for k in good) and all(c[(k, "Document Extraction Failed")] for k in hostile))

        # Real duplicates of processed changes, a late stale delete, a forged sequencer.
        sequencers = {key: recorded_sequencer(dynamodb, table, bucket, key) for key in good}
        for key in GOOD[:3]:
            body = s3_event(bucket, key, "Object Created", sequencer=sequencers[key], version=stored[key]["VersionId"], etag=stored[key]["ETag"].strip('"'))
            sqs.send_message(QueueUrl=info["extract_queue_url"], MessageBody=body)
            sqs.send_message(QueueUrl=info["extract_queue_url"], MessageBody=body)
        stale_delete = s3_event(bucket, GOOD[3], "Object Deleted", sequencer="1", version="a-marker-long-gone")
        sqs.send_message(QueueUrl=info["extract_queue_url"], MessageBody=stale_delete)
        forged_key = GOOD[4]
        forged = s3_event(bucket, forged_key, "Object Created", sequencer="F" * 32, version=stored[forged_key]["VersionId"],
                          etag=stored[forged_key]["ETag"].strip('"'))
        sqs.send_message(QueueUrl=info["extract_queue_url"], MessageBody=forged)
        index.read(4)
        s3.put_object(Bucket=bucket, Key=forged_key, Body=article_bytes(title="The real upload after the forgery"), ContentType="text/html")
        index.until(lambda c: c[(forged_key, "Document Extracted")] >= 2)
        index.read(4)  # anything more the functions emit

        counts = index.counts()
        expected = Counter({(key, "Document Extracted"): 1 for key in good})
        expected[(forged_key, "Document Extracted")] = 2  # its first upload, then the real one after the forgery
        expected.update({(key, "Document Extraction Failed"): 1 for key in hostile})
        assert counts == expected
        for event in index.events:
            validate_event(event)
        kinds = {e["detail"]["source"]["key"]: e["detail"]["error"]["type"] for e in index.events if e["detail-type"] == "Document Extraction Failed"}
        assert kinds == {key: kind for key, (_body, _extra, kind) in hostile.items()}
        last = [e for e in index.events if e["detail"]["source"]["key"] == forged_key][-1]
        assert last["detail"]["title"].startswith("The real upload after the forgery")
        dead = sqs.get_queue_attributes(QueueUrl=info["extract_dlq_url"], AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        assert dead["ApproximateNumberOfMessages"] == "0"
