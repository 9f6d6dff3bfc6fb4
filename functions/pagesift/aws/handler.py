"""The extract function's handler: any supported event → changes → the pipeline, answered in
the shape its sender expects, with Powertools for logs, metrics, batches and idempotency.

The composition root (functions/extract/app.py) builds one ``ExtractHandler`` per execution
environment and its ``lambda_handler`` delegates to ``handle``. Events are read by the core
(``pagesift.core.triggers.read_event``); how each kind of delivery is answered:

- SQS batches (the default wiring): Powertools' BatchProcessor, a partial-batch response
  naming the messages that hit a transient error; a message that names no object is
  reported once (a failure event) and not retried.
- S3 Batch Operations jobs: a result per task (pagesift.core.batch_results).
- S3 notifications and EventBridge events invoked directly: an error raised makes Lambda
  retry the event, then send it to the function's failure destination.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    BasePersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from pagesift.core.batch_results import ResultCode, job_response, outcome_result, result
from pagesift.core.document import Source
from pagesift.core.errors import ErrorKind, ExtractionError, Stage
from pagesift.core.events import unusable_delivery_id
from pagesift.core.invocation import Invocation
from pagesift.core.pipeline import Pipeline
from pagesift.core.triggers import DeliveryItem, DeliveryKind, ObjectChange, UnsupportedEventError, message_item, read_event

from .observability import DUPLICATES_SKIPPED, TRANSIENT_FAILURES, count, observe

# A fixed key prefix: the records must not depend on the name the module is imported under.
IDEMPOTENCY_KEY_PREFIX = "pagesift-extract"
IDEMPOTENCY_EXPIRES_SECONDS = 24 * 60 * 60
EXCERPT_CHARACTERS = 2_000  # of an unusable event, in its log line
REASON_CHARACTERS = 1_000  # of why an event is unusable, in its failure event
ERROR_CHARACTERS = 4_000  # of the errors of one delivery, in the exception that retries it


tracer = Tracer()  # Powertools' tracers share one configuration: this is the function's own


class RetryableDeliveryError(Exception):
    """Some changes of a delivery hit transient errors: the delivery must be retried."""


def _mark_duplicate(response: dict[str, Any], _record: DataRecord) -> dict[str, Any]:
    return {**response, "duplicate": True}


def idempotency_config() -> IdempotencyConfig:
    """Exactly-once out: a change delivered again (S3 and EventBridge deliver at least once)
    returns the recorded outcome instead of running again. Keyed on everything that identifies
    the change: the object, its version (or ETag where versioning is off) and the S3
    sequencer, which tells apart two uploads of the same bytes; never on event ids or
    sequencers alone (moto repeats them). Changes without a sequencer (Batch Operations) are
    explicit requests to (re)apply the current object: they skip this and rely on the state
    store's rules."""
    return IdempotencyConfig(
        event_key_jmespath="[bucket, key, kind, version_id, etag, sequencer]",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=IDEMPOTENCY_EXPIRES_SECONDS,
        response_hook=_mark_duplicate,
    )


