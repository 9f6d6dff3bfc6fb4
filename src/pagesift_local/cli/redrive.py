"""``pagesift redrive``: what is in ExtractDLQ and why (from the state table); ``--move`` puts
it back on ExtractQueue."""

from __future__ import annotations

import argparse
import sys

from pagesift_local import redrive
from pagesift_local.cli.aws import StackAccess
from pagesift_local.stack import local_queue_url


def run(args: argparse.Namespace) -> int:
    access = StackAccess.of(args)
    sqs, dynamodb = access.client("sqs"), access.client("dynamodb")
    queues = redrive.StackQueues.of_stack(access.client("cloudformation"), access.stack_name)
    if access.local:  # the stack's outputs name the queues by their AWS URLs
        queues = redrive.StackQueues(
            local_queue_url(sqs, queues.dlq_url), local_queue_url(sqs, queues.queue_url), queues.state_table
        )
    letters = redrive.inspect(sqs, dynamodb, queues, limit=args.limit)
    print(redrive.as_json(letters) if args.json else redrive.render(letters))
    if args.move and (letters or redrive.waiting(sqs, queues)):
        moved = redrive.move(sqs, queues, local=access.local)
        print(f"moved {moved} message(s) back to ExtractQueue", file=sys.stderr)
    return 0
