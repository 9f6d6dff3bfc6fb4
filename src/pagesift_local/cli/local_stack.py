"""The embedded stack as ``pagesift local run`` and ``pagesift local up`` run it: the moto
server provisioned from the template, and the pollers that play Lambda on its queues."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from pagesift_local import connect
from pagesift_local.stack import LocalStack
from pagesift_local.worker import QueueWorker


@contextlib.contextmanager
def running_stack(args: argparse.Namespace) -> Iterator[LocalStack]:
    """The stack of ``--template`` and ``--parameter``, with its pollers (``--concurrency``, and
    ``--archive-concurrency`` on the archive queue), all stopped on the way out."""
    parameters = dict(args.parameter or [])
    stack = LocalStack(args.template, parameters=parameters, prepare=_make_the_existing_bucket).start()
    workers: list[QueueWorker] = []
    try:
        workers.append(QueueWorker(stack, concurrency=args.concurrency).start())
        if stack.archive_source is not None:  # the archive queue's steps, several at once as Lambda runs them
            workers.append(
                QueueWorker(stack, concurrency=args.archive_concurrency, source=stack.archive_source).start()
            )
        yield stack
    finally:
        for worker in workers:
            worker.stop()
        stack.stop()


def _make_the_existing_bucket(stack: LocalStack) -> None:
    """On AWS, ExistingInputBucketName names a bucket that exists; the embedded server starts
    empty. Make it there, unversioned as a crawl bucket may be, and connect it as
    ``pagesift connect`` would, so that the parameter can be tried locally."""
    bucket = stack.parameters.get("ExistingInputBucketName")
    if bucket:
        s3 = stack.client("s3")
        s3.create_bucket(Bucket=bucket)
        connect.turn_on_eventbridge(s3, bucket, dry_run=False)
