"""S3 edges on moto: size cap before reading, metadata, missing objects, document writes."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from pagesift.storage import ObjectGone, PageStore


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
    page = PageStore(s3, max_input_bytes=1000).read("input-pages", "a b+c/é.html")
    assert page.data == b"<p>x</p>"
    assert page.url == "https://example.org/a"
    assert page.content_type == "text/html; charset=utf-8"
    assert page.content_language == "fr"
    assert page.version_id == version
    assert page.etag and '"' not in page.etag
    assert page.last_modified


def test_reads_the_current_version_and_tells_whether_one_exists(s3):
    s3.put_object(Bucket="input-pages", Key="k", Body=b"first")
    second = s3.put_object(Bucket="input-pages", Key="k", Body=b"second")["VersionId"]
    store = PageStore(s3, max_input_bytes=100)
    page = store.read("input-pages", "k")
    assert (page.data, page.version_id) == (b"second", second)
    assert store.exists("input-pages", "k")
    s3.delete_object(Bucket="input-pages", Key="k")
    assert not store.exists("input-pages", "k")
    with pytest.raises(ObjectGone):
        store.read("input-pages", "k")


def test_oversized_object_is_not_read(s3):
    version = s3.put_object(Bucket="input-pages", Key="big", Body=b"x" * 2000)["VersionId"]
    page = PageStore(s3, max_input_bytes=1000).read("input-pages", "big")
    assert page.data is None
    assert (page.size, page.version_id) == (2000, version)


def test_missing_object_is_object_gone(s3):
    with pytest.raises(ObjectGone):
        PageStore(s3, max_input_bytes=1000).read("input-pages", "nope")
