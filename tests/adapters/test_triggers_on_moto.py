"""pagesift.delivery.triggers on what moto really sends, patched as the embedded stack patches it
(pagesift_local.moto_fixes): S3 events through EventBridge and S3 notifications to SQS."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pagesift.delivery.triggers import ChangeKind, ObjectChange, changes_in

BUCKET = "pagesift-input"
CREATED, DELETED = ChangeKind.CREATED, ChangeKind.DELETED


def changes_from_message_body(body: Any) -> list[ObjectChange]:
    """An SQS message body, read as the handler reads each message of a batch."""
    return changes_in(body, inside="SQS message body")


def test_moto_s3_events_round_trip_to_the_original_keys() -> None:
    """Through moto as the embedded stack patches it (AWS-shaped, URL-encoded keys)."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from pagesift_local import moto_fixes

    moto_fixes.apply()
    keys = ["news/a b+c/le çon é.html", "news/100%25 sure.html", "news/a/b/c/d/e/f/page.html"]
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        events = boto3.client("events", region_name="us-east-1")
        queues = {}
        for name in ("via-eventbridge", "direct"):
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            queues[name] = (url, arn)
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_notification_configuration(
            Bucket=BUCKET,
            NotificationConfiguration={
                "EventBridgeConfiguration": {},
                "QueueConfigurations": [{"QueueArn": queues["direct"][1], "Events": ["s3:ObjectCreated:*"]}],
            },
        )
        events.put_rule(Name="pages", EventPattern=json.dumps({"source": ["aws.s3"]}))
        events.put_targets(Rule="pages", Targets=[{"Id": "q", "Arn": queues["via-eventbridge"][1]}])
        for key in keys:
            s3.put_object(Bucket=BUCKET, Key=key, Body=b"<html></html>")
        s3.delete_object(Bucket=BUCKET, Key=keys[0])

        def received(name: str) -> list[ObjectChange]:
            url = queues[name][0]
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
            return [c for m in messages for c in changes_from_message_body(m["Body"])]

        via_eventbridge = received("via-eventbridge")  # "Object Tags Added" ones give nothing
        assert [(c.key, c.kind) for c in via_eventbridge] == [(k, CREATED) for k in keys] + [(keys[0], DELETED)]
        assert all(c.etag and c.bucket == BUCKET for c in via_eventbridge)
        assert [c.key for c in received("direct")] == keys  # encoded by moto, decoded here
