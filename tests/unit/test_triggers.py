"""Tests for pagesift.delivery.triggers: every sample event, key decoding, ignored and bad events."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pagesift.delivery.triggers import (
    ChangeKind,
    DeliveryItem,
    DeliveryKind,
    ObjectChange,
    UnsupportedEventError,
    batch_tasks,
    changes_from_eventbridge,
    changes_from_s3_notification,
    changes_in,
    event_shape,
    message_item,
    read_event,
)

EVENTS = Path(__file__).resolve().parents[2] / "events"
BUCKET = "pagesift-input"
CREATED, DELETED = ChangeKind.CREATED, ChangeKind.DELETED


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def changes_for(event: dict[str, Any]) -> list[ObjectChange]:
    """What the handler will do: read_event, as the handler does."""
    return read_event(event).changes


def changes_from_message_body(body: Any) -> list[ObjectChange]:
    """An SQS message body, read as the handler reads each message of a batch."""
    return changes_in(body, inside="SQS message body")


def s3_record(key: str, event_name: str = "ObjectCreated:Put", **obj: Any) -> dict[str, Any]:
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventTime": "2024-05-01T10:00:00.000Z",
        "eventName": event_name,
        "s3": {"bucket": {"name": BUCKET}, "object": {"key": key, **obj}},
    }


def s3_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def eb_event(key: str, detail_type: str = "Object Created", **obj: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": detail_type,
        "source": "aws.s3",
        "account": "123456789012",
        "time": "2024-05-01T10:00:00Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:s3:::{BUCKET}"],
        "detail": {"version": "0", "bucket": {"name": BUCKET}, "object": {"key": key, **obj}},
    }


def s3_key(event: dict[str, Any]) -> str:
    [change] = changes_from_s3_notification(event)
    return change.key


# --- every sample event --------------------------------------------------------------


def test_every_sample_event_is_covered_by_a_test() -> None:
    samples = {p.name for p in EVENTS.glob("*.json")}
    assert samples == set(EXPECTED_SHAPES)


EXPECTED_SHAPES = {
    "s3-put.json": "s3",
    "s3-delete.json": "s3",
    "s3-put-encoded-keys.json": "s3",
    "eventbridge-object-created.json": "eventbridge",
    "eventbridge-object-deleted.json": "eventbridge",
    "sqs-eventbridge-batch.json": "sqs",
    "sqs-s3-notification.json": "sqs",
    "batch-operations-v1.json": "batch",
    "batch-operations-v2.json": "batch",
}


@pytest.mark.parametrize(("name", "shape"), sorted(EXPECTED_SHAPES.items()))
def test_sample_event_shape(name: str, shape: str) -> None:
    assert event_shape(load(name)) == shape


def test_s3_put_sample() -> None:
    assert changes_for(load("s3-put.json")) == [
        ObjectChange(
            bucket=BUCKET,
            key="news/2021/11/leçon de français.html",
            kind=CREATED,
            version_id="3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
            etag="6f5902ac237024bdd0c176cb93063dc4",
            size=48213,
            sequencer="00618E30DB5F0A1C27",
        )
    ]


def test_s3_delete_sample_has_no_size_or_etag() -> None:
    assert changes_for(load("s3-delete.json")) == [
        ObjectChange(
            bucket=BUCKET,
            key="news/2021/11/leçon de français.html",
            kind=DELETED,
            version_id="96fCUM9V2bgfQ5CdZ0SuDAMf3.G0.f5v",
            etag=None,
            size=None,
            sequencer="006191327B03D8E6A4",
        )
    ]


def test_s3_encoded_keys_sample() -> None:
    changes = changes_for(load("s3-put-encoded-keys.json"))
    assert [c.key for c in changes] == [
        "news/breaking news/world cup final.html",  # "+" is a space
        "news/tech/c++/templates+generics.html",  # "%2B" is a plus
        "news/日本/東京 über café.html",  # percent-encoded UTF-8
        "news/a/b/c/d/e/f/page.html",  # deep prefix kept
        "news/offers/100% organic.html",  # "%25" is a percent sign
        "news/year=2021/month=11/index.html",  # "%3D", as partitioned layouts get it
    ]
    assert {c.kind for c in changes} == {CREATED}
    assert {c.bucket for c in changes} == {BUCKET}
    assert changes[0].size == 35120 and changes[0].etag == "9e107d9d372bb6826bd81d3542a419d6"
    assert len({c.sequencer for c in changes}) == len(changes)


def test_eventbridge_created_sample() -> None:
    assert changes_for(load("eventbridge-object-created.json")) == [
        ObjectChange(
            bucket=BUCKET,
            key="news/2021/11/leçon de français.html",
            kind=CREATED,
            version_id="3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
            etag="6f5902ac237024bdd0c176cb93063dc4",
            size=48213,
            sequencer="00618E30DB5F0A1C27",
        )
    ]


def test_eventbridge_deleted_sample() -> None:
    assert changes_for(load("eventbridge-object-deleted.json")) == [
        ObjectChange(
            bucket=BUCKET,
            key="news/2021/11/leçon de français.html",
            kind=DELETED,
            version_id="96fCUM9V2bgfQ5CdZ0SuDAMf3.G0.f5v",
            etag="d41d8cd98f00b204e9800998ecf8427e",
            size=None,
            sequencer="006191327B03D8E6A4",
        )
    ]


def test_sqs_eventbridge_batch_sample() -> None:
    event = load("sqs-eventbridge-batch.json")
    assert len(event["Records"]) >= 3
    changes = changes_for(event)
    assert [(c.key, c.kind) for c in changes] == [
        ("news/2021/11/morning briefing.html", CREATED),
        ("news/2021/11/économie/marchés.html", CREATED),
        ("news/2021/10/retracted story.html", DELETED),
        ("news/2021/11/c++ turns 40.html", CREATED),
    ]
    assert changes[1].etag == "5ebe2294ecd0e0f08eab7690d2a6ee69-3"  # multipart ETag kept whole
    assert changes[1].size == 18874368
    assert changes[2].size is None
    assert changes[2].version_id == "rB5e4Yx2FjkqLz8VbN1mCq7wX0sD3hGt"


def test_sqs_s3_notification_sample() -> None:
    [change] = changes_for(load("sqs-s3-notification.json"))
    assert change == ObjectChange(
        bucket=BUCKET,
        key="news/2021/11/world cup (2022) preview.html",
        kind=CREATED,
        version_id="Ee7r1RkS1qPa2bJ3C5uW8yHnX0vTzL4m",
        etag="b1946ac92492d2347c6235b4d2611184",
        size=27719,
        sequencer="0061920DD1C6A7B844",
    )


def test_sqs_samples_look_like_lambda_sqs_events() -> None:
    import hashlib

    for name in ("sqs-eventbridge-batch.json", "sqs-s3-notification.json"):
        for record in load(name)["Records"]:
            assert record["eventSource"] == "aws:sqs"
            assert record["eventSourceARN"].startswith("arn:aws:sqs:")
            assert {"messageId", "receiptHandle", "attributes", "messageAttributes", "awsRegion"} <= set(record)
            assert isinstance(record["body"], str)
            assert record["md5OfBody"] == hashlib.md5(record["body"].encode("utf-8")).hexdigest()


def test_batch_operations_v1_sample() -> None:
    assert batch_tasks(load("batch-operations-v1.json")) == [
        DeliveryItem(
            "dGFza2lkZ29lc2hlcmUK",
            (
                ObjectChange(
                    bucket=BUCKET,
                    key="news/archive/2019/café culture.html",
                    kind=CREATED,
                    version_id="1.hTz4sH9pD2xRkWb7nQv0LmJc5eYgA3u",
                    request="batch:f3cc4f60-61f6-4a2b-8a21-d07600c373ce:dGFza2lkZ29lc2hlcmUK",
                ),
            ),
        )
    ]


def test_batch_operations_v2_sample() -> None:
    assert batch_tasks(load("batch-operations-v2.json")) == [
        DeliveryItem(
            "dGFza2lkZ29lc2hlcmUK",
            (ObjectChange(bucket=BUCKET, key="news/archive/2019/q&a with the editor+.html", kind=CREATED,
                          request="batch:8d1c5e7a-3b2f-4c6d-9e0a-1f2b3c4d5e6f:dGFza2lkZ29lc2hlcmUK"),),
        )
    ]


# --- key decoding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("news/hello+world.html", "news/hello world.html"),
        ("news/c%2B%2B.html", "news/c++.html"),
        ("news/a+%2B+b.html", "news/a + b.html"),
        ("news/caf%C3%A9.html", "news/café.html"),
        ("news/%F0%9F%93%B0.html", "news/📰.html"),
        ("news/a/b/c/d/e/f/page.html", "news/a/b/c/d/e/f/page.html"),
        ("news/100%25.html", "news/100%.html"),
        ("news/100%2525.html", "news/100%25.html"),  # decoded once, never twice
        ("news%2F2021%2Fpage.html", "news/2021/page.html"),
        ("news/%28draft%29+%5B1%5D.html", "news/(draft) [1].html"),
        ("news/plain-key_1.html", "news/plain-key_1.html"),
    ],
)
def test_keys_are_decoded_the_same_way_in_every_aws_shape(encoded: str, decoded: str) -> None:
    assert s3_key(s3_event(s3_record(encoded))) == decoded
    assert changes_from_eventbridge(eb_event(encoded, etag="abc"))[0].key == decoded
    batch = {
        "invocationSchemaVersion": "2.0",
        "invocationId": "x",
        "job": {"id": "j"},
        "tasks": [{"taskId": "t", "s3Bucket": BUCKET, "s3Key": encoded, "s3VersionId": None}],
    }
    assert batch_tasks(batch)[0].changes[0].key == decoded


def test_eventbridge_without_any_etag_is_decoded_like_aws() -> None:
    # A real delete may come without an etag: still AWS's shape, so still decoded.
    [change] = changes_from_eventbridge(eb_event("news/old+page.html", "Object Deleted"))
    assert change.key == "news/old page.html"
    assert change.etag is None


def test_key_with_invalid_utf8_escape_is_rejected() -> None:
    with pytest.raises(UnsupportedEventError, match=r"key 'news/%C3\.html' is not valid URL-encoded UTF-8"):
        changes_from_s3_notification(s3_event(s3_record("news/%C3.html")))


def test_key_with_lone_surrogate_is_rejected() -> None:
    with pytest.raises(UnsupportedEventError, match="lone surrogate"):
        changes_from_eventbridge(eb_event("news/\ud800.html", etag="x"))


# --- fields: etag spellings, versions, sizes ------------------------------------------


@pytest.mark.parametrize("spelling", ["etag", "eTag"])
def test_etag_and_eTag_are_both_accepted_and_unquoted(spelling: str) -> None:
    [s3] = changes_from_s3_notification(s3_event(s3_record("news/a.html", **{spelling: '"abc123"'})))
    [eb] = changes_from_eventbridge(eb_event("news/a.html", **{spelling: '"abc123"'}))
    assert s3.etag == eb.etag == "abc123"


def test_version_ids_are_kept() -> None:
    [s3] = changes_from_s3_notification(s3_event(s3_record("news/a.html", versionId="v1.x")))
    [eb] = changes_from_eventbridge(eb_event("news/a.html", etag="e", **{"version-id": "v2.y"}))
    assert (s3.version_id, eb.version_id) == ("v1.x", "v2.y")
    [unversioned] = changes_from_s3_notification(s3_event(s3_record("news/a.html")))
    assert unversioned.version_id is None


def test_wrongly_typed_optional_fields_become_none() -> None:
    record = s3_record("news/a.html", size="13", eTag=5, versionId=None)
    record["eventTime"] = 1700000000
    [change] = changes_from_s3_notification(s3_event(record))
    assert change == ObjectChange(bucket=BUCKET, key="news/a.html", kind=CREATED)
    [no_bool] = changes_from_eventbridge(eb_event("news/a.html", etag="e", size=True))
    assert no_bool.size is None


@pytest.mark.parametrize("sequencer", ["F" * 64, "0055AED6DCD90281E5; DROP", "not-hex", ["x"], 12, "0x55AE", " 0055AED6"])
def test_a_sequencer_that_is_not_a_few_hex_digits_is_refused(sequencer: object) -> None:
    # recorded, a forged sequencer above any real one would make every later change look stale
    with pytest.raises(UnsupportedEventError, match="sequencer"):
        changes_from_s3_notification(s3_event(s3_record("news/a.html", sequencer=sequencer)))
    with pytest.raises(UnsupportedEventError, match="sequencer"):
        changes_from_eventbridge(eb_event("news/a.html", sequencer=sequencer))


def test_real_sequencers_are_kept_as_written() -> None:
    [change] = changes_from_s3_notification(s3_event(s3_record("news/a.html", sequencer="0055AED6DCD90281E5")))
    assert change.sequencer == "0055AED6DCD90281E5"
    [lower] = changes_from_eventbridge(eb_event("news/a.html", sequencer="617f08299329d189"))
    assert lower.sequencer == "617f08299329d189"


@pytest.mark.parametrize(
    ("event_name", "kind"),
    [
        ("ObjectCreated:Put", CREATED),
        ("ObjectCreated:Post", CREATED),
        ("ObjectCreated:Copy", CREATED),
        ("ObjectCreated:CompleteMultipartUpload", CREATED),
        ("s3:ObjectCreated:Put", CREATED),
        ("ObjectRemoved:Delete", DELETED),
        ("ObjectRemoved:DeleteMarkerCreated", DELETED),
        ("LifecycleExpiration:Delete", DELETED),
        ("LifecycleExpiration:DeleteMarkerCreated", DELETED),
    ],
)
def test_s3_event_names_to_kinds(event_name: str, kind: ChangeKind) -> None:
    [change] = changes_from_s3_notification(s3_event(s3_record("news/a.html", event_name)))
    assert change.kind is kind


# --- ignored events --------------------------------------------------------------------


@pytest.mark.parametrize(
    "event_name",
    [
        "ObjectRestore:Post",
        "ObjectRestore:Completed",
        "ObjectRestore:Delete",
        "Replication:OperationFailedReplication",
        "ObjectTagging:Put",
        "ObjectTagging:Delete",
        "LifecycleTransition",
        "IntelligentTiering",
        "ObjectAcl:Put",
        "ReducedRedundancyLostObject",
    ],
)
def test_other_s3_event_names_are_no_change(event_name: str) -> None:
    assert changes_from_s3_notification(s3_event(s3_record("news/a.html", event_name))) == []


def test_ignored_records_do_not_hide_the_others() -> None:
    event = s3_event(
        s3_record("news/a.html", "ObjectTagging:Put"),
        s3_record("news/b.html", "ObjectCreated:Put"),
    )
    assert [c.key for c in changes_from_s3_notification(event)] == ["news/b.html"]


@pytest.mark.parametrize(
    "detail_type",
    [
        "Object Tags Added",
        "Object Tags Deleted",
        "Object Restore Initiated",
        "Object Restore Completed",
        "Object Restore Expired",
        "Object Storage Class Changed",
        "Object Access Tier Changed",
        "Object ACL Updated",
    ],
)
def test_other_s3_eventbridge_detail_types_are_no_change(detail_type: str) -> None:
    event = eb_event("news/a.html", detail_type, etag="e")
    assert event_shape(event) == "eventbridge"
    assert changes_from_eventbridge(event) == []
    assert changes_from_message_body(json.dumps(event)) == []


S3_TEST_EVENT = {
    "Service": "Amazon S3",
    "Event": "s3:TestEvent",
    "Time": "2024-05-01T10:00:00.000Z",
    "Bucket": BUCKET,
    "RequestId": "5582815E1AEA5ADF",
    "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
}


def test_s3_test_event_is_no_change() -> None:
    assert event_shape(S3_TEST_EVENT) == "s3"
    assert changes_from_s3_notification(S3_TEST_EVENT) == []
    assert changes_from_message_body(json.dumps(S3_TEST_EVENT)) == []


# --- SQS bodies and SNS envelopes ------------------------------------------------------


def sns_envelope(message: dict[str, Any]) -> str:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:pagesift-input-events",
            "Subject": "Amazon S3 Notification",
            "Message": json.dumps(message),
            "Timestamp": "2024-05-01T10:00:00.000Z",
            "SignatureVersion": "1",
        }
    )


def test_sns_envelope_around_s3_notification() -> None:
    [change] = changes_from_message_body(sns_envelope(s3_event(s3_record("news/a+b.html"))))
    assert change.key == "news/a b.html"


def test_sns_envelope_around_eventbridge_event() -> None:
    [change] = changes_from_message_body(sns_envelope(eb_event("news/x.html", "Object Deleted")))
    assert change.kind is DELETED


def test_sns_envelope_around_s3_test_event() -> None:
    assert changes_from_message_body(sns_envelope(S3_TEST_EVENT)) == []


# --- unsupported events: clear messages ------------------------------------------------


@pytest.mark.parametrize(
    ("value", "described"),
    [
        (None, "null"),
        (42, "number 42"),
        ("Records", "string 'Records'"),
        (["a"], "array of 1 item"),
        (1.5, "number 1.5"),
        (True, "boolean true"),
    ],
)
def test_event_shape_rejects_non_objects(value: object, described: str) -> None:
    with pytest.raises(UnsupportedEventError, match="expected a JSON object") as info:
        event_shape(value)
    assert str(info.value).endswith(f"received {described}")


def test_event_shape_names_the_top_level_keys() -> None:
    with pytest.raises(UnsupportedEventError) as info:
        event_shape({"httpMethod": "GET", "path": "/pages", "headers": {}})
    message = str(info.value)
    assert "'httpMethod'" in message and "'path'" in message and "'headers'" in message


def test_event_shape_names_a_foreign_eventbridge_source() -> None:
    event = {"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification", "detail": {}}
    with pytest.raises(UnsupportedEventError) as info:
        event_shape(event)
    assert "aws.ec2" in str(info.value)
    assert "EC2 Instance State-change Notification" in str(info.value)


def test_event_shape_names_a_foreign_record_source() -> None:
    event = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "{}"}}]}
    with pytest.raises(UnsupportedEventError, match="aws:sns"):
        event_shape(event)


@pytest.mark.parametrize(
    "records",
    [[], "x", [1], [{"eventSource": "aws:s3"}, {"eventSource": "aws:sqs"}]],
)
def test_event_shape_rejects_bad_or_mixed_records(records: object) -> None:
    with pytest.raises(UnsupportedEventError, match="Records"):
        event_shape({"Records": records})


def test_error_messages_stay_short_for_huge_events() -> None:
    event = {f"key{i}" * 50: "v" * 10_000 for i in range(1000)}
    with pytest.raises(UnsupportedEventError) as info:
        event_shape(event)
    assert len(str(info.value)) < 700
    with pytest.raises(UnsupportedEventError) as info:
        changes_from_message_body("x" * 100_000)
    assert len(str(info.value)) < 700


def test_unknown_eventbridge_detail_type_is_named() -> None:
    with pytest.raises(UnsupportedEventError, match="'Object Frobnicated' is not supported"):
        changes_from_eventbridge(eb_event("news/a.html", "Object Frobnicated", etag="e"))


def test_eventbridge_from_other_source_is_named() -> None:
    event = eb_event("news/a.html", etag="e") | {"source": "my.crawler", "detail-type": "Page Saved"}
    with pytest.raises(UnsupportedEventError) as info:
        changes_from_eventbridge(event)
    assert "'my.crawler'" in str(info.value) and "'Page Saved'" in str(info.value)


def test_unknown_s3_event_name_is_named() -> None:
    with pytest.raises(UnsupportedEventError, match=r"Records\[0\]\.eventName 'ObjectMoved:Put'"):
        changes_from_s3_notification(s3_event(s3_record("news/a.html", "ObjectMoved:Put")))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r["s3"]["object"].pop("key"), r"Records\[0\]\.s3\.object\.key must be a non-empty string, got nothing"),
        (lambda r: r["s3"]["object"].update(key=5), r"s3\.object\.key must be a non-empty string, got number 5"),
        (lambda r: r["s3"]["object"].update(key=""), r"s3\.object\.key must be a non-empty string, got string ''"),
        (lambda r: r["s3"]["bucket"].pop("name"), r"s3\.bucket\.name must be a non-empty string, got nothing"),
        (lambda r: r["s3"].update(bucket=None), r"s3\.bucket must be an object, got null"),
        (lambda r: r.pop("s3"), r"Records\[0\]\.s3 must be an object, got nothing"),
        (lambda r: r.pop("eventName"), r"eventName must be a non-empty string"),
        (lambda r: r.update(eventSource="aws:sqs"), r"eventSource must be 'aws:s3', got string 'aws:sqs'"),
    ],
)
def test_s3_notification_missing_fields_are_named(mutate: Any, expected: str) -> None:
    record = s3_record("news/a.html")
    mutate(record)
    with pytest.raises(UnsupportedEventError, match=expected):
        changes_from_s3_notification(s3_event(record))


def test_s3_notification_without_records_is_named() -> None:
    with pytest.raises(UnsupportedEventError, match=r"Records must be an array, got nothing.*'detail'"):
        changes_from_s3_notification({"detail": {}})


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda e: e.pop("detail"), r"detail must be an object, got nothing"),
        (lambda e: e["detail"]["object"].pop("key"), r"detail\.object\.key must be a non-empty string, got nothing"),
        (lambda e: e["detail"]["object"].update(key=["a"]), r"detail\.object\.key must be a non-empty string, got array of 1 item"),
        (lambda e: e["detail"]["bucket"].update(name=None), r"detail\.bucket\.name must be a non-empty string, got null"),
        (lambda e: e.update({"detail-type": 7}), r"detail-type must be a string, got number 7"),
    ],
)
def test_eventbridge_missing_fields_are_named(mutate: Any, expected: str) -> None:
    event = eb_event("news/a.html", etag="e")
    mutate(event)
    with pytest.raises(UnsupportedEventError, match=expected):
        changes_from_eventbridge(event)


def test_message_body_invalid_json_is_named() -> None:
    with pytest.raises(UnsupportedEventError, match=r"SQS message body is not valid JSON.*'news/page\.html'"):
        changes_from_message_body("news/page.html")


def test_message_body_other_json_is_named() -> None:
    with pytest.raises(UnsupportedEventError, match=r"SQS message body: .*'hello'"):
        changes_from_message_body(json.dumps({"hello": "world"}))
    with pytest.raises(UnsupportedEventError, match=r"SQS message body: .*array of 2 items"):
        changes_from_message_body("[1, 2]")


def test_message_body_must_not_nest_sqs_or_batch() -> None:
    with pytest.raises(UnsupportedEventError, match="not a 'sqs' event"):
        changes_from_message_body(json.dumps(load("sqs-s3-notification.json")))
    with pytest.raises(UnsupportedEventError, match="not a 'batch' event"):
        changes_from_message_body(json.dumps(load("batch-operations-v1.json")))


def test_message_body_must_be_a_string() -> None:
    with pytest.raises(UnsupportedEventError, match="must be a string, received object"):
        changes_from_message_body({"Records": []})  # type: ignore[arg-type]


def test_sns_envelope_with_bad_message_is_named() -> None:
    with pytest.raises(UnsupportedEventError, match="SNS notification Message is not valid JSON"):
        changes_from_message_body(json.dumps({"Type": "Notification", "Message": "not json"}))
    with pytest.raises(UnsupportedEventError, match="Message must be a string of JSON, got object"):
        changes_from_message_body(json.dumps({"Type": "Notification", "Message": {"Records": []}}))


# --- S3 Batch Operations -------------------------------------------------------------


def batch_event(version: str, **task: Any) -> dict[str, Any]:
    return {
        "invocationSchemaVersion": version,
        "invocationId": "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
        "job": {"id": "f3cc4f60-61f6-4a2b-8a21-d07600c373ce"},
        "tasks": [{"taskId": "dGFza2lkZ29lc2hlcmUK", "s3Key": "news/a+b.html", "s3VersionId": None, **task}],
    }


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:s3:::{BUCKET}",
        f"arn:aws:s3:us-east-1:0123456788:{BUCKET}",  # the form of the S3 docs' example
        f"arn:aws-cn:s3:::{BUCKET}",
    ],
)
def test_batch_v1_bucket_from_arn(arn: str) -> None:
    [task] = batch_tasks(batch_event("1.0", s3BucketArn=arn))
    assert task.changes == (ObjectChange(bucket=BUCKET, key="news/a b.html", kind=CREATED,
                                         request="batch:f3cc4f60-61f6-4a2b-8a21-d07600c373ce:dGFza2lkZ29lc2hlcmUK"),)
    assert task.id == "dGFza2lkZ29lc2hlcmUK"


def test_batch_v2_directory_bucket() -> None:
    [task] = batch_tasks(batch_event("2.0", s3Bucket="pages--use1-az4--x-s3", s3VersionId="v9"))
    assert task.changes[0].bucket == "pages--use1-az4--x-s3"
    assert task.changes[0].version_id == "v9"


def test_batch_with_several_tasks_keeps_order_and_ids() -> None:
    event = batch_event("2.0", s3Bucket=BUCKET)
    event["tasks"].append({"taskId": "second", "s3Bucket": BUCKET, "s3Key": "news/c.html", "s3VersionId": None})
    assert [(t.id, t.changes[0].key) for t in batch_tasks(event)] == [
        ("dGFza2lkZ29lc2hlcmUK", "news/a b.html"),
        ("second", "news/c.html"),
    ]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (batch_event("3.0", s3Bucket=BUCKET), r"invocationSchemaVersion must be '1.0' or '2.0', got string '3.0'"),
        (batch_event("1.0", s3Bucket=BUCKET), r"tasks\[0\]\.s3BucketArn must be a non-empty string, got nothing"),
        (batch_event("2.0", s3BucketArn=f"arn:aws:s3:::{BUCKET}"), r"tasks\[0\]\.s3Bucket must be a non-empty string"),
        (batch_event("1.0", s3BucketArn="pagesift-input"), r"s3BucketArn 'pagesift-input' is not an S3 bucket ARN"),
        (batch_event("1.0", s3BucketArn="arn:aws:sqs:us-east-1:1:q"), r"is not an S3 bucket ARN"),
        (batch_event("2.0", s3Bucket=BUCKET, taskId=None), r"tasks\[0\]\.taskId must be a non-empty string, got null"),
        (batch_event("2.0", s3Bucket=BUCKET, s3Key=None), r"tasks\[0\]\.s3Key must be a non-empty string, got null"),
        ({"invocationSchemaVersion": "1.0", "tasks": {}}, r"tasks must be an array, got object"),
    ],
)
def test_batch_errors_are_named(event: dict[str, Any], expected: str) -> None:
    # A job-level problem raises; a task-level one makes that task alone carry the error.
    try:
        tasks = batch_tasks(event)
    except UnsupportedEventError as error:
        assert re.search(expected, str(error))
        return
    [task] = tasks
    assert task.changes == ()
    assert re.search(expected, task.error or "")


# --- fuzzing: JSON-like input never raises anything but UnsupportedEventError ----------

WORDS = [
    "Records", "eventSource", "aws:s3", "aws:sqs", "aws:sns", "eventName", "ObjectCreated:Put",
    "ObjectRemoved:Delete", "ObjectTagging:Put", "s3", "bucket", "object", "name", "key", "eTag",
    "etag", "size", "versionId", "version-id", "sequencer", "eventTime", "time", "source", "aws.s3",
    "detail-type", "Object Created", "Object Deleted", "Object Tags Added", "detail",
    "invocationSchemaVersion", "1.0", "2.0", "tasks", "taskId", "s3Key", "s3Bucket", "s3BucketArn",
    "arn:aws:s3:::b", "arn:", "body", "Type", "Notification", "Message", "Event", "s3:TestEvent",
    "%", "%C3", "%zz", "+", "\ud800", "news/a+b.html",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(WORDS)
    | st.text(max_size=12)
)
json_like = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=6), children, max_size=6),
    max_leaves=40,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*prefix, i))
    return found


@st.composite
def mutated_samples(draw: st.DrawFn) -> Any:
    """A sample event (or an SQS body of one) with one value replaced or one key removed."""
    event = copy.deepcopy(load(draw(st.sampled_from(sorted(EXPECTED_SHAPES)))))
    if event_shape(event) == "sqs" and draw(st.booleans()):
        event = json.loads(event["Records"][0]["body"])
    paths = _paths(event)[1:]
    path = draw(st.sampled_from(paths))
    parent = event
    for step in path[:-1]:
        parent = parent[step]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_like)
    return event


def _check_everything_on(value: Any) -> None:
    def outcome(function: Any, argument: Any) -> None:
        try:
            result = function(argument)
        except UnsupportedEventError as error:
            assert str(error)
            return
        if function is event_shape:
            assert result in ("s3", "eventbridge", "sqs", "batch")
            return
        if function is read_event:
            assert isinstance(result.kind, DeliveryKind)
            result = list(result.items)
        elif function is message_item:
            result = [result]
        assert isinstance(result, list)
        for item in result:
            if isinstance(item, DeliveryItem):
                assert isinstance(item.id, str)
                assert not (item.error and item.changes), "an item names its changes or why it has none"
                for change in item.changes:
                    check_change(change)
            else:
                check_change(item)

    def check_change(change: Any) -> None:
        assert isinstance(change, ObjectChange)
        assert isinstance(change.bucket, str) and change.bucket
        assert isinstance(change.key, str) and change.key
        change.key.encode("utf-8")
        assert isinstance(change.kind, ChangeKind)
        assert change.size is None or (type(change.size) is int and change.size >= 0)

    for function in (event_shape, read_event, changes_from_s3_notification, changes_from_eventbridge, batch_tasks):
        outcome(function, value)
    if isinstance(value, dict):
        outcome(message_item, value)
    outcome(changes_from_message_body, json.dumps(value))
    outcome(changes_from_message_body, json.dumps({"Type": "Notification", "Message": json.dumps(value)}))
    outcome(changes_from_message_body, value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_like)
def test_fuzz_any_json_like_value(value: Any) -> None:
    _check_everything_on(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_samples())
def test_fuzz_mutated_sample_events(value: Any) -> None:
    _check_everything_on(value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_fuzz_any_message_body_text(body: str) -> None:
    _check_everything_on(body)


ODD_VALUES: list[Any] = [None, 0, -1, 1.5, True, "", "%zz", "\ud800", [], [1], {}, {"a": 1}]
_REMOVE = object()


def _sample_variants() -> list[Any]:
    """Every sample event and every SQS body in them, each a starting point for the sweep."""
    variants: list[Any] = []
    for name in sorted(EXPECTED_SHAPES):
        event = load(name)
        variants.append(event)
        if event_shape(event) == "sqs":
            variants += [json.loads(r["body"]) for r in event["Records"]]
    return variants


def test_every_field_of_every_sample_replaced_or_removed() -> None:
    # Exhaustive where the random fuzz is thin: each field, each odd value, or no field.
    checked = 0
    for sample in _sample_variants():
        for path in _paths(sample)[1:]:
            for replacement in [*ODD_VALUES, _REMOVE]:
                event = copy.deepcopy(sample)
                parent = event
                for step in path[:-1]:
                    parent = parent[step]
                if replacement is _REMOVE:
                    if not isinstance(parent, dict):
                        continue
                    del parent[path[-1]]
                else:
                    parent[path[-1]] = replacement
                _check_everything_on(event)
                checked += 1
    assert checked > 3000


def test_deeply_nested_json_body_is_unsupported_not_a_crash() -> None:
    with pytest.raises(UnsupportedEventError, match="not valid JSON"):
        changes_from_message_body("[" * 100_000 + "]" * 100_000)


def test_a_change_has_one_id_whatever_delivers_it_and_another_change_another() -> None:
    from pagesift.delivery.ordering import change_id

    [by_notification] = changes_from_s3_notification(
        s3_event(s3_record("news/a b.html", versionId="v1", eTag="e1", sequencer="0055AED6DCD90281E5"))
    )
    [by_eventbridge] = changes_from_eventbridge(eb_event("news/a b.html", **{"version-id": "v1", "etag": "e1", "sequencer": "0055aed6dcd90281e5"}))
    assert change_id(by_notification) == change_id(by_eventbridge)
    others = [
        ObjectChange(BUCKET, "news/a b.html", CREATED, version_id="v2", etag="e1", sequencer="0055AED6DCD90281E5"),
        ObjectChange(BUCKET, "news/a b.html", CREATED, version_id="v1", etag="e2", sequencer="0055AED6DCD90281E5"),
        ObjectChange(BUCKET, "news/a b.html", CREATED, version_id="v1", etag="e1", sequencer="0055AED6DCD90281E6"),
        ObjectChange(BUCKET, "news/a b.html", DELETED, version_id="v1", etag="e1", sequencer="0055AED6DCD90281E5"),
        ObjectChange(BUCKET, "news/a+b.html", CREATED, version_id="v1", etag="e1", sequencer="0055AED6DCD90281E5"),
        ObjectChange("other", "news/a b.html", CREATED, version_id="v1", etag="e1", sequencer="0055AED6DCD90281E5"),
    ]
    ids = {change_id(change) for change in [by_notification, *others]}
    assert len(ids) == 1 + len(others)
    # Batch Operations tasks: each job's request is its own change; a retried task the same one
    [task] = batch_tasks(batch_event("1.0", s3BucketArn=f"arn:aws:s3:::{BUCKET}"))
    [retried] = batch_tasks(batch_event("1.0", s3BucketArn=f"arn:aws:s3:::{BUCKET}"))
    later_job = {**batch_event("1.0", s3BucketArn=f"arn:aws:s3:::{BUCKET}"), "job": {"id": "another-job"}}
    [rerun] = batch_tasks(later_job)
    assert change_id(task.changes[0]) == change_id(retried.changes[0]) != change_id(rerun.changes[0])
