"""The handler on moto: every sample in events/, failures, partial batches, Batch Operations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pagesift.archives.tasks import ArchiveTask, TaskAction
from pagesift.contracts.document import document_key
from pagesift.extraction.limits import Limits
from pagesift.extraction.options import ExtractionOptions
from pagesift.delivery.triggers import ChangeKind, DeliveryKind, ObjectChange, read_event
from tests.support.aws import DOCUMENTS_BUCKET, EVENTS_DIR, INPUT_BUCKET
from tests.support.deliveries import created_body, sqs_event, versioned_body
from tests.support.pages import article_bytes
from tests.support.schemas import validate_document, validate_event

EVENT_FILES = sorted(EVENTS_DIR.glob("*.json"))


def materialise(account, path: Path) -> tuple[dict[str, Any], list[ObjectChange]]:
    """Store a page for every created object a sample names (and an old document for every
    deleted one), and point the sample's version ids and ETags at the objects really stored."""
    text = path.read_text()
    changes = read_event(json.loads(text)).changes
    for change in changes:
        if change.kind is ChangeKind.CREATED:
            stored = account.s3.put_object(Bucket=INPUT_BUCKET, Key=change.key, Body=article_bytes(), ContentType="text/html")
            if change.version_id:
                text = text.replace(change.version_id, stored["VersionId"])
            if change.etag:
                text = text.replace(change.etag, stored["ETag"].strip('"'))
        else:
            account.s3.put_object(Bucket=DOCUMENTS_BUCKET, Key=document_key(change.key), Body=b"{}")
    return json.loads(text), changes


def test_every_sample_event_is_covered():
    names = {p.name for p in EVENT_FILES}
    assert {"s3-put.json", "s3-delete.json", "eventbridge-object-created.json", "eventbridge-object-deleted.json",
            "sqs-eventbridge-batch.json", "sqs-s3-notification.json", "batch-operations-v1.json", "batch-operations-v2.json"} <= names


@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda p: p.name)
def test_handler_processes_every_sample_event(account, app, context, path):
    event, changes = materialise(account, path)
    assert changes, "every sample names at least one object"
    response = app.lambda_handler(event, context)

    kind = read_event(event).kind
    if kind is DeliveryKind.MESSAGES:
        assert response == {"batchItemFailures": []}
    if kind is DeliveryKind.JOB:
        assert [r["resultCode"] for r in response["results"]] == ["Succeeded"] * len(changes)
        assert response["invocationId"] == event["invocationId"]

    published = account.captured_events()
    assert len(published) == len(changes)
    for published_event in published:
        validate_event(published_event)
    by_key = {e["detail"]["source"]["key"]: e for e in published}
    stored = set(account.document_keys())
    for change in changes:
        key = document_key(change.key)
        event_for_change = by_key[change.key]
        if change.kind is ChangeKind.CREATED:
            assert event_for_change["detail-type"] == "Document Extracted"
            assert event_for_change["detail"]["document"]["key"] == key
            document = account.document(key)
            validate_document(document)
            assert document["source"]["key"] == change.key
            assert document["source"]["bucket"] == INPUT_BUCKET
            assert "night bus network" in document["text"]
        else:
            assert event_for_change["detail-type"] == "Document Deleted"
            assert key not in stored


def test_bad_pages_fail_alone_and_good_ones_still_become_documents(account, app, context):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    account.put_page("good/one.html", article_bytes())
    account.put_page("bad/image.png", png)
    account.put_page("bad/random.bin", bytes((i * 7919) % 251 for i in range(5000)))
    account.put_page("bad/empty.html", b"")
    # one tag of 200,000 distinct attributes: quadratic in libxml2 and lexbor, in C (minutes)
    attributes = " ".join(f"a{i}=1" for i in range(200_000))
    account.put_page("bad/attributes.html", article_bytes().replace(b"<article>", f"<div {attributes}></div><article>".encode()))
    account.put_page("good/two.html", article_bytes(title="Second story"))
    keys = ["good/one.html", "bad/image.png", "bad/random.bin", "bad/empty.html", "bad/attributes.html", "good/two.html"]
    response = app.lambda_handler(sqs_event(*(created_body(k) for k in keys)), context)
    assert response == {"batchItemFailures": []}  # permanent failures are reported, not retried
    events = {e["detail"]["source"]["key"]: e for e in account.captured_events()}
    assert set(events) == set(keys)
    for key in ("good/one.html", "good/two.html"):
        assert events[key]["detail-type"] == "Document Extracted"
    for key, kind in (("bad/image.png", "NotHtml"), ("bad/random.bin", "NotHtml"), ("bad/empty.html", "EmptyInput"),
                      ("bad/attributes.html", "HtmlTooLarge")):
        failure = events[key]
        validate_event(failure)
        assert failure["detail-type"] == "Document Extraction Failed"
        assert failure["detail"]["error"]["type"] == kind
        assert failure["detail"]["error"]["message"]
    assert sorted(account.document_keys()) == ["documents/good/one.html.json", "documents/good/two.html.json"]


