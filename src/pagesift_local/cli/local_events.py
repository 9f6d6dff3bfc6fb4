"""What ``pagesift local run`` puts into the embedded stack and reads back from it: files
uploaded to the input bucket, the events IndexQueue receives for them (as an indexer
subscribed to DocumentsBus would), and the documents those events point at."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from pagesift.contracts.events import DetailType
from pagesift.extraction.decoding import GZIP_MAGIC
from pagesift_local.stack import LocalStack


def upload(stack: LocalStack, path: Path, key: str, url: str | None, *, archive: bool = False) -> None:
    data = path.read_bytes()
    extra: dict[str, Any] = {"ContentType": "application/warc" if archive else "text/html"}
    if data.startswith(GZIP_MAGIC) and not archive:
        extra["ContentEncoding"] = "gzip"
    if url:
        extra["Metadata"] = {"url": url}
    stack.client("s3").put_object(Bucket=stack.info()["input_bucket"], Key=key, Body=data, **extra)


def wait_for_events(
    stack: LocalStack,
    keys: set[str],
    timeout: float,
    archives: Collection[str] = frozenset(),
    handle: Callable[[dict[str, Any]], bool] | None = None,
) -> dict[str, Any]:
    """Read IndexQueue, as an indexer subscribed to DocumentsBus would, until every page key has
    its ``Document Extracted`` or ``Document Extraction Failed`` event, and every archive key
    its ``Archive Extracted`` and the page events it counts (or time runs out). A page key maps
    to its event; an archive key to every event of it, in the order received. ``handle``, when
    given, sees each message first and says whether it may be deleted (an indexer's commit)."""
    sqs = stack.client("sqs")
    queue_url = stack.info()["index_queue_url"]
    found: dict[str, Any] = {key: [] for key in archives}
    deadline = time.monotonic() + timeout
    while not _all_in(found, keys, archives) and time.monotonic() < deadline:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in response.get("Messages", []):
            _keep(found, json.loads(message["Body"]), keys, archives)
            if handle is None or handle(message):
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return found


def _keep(found: dict[str, Any], event: dict[str, Any], keys: set[str], archives: Collection[str]) -> None:
    """Keep ``event`` in ``found`` if it is of an archive, or the outcome of a page; drop it otherwise."""
    key: str | None = (event.get("detail", {}).get("source") or {}).get("key")
    if key is None:  # not an object's event
        return
    if key in archives:
        found[key].append(event)
    elif key in keys and event.get("detail-type") in (DetailType.EXTRACTED, DetailType.FAILED):
        found[key] = event


def _all_in(found: dict[str, Any], keys: set[str], archives: Collection[str]) -> bool:
    if not keys <= {key for key in found if key not in archives}:
        return False
    return all(_archive_complete(found[key]) for key in archives)


def _archive_complete(events: list[dict[str, Any]]) -> bool:
    """Whether an archive's ``Archive Extracted`` and every page event it counts are in."""
    summary = next((e for e in events if e["detail-type"] == DetailType.ARCHIVE_EXTRACTED), None)
    if summary is None:
        return False
    kinds = [e["detail-type"] for e in events]
    documents = kinds.count(DetailType.EXTRACTED) + sum(
        e["detail"]["shard"]["documents"] for e in events if e["detail-type"] == DetailType.SHARD_EXTRACTED
    )
    failures = kinds.count(DetailType.FAILED)
    return documents >= summary["detail"]["documents"] and failures >= sum(summary["detail"]["failures"].values())


def _read_json(s3: Any, bucket: str, key: str) -> Any:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def page_row(s3: Any, file: str, key: str, event: dict[str, Any] | None) -> dict[str, Any]:
    """A page's row: its document (from the documents bucket) and its event, None for each it lacks."""
    document = None
    if event and event["detail-type"] == DetailType.EXTRACTED:
        pointer = event["detail"]["document"]
        document = _read_json(s3, pointer["bucket"], pointer["key"])
    return {"file": file, "key": key, "document": document, "event": event}


def archive_rows(s3: Any, file: str, key: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An archive's rows: one per page (its document, from the documents bucket or its shard,
    and its event), then its ``Archive Extracted`` (``archive``: its counts)."""
    rows: list[dict[str, Any]] = []
    for event in events:
        kind, detail = event["detail-type"], event["detail"]
        if kind == DetailType.EXTRACTED:
            document = _read_json(s3, detail["document"]["bucket"], detail["document"]["key"])
            record = detail["source"]["record"]["id"]
            rows.append({"file": file, "key": key, "record": record, "document": document, "event": event})
        elif kind == DetailType.FAILED:
            record = (detail["source"].get("record") or {}).get("id")
            rows.append({"file": file, "key": key, "record": record, "document": None, "event": event})
        elif kind == DetailType.SHARD_EXTRACTED:
            rows.extend(_shard_rows(s3, file, key, event))
    summary = next((e for e in events if e["detail-type"] == DetailType.ARCHIVE_EXTRACTED), None)
    rows.append(
        {
            "file": file,
            "key": key,
            "archive": summary["detail"] if summary else None,
            "document": None,
            "event": summary,
        }
    )
    return rows


def _shard_rows(s3: Any, file: str, key: str, event: dict[str, Any]) -> list[dict[str, Any]]:
    """A shard's rows: one per document in it (gzipped JSON Lines), each with the shard's event."""
    shard = event["detail"]["shard"]
    body = s3.get_object(Bucket=shard["bucket"], Key=shard["key"])["Body"].read()
    rows = []
    for line in gzip.decompress(body).splitlines():
        document = json.loads(line)
        record = document["source"]["record"]["id"]
        rows.append(
            {"file": file, "key": key, "record": record, "document": document, "event": event, "shard": shard["key"]}
        )
    return rows
