"""At-least-once in, exactly-once out: duplicates, reordering, unchanged content, faults."""

from __future__ import annotations

import json
import threading

from pagesift.extraction.limits import Limits
from pagesift.extraction.options import ExtractionOptions
from tests.support.aws import DOCUMENTS_BUCKET, INPUT_BUCKET, load_app
from tests.support.deliveries import sqs_event, versioned_body
from tests.support.pages import ARTICLE_PARAGRAPHS, article_bytes
from tests.support.schemas import validate_event

KEY = "news/story.html"
DOC = "documents/news/story.html.json"


def put(account, data: bytes, key: str = KEY) -> dict:
    return account.s3.put_object(Bucket=INPUT_BUCKET, Key=key, Body=data, ContentType="text/html")


def created(stored: dict, sequencer: str, key: str = KEY) -> str:
    return versioned_body("Object Created", key, stored["VersionId"], sequencer=sequencer, etag=stored["ETag"].strip('"'))


def doc_last_modified(account):
    return account.s3.head_object(Bucket=DOCUMENTS_BUCKET, Key=DOC)["LastModified"]


def test_the_same_change_delivered_five_times_gives_one_event(account, app, context):
    body = created(put(account, article_bytes()), "0A")
    for _ in range(5):
        assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}
    events = account.captured_events()
    assert [e["detail-type"] for e in events] == ["Document Extracted"]
    assert events[0]["detail"]["changed"] is True


def test_duplicates_within_one_batch_give_one_event(account, app, context):
    body = created(put(account, article_bytes()), "0A")
    assert app.lambda_handler(sqs_event(body, body, body), context) == {"batchItemFailures": []}
    assert len(account.captured_events()) == 1


def test_concurrent_duplicates_from_two_workers_give_one_event(account, context):
    body = created(put(account, article_bytes()), "0A")
    workers = [load_app(), load_app()]  # two execution environments
    results, barrier = [], threading.Barrier(2)

    def run(worker):
        barrier.wait()
        try:
            results.append(worker.lambda_handler(sqs_event(body, body), context))
        except Exception:  # every record failed: Lambda retries the whole batch
            results.append({"batchItemFailures": [{"itemIdentifier": "m0"}]})

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One of them may be told to retry (in progress elsewhere); the retry finds it done.
    for response in results:
        for _failure in response["batchItemFailures"]:
            assert workers[0].lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}
    assert len(account.captured_events()) == 1


def test_a_late_event_for_an_older_change_is_skipped_by_its_sequencer(account, app, context):
    # Unversioned-style events (no version id): the sequencer orders them.
    first = put(account, article_bytes(title="First"))
    first_body = versioned_body("Object Created", KEY, sequencer="0000000001", etag=first["ETag"].strip('"'))
    second = put(account, article_bytes(title="Second"))
    second_body = versioned_body("Object Created", KEY, sequencer="0000000002", etag=second["ETag"].strip('"'))
    app.lambda_handler(sqs_event(second_body), context)
    app.lambda_handler(sqs_event(first_body), context)
    assert [e["detail"]["title"] for e in account.captured_events()][0].startswith("Second")
    assert account.document(DOC)["title"].startswith("Second")


def test_sequencers_of_different_lengths_compare_as_aws_says(account, app, context):
    stored = put(account, article_bytes())
    app.lambda_handler(sqs_event(created(stored, "0F0000")), context)  # shorter, but larger once left-padded
    app.lambda_handler(sqs_event(versioned_body("Object Deleted", KEY, "marker", sequencer="00000000E0000")), context)
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extracted"]


def test_a_stale_delete_never_removes_a_newer_document(account, app, context):
    old = put(account, article_bytes(title="Old"))
    account.s3.delete_object(Bucket=INPUT_BUCKET, Key=KEY)
    new = put(account, article_bytes(title="New"))
    app.lambda_handler(sqs_event(created(new, "03")), context)
    app.lambda_handler(sqs_event(versioned_body("Object Deleted", KEY, "marker", sequencer="02")), context)
    app.lambda_handler(sqs_event(created(old, "01")), context)
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extracted"]
    assert account.document(DOC)["title"].startswith("New")


def test_reuploading_identical_content_rewrites_nothing(account, app, context):
    app.lambda_handler(sqs_event(created(put(account, article_bytes()), "01")), context)
    written = doc_last_modified(account)
    first_events = account.captured_events()
    response = app.lambda_handler(sqs_event(created(put(account, article_bytes()), "02")), context)
    assert response == {"batchItemFailures": []}
    assert account.captured_events() == []
    assert doc_last_modified(account) == written
    assert len(first_events) == 1


