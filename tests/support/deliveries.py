"""Deliveries as the function receives them: SQS records whose bodies are S3 EventBridge events."""

from __future__ import annotations

import json
from typing import Any

from tests.support.aws import INPUT_BUCKET


def sqs_event(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"r{i}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ExtractQueue",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def created_body(key: str, bucket: str = INPUT_BUCKET) -> str:
    return json.dumps(
        {
            "version": "0",
            "id": "x",
            "detail-type": "Object Created",
            "source": "aws.s3",
            "account": "123456789012",
            "time": "2021-11-25T10:00:00Z",
            "region": "us-east-1",
            "resources": [f"arn:aws:s3:::{bucket}"],
            "detail": {"version": "0", "bucket": {"name": bucket}, "object": {"key": key, "size": 1, "sequencer": "01"}},
        }
    )


def versioned_body(kind: str, key: str, version: str | None = None, *, sequencer: str | None = None, etag: str | None = None) -> str:
    body = json.loads(created_body(key))
    body["detail-type"] = kind
    obj = body["detail"]["object"]
    if version is not None:
        obj["version-id"] = version
    if sequencer is not None:
        obj["sequencer"] = sequencer
    else:
        obj.pop("sequencer")
    if etag is not None:
        obj["etag"] = etag
    return json.dumps(body)
