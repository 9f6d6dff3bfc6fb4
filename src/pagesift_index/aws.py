"""The indexer's AWS edges: documents read from S3, and IndexQueue long-polled.

A message is deleted from the queue only once ``Indexer.apply`` has committed its change (or
found nothing to do); a message it cannot apply is left where it is, reported in one line,
and comes back after the queue's visibility timeout, until the queue's redrive moves it to
IndexDLQ. A crash between the commit and the deletion repeats the message, which the index
then skips as a duplicate.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, TextIO

from botocore.exceptions import ClientError

from pagesift_index.consumer import DocumentMissing, Indexer, Outcome, Status

RECEIVE_BATCH = 10  # SQS's most per ReceiveMessage and DeleteMessageBatch
LONG_POLL_SECONDS = 20  # SQS's longest wait


class S3DocumentReader:
    def __init__(self, s3: Any) -> None:
        self.s3 = s3

    def read(self, bucket: str, key: str) -> bytes:
        try:
            body: bytes = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            raise DocumentMissing(f"s3://{bucket}/{key} cannot be read ({code or error})") from error
        return body


@dataclass(slots=True)
class Tally:
    upserted: int = 0
    deleted: int = 0
    duplicates: int = 0
    stale: int = 0
    ignored: int = 0
    failed: int = 0

    def add(self, outcome: Outcome) -> None:
        self.upserted += outcome.upserted
        self.deleted += outcome.deleted
        self.duplicates += outcome.status is Status.DUPLICATE
        self.stale += outcome.status is Status.STALE
        self.ignored += outcome.status is Status.IGNORED
        self.failed += outcome.status is Status.FAILED

    def summary(self) -> str:
        return (
            f"{self.upserted} upserted, {self.deleted} deleted, {self.duplicates} duplicates skipped, "
            f"{self.stale} stale skipped, {self.ignored} ignored, {self.failed} failed"
        )

    def to_dict(self) -> dict[str, int]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


class QueueConsumer:
    """Applies IndexQueue's messages to an ``Indexer`` and acknowledges those it is done with."""

    def __init__(self, sqs: Any, queue_url: str, indexer: Indexer, *, report: TextIO = sys.stderr) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.indexer = indexer
        self.report = report
        self.tally = Tally()

    def run(
        self, *, follow: bool, wait_seconds: int = LONG_POLL_SECONDS, stop: Callable[[], bool] = lambda: False
    ) -> Tally:
        """Receive and apply batches until the queue has nothing left (or, following, until ``stop()``)."""
        while not stop():
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=RECEIVE_BATCH,
                WaitTimeSeconds=wait_seconds,
                AttributeNames=["ApproximateReceiveCount"],
            ).get("Messages", [])
            if not messages and not follow:
                break
            done = [message for message in messages if self.handle(message)]
            self.acknowledge(done)
        return self.tally

    def handle(self, message: dict[str, Any]) -> bool:
        """Apply one message; whether it may be deleted. Never raises for the message's sake:
        anything that goes wrong with it is reported and left to the queue."""
        try:
            outcome = self.indexer.apply(message["Body"])
        except Exception as error:  # one bad message must not stop the loop: the queue retries it
            outcome = Outcome(Status.FAILED, reason=f"{type(error).__name__}: {error}")
        self.tally.add(outcome)
        if not outcome.acknowledge:
            count = message.get("Attributes", {}).get("ApproximateReceiveCount", "?")
            print(
                f"pagesift index: message {message.get('MessageId')} left for redrive (delivery {count}): "
                f"{outcome.reason}",
                file=self.report,
            )
        return outcome.acknowledge

    def acknowledge(self, messages: list[dict[str, Any]]) -> None:
        if not messages:
            return
        entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]
        result = self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        for failure in result.get("Failed", []):
            # Applied and committed: when it comes back it is skipped as a duplicate.
            print(f"pagesift index: a message was applied but not deleted: {failure.get('Message')}", file=self.report)