def test_metadata_change_with_the_same_text_is_rewritten_with_changed_false(account, app, context):
    def with_image(name: str) -> bytes:
        return article_bytes(extra_head=f'<meta property="og:image" content="https://img.example.org/{name}.jpg">')

    app.lambda_handler(sqs_event(created(put(account, with_image("draft")), "01")), context)
    app.lambda_handler(sqs_event(created(put(account, with_image("final")), "02")), context)
    events = account.captured_events()
    assert [e["detail"]["changed"] for e in events] == [True, False]
    assert account.document(DOC)["image"] == "https://img.example.org/final.jpg"


def test_text_change_is_changed_true(account, app, context):
    app.lambda_handler(sqs_event(created(put(account, article_bytes()), "01")), context)
    edited = [*ARTICLE_PARAGRAPHS[:-1], "A correction was added to this article on Wednesday morning after readers wrote in."]
    app.lambda_handler(sqs_event(created(put(account, article_bytes(paragraphs=edited)), "02")), context)
    assert [e["detail"]["changed"] for e in account.captured_events()] == [True, True]


def test_document_written_but_event_failed_gets_exactly_one_event_on_retry(account, app, context, monkeypatch):
    body = created(put(account, article_bytes()), "01")
    real_put_events = app.pipeline.publisher._events.put_events
    calls = {"n": 0}

    def failing_put_events(**kwargs):
        calls["n"] += 1
        if calls["n"] <= 5:  # every attempt of the first delivery fails
            return {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}]}
        return real_put_events(**kwargs)

    monkeypatch.setattr(app.pipeline.publisher._events, "put_events", failing_put_events)
    monkeypatch.setattr(app.pipeline.publisher, "_sleep", lambda _s: None)
    first = app.lambda_handler(sqs_event(body), context)
    assert first == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert account.document_keys() == [DOC]  # written before the event failed
    assert account.captured_events() == []
    assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}
    assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}
    events = account.captured_events()
    assert [e["detail-type"] for e in events] == ["Document Extracted"]
    validate_event(events[0])
    assert events[0]["detail"]["changed"] is True


def test_a_permanent_failure_is_reported_once(account, app, context):
    stored = account.s3.put_object(Bucket=INPUT_BUCKET, Key="img.png", Body=b"\x89PNG\r\n\x1a\n" + bytes(64))
    body = versioned_body("Object Created", "img.png", stored["VersionId"], sequencer="01", etag=stored["ETag"].strip('"'))
    for _ in range(3):
        app.lambda_handler(sqs_event(body), context)
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extraction Failed"]


def test_an_object_held_by_another_invocation_is_retried_later(account, app, context):
    body = created(put(account, article_bytes()), "01")
    app.pipeline.state.acquire(INPUT_BUCKET, KEY, "someone-else", lease_seconds=60, change_id="another-change")
    assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert account.captured_events() == []
    app.pipeline.state.release(INPUT_BUCKET, KEY, "someone-else", dirty=False)
    assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}
    assert len(account.captured_events()) == 1


def test_an_expired_lease_is_taken_over(account, app, context):
    body = created(put(account, article_bytes()), "01")
    app.pipeline.state.acquire(INPUT_BUCKET, KEY, "crashed-invocation", lease_seconds=-1, change_id="a-dead-change")
    assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}
    assert len(account.captured_events()) == 1


def test_state_records_what_was_applied(account, app, context):
    stored = put(account, article_bytes())
    app.lambda_handler(sqs_event(created(stored, "0A")), context)
    item = account.s3._endpoint and __import__("boto3").client("dynamodb", region_name="us-east-1").get_item(
        TableName="pagesift-state", Key={"id": {"S": f"object#{INPUT_BUCKET}/{KEY}"}}
    )["Item"]
    assert item["sequencer"]["S"].endswith("0A") and len(item["sequencer"]["S"]) == 64
    assert item["version_id"]["S"] == stored["VersionId"]
    assert "lease_owner" not in item
    assert item["deleted"]["BOOL"] is False
    assert json.dumps(item)  # plain attributes only


