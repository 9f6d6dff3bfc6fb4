"""The S3 adapters on moto: size cap before reading, metadata, missing objects, document writes."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

import json

from pagesift.contracts.document import content_sha256
from pagesift.aws.s3 import S3DocumentStore, S3PageSource
from pagesift.extraction.limits import Limits
from pagesift.contracts.ports import ObjectGone
from tests.support.fakes import a_document


def page_source(client, *, max_input_bytes):
    return S3PageSource(client, limits=Limits(max_input_bytes=max_input_bytes))


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="input-pages")
        client.put_bucket_versioning(Bucket="input-pages", VersioningConfiguration={"Status": "Enabled"})
        yield client


def test_reads_page_with_its_storage_metadata(s3):
    version = s3.put_object(
        Bucket="input-pages", Key="a b+c/é.html", Body=b"<p>x</p>", ContentType="text/html; charset=utf-8",
        ContentEncoding="identity", ContentLanguage="fr", Metadata={"url": "https://example.org/a"},
    )["VersionId"]
    page = page_source(s3, max_input_bytes=1000).read("input-pages", "a b+c/é.html")
    assert page.data == b"<p>x</p>"
    assert page.url == "https://example.org/a"
    assert page.content_type == "text/html; charset=utf-8"
    assert page.content_language == "fr"
    assert page.version_id == version
    assert page.etag and '"' not in page.etag
    assert page.last_modified


def test_reads_the_current_version_and_heads_it_without_its_bytes(s3):
    s3.put_object(Bucket="input-pages", Key="k", Body=b"first")
    second = s3.put_object(Bucket="input-pages", Key="k", Body=b"second")["VersionId"]
    store = page_source(s3, max_input_bytes=100)
    page = store.read("input-pages", "k")
    assert (page.data, page.version_id) == (b"second", second)
    head = store.head("input-pages", "k")
    assert head is not None and head.data is None and (head.version_id, head.etag, head.size) == (second, page.etag, 6)
    s3.delete_object(Bucket="input-pages", Key="k")
    assert store.head("input-pages", "k") is None
    with pytest.raises(ObjectGone):
        store.read("input-pages", "k")


def test_oversized_object_is_not_read(s3):
    version = s3.put_object(Bucket="input-pages", Key="big", Body=b"x" * 2000)["VersionId"]
    page = page_source(s3, max_input_bytes=1000).read("input-pages", "big")
    assert page.data is None
    assert (page.size, page.version_id) == (2000, version)


def test_missing_object_is_object_gone(s3):
    with pytest.raises(ObjectGone):
        page_source(s3, max_input_bytes=1000).read("input-pages", "nope")


def test_documents_are_written_as_compact_utf8_json_and_deleted(s3):
    s3.create_bucket(Bucket="docs")
    store = S3DocumentStore(s3, bucket="docs", prefix="documents/")
    document = a_document("news/é t+é.html", text="Le café est fermé.")
    key = "documents/news/é t+é.html.json"
    assert not store.exists(key)
    store.write(key, document)
    stored = s3.get_object(Bucket="docs", Key=key)
    assert stored["ContentType"] == "application/json; charset=utf-8"
    assert stored["Metadata"] == {"document-id": document.id, "source-sha256": document.fingerprints.sha256,
                                  "content-sha256": content_sha256(document)}
    assert store.written(key) == (document.fingerprints.sha256, content_sha256(document), None)
    store.write(key, document, run="r1")
    assert store.written(key).run == "r1"
    body = stored["Body"].read()
    assert "café".encode() in body and b", " not in body
    assert json.loads(body) == document.to_dict()
    assert store.exists(key)
    store.delete(key)
    assert not store.exists(key)


def test_shards_and_manifests_are_listed_read_and_deleted_in_batches(s3):
    s3.create_bucket(Bucket="docs")
    store = S3DocumentStore(s3, bucket="docs", prefix="documents/")
    keys = [f"documents/a.warc.gz/{n:05d}.json" for n in range(1203)]  # more than a DeleteObjects call takes
    for key in keys:
        s3.put_object(Bucket="docs", Key=key, Body=b"{}")
    store.put_bytes("documents/a.warc.gz/shards/r/000000-000000000000.jsonl.gz", b"\x1f\x8b", content_type="application/x-ndjson",
                    content_encoding="gzip")
    s3.put_object(Bucket="docs", Key="documents/a.warc.gz.json", Body=b"{}")  # a page beside the archive's prefix
    listed = list(store.list("documents/a.warc.gz/"))
    assert len(listed) == 1204 and "documents/a.warc.gz.json" not in listed
    assert store.get_bytes("documents/a.warc.gz/shards/r/000000-000000000000.jsonl.gz") == b"\x1f\x8b"
    assert store.get_bytes("documents/missing") is None and store.written("documents/missing") is None
    store.delete_many(listed)
    assert list(store.list("documents/a.warc.gz/")) == [] and store.exists("documents/a.warc.gz.json")


def test_archives_are_read_by_ranges_of_the_runs_version(s3):
    from pagesift.aws.s3 import S3ArchiveSource

    first = s3.put_object(Bucket="input-pages", Key="a.warc", Body=b"0123456789")
    source = S3ArchiveSource(s3)
    etag = first["ETag"].strip('"')
    assert source.open("input-pages", "a.warc", start=4, version_id=first["VersionId"], etag=etag).read() == b"456789"
    assert source.open("input-pages", "a.warc", start=10, version_id=None, etag=etag).read() == b""  # at the end
    s3.put_object(Bucket="input-pages", Key="a.warc", Body=b"a newer version")
    with pytest.raises(ObjectGone):
        source.open("input-pages", "a.warc", start=0, version_id=None, etag=etag)  # If-Match: not the run's version
    with pytest.raises(ObjectGone):
        source.open("input-pages", "nope.warc", start=0, version_id=None, etag=None)