def test_malformed_message_is_reported_once_and_not_retried(account, app, context):
    account.put_page("good.html", article_bytes())
    response = app.lambda_handler(sqs_event("not json at all", json.dumps({"hello": "world"}), created_body("good.html")), context)
    assert response == {"batchItemFailures": []}
    events = account.captured_events()
    failures = [e for e in events if e["detail-type"] == "Document Extraction Failed"]
    assert len(failures) == 2
    for failure in failures:
        validate_event(failure)
        assert failure["detail"]["error"]["stage"] == "trigger"
    assert any(e["detail-type"] == "Document Extracted" for e in events)


def test_transient_errors_fail_only_their_message(account, app, context, monkeypatch):
    account.put_page("ok.html", article_bytes())
    account.put_page("throttled.html", article_bytes())
    real_get_object = app.pipeline.pages._s3.get_object

    def flaky_get_object(**kwargs):
        if kwargs["Key"] == "throttled.html":
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "Reduce your request rate"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "GetObject")
        return real_get_object(**kwargs)

    monkeypatch.setattr(app.pipeline.pages._s3, "get_object", flaky_get_object)
    response = app.lambda_handler(sqs_event(created_body("ok.html"), created_body("throttled.html")), context)
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert [e["detail"]["source"]["key"] for e in account.captured_events()] == ["ok.html"]


def test_a_page_over_max_input_bytes_is_refused_before_it_is_read(account, app, context, monkeypatch):
    monkeypatch.setattr(app.pipeline.pages, "_limits", Limits(max_input_bytes=1000))
    monkeypatch.setattr(app.pipeline, "options", ExtractionOptions(Limits(max_input_bytes=1000)))
    account.put_page("big.html", article_bytes())
    app.lambda_handler(sqs_event(created_body("big.html")), context)
    [failure] = account.captured_events()
    assert failure["detail"]["error"]["type"] == "InputTooLarge"
    assert failure["detail"]["error"]["stage"] == "read"


def test_object_deleted_before_it_was_read_is_skipped_for_its_deletion_event(account, app, context):
    response = app.lambda_handler(sqs_event(created_body("vanished.html")), context)
    assert response == {"batchItemFailures": []}
    assert account.captured_events() == []
    assert account.document_keys() == []


def test_late_event_for_an_older_version_does_not_overwrite_the_newer_document(account, app, context):
    old = account.put_page("news/story.html", article_bytes(title="First version"))
    new = account.put_page("news/story.html", article_bytes(title="Second version"))
    app.lambda_handler(sqs_event(versioned_body("Object Created", "news/story.html", new)), context)
    app.lambda_handler(sqs_event(versioned_body("Object Created", "news/story.html", old)), context)
    events = account.captured_events()
    assert [e["detail"]["source"]["version_id"] for e in events] == [new]
    assert account.document("documents/news/story.html.json")["title"].startswith("Second version")


def test_deleting_an_old_version_keeps_the_document_of_the_current_one(account, app, context):
    old = account.put_page("news/story.html", article_bytes(title="First version"))
    current = account.put_page("news/story.html", article_bytes(title="Second version"))
    app.lambda_handler(sqs_event(versioned_body("Object Created", "news/story.html", current)), context)
    account.s3.delete_object(Bucket=INPUT_BUCKET, Key="news/story.html", VersionId=old)
    app.lambda_handler(sqs_event(versioned_body("Object Deleted", "news/story.html", old)), context)
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extracted"]
    assert account.document_keys() == ["documents/news/story.html.json"]


def test_a_late_create_after_the_delete_does_not_resurrect_the_document(account, app, context):
    version = account.put_page("news/gone.html", article_bytes())
    account.s3.delete_object(Bucket=INPUT_BUCKET, Key="news/gone.html")  # a delete marker
    app.lambda_handler(sqs_event(versioned_body("Object Deleted", "news/gone.html", "marker")), context)
    app.lambda_handler(sqs_event(versioned_body("Object Created", "news/gone.html", version)), context)
    # It never had a document: nothing to remove or announce, and nothing comes back.
    assert account.captured_events() == []
    assert account.document_keys() == []