def test_too_little_time_left_retries_the_change_instead_of_failing_it(account, app, context):
    body = created(put(account, article_bytes()), "01")

    class AlmostOver(type(context)):
        def get_remaining_time_in_millis(self) -> int:
            return 400

    assert app.lambda_handler(sqs_event(body), AlmostOver()) == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert account.captured_events() == []
    assert app.lambda_handler(sqs_event(body), context) == {"batchItemFailures": []}
    assert len(account.captured_events()) == 1


# --- cases found in review: the same bytes twice, rollbacks, unrecorded writes -----------------

PLAIN = "pagesift-plain"  # an unversioned bucket: ETags repeat when the bytes do


def plain_created(account, data: bytes, sequencer: str, key: str = KEY, version: str | None = None) -> str:
    stored = account.s3.put_object(Bucket=PLAIN, Key=key, Body=data)
    body = json.loads(versioned_body("Object Created", key, version, sequencer=sequencer, etag=stored["ETag"].strip('"')))
    body["detail"]["bucket"]["name"] = PLAIN
    return json.dumps(body)


def plain_deleted(account, sequencer: str, key: str = KEY) -> str:
    account.s3.delete_object(Bucket=PLAIN, Key=key)
    body = json.loads(versioned_body("Object Deleted", key, sequencer=sequencer))
    body["detail"]["bucket"]["name"] = PLAIN
    return json.dumps(body)


def test_the_same_bytes_uploaded_again_after_other_bytes_are_applied(account, app, context):
    account.s3.create_bucket(Bucket=PLAIN)
    alpha, beta = article_bytes(title="Alpha"), article_bytes(title="Beta")
    for data, sequencer in ((alpha, "01"), (beta, "02"), (alpha, "03")):  # each applied before the next upload
        assert app.lambda_handler(sqs_event(plain_created(account, data, sequencer)), context) == {"batchItemFailures": []}
    assert [e["detail"]["title"].split()[0] for e in account.captured_events()] == ["Alpha", "Beta", "Alpha"]
    assert account.document(DOC)["title"].startswith("Alpha")


def test_the_same_bytes_uploaded_again_after_a_delete_come_back(account, app, context):
    account.s3.create_bucket(Bucket=PLAIN)
    page = article_bytes()
    app.lambda_handler(sqs_event(plain_created(account, page, "01")), context)
    app.lambda_handler(sqs_event(plain_deleted(account, "02")), context)
    app.lambda_handler(sqs_event(plain_created(account, page, "03")), context)
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extracted", "Document Deleted", "Document Extracted"]
    assert account.document_keys() == [DOC]


def test_null_version_ids_do_not_merge_changes(account, app, context):
    account.s3.create_bucket(Bucket=PLAIN)
    app.lambda_handler(sqs_event(plain_created(account, article_bytes(title="Alpha"), "01", version="null")), context)
    app.lambda_handler(sqs_event(plain_created(account, article_bytes(title="Beta"), "02", version="null")), context)
    assert account.document(DOC)["title"].startswith("Beta")


def test_a_document_written_but_not_recorded_is_not_taken_for_unchanged(account, app, context, monkeypatch):
    app.lambda_handler(sqs_event(created(put(account, article_bytes(title="Alpha")), "01")), context)
    beta = created(put(account, article_bytes(title="Beta")), "02")
    real_put_events = app.pipeline.publisher._events.put_events
    monkeypatch.setattr(app.pipeline.publisher, "_sleep", lambda _s: None)
    monkeypatch.setattr(app.pipeline.publisher._events, "put_events",
                        lambda **_k: {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "x"}]})
    assert app.lambda_handler(sqs_event(beta), context) == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    monkeypatch.setattr(app.pipeline.publisher._events, "put_events", real_put_events)
    # Beta's document is in the bucket, unannounced; Alpha's bytes come back as version 3.
    app.lambda_handler(sqs_event(created(put(account, article_bytes(title="Alpha")), "03")), context)
    app.lambda_handler(sqs_event(beta), context)  # Beta's retry: stale by now
    assert account.document(DOC)["title"].startswith("Alpha")
    assert [e["detail"]["title"][:5] for e in account.captured_events()] == ["Alpha", "Alpha"]