class ExtractHandler:
    def __init__(
        self,
        pipeline: Pipeline,
        *,
        persistence: BasePersistenceLayer,
        logger: Logger,
        metrics: Metrics,
        idempotency: IdempotencyConfig | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.logger = logger
        self.metrics = metrics
        self.idempotency = idempotency or idempotency_config()
        # A batch whose every record failed is answered with all of them as failures, not an
        # error: the same retry for SQS, without counting the invocation as a function error.
        self.processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        self._apply_once = idempotent_function(
            self._apply,
            data_keyword_argument="change",
            config=self.idempotency,
            persistence_store=persistence,
            key_prefix=IDEMPOTENCY_KEY_PREFIX,
        )

    def handle(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        # Lets idempotency expire an in-progress record with the invocation, should it be cut short.
        self.idempotency.register_lambda_context(context)
        invocation = Invocation.starting(context.get_remaining_time_in_millis() / 1000)
        try:
            delivery = read_event(event)
        except UnsupportedEventError as error:
            self.report_unusable(error, event)
            return {"status": "unsupported event", "error": str(error)}
        if delivery.kind is DeliveryKind.MESSAGES:
            # The processor hands the records over in their order: each is matched with the
            # item read_event made of it (re-read should the order ever differ).
            items = iter(delivery.items)
            return process_partial_response(
                event=event,
                record_handler=partial(self._handle_message, items=items, invocation=invocation),
                processor=self.processor,
                context=context,
            )
        if delivery.kind is DeliveryKind.JOB:
            return job_response(event, [self._task_result(task, invocation) for task in delivery.items])
        return {"status": "ok", "outcomes": self._apply_all(delivery.changes, invocation)}

    def _handle_message(self, record: SQSRecord, *, items: Iterator[DeliveryItem], invocation: Invocation) -> None:
        item = next(items, None)
        if item is None or item.id != record.raw_event.get("messageId"):
            item = message_item(record.raw_event)
        if item.error is not None:
            # A message that names no object can never succeed: report it once, don't retry it.
            self.report_unusable(UnsupportedEventError(item.error), record.body)
            return
        self._apply_all(list(item.changes), invocation)

    def _task_result(self, task: DeliveryItem, invocation: Invocation) -> dict[str, str]:
        if task.error is not None:
            self.logger.error("unusable Batch Operations task", extra={"task_id": task.id, "error": task.error})
            return result(task.id, ResultCode.PERMANENT_FAILURE, task.error)
        [change] = task.changes
        try:
            outcome = self._process(change, invocation)
        except Exception as error:  # transient: Batch Operations retries TemporaryFailure
            return result(task.id, ResultCode.TEMPORARY_FAILURE, str(error))
        return outcome_result(task.id, outcome)

    def _apply_all(self, changes: list[ObjectChange], invocation: Invocation) -> list[dict[str, Any]]:
        """Apply every change; if any hit a transient error, raise after doing the rest (the
        ones done are not done twice on the retry: idempotency returns their outcome)."""
        outcomes, errors = [], []
        for change in changes:
            try:
                outcomes.append(self._process(change, invocation))
            except Exception as error:
                errors.append(f"s3://{change.bucket}/{change.key}: {type(error).__name__}: {error}")
        if errors:
            raise RetryableDeliveryError("; ".join(errors)[:ERROR_CHARACTERS])
        return outcomes

    @tracer.capture_method
    def _process(self, change: ObjectChange, invocation: Invocation) -> dict[str, Any]:
        """One change, once: its outcome as a dict (the recorded one for a duplicate)."""
        self.logger.set_correlation_id(f"s3://{change.bucket}/{change.key}")
        with self.logger.append_context_keys(
            object_key=change.key, bucket=change.bucket, version_id=change.version_id, change=change.kind.value
        ):
            try:
                if change.sequencer:
                    outcome = self._apply_once(change=change, invocation=invocation)
                else:
                    outcome = self._apply(change, invocation)
            except Exception:
                count(self.metrics, TRANSIENT_FAILURES)
                self.logger.exception("change not processed; the delivery will be retried")
                raise
            if outcome.get("duplicate"):
                count(self.metrics, DUPLICATES_SKIPPED)
                self.logger.info("duplicate delivery: the change was already applied", extra=outcome)
            return outcome

    def _apply(self, change: ObjectChange, invocation: Invocation) -> dict[str, Any]:
        outcome = self.pipeline.process(change, invocation)
        observe(outcome, logger=self.logger, metrics=self.metrics)
        return outcome.to_dict()

    def report_unusable(self, error: UnsupportedEventError, received: object) -> None:
        """A delivery no supported shape matches: log it whole-ish and emit a failure event."""
        excerpt = received if isinstance(received, str) else repr(received)
        self.logger.error("unsupported event", extra={"error": str(error), "received": excerpt[:EXCERPT_CHARACTERS]})
        outcome = self.pipeline.fail(
            Source(),
            error=ExtractionError(str(error)[:REASON_CHARACTERS], kind=ErrorKind.UNSUPPORTED_EVENT, stage=Stage.TRIGGER),
            delivery_id=unusable_delivery_id(received if isinstance(received, str) else json.dumps(received, sort_keys=True, default=repr)),
        )
        observe(outcome, logger=self.logger, metrics=self.metrics)
