"""A mocked AWS account (moto) shaped like the stack, and the handler in it: the fixtures
``account``, ``app`` and ``context``, which tests/adapters and tests/handlers expose through
their conftest.py and tests/unit cannot request."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from extract.compose import build
from pagesift.aws.clients import client as aws_client
from pagesift.aws.entry import start
from pagesift.aws.handler import ExtractHandler
from pagesift.config import Settings
from pagesift_local import moto_fixes

ROOT = Path(__file__).resolve().parents[2]
EVENTS_DIR = ROOT / "events"
INPUT_BUCKET = "pagesift-input"  # the bucket the samples in events/ name
DOCUMENTS_BUCKET = "pagesift-documents"
BUS_NAME = "pagesift-documents"
STATE_TABLE = "pagesift-state"
REGION = "us-east-1"


@dataclass
class Account:
    s3: Any
    events: Any
    sqs: Any
    captured_queue_url: str

    def put_page(self, key: str, data: bytes, **extra: Any) -> str | None:
        response = self.s3.put_object(Bucket=INPUT_BUCKET, Key=key, Body=data, **extra)
        return response.get("VersionId")

    def captured_events(self, wait: int = 0) -> list[dict[str, Any]]:
        """Every event put on the documents bus so far, as a subscriber receives it."""
        events = []
        while True:
            response = self.sqs.receive_message(QueueUrl=self.captured_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
            messages = response.get("Messages", [])
            if not messages:
                return events
            for message in messages:
                events.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.captured_queue_url, ReceiptHandle=message["ReceiptHandle"])

    def document(self, key: str) -> dict[str, Any]:
        return json.loads(self.s3.get_object(Bucket=DOCUMENTS_BUCKET, Key=key)["Body"].read())

    def document_keys(self) -> list[str]:
        return [o["Key"] for o in self.s3.list_objects_v2(Bucket=DOCUMENTS_BUCKET).get("Contents", [])]


@pytest.fixture
def account() -> Iterator[Account]:
    os.environ.update(
        DOCUMENTS_BUCKET=DOCUMENTS_BUCKET,
        DOCUMENTS_PREFIX="documents/",
        EVENT_BUS_NAME=BUS_NAME,
        STATE_TABLE=STATE_TABLE,
        MAX_INPUT_BYTES=str(5 * 1024 * 1024),
        POWERTOOLS_SERVICE_NAME="pagesift",
        POWERTOOLS_METRICS_NAMESPACE="Pagesift",
    )
    moto_fixes.atomic_conditional_writes()  # as AWS's: tests run two functions at once
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in (INPUT_BUCKET, DOCUMENTS_BUCKET):
            s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=INPUT_BUCKET, VersioningConfiguration={"Status": "Enabled"})
        boto3.client("dynamodb", region_name=REGION).create_table(
            TableName=STATE_TABLE,
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        events = boto3.client("events", region_name=REGION)
        events.create_event_bus(Name=BUS_NAME)
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="captured")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="all", EventBusName=BUS_NAME, EventPattern=json.dumps({"source": ["pagesift"]}))
        events.put_targets(Rule="all", EventBusName=BUS_NAME, Targets=[{"Id": "q", "Arn": queue_arn}])
        yield Account(s3, events, sqs, queue_url)


@dataclass
class LoadedFunction:
    """The extract function as its composition root builds it in one execution environment,
    on moto's clients (``s3``, ``dynamodb``: the ones it was given), behind the same entry point."""

    handler: ExtractHandler
    lambda_handler: Any
    s3: Any
    dynamodb: Any

    @property
    def pipeline(self) -> Any:
        return self.handler.pipeline

    @property
    def logger(self) -> Any:
        return self.handler.logger


def load_app() -> LoadedFunction:
    """The extract function built anew from the environment's settings: a new execution environment."""
    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        return clients.setdefault(service, aws_client(service))

    handler, entry = start(build, Settings.from_environ(os.environ), client)
    return LoadedFunction(handler, entry, clients["s3"], clients["dynamodb"])


@pytest.fixture
def app(account: Account) -> Any:
    return load_app()


class FakeContext:
    function_name = "pagesift-ExtractFunction"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:pagesift-ExtractFunction"
    memory_limit_in_mb = 1024
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name = "/aws/lambda/pagesift-ExtractFunction"
    log_stream_name = "2021/11/25/[$LATEST]abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@pytest.fixture
def context() -> FakeContext:
    return FakeContext()