def test_deleting_the_current_version_brings_back_the_previous_one(account, app, context):
    first = put(account, article_bytes(title="First"))
    second = put(account, article_bytes(title="Second"))
    app.lambda_handler(sqs_event(created(first, "01"), created(second, "02")), context)
    account.s3.delete_object(Bucket=INPUT_BUCKET, Key=KEY, VersionId=second["VersionId"])  # a rollback
    app.lambda_handler(sqs_event(versioned_body("Object Deleted", KEY, second["VersionId"], sequencer="03")), context)
    document = account.document(DOC)
    assert document["title"].startswith("First") and document["source"]["version_id"] == first["VersionId"]
    assert [e["detail"]["title"][:5] for e in account.captured_events()] == ["Secon", "First"]


def test_removing_a_delete_marker_brings_the_document_back(account, app, context):
    stored = put(account, article_bytes())
    app.lambda_handler(sqs_event(created(stored, "01")), context)
    marker = account.s3.delete_object(Bucket=INPUT_BUCKET, Key=KEY)["VersionId"]
    app.lambda_handler(sqs_event(versioned_body("Object Deleted", KEY, marker, sequencer="02")), context)
    assert account.document_keys() == []
    account.s3.delete_object(Bucket=INPUT_BUCKET, Key=KEY, VersionId=marker)  # undelete
    app.lambda_handler(sqs_event(versioned_body("Object Deleted", KEY, marker, sequencer="03")), context)
    assert account.document_keys() == [DOC]
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extracted", "Document Deleted", "Document Extracted"]


def test_a_backfill_after_a_rollback_applies_the_current_version(account, app, context):
    first = put(account, article_bytes(title="First"))
    second = put(account, article_bytes(title="Second"))
    app.lambda_handler(sqs_event(created(second, "02")), context)
    account.s3.delete_object(Bucket=INPUT_BUCKET, Key=KEY, VersionId=second["VersionId"])
    job = {"invocationSchemaVersion": "2.0", "invocationId": "i", "job": {"id": "j"},
           "tasks": [{"taskId": "t", "s3Bucket": INPUT_BUCKET, "s3Key": KEY, "s3VersionId": None}]}
    response = app.lambda_handler(job, context)
    assert response["results"][0]["resultCode"] == "Succeeded"
    assert account.document(DOC)["source"]["version_id"] == first["VersionId"]


def test_an_old_small_version_is_not_failed_for_the_size_of_the_current_one(account, app, context, monkeypatch):
    monkeypatch.setattr(app.pipeline.pages, "_limits", Limits(max_input_bytes=5000))
    monkeypatch.setattr(app.pipeline, "options", ExtractionOptions(Limits(max_input_bytes=5000)))
    small = put(account, article_bytes())
    big = put(account, article_bytes() + b"<!-- padding -->" * 1000)
    app.lambda_handler(sqs_event(created(small, "01"), created(big, "02")), context)
    events = account.captured_events()
    assert [(e["detail-type"], e["detail"]["error"]["type"]) for e in events] == [("Document Extraction Failed", "InputTooLarge")]
    assert events[0]["detail"]["source"]["version_id"] == big["VersionId"]


def test_deleting_a_page_that_never_had_a_document_announces_nothing(account, app, context):
    stored = account.s3.put_object(Bucket=INPUT_BUCKET, Key="img.png", Body=b"\x89PNG\r\n\x1a\n" + bytes(64))
    app.lambda_handler(sqs_event(versioned_body("Object Created", "img.png", stored["VersionId"], sequencer="01")), context)
    marker = account.s3.delete_object(Bucket=INPUT_BUCKET, Key="img.png")["VersionId"]
    app.lambda_handler(sqs_event(versioned_body("Object Deleted", "img.png", marker, sequencer="02")), context)
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extraction Failed"]


def test_ordering_and_idempotency_are_one_item_per_object(account, context):
    # Two execution environments (the module imported under two names) share the record: the
    # second delivery is a duplicate, and the table holds the object's item and nothing else.
    body = created(put(account, article_bytes()), "01")
    first, second = load_app(), load_app()
    first.lambda_handler(sqs_event(body), context)
    response = second.lambda_handler(sqs_event(body), context)
    assert response == {"batchItemFailures": []}
    assert [e["detail-type"] for e in account.captured_events()] == ["Document Extracted"]
    items = __import__("boto3").client("dynamodb", region_name="us-east-1").scan(TableName="pagesift-state")["Items"]
    assert [item["id"]["S"] for item in items] == [f"object#{INPUT_BUCKET}/{KEY}"]
    assert set(json.loads(items[0]["outcome"]["S"])) <= {"status", "document_id", "event_id", "reason", "error"}
