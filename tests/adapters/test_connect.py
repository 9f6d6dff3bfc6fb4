"""pagesift_local.connect on moto (patched as the embedded stack patches it): a bucket's own
notification destinations survive EventBridge being turned on, and a second run changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError
from moto import mock_aws

from pagesift_local import connect, moto_fixes
from pagesift_local.cli.errors import explain

BUCKET = "team-crawl"
REGION = "us-east-1"


class Bucket:
    """A bucket of another team's, with its puts of a notification configuration recorded."""

    def __init__(self) -> None:
        self.s3 = boto3.client("s3", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.s3.create_bucket(Bucket=BUCKET)
        self.puts: list[dict[str, Any]] = []
        self.s3.meta.events.register(
            "provide-client-params.s3.PutBucketNotificationConfiguration", lambda params, **_: self.puts.append(params)
        )

    def queue_arn(self, name: str) -> str:
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def configuration(self) -> dict[str, Any]:
        configuration = self.s3.get_bucket_notification_configuration(Bucket=BUCKET)
        configuration.pop("ResponseMetadata")
        return configuration


@pytest.fixture
def bucket() -> Iterator[Bucket]:
    moto_fixes.apply()  # moto answers EventBridgeConfiguration only so
    with mock_aws():
        yield Bucket()


TEAM_QUEUE = {
    "Id": "crawl-index",
    "Events": ["s3:ObjectCreated:*"],
    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "crawl/"}]}},
}


def test_the_buckets_own_queue_configuration_is_kept(bucket: Bucket) -> None:
    queue = {**TEAM_QUEUE, "QueueArn": bucket.queue_arn("crawl-index")}
    bucket.s3.put_bucket_notification_configuration(
        Bucket=BUCKET, NotificationConfiguration={"QueueConfigurations": [queue]}
    )
    bucket.puts.clear()
    notifications = connect.turn_on_eventbridge(bucket.s3, BUCKET, dry_run=False)
    assert notifications == connect.Notifications(already_on=False, kept=["1 queue"])
    assert bucket.configuration() == {"QueueConfigurations": [queue], "EventBridgeConfiguration": {}}
    # Put back without S3 sending the team's queue a test event or checking a destination not ours.
    [put] = bucket.puts
    assert put["SkipDestinationValidation"] is True


def test_a_bucket_without_notifications_gets_eventbridge_alone(bucket: Bucket) -> None:
    assert connect.turn_on_eventbridge(bucket.s3, BUCKET, dry_run=False) == connect.Notifications(False, [])
    assert bucket.configuration() == {"EventBridgeConfiguration": {}}
    [put] = bucket.puts
    assert "SkipDestinationValidation" not in put  # nothing to validate: EventBridge needs no check


def test_a_second_run_changes_nothing(bucket: Bucket) -> None:
    queue = {**TEAM_QUEUE, "QueueArn": bucket.queue_arn("crawl-index")}
    bucket.s3.put_bucket_notification_configuration(
        Bucket=BUCKET, NotificationConfiguration={"QueueConfigurations": [queue]}
    )
    connect.turn_on_eventbridge(bucket.s3, BUCKET, dry_run=False)
    before, puts = bucket.configuration(), len(bucket.puts)
    assert connect.turn_on_eventbridge(bucket.s3, BUCKET, dry_run=False) == connect.Notifications(True, ["1 queue"])
    assert (bucket.configuration(), len(bucket.puts)) == (before, puts)


def test_a_dry_run_changes_nothing(bucket: Bucket) -> None:
    assert connect.turn_on_eventbridge(bucket.s3, BUCKET, dry_run=True) == connect.Notifications(False, [])
    assert bucket.configuration() == {} and bucket.puts == []


def test_versioning_is_told(bucket: Bucket) -> None:
    assert connect.versioning(bucket.s3, BUCKET) == "not versioned"
    bucket.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    assert connect.versioning(bucket.s3, BUCKET) == "versioned"
    bucket.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    assert connect.versioning(bucket.s3, BUCKET) == "versioning suspended"


def test_destinations_are_counted_by_kind() -> None:
    configuration = {"QueueConfigurations": [{}, {}], "TopicConfigurations": [{}], "LambdaFunctionConfigurations": []}
    assert connect.kept_destinations(configuration) == ["1 topic", "2 queues"]


@pytest.mark.parametrize(
    ("watched", "target", "covered"),
    [
        (("team-crawl", ""), ("team-crawl", "crawl/"), True),
        (("team-crawl", "crawl/"), ("team-crawl", "crawl/news/"), True),
        (("team-crawl", "crawl/"), ("team-crawl", ""), False),  # the stack sees only part of it
        (("other", ""), ("team-crawl", ""), False),
    ],
)
def test_a_stack_covers_what_is_under_its_bucket_and_prefix(
    watched: tuple[str, str], target: tuple[str, str], covered: bool
) -> None:
    assert connect.Watched(*watched).covers(*target) is covered


def client_error(code: str, operation: str = "GetBucketNotificationConfiguration") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "x"}}, operation)


def test_errors_are_one_line_that_says_what_to_do() -> None:
    refusal = connect.explain_refusal(client_error("NoSuchBucket"), BUCKET)
    assert refusal is not None and refusal.startswith("no bucket 'team-crawl': check its name")
    assert "s3:PutBucketNotification" in str(
        connect.explain_refusal(client_error("AccessDenied", "PutBucketNotificationConfiguration"), BUCKET)
    )
    assert "cloudformation:DescribeStacks" in str(connect.explain_refusal(client_error("AccessDenied", "DescribeStacks"), BUCKET))
    # the rest as every command says them (pagesift_local.cli.errors)
    assert connect.explain_refusal(client_error("SlowDown"), BUCKET) is None
    assert explain(NoCredentialsError()) is not None and str(explain(NoCredentialsError())[0]).startswith("no AWS credentials")
    unreachable = explain(EndpointConnectionError(endpoint_url="http://127.0.0.1:1/"))
    assert unreachable is not None and unreachable[0].startswith("cannot reach http://127.0.0.1:1/")
    assert "--endpoint-url" in unreachable[0] and "\n" not in unreachable[0]
