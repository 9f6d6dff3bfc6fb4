"""``pagesift backfill`` on the embedded stack: pages and an archive already in the input bucket
(put there before pagesift ran: their notifications are dropped), run through the function by a
played S3 Batch Operations job; the same job again does nothing; ``--reextract`` redoes only what
other options made, and announces only documents that changed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pagesift.contracts.events import DetailType
from pagesift_local.cli import main
from pagesift_local.stack import LocalStack
from pagesift_local.worker import QueueWorker
from tests.support.pages import article_bytes
from tests.support.warcs import realistic_archive, repository_pages

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
KEYS = ["old/2019/a page+1.html", "old/2019/ünï/b.html", "old/2019/deep/er/c.html", "old/2019/not-a-page.png"]


def drain(stack: LocalStack, url: str) -> list[dict[str, Any]]:
    sqs, seen = stack.client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
        for message in messages:
            seen.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return seen


def backfill(stack: LocalStack, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code = main(["backfill", f"s3://{stack.info()['input_bucket']}/old/", "--endpoint-url", stack.endpoint_url,
                 "--stack", stack.stack_name, "--json", *extra])
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    report["code"] = code
    return report


def test_backfill_runs_what_is_there_once_and_reextract_redoes_only_other_options(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalStack(ROOT / "template.yaml") as stack:
        info, s3 = stack.info(), stack.client("s3")
        pages = [article_bytes(title=f"Page {n}") for n in range(3)] + [b"\x89PNG\r\n\x1a\n" + bytes(64)]
        for key, body in zip(KEYS, pages, strict=True):
            s3.put_object(Bucket=info["input_bucket"], Key=key, Body=body)
        s3.put_object(Bucket=info["input_bucket"], Key="old/crawl.warc.gz", Body=realistic_archive(repository_pages()[:3]).data)
        s3.put_object(Bucket=info["input_bucket"], Key="new/elsewhere.html", Body=article_bytes())
        drain(stack, info["extract_queue_url"])  # put before pagesift ran: nothing was told
        with QueueWorker(stack, concurrency=2, batching_window_seconds=0, source=stack.archive_source):
            report = backfill(stack, capsys)
            assert report["tasks"] == 5 and report["code"] == 3  # the PNG fails
            assert report["outcomes"] == {"extracted": 3, "failed": 1, "archive: run started": 1}
            events = drain_until(stack, DetailType.ARCHIVE_EXTRACTED)
            kinds = Counter(e["detail-type"] for e in events)
            assert kinds[DetailType.FAILED] >= 1 and kinds[DetailType.ARCHIVE_EXTRACTED] == 1
            assert {e["detail"]["source"]["key"] for e in events if e["detail-type"] == DetailType.EXTRACTED} >= set(KEYS[:3])
            assert all(not e["detail"]["source"]["key"].startswith("new/") for e in events)

            # Again: every version was applied, nothing is read or announced.
            again = backfill(stack, capsys)
            assert again["outcomes"] == {"skipped": 5} and again["code"] == 0
            assert drain(stack, info["index_queue_url"]) == []

            # Re-extraction by the same pagesift with the same options: nothing to redo either.
            assert backfill(stack, capsys, "--reextract")["outcomes"] == {"skipped": 5}
            assert drain(stack, info["index_queue_url"]) == []


def test_backfill_refuses_a_prefix_the_stack_does_not_watch(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalStack(ROOT / "template.yaml") as stack:
        stack.client("s3").create_bucket(Bucket="elsewhere")
        code = main(["backfill", "s3://elsewhere/crawl/", "--endpoint-url", stack.endpoint_url, "--stack", stack.stack_name])
        err = capsys.readouterr().err
        assert code == 1 and err.startswith(f"pagesift backfill: stack '{stack.stack_name}' watches s3://")
        assert ", not s3://elsewhere/crawl/: backfill a prefix it watches" in err and err.count("\n") == 1
        assert main(["backfill", "elsewhere/crawl/", "--endpoint-url", stack.endpoint_url]) == 2


def drain_until(stack: LocalStack, detail_type: str, timeout: int = 120) -> list[dict[str, Any]]:
    import time

    url, events = stack.info()["index_queue_url"], []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not any(e["detail-type"] == detail_type for e in events):
        events += drain(stack, url)
    return events


def test_backfill_takes_its_keys_from_an_s3_inventory_report(capsys: pytest.CaptureFixture[str]) -> None:
    import gzip
    from urllib.parse import quote

    with LocalStack(ROOT / "template.yaml") as stack:
        info, s3 = stack.info(), stack.client("s3")
        for key in KEYS[:3]:
            s3.put_object(Bucket=info["input_bucket"], Key=key, Body=article_bytes(title=key))
        drain(stack, info["extract_queue_url"])
        # An inventory report as S3 writes one: manifest.json, and gzip CSV files it names.
        s3.create_bucket(Bucket="inventories")
        rows = "".join(f'"{info["input_bucket"]}","{quote(key)}","true"\n' for key in [*KEYS[:2], "elsewhere/not-this.html"])
        s3.put_object(Bucket="inventories", Key="inv/data/part-1.csv.gz", Body=gzip.compress(rows.encode()))
        manifest = {"sourceBucket": info["input_bucket"], "destinationBucket": "arn:aws:s3:::inventories", "version": "2016-11-30",
                    "fileFormat": "CSV", "fileSchema": "Bucket, Key, IsLatest", "files": [{"key": "inv/data/part-1.csv.gz"}]}
        s3.put_object(Bucket="inventories", Key="inv/manifest.json", Body=json.dumps(manifest).encode())
        report = backfill(stack, capsys, "--inventory", "s3://inventories/inv/manifest.json")
        # Only what the report lists under the prefix: the third page is not in it.
        assert report["tasks"] == 2 and report["outcomes"] == {"extracted": 2}