def test_page_that_crashes_the_extractor_is_a_permanent_failure(account, app, context):
    account.put_page("odd.html", b"<svg><br><l>")
    account.put_page("label.html", b'<meta charset="base64">' + article_bytes(charset=None))
    response = app.lambda_handler(sqs_event(created_body("odd.html"), created_body("label.html")), context)
    assert response == {"batchItemFailures": []}
    events = {e["detail"]["source"]["key"]: e for e in account.captured_events()}
    assert events["odd.html"]["detail"]["error"]["type"] == "UnparseableHtml"
    assert events["label.html"]["detail-type"] == "Document Extracted"


def test_events_from_the_documents_bucket_are_refused(account, app, context):
    app.lambda_handler(sqs_event(created_body("documents/x.html.json", bucket=DOCUMENTS_BUCKET)), context)
    [failure] = account.captured_events()
    assert failure["detail"]["error"]["type"] == "RecursiveTrigger"
    assert account.document_keys() == []


def test_document_metadata_comes_from_the_object(account, app, context):
    account.put_page(
        "meta/page.html",
        article_bytes("windows-1252", charset=None),
        ContentType="text/html; charset=windows-1252",
        Metadata={"url": "https://crawl.example.com/page?id=7"},
    )
    app.lambda_handler(sqs_event(created_body("meta/page.html")), context)
    [event] = account.captured_events()
    document = account.document(event["detail"]["document"]["key"])
    assert document["url"] == "https://crawl.example.com/page?id=7"
    assert document["source"]["content_type"] == "text/html; charset=windows-1252"
    assert document["source"]["version_id"]
    assert event["detail"]["url"] == document["url"]
    stored = account.s3.get_object(Bucket=DOCUMENTS_BUCKET, Key=event["detail"]["document"]["key"])
    assert stored["ContentType"] == "application/json; charset=utf-8"


def test_unsupported_direct_event_is_reported(account, app, context):
    response = app.lambda_handler({"something": "else"}, context)
    assert response["status"] == "unsupported event"
    [failure] = account.captured_events()
    assert failure["detail"]["error"]["type"] == "UnsupportedEvent"


def test_batch_operations_report_a_result_per_task(account, app, context):
    account.put_page("backfill/ok.html", article_bytes())
    account.put_page("backfill/bad.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    event = {
        "invocationSchemaVersion": "1.0",
        "invocationId": "inv-1",
        "job": {"id": "job-1"},
        "tasks": [
            {"taskId": "t1", "s3Key": "backfill/ok.html", "s3VersionId": None, "s3BucketArn": f"arn:aws:s3:::{INPUT_BUCKET}"},
            {"taskId": "t2", "s3Key": "backfill/bad.png", "s3VersionId": None, "s3BucketArn": f"arn:aws:s3:::{INPUT_BUCKET}"},
        ],
    }
    event["tasks"].append({"taskId": "t3", "s3VersionId": None, "s3BucketArn": f"arn:aws:s3:::{INPUT_BUCKET}"})  # no key
    response = app.lambda_handler(event, context)
    assert response["treatMissingKeysAs"] == "PermanentFailure"
    assert [(r["taskId"], r["resultCode"]) for r in response["results"]] == [
        ("t1", "Succeeded"), ("t2", "PermanentFailure"), ("t3", "PermanentFailure")]
    assert "s3Key" in response["results"][2]["resultString"]
    assert response["results"][0]["resultString"] == "extracted: documents/backfill/ok.html.json"


def test_the_function_refuses_to_start_when_its_documents_bucket_is_its_input(account, monkeypatch):
    from pagesift.config import ConfigurationError
    from tests.support.aws import load_app

    monkeypatch.setenv("INPUT_BUCKET", DOCUMENTS_BUCKET)
    with pytest.raises(ConfigurationError, match="refusing to start"):
        load_app()


def test_an_archive_task_sent_to_the_extract_queue_is_a_failure_not_a_page(account, app, context):
    # The extract function takes S3 changes only: a step of an archive's run on its queue is
    # reported (its failure event names the trigger) and not retried, never taken for a change.
    task = ArchiveTask(TaskAction.PLAN, {"bucket": INPUT_BUCKET, "key": "crawl.warc.gz"}, "0" * 32)
    response = app.lambda_handler(sqs_event(task.to_message()), context)
    assert response == {"batchItemFailures": []}
    (failure,) = account.captured_events()
    validate_event(failure)
    assert failure["detail-type"] == "Document Extraction Failed"
    assert (failure["detail"]["error"]["type"], failure["detail"]["error"]["stage"]) == ("UnsupportedEvent", "trigger")
