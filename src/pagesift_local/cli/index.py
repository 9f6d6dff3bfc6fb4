"""``pagesift index``: IndexQueue of a stack into a local SQLite index (the reference indexer,
docs/indexing.md). Drains the queue and exits by default; ``--follow`` keeps polling."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from pagesift_index.aws import LONG_POLL_SECONDS, QueueConsumer, S3DocumentReader, Tally
from pagesift_index.consumer import Indexer
from pagesift_index.sqlite import IndexUnusable, SqliteSink
from pagesift_local.cli.aws import StackAccess
from pagesift_local.errors import CommandError

DRAIN_WAIT_SECONDS = 5  # without --follow: a receive that waited this long for nothing ends the run


def run(args: argparse.Namespace) -> int:
    access = StackAccess.of(args)
    queue_url = access.queue_url("IndexQueueUrl")
    try:
        sink = SqliteSink.open(args.db)
    except IndexUnusable as error:
        raise CommandError(str(error)) from error
    try:
        indexer = Indexer(sink, S3DocumentReader(access.client("s3")))
        tally = _consume(QueueConsumer(access.client("sqs"), queue_url, indexer), args)
    finally:
        sink.close()
    print(f"pagesift index: {tally.summary()} (index: {args.db})", file=sys.stderr)
    return 1 if tally.failed else 0


def _consume(consumer: QueueConsumer, args: argparse.Namespace) -> Tally:
    wait = args.wait_seconds
    if wait is None:
        wait = LONG_POLL_SECONDS if args.follow else DRAIN_WAIT_SECONDS
    stopped = threading.Event()
    if args.follow:
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        return consumer.run(follow=args.follow, wait_seconds=wait, stop=stopped.is_set)
    except KeyboardInterrupt:  # a change under way was rolled back; its message comes back
        return consumer.tally
