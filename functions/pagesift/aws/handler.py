"""The extract function's handler: any supported event → changes → one round of the pipeline,
answered in the shape its sender expects, with Powertools for logs, metrics and traces.

The composition root (functions/extract/app.py) builds one ``ExtractHandler`` per execution
environment and its ``lambda_handler`` delegates to ``handle``. Events are read by the core
(``pagesift.delivery.triggers.read_event``). The changes of an invocation make one round
(``pagesift.delivery.round.Round``): their events go out together, ten a PutEvents call, and
each change is then recorded on its own. How each kind of delivery is answered:

- SQS batches (the default wiring): a partial-batch response (``batchItemFailures``) naming
  the messages with a change that hit a transient error, its events included; a message that
  names no object is reported once (a failure event) and not retried. (Powertools'
  BatchProcessor answers per record as each is handled; here a message's fate is known only
  once the round's events are out, so the answer is built after, in the same documented shape.)
- S3 Batch Operations jobs: a result per task (pagesift.delivery.batch_results).
- S3 notifications and EventBridge events invoked directly: an error raised makes Lambda
  retry the event, then send it to the function's failure destination.

Duplicate deliveries are answered from the object's record (the outcome of the change's first
delivery), which the same state write that takes the change looks up: see
pagesift.aws.dynamodb.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from pagesift.contracts.document import Source
from pagesift.contracts.errors import ErrorKind, ExtractionError, Stage
from pagesift.contracts.events import unusable_delivery_id
from pagesift.contracts.invocation import Invocation
from pagesift.delivery.batch_results import ResultCode, job_response, outcome_result, result
from pagesift.delivery.outcomes import Pending
from pagesift.delivery.pipeline import Pipeline
from pagesift.delivery.round import Round
from pagesift.delivery.triggers import DeliveryItem, DeliveryKind, ObjectChange, UnsupportedEventError, read_event

from .observability import DUPLICATES_SKIPPED, TRANSIENT_FAILURES, count, observe

EXCERPT_CHARACTERS = 2_000  # of an unusable event, in its log line
REASON_CHARACTERS = 1_000  # of why an event is unusable, in its failure event
ERROR_CHARACTERS = 4_000  # of the errors of one delivery, in the exception that retries it


tracer = Tracer()  # Powertools' tracers share one configuration: this is the function's own


class RetryableDeliveryError(Exception):
    """Some changes of a delivery hit transient errors: the delivery must be retried."""


class ExtractHandler:
    def __init__(self, pipeline: Pipeline, *, logger: Logger, metrics: Metrics) -> None:
        self.pipeline = pipeline
        self.logger = logger
        self.metrics = metrics

    def handle(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        invocation = Invocation.starting(context.get_remaining_time_in_millis() / 1000)
        try:
            delivery = read_event(event)
        except UnsupportedEventError as error:
            self.report_unusable(error, event)
            return {"status": "unsupported event", "error": str(error)}
        round_ = self.pipeline.round(invocation)
        try:
            staged = [
                (item, self._stage(round_, delivery.kind, item, event, index))
                for index, item in enumerate(delivery.items)
            ]
        finally:
            round_.finish()  # whatever happened, what was applied gets its events and its record
        if delivery.kind is DeliveryKind.MESSAGES:
            return self._batch_response(staged)
        if delivery.kind is DeliveryKind.JOB:
            return job_response(event, [self._task_result(task, pending) for task, pending in staged])
        return {"status": "ok", "outcomes": self._outcomes(staged)}

    def _stage(
        self, round_: Round, kind: DeliveryKind, item: DeliveryItem, event: dict[str, Any], index: int
    ) -> list[Pending]:
        if item.error is None:
            return [self._add(round_, change) for change in item.changes]
        if kind is not DeliveryKind.MESSAGES:
            return []  # a task that names no object: its result says why (_task_result)
        # A message that names no object can never succeed: reported once (its failure event), not retried.
        body = event["Records"][index].get("body")
        return [self._unusable(round_, UnsupportedEventError(item.error), body)]

    def _add(self, round_: Round, change: ObjectChange) -> Pending:
        self.logger.set_correlation_id(f"s3://{change.bucket}/{change.key}")
        with self.logger.append_context_keys(
            object_key=change.key, bucket=change.bucket, version_id=change.version_id, change=change.kind.value
        ):
            return round_.add(change)

    def _batch_response(self, staged: list[tuple[DeliveryItem, list[Pending]]]) -> dict[str, Any]:
        # read_event gives an item per record, in their order, with the record's messageId.
        return {
            "batchItemFailures": [
                {"itemIdentifier": item.id}
                for item, pendings in staged
                if self._settled(pendings, message_id=item.id) is None
            ]
        }

    def _task_result(self, task: DeliveryItem, pendings: list[Pending]) -> dict[str, str]:
        if task.error is not None:
            self.logger.error("unusable Batch Operations task", extra={"task_id": task.id, "error": task.error})
            return result(task.id, ResultCode.PERMANENT_FAILURE, task.error)
        outcomes = self._settled(pendings)
        if outcomes is None:  # transient: Batch Operations retries TemporaryFailure
            return result(task.id, ResultCode.TEMPORARY_FAILURE, "; ".join(str(p.error) for p in pendings if p.error))
        return outcome_result(task.id, outcomes[0])

    def _outcomes(self, staged: list[tuple[DeliveryItem, list[Pending]]]) -> list[dict[str, Any]]:
        """Every change's outcome; if any hit a transient error, raise (the ones done are not
        done twice on the retry: their record answers for them)."""
        pendings = [pending for _item, group in staged for pending in group]
        outcomes = self._settled(pendings)
        if outcomes is None:
            errors = [
                f"s3://{p.change.bucket}/{p.change.key}: {type(p.error).__name__}: {p.error}"
                for p in pendings
                if p.error and p.change
            ]
            raise RetryableDeliveryError("; ".join(errors)[:ERROR_CHARACTERS])
        return outcomes

    @tracer.capture_method
    def _settled(self, pendings: list[Pending], *, message_id: str | None = None) -> list[dict[str, Any]] | None:
        """The outcomes of one item's changes, each logged and counted; None if any must be retried.
        ``message_id`` goes in the log lines: what an operator looks up for a dead letter."""
        outcomes: list[dict[str, Any]] = []
        retry = False
        for pending in pendings:
            change = pending.change
            keys = (
                {
                    "object_key": change.key,
                    "bucket": change.bucket,
                    "version_id": change.version_id,
                    "change": change.kind.value,
                }
                if change
                else {}
            )
            if message_id:
                keys["message_id"] = message_id
            # A record that names no object must not carry the previous record's object in its lines.
            self.logger.set_correlation_id(f"s3://{change.bucket}/{change.key}" if change else None)
            with self.logger.append_context_keys(**keys):
                try:
                    outcome = pending.result()
                except Exception as error:
                    retry = True
                    count(self.metrics, TRANSIENT_FAILURES)
                    self.logger.error(
                        "change not processed; the delivery will be retried",
                        exc_info=(type(error), error, error.__traceback__),
                    )
                    continue
                if outcome.duplicate:
                    count(self.metrics, DUPLICATES_SKIPPED)
                    self.logger.info("duplicate delivery: the change was already applied", extra=outcome.to_dict())
                else:
                    observe(outcome, logger=self.logger, metrics=self.metrics)
                outcomes.append(outcome.to_dict())
        return None if retry else outcomes

    def _unusable(self, round_: Round, error: UnsupportedEventError, received: object) -> Pending:
        self._log_unusable(error, received)
        return round_.add_failure(Source(), error=_unusable_error(error), delivery_id=_delivery_id(received))

    def report_unusable(self, error: UnsupportedEventError, received: object) -> None:
        """A delivery no supported shape matches: log it whole-ish and emit a failure event."""
        self._log_unusable(error, received)
        outcome = self.pipeline.fail(Source(), error=_unusable_error(error), delivery_id=_delivery_id(received))
        observe(outcome, logger=self.logger, metrics=self.metrics)

    def _log_unusable(self, error: UnsupportedEventError, received: object) -> None:
        excerpt = received if isinstance(received, str) else repr(received)
        self.logger.error("unsupported event", extra={"error": str(error), "received": excerpt[:EXCERPT_CHARACTERS]})


def _delivery_id(received: object) -> str:
    return unusable_delivery_id(
        received if isinstance(received, str) else json.dumps(received, sort_keys=True, default=repr)
    )


def _unusable_error(error: UnsupportedEventError) -> ExtractionError:
    return ExtractionError(str(error)[:REASON_CHARACTERS], kind=ErrorKind.UNSUPPORTED_EVENT, stage=Stage.TRIGGER)
