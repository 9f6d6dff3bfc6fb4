"""``pagesift connect s3://bucket[/prefix]``: a bucket that exists made ready for a stack that
watches it (the template's ``ExistingInputBucketName``, docs/deploying.md).

The stack's rule takes the S3 events EventBridge receives, and S3 sends them only once the
bucket's EventBridge notifications are on. PutBucketNotificationConfiguration replaces the
whole configuration, so the bucket's own destinations (SNS topics, SQS queues, Lambda functions
other teams set up) are read first and put back beside ``EventBridgeConfiguration``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from pagesift_local.errors import CommandError
from pagesift_local.outputs import stack_outputs

# The destinations a notification configuration may hold besides EventBridge, and their names.
DESTINATIONS = {
    "TopicConfigurations": "topic",
    "QueueConfigurations": "queue",
    "LambdaFunctionConfigurations": "Lambda function",
}


class ConnectError(CommandError):
    """Something the command cannot do, said in one line with what to do about it."""


@dataclass(frozen=True)
class Notifications:
    """What ``turn_on_eventbridge`` found and did."""

    already_on: bool
    kept: list[str]  # the bucket's other destinations, put back as they were ("1 queue")


def turn_on_eventbridge(s3: Any, bucket: str, *, dry_run: bool) -> Notifications:
    """Turn the bucket's EventBridge notifications on, keeping its other destinations."""
    configuration = s3.get_bucket_notification_configuration(Bucket=bucket)
    configuration.pop("ResponseMetadata", None)
    kept = kept_destinations(configuration)
    if "EventBridgeConfiguration" in configuration:
        return Notifications(already_on=True, kept=kept)
    if not dry_run:
        request: dict[str, Any] = {
            "Bucket": bucket,
            "NotificationConfiguration": {**configuration, "EventBridgeConfiguration": {}},
        }
        if kept:
            # S3 validates every destination of a configuration put: it sends each an
            # s3:TestEvent, and refuses the whole put if one of them no longer accepts S3.
            # These were accepted when their owners set them up; putting them back must neither
            # send their consumers test events nor fail for a destination that is not ours.
            request["SkipDestinationValidation"] = True
        s3.put_bucket_notification_configuration(**request)
    return Notifications(already_on=False, kept=kept)


def kept_destinations(configuration: dict[str, Any]) -> list[str]:
    """The configuration's destinations other than EventBridge, counted by kind ("2 queues")."""
    counted = []
    for field, name in DESTINATIONS.items():
        count = len(configuration.get(field) or [])
        if count:
            counted.append(f"{count} {name}{'s' if count > 1 else ''}")
    return counted


def versioning(s3: Any, bucket: str) -> str:
    """ "versioned", "versioning suspended" or "not versioned"."""
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    return {"Enabled": "versioned", "Suspended": "versioning suspended"}.get(status, "not versioned")


def bucket_region(s3: Any, bucket: str) -> str:
    # GetBucketLocation answers no constraint for us-east-1, the region of S3's first buckets.
    return s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"


@dataclass(frozen=True)
class Watched:
    """The bucket and key prefix a stack extracts (its WatchedInput output)."""

    bucket: str
    prefix: str

    @classmethod
    def of_stack(cls, cloudformation: Any, stack_name: str) -> Watched:
        return cls.parse(stack_outputs(cloudformation, stack_name, ("WatchedInput",))["WatchedInput"])

    @classmethod
    def parse(cls, location: str) -> Watched:
        """From the output's ``s3://bucket/prefix``."""
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        return cls(bucket, prefix)

    def covers(self, bucket: str, prefix: str) -> bool:
        """Whether every key under s3://bucket/prefix is one the stack extracts."""
        return bucket == self.bucket and prefix.startswith(self.prefix)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def explain_refusal(error: ClientError, bucket: str) -> str | None:
    """What AWS's refusal means for this command, in one line with what to do, or None when the
    command line's general explanation (pagesift_local.cli.errors) says it as well."""
    code, operation = error.response["Error"].get("Code", ""), error.operation_name
    if code in ("NoSuchBucket", "404"):
        return f"no bucket {bucket!r}: check its name, and that these credentials are of its account"
    if code in ("AccessDenied", "403") and operation == "DescribeStacks":
        return "access denied to the stack (DescribeStacks): --stack needs cloudformation:DescribeStacks on it"
    if code in ("AccessDenied", "403", "AllAccessDisabled"):
        return (
            f"access denied to s3://{bucket} ({operation}): connect needs s3:GetBucketNotification, "
            "s3:PutBucketNotification, s3:GetBucketVersioning and s3:GetBucketLocation on the bucket"
        )
    return None
