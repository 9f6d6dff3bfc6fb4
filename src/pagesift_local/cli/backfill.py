"""``pagesift backfill``: every object under an S3 prefix through the function, as an S3 Batch
Operations job on AWS, or played on the embedded stack with ``--endpoint-url``."""

from __future__ import annotations

import argparse
import json
import os

from pagesift_local import backfill
from pagesift_local.cli.aws import StackAccess
from pagesift_local.cli.function_logs import function_logs_to
from pagesift_local.cli.parser import DEFAULT_TEMPLATE
from pagesift_local.cli.progress import task_progress
from pagesift_local.connect import Watched
from pagesift_local.errors import CommandError


def run(args: argparse.Namespace) -> int:
    access = StackAccess.of(args)
    if access.local:  # every client of the command (and of the function played in it) talks to the embedded stack
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url
    target = backfill.Target.parse(args.target)
    purpose = "reextract" if args.reextract else "backfill"
    names = backfill.StackNames.of_stack(access.client("cloudformation"), access.stack_name)
    _check_watched(names, target, access.stack_name)
    with task_progress() as progress:
        if access.local:
            with function_logs_to(args.log_file):
                report = backfill.run_locally(
                    access.session,
                    args.endpoint_url,
                    names,
                    target,
                    purpose,
                    concurrency=args.concurrency,
                    template_dir=DEFAULT_TEMPLATE.parent,
                    progress=progress,
                    inventory=args.inventory,
                )
        else:
            report = backfill.run_on_aws(
                access.session,
                names,
                target,
                purpose,
                wait=not args.no_wait,
                progress=progress,
                inventory=args.inventory,
            )
    print(json.dumps(report.to_dict()) if args.json else report.render())
    if report.codes.get("TemporaryFailure"):
        return 1  # not done: run the job again
    return 3 if report.codes.get("PermanentFailure") else 0


def _check_watched(names: backfill.StackNames, target: backfill.Target, stack_name: str) -> None:
    """Refuse a prefix the stack does not watch: its function may not read it, and its documents'
    keys (the page's key under the documents prefix) would be those of the watched bucket's pages."""
    if names.watched is None:
        return
    watched = Watched.parse(names.watched)
    if not watched.covers(target.bucket, target.prefix):
        raise CommandError(
            f"stack {stack_name!r} watches {watched}, not s3://{target.bucket}/{target.prefix}: backfill a prefix "
            "it watches, or deploy it with ExistingInputBucketName and InputPrefix (docs/deploying.md)"
        )
