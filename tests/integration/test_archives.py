"""Web archives through the whole flow on the embedded stack (moto server, the function played
by the workers: ExtractQueue's, and the archive queue's with several at once): an archive
written by the test fans out into ranges, gives one schema-valid document and event per page
and one failure per broken record, counted in one ``Archive Extracted``; a new version
replaces exactly its documents, a deletion removes them; shards hold the same documents."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pagesift.contracts.document import document_key
from pagesift.contracts.events import DetailType
from pagesift_local.cli.local_events import wait_for_events
from pagesift_local.stack import LocalStack
from pagesift_local.worker import QueueWorker
from tests.support.schemas import validate_document, validate_event
from tests.support.warcs import realistic_archive, repository_pages

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
KEY = "crawls/2026-11/CC-MAIN part 00001+ü.warc.gz"
PAGES = repository_pages()


def archive(n: int, seed: int, *, faults: bool = True) -> Any:
    return realistic_archive([(f"https://news{seed}.example/{i}", PAGES[i % len(PAGES)][1]) for i in range(n)], seed=seed, faults=faults)


def run(mode: str, steps: Any) -> None:
    parameters = {"ArchiveRangePages": "6", "OutputMode": mode}
    with LocalStack(ROOT / "template.yaml", parameters=parameters) as stack, \
            QueueWorker(stack, batching_window_seconds=0), \
            QueueWorker(stack, concurrency=3, batching_window_seconds=0, source=stack.archive_source):
        steps(stack)


def events_of(stack: LocalStack, key: str, *, pages: set[str] = frozenset()) -> list[dict[str, Any]]:  # type: ignore[assignment]
    found = wait_for_events(stack, set(pages), 240, {key})
    return found[key]


def deletions_of(stack: LocalStack, key: str, expected: int) -> list[dict[str, Any]]:
    """Read IndexQueue until ``expected`` deletion events of the archive have come."""
    sqs, url = stack.client("sqs"), stack.info()["index_queue_url"]
    seen: list[dict[str, Any]] = []
    for _ in range(240):
        if len(seen) >= expected:
            break
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            event = json.loads(message["Body"])
            if event["detail"]["source"]["key"] == key and event["detail-type"] in (DetailType.DELETED, DetailType.SHARD_DELETED):
                seen.append(event)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return seen


def keys_under(stack: LocalStack, prefix: str) -> set[str]:
    s3, bucket = stack.client("s3"), stack.info()["documents_bucket"]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def test_an_archive_fans_out_and_is_replaced_and_deleted_with_its_documents() -> None:
    first, second = archive(24, 1), archive(10, 2, faults=False)

    def steps(stack: LocalStack) -> None:
        s3, info = stack.client("s3"), stack.info()
        s3.put_object(Bucket=info["input_bucket"], Key=KEY, Body=first.data)
        events = events_of(stack, KEY)
        for event in events:
            validate_event(event)
        kinds = Counter(e["detail-type"] for e in events)
        [summary] = [e["detail"] for e in events if e["detail-type"] == DetailType.ARCHIVE_EXTRACTED]
        assert summary["ranges"] > 3  # fanned out
        assert kinds[DetailType.EXTRACTED] == summary["documents"] == len(first.pages)
        assert kinds[DetailType.FAILED] == 2 and summary["failures"] == {"CorruptRecord": 1, "TruncatedRecord": 1}
        extracted = [e["detail"] for e in events if e["detail-type"] == DetailType.EXTRACTED]
        assert sorted(d["source"]["record"]["id"] for d in extracted) == sorted(p.record_id for p in first.pages)
        for detail in extracted[:5]:
            body = s3.get_object(Bucket=detail["document"]["bucket"], Key=detail["document"]["key"])["Body"].read()
            validate_document(json.loads(body))
        old_keys = {document_key(KEY, "documents/", p.record_id) for p in first.pages}
        assert old_keys <= keys_under(stack, f"documents/{KEY}/")

        # A new version: its documents, and the old ones deleted, each with its event.
        s3.put_object(Bucket=info["input_bucket"], Key=KEY, Body=second.data)
        events = events_of(stack, KEY)
        assert Counter(e["detail-type"] for e in events)[DetailType.EXTRACTED] == len(second.pages)
        deleted = deletions_of(stack, KEY, len(old_keys))
        assert sorted(e["detail"]["document"]["key"] for e in deleted) == sorted(old_keys)
        new_keys = {document_key(KEY, "documents/", p.record_id) for p in second.pages}
        assert {k for k in keys_under(stack, f"documents/{KEY}/") if "/_runs/" not in k} == new_keys

        # Deleted: every document goes, each with its event.
        s3.delete_object(Bucket=info["input_bucket"], Key=KEY)
        deleted = deletions_of(stack, KEY, len(new_keys))
        assert sorted(e["detail"]["document"]["key"] for e in deleted) == sorted(new_keys)
        assert keys_under(stack, f"documents/{KEY}/") == set()
        dlq = stack.client("sqs").get_queue_attributes(QueueUrl=info["archive_dlq_url"], AttributeNames=["ApproximateNumberOfMessages"])
        assert dlq["Attributes"]["ApproximateNumberOfMessages"] == "0"

    run("documents", steps)


def test_shards_mode_writes_the_same_documents_as_shards() -> None:
    written = archive(20, 3, faults=False)

    def steps(stack: LocalStack) -> None:
        s3, info = stack.client("s3"), stack.info()
        s3.put_object(Bucket=info["input_bucket"], Key=KEY, Body=written.data)
        events = events_of(stack, KEY)
        kinds = Counter(e["detail-type"] for e in events)
        assert kinds[DetailType.EXTRACTED] == 0 and kinds[DetailType.SHARD_EXTRACTED] >= 3
        documents = []
        for event in events:
            validate_event(event)
            if event["detail-type"] == DetailType.SHARD_EXTRACTED:
                shard = event["detail"]["shard"]
                lines = gzip.decompress(s3.get_object(Bucket=shard["bucket"], Key=shard["key"])["Body"].read()).splitlines()
                assert len(lines) == shard["documents"]
                documents += [json.loads(line) for line in lines]
        for document in documents:
            validate_document(document)
        assert sorted(d["source"]["record"]["id"] for d in documents) == sorted(p.record_id for p in written.pages)

    run("shards", steps)
