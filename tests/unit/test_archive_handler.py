"""The archive function's handler on an in-memory stand-in of the archive work: each message
of the archive queue is one step, and a message that is not one fails alone, with why."""

from __future__ import annotations

import io
import itertools
import json
import logging
from typing import Any

import pytest
from aws_lambda_powertools import Logger, Metrics

from pagesift.archives.tasks import ArchiveTask, TaskAction, TaskOutcome, TaskStatus
from pagesift.aws.archive_handler import ArchiveHandler
from tests.support.deliveries import sqs_event


_loggers = itertools.count()


class Context:
    def get_remaining_time_in_millis(self) -> int:
        return 900_000


class RecordingWork:
    """Stands in for ArchiveWork: records each task, and fails those of the run ``failing``."""

    def __init__(self, failing: str | None = None) -> None:
        self.tasks: list[ArchiveTask] = []
        self.failing = failing

    def run(self, task: ArchiveTask, invocation: Any = None) -> TaskOutcome:
        self.tasks.append(task)
        if task.run == self.failing:
            raise RuntimeError("the documents bucket is unreachable")
        return TaskOutcome(task.action, task.run, task.index, TaskStatus.DONE)


def task(run: str, action: TaskAction = TaskAction.RANGE) -> str:
    return ArchiveTask(action, {"bucket": "crawls", "key": "c.warc.gz", "etag": "e"}, run, index=3).to_message()


def handler(work: RecordingWork) -> tuple[ArchiveHandler, io.StringIO]:
    logs = io.StringIO()
    # A service of its own: Powertools keeps one logger per service name, with its first handler.
    logger = Logger(service=f"archive-handler-test-{next(_loggers)}", logger_handler=logging.StreamHandler(logs))
    return ArchiveHandler(work, logger=logger, metrics=Metrics(namespace="Pagesift")), logs  # type: ignore[arg-type]


def test_each_message_is_one_step_of_a_run() -> None:
    work = RecordingWork()
    archive_handler, _logs = handler(work)
    assert archive_handler.handle(sqs_event(task("a" * 32), task("b" * 32, TaskAction.PLAN)), Context()) == {"batchItemFailures": []}
    assert [(t.run[0], t.action, t.index) for t in work.tasks] == [("a", TaskAction.RANGE, 3), ("b", TaskAction.PLAN, 3)]


def test_a_step_that_raises_is_retried_alone() -> None:
    work = RecordingWork(failing="b" * 32)
    archive_handler, logs = handler(work)
    response = archive_handler.handle(sqs_event(task("a" * 32), task("b" * 32)), Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert "archive task not done; it will be retried" in logs.getvalue()


@pytest.mark.parametrize("body", [
    json.dumps({"version": "0", "detail-type": "Object Created", "source": "aws.s3", "detail": {}}),  # an S3 event, misrouted
    json.dumps({"pagesift-archive-task": 1, "action": "explode", "archive": {"bucket": "b", "key": "k"}, "run": "r"}),
    "not json at all",
])
def test_a_message_that_is_no_archive_task_fails_with_why_and_is_never_run(body: str) -> None:
    work = RecordingWork()
    archive_handler, logs = handler(work)
    assert archive_handler.handle(sqs_event(body), Context()) == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert work.tasks == []
    line = json.loads(logs.getvalue().splitlines()[-1])
    assert line["message"] == "unreadable archive task; it goes to ArchiveDLQ after its retries"
    assert line["message_id"] == "m0" and line["error"]


def test_a_record_that_is_no_message_fails_alone() -> None:
    work = RecordingWork()
    archive_handler, _logs = handler(work)
    event = sqs_event(task("a" * 32))
    event["Records"].insert(0, "oops")
    assert archive_handler.handle(event, Context()) == {"batchItemFailures": [{"itemIdentifier": None}]}
    assert len(work.tasks) == 1


def test_an_event_that_is_no_batch_is_refused() -> None:
    archive_handler, _logs = handler(RecordingWork())
    with pytest.raises(ValueError, match="batches of the archive queue"):
        archive_handler.handle({"hello": "world"}, Context())
