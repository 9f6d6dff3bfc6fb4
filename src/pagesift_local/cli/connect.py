"""``pagesift connect s3://bucket[/prefix]``: turn on the bucket's EventBridge notifications,
keeping its other destinations; say whether it is versioned; with ``--stack``, whether that stack
watches it. One line each; a failure is one line on stderr and exit status 1 (``main`` says it)."""

from __future__ import annotations

import argparse

from botocore.config import Config
from botocore.exceptions import ClientError

from pagesift_local import connect
from pagesift_local.cli.aws import StackAccess

# A person waits on this command: a few quick tries, not botocore's default patience.
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=30, retries={"mode": "standard", "total_max_attempts": 3})


def run(args: argparse.Namespace) -> int:
    bucket, prefix = args.target
    try:
        return _connect(args, bucket, prefix)
    except ClientError as error:  # what the bucket's refusals mean here; the rest, as every command says them
        refusal = connect.explain_refusal(error, bucket)
        if refusal is None:
            raise
        raise connect.ConnectError(refusal) from error


def _connect(args: argparse.Namespace, bucket: str, prefix: str) -> int:
    access = StackAccess.of(args)
    if access.region is None:
        raise connect.ConnectError(
            "no AWS region: pass --region (the bucket's and the stack's), "
            "or set AWS_DEFAULT_REGION or a region in the AWS configuration"
        )
    s3 = access.client("s3", config=CLIENT_CONFIG)
    watching = None
    if args.stack is not None:  # checked before the bucket changes: a wrong stack changes nothing
        cloudformation = access.client("cloudformation", config=CLIENT_CONFIG)
        watched = connect.Watched.of_stack(cloudformation, access.stack_name)
        watching = _check_stack(access, watched, bucket, prefix, connect.bucket_region(s3, bucket))
    notifications = connect.turn_on_eventbridge(s3, bucket, dry_run=args.dry_run)
    print(_notifications_line(bucket, notifications, dry_run=args.dry_run))
    print(_versioning_line(bucket, connect.versioning(s3, bucket)))
    if watching:
        print(watching)
    return 0


def _notifications_line(bucket: str, notifications: connect.Notifications, *, dry_run: bool) -> str:
    others = " and ".join(notifications.kept)
    if notifications.already_on:
        beside = f" (beside its {others})" if others else ""
        return f"s3://{bucket}: EventBridge notifications already on, nothing changed{beside}"
    kept = f", its {others} kept as they were" if others else ""
    if dry_run:
        return (
            f"s3://{bucket}: EventBridge notifications are off; "
            f"connect would turn them on{kept} (dry run: nothing changed)"
        )
    return f"s3://{bucket}: turned EventBridge notifications on{kept}"


def _versioning_line(bucket: str, status: str) -> str:
    if status == "versioned":
        return f"s3://{bucket}: versioned"
    # The function orders an unversioned bucket's events by their sequencer (docs/reliability.md).
    return (
        f"s3://{bucket}: {status}: extraction works; "
        "a page overwritten or deleted cannot be brought back (docs/deploying.md)"
    )


def _check_stack(access: StackAccess, watched: connect.Watched, bucket: str, prefix: str, region: str) -> str:
    """The line saying the stack watches the bucket; ConnectError when it does not."""
    stack, target = access.stack_name, f"s3://{bucket}/{prefix}"
    if not watched.covers(bucket, prefix):
        raise connect.ConnectError(
            f"stack {stack!r} watches {watched}, not {target}: deploy it with "
            f"ExistingInputBucketName={bucket} InputPrefix={prefix or '(empty)'} (nothing was changed)"
        )
    if region != access.region:
        raise connect.ConnectError(
            f"s3://{bucket} is in {region}, and S3 sends its events to EventBridge there: "
            f"stack {stack!r} in {access.region} never gets them; deploy it in {region} (nothing was changed)"
        )
    return f"stack {stack!r} watches {watched}: pages uploaded under {target} are extracted"
