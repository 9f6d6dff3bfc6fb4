"""The archive function's handler: messages of the archive queue, each a step of an archive's
run (``pagesift.archives.runs``), done one at a time and retried alone when it raises.

The queue's event source hands over one message a batch (template.yaml), so that a step that
fails is retried and dead-lettered alone. A message that is no archive task (a forged or
damaged one, or an S3 event sent to this queue by mistake) is logged with why and left to go
to ArchiveDLQ after its retries, never dropped in silence.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from pagesift.archives.runs import ArchiveWork
from pagesift.archives.tasks import ArchiveTask
from pagesift.contracts.invocation import Invocation

from .observability import ARCHIVE_TASKS, TRANSIENT_FAILURES, count

EXCERPT_CHARACTERS = 2_000  # of a message that is no archive task, in its log line


class ArchiveHandler:
    def __init__(self, work: ArchiveWork, *, logger: Logger, metrics: Metrics) -> None:
        self.work = work
        self.logger = logger
        self.metrics = metrics

    def handle(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        invocation = Invocation.starting(context.get_remaining_time_in_millis() / 1000)
        records = event.get("Records") if isinstance(event, dict) else None
        if not isinstance(records, list):
            self.logger.error("not a batch of the archive queue", extra={"received": repr(event)[:EXCERPT_CHARACTERS]})
            raise ValueError("the archive function takes batches of the archive queue (a Records list)")
        failed = []
        for record in records:
            message_id = record.get("messageId") if isinstance(record, dict) else None
            if not self._done(record, message_id, invocation):
                failed.append({"itemIdentifier": message_id})
        return {"batchItemFailures": failed}

    def _done(self, record: Any, message_id: str | None, invocation: Invocation) -> bool:
        """Do the step one message says; False if it must be retried (or dead-lettered)."""
        try:
            task = ArchiveTask.from_message(record["body"])
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            self.logger.set_correlation_id(None)  # not the previous task's archive
            self.logger.error(
                "unreadable archive task; it goes to ArchiveDLQ after its retries",
                extra={
                    "message_id": message_id,
                    "error": str(error),
                    "received": str(record.get("body") if isinstance(record, dict) else record)[:EXCERPT_CHARACTERS],
                },
            )
            return False
        self.logger.set_correlation_id(f"s3://{task.archive.get('bucket')}/{task.archive.get('key')}")
        with self.logger.append_context_keys(message_id=message_id, run=task.run, action=task.action, index=task.index):
            try:
                outcome = self.work.run(task, invocation)
            except Exception as error:
                count(self.metrics, TRANSIENT_FAILURES)
                self.logger.error(
                    "archive task not done; it will be retried", exc_info=(type(error), error, error.__traceback__)
                )
                return False
            count(self.metrics, ARCHIVE_TASKS)
            self.logger.info(
                "archive task done",
                extra={"status": outcome.status, "counts": outcome.counts, "events": outcome.events},
            )
        return True
