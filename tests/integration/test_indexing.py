"""The reference indexer on the embedded stack (moto server, the functions played by the workers):
pages uploaded, one re-uploaded changed, one deleted, events delivered twice, and a web archive
in shards mode replaced by a new version; `pagesift index` leaves the index holding exactly
the live documents, and `pagesift search` finds a page by its text, not by its navigation."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.support.warcs import realistic_archive, repository_pages

from pagesift.contracts.document import document_id
from pagesift_index.aws import QueueConsumer, S3DocumentReader
from pagesift_index.consumer import Indexer
from pagesift_index.sqlite import SqliteSink
from pagesift_local.stack import LocalStack
from pagesift_local.worker import QueueWorker

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "pages"
PAGESIFT = [sys.executable, "-m", "pagesift_local.cli"]
ARCHIVE_KEY = "crawls/2026-12/part-00001.warc.gz"
# Its text holds the first phrase; its navigation (a share bar, a newsletter box) the second.
TEXT_PHRASE, NAV_PHRASE = "night bus network to the northern districts", "sign up for our free newsletter"
DEADLINE = 240.0  # seconds: bounds a broken flow, asserts nothing about speed


class RecordingIndexer(Indexer):
    """The indexer, keeping every message body it is given (to deliver some of them again)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.bodies: list[str] = []

    def apply(self, body: str) -> Any:
        self.bodies.append(body)
        return super().apply(body)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "functions"), str(ROOT / "src")])}
    return subprocess.run([*PAGESIFT, *args], capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)


def live_documents(stack: LocalStack) -> dict[str, str]:
    """What the documents bucket holds now, id -> title: single documents and shards' lines."""
    s3, bucket = stack.client("s3"), stack.info()["documents_bucket"]
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="documents/"):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            if item["Key"].endswith(".jsonl.gz"):
                documents = [json.loads(line) for line in gzip.decompress(body).splitlines()]
            elif item["Key"].endswith(".json"):
                documents = [json.loads(body)]
            else:
                continue  # an archive run's manifests
            found.update((document["id"], document["title"]) for document in documents)
    return found


def index_until(consumer: QueueConsumer, sink: SqliteSink, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"the index never got there: {consumer.tally.summary()}")
        consumer.run(follow=False, wait_seconds=1)


def test_the_index_holds_exactly_the_live_documents_and_search_finds_text_not_navigation(tmp_path: Path) -> None:
    pages = {
        "news/bus.html": (FIXTURES / "en-share-newsletter-comments.html").read_bytes(),
        "news/housing.html": (FIXTURES / "es-cookie-related.html").read_bytes(),
        "news/port.html": (FIXTURES / "fr-aggregator-ticker.html").read_bytes(),
        "news/doomed.html": (FIXTURES / "en-us-news-byline.html").read_bytes(),
    }
    stories = repository_pages()
    first = realistic_archive([(f"https://a.example/{i}", stories[i][1]) for i in range(6)], faults=False, seed=1)
    second = realistic_archive([(f"https://b.example/{i}", stories[i + 6][1]) for i in range(4)], faults=False, seed=2)
    db = tmp_path / "index.sqlite3"
    parameters = {"OutputMode": "shards", "ArchiveRangePages": "4"}
    with (
        LocalStack(ROOT / "template.yaml", parameters=parameters) as stack,
        QueueWorker(stack, batching_window_seconds=0),
        QueueWorker(stack, concurrency=2, batching_window_seconds=0, source=stack.archive_source),
    ):
        info, s3, sqs = stack.info(), stack.client("s3"), stack.client("sqs")
        sink = SqliteSink.open(db)
        indexer = RecordingIndexer(sink, S3DocumentReader(s3))
        consumer = QueueConsumer(sqs, info["index_queue_url"], indexer)
        page_ids = {key: document_id(info["input_bucket"], key) for key in pages}

        def index_is_the_bucket() -> bool:
            return set(sink.document_ids()) == set(live_documents(stack))

        # Pages and an archive in shards mode.
        for key, html in pages.items():
            s3.put_object(Bucket=info["input_bucket"], Key=key, Body=html, ContentType="text/html")
        s3.put_object(Bucket=info["input_bucket"], Key=ARCHIVE_KEY, Body=first.data)
        index_until(
            consumer,
            sink,
            lambda: (
                set(page_ids.values()) <= set(sink.document_ids())
                and len(sink.document_ids()) == len(pages) + len(first.pages)
                and index_is_the_bucket()
            ),
        )
        assert consumer.tally.failed == 0

        # A page changed, a page deleted, the archive replaced by a new version.
        changed = pages["news/bus.html"].replace(
            b"</article>", b"<p>A revised ferry timetable follows in spring.</p></article>"
        )
        assert changed != pages["news/bus.html"]
        s3.put_object(Bucket=info["input_bucket"], Key="news/bus.html", Body=changed, ContentType="text/html")
        s3.delete_object(Bucket=info["input_bucket"], Key="news/doomed.html")
        s3.put_object(Bucket=info["input_bucket"], Key=ARCHIVE_KEY, Body=second.data)
        index_until(
            consumer,
            sink,
            lambda: (
                page_ids["news/doomed.html"] not in sink.document_ids()
                and len(sink.search("revised ferry timetable")) == 1
                and len(sink.document_ids()) == len(pages) - 1 + len(second.pages)
                and index_is_the_bucket()
            ),
        )

        # Every message delivered again, twice: all are duplicates, and nothing changes.
        before = (sink.document_ids(), [sink.chunks_of(i) for i in sink.document_ids()])
        delivered = list(indexer.bodies)
        for body in delivered + delivered:
            sqs.send_message(QueueUrl=info["index_queue_url"], MessageBody=body)
        sink.close()

        result = cli("index", "--endpoint-url", info["endpoint_url"], "--db", str(db), "--wait-seconds", "2")
        assert result.returncode == 0, result.stderr
        ignored = sum(
            json.loads(body)["detail-type"] in ("Document Extraction Failed", "Archive Extracted") for body in delivered
        )
        assert f"0 upserted, 0 deleted, {2 * (len(delivered) - ignored)} duplicates skipped" in result.stderr
        assert ", 0 failed" in result.stderr
        sink = SqliteSink.open(db)
        assert (sink.document_ids(), [sink.chunks_of(i) for i in sink.document_ids()]) == before
        assert index_is_the_bucket()
        sink.close()

    found = cli("search", f'"{TEXT_PHRASE}"', "--db", str(db), "--json")
    assert found.returncode == 0, found.stderr
    [hit] = [json.loads(line) for line in found.stdout.splitlines()]
    assert hit["document_id"] == page_ids["news/bus.html"] and hit["title"] == "City council extends night bus network"
    assert "**" in hit["snippet"] and "northern districts" in hit["snippet"]
    assert TEXT_PHRASE in pages["news/bus.html"].decode() and NAV_PHRASE in pages["news/bus.html"].decode()
    nothing = cli("search", f'"{NAV_PHRASE}"', "--db", str(db))
    assert (nothing.returncode, nothing.stdout) == (0, "") and "nothing in" in nothing.stderr
    shown = cli("search", "ferry timetable", "--db", str(db), "--language", "en")
    assert shown.returncode == 0 and "City council extends night bus network" in shown.stdout
