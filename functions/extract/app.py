"""Composition root of the extract function.

Wires the S3 and EventBridge adapters into the pipeline once per execution environment
(clients are reused across invocations), then routes each supported event shape:
SQS batches (the default wiring) with partial-batch responses, S3 notifications and
EventBridge events invoked directly, and S3 Batch Operations jobs with a result per task.
"""

from __future__ import annotations

import os
import time
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from pagesift.config import Settings
from pagesift.document import Source
from pagesift.errors import ExtractionError
from pagesift.pipeline import OutOfTime, Outcome, Pipeline
from pagesift.state import StateStore
from pagesift.publishing import EventPublisher
from pagesift.storage import DocumentStore, PageStore
from pagesift.triggers import (
    ObjectChange,
    UnsupportedEventError,
    batch_tasks,
    changes_from_eventbridge,
    changes_from_message_body,
    changes_from_s3_notification,
    event_shape,
)

logger = Logger()
tracer = Tracer()
metrics = Metrics()

settings = Settings.from_environ(os.environ)
# Short timeouts and botocore's standard retry mode: a slow call is retried well inside the
# function's time budget instead of eating it.
_client_config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)
_s3 = boto3.client("s3", config=_client_config)
_dynamodb = boto3.client("dynamodb", config=_client_config)
pipeline = Pipeline(
    pages=PageStore(_s3, max_input_bytes=settings.max_input_bytes),
    documents=DocumentStore(_s3, bucket=settings.documents_bucket, prefix=settings.documents_prefix),
    publisher=EventPublisher(boto3.client("events", config=_client_config), bus_name=settings.event_bus_name),
    state=StateStore(_dynamodb, settings.state_table),
    max_input_bytes=settings.max_input_bytes,
    extraction_budget_seconds=settings.extraction_budget_seconds,
)
# A batch whose every record failed is answered with all of them as failures, not an error:
# the same retry for SQS, without counting the invocation as a function error.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _mark_duplicate(response: dict[str, Any], _record: DataRecord) -> dict[str, Any]:
    return {**response, "duplicate": True}


# Exactly-once out: a change delivered again (S3 and EventBridge deliver at least once) returns
# the recorded outcome instead of running again. Keyed on everything that identifies the change:
# the object, its version (or ETag where versioning is off) and the S3 sequencer, which tells
# apart two uploads of the same bytes; never on event ids or sequencers alone (moto repeats
# them). Changes without a sequencer (Batch Operations) are explicit requests to (re)apply
# the current object: they skip this and rely on the state table.
idempotency = IdempotencyConfig(
    event_key_jmespath="[bucket, key, kind, version_id, etag, sequencer]",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=24 * 60 * 60,
    response_hook=_mark_duplicate,
)
_persistence = DynamoDBPersistenceLayer(table_name=settings.state_table, boto3_client=_dynamodb)

_EXCERPT_CHARS = 2_000


class RetryableDeliveryError(Exception):
    """Some changes of a delivery hit transient errors: the delivery must be retried."""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Lets idempotency expire an in-progress record with the invocation, should it be cut short.
    idempotency.register_lambda_context(context)
    global _lease_seconds, _deadline, _margin_seconds
    remaining = context.get_remaining_time_in_millis() / 1000
    _lease_seconds = remaining * 1.1 + 1
    _deadline = time.monotonic() + remaining
    _margin_seconds = min(5.0, remaining * 0.1)
    try:
        shape = event_shape(event)
        if shape == "sqs":
            return process_partial_response(
                event=event, record_handler=handle_sqs_record, processor=processor, context=context
            )
        if shape == "batch":
            return handle_batch_job(event)
        changes = changes_from_s3_notification(event) if shape == "s3" else changes_from_eventbridge(event)
    except UnsupportedEventError as error:
        report_unusable_delivery(error, event)
        return {"status": "unsupported event", "error": str(error)}
    # Direct (asynchronous) invocations: raising makes Lambda retry the event, then send it to
    # the function's failure destination; permanent failures are already reported by events.
    outcomes = process_changes(changes)
    return {"status": "ok", "outcomes": outcomes}


def handle_sqs_record(record: SQSRecord) -> None:
    try:
        changes = changes_from_message_body(record.body)
    except UnsupportedEventError as error:
        # A message that names no object can never succeed: report it once, don't retry it.
        report_unusable_delivery(error, record.body)
        return
    process_changes(changes)


def handle_batch_job(event: dict[str, Any]) -> dict[str, Any]:
    """S3 Batch Operations: one result per task, so the job report says what happened."""
    results = []
    for task in batch_tasks(event):
        if task.change is None:
            logger.error("unusable Batch Operations task", extra={"task_id": task.task_id, "error": task.error})
            results.append({"taskId": task.task_id, "resultCode": "PermanentFailure", "resultString": str(task.error)[:1000]})
            continue
        try:
            result = process_change(task.change)
        except Exception as error:  # transient: Batch Operations retries TemporaryFailure
            results.append({"taskId": task.task_id, "resultCode": "TemporaryFailure", "resultString": str(error)[:1000]})
            continue
        if result["status"] == "failed":
            results.append({"taskId": task.task_id, "resultCode": "PermanentFailure", "resultString": str(result["error"])[:1000]})
        else:
            text = result["document_key"] if result["status"] in ("extracted", "deleted") else f"{result['status']}: {result['reason']}"
            results.append({"taskId": task.task_id, "resultCode": "Succeeded", "resultString": (text or "")[:1000]})
    return {
        "invocationSchemaVersion": event["invocationSchemaVersion"],
        "treatMissingKeysAs": "PermanentFailure",
        "invocationId": event.get("invocationId"),
        "results": results,
    }


def process_changes(changes: list[ObjectChange]) -> list[dict[str, Any]]:
    """Process every change; if any hit a transient error, raise after doing the rest (the
    ones done are not done twice on the retry: idempotency returns their outcome)."""
    outcomes, errors = [], []
    for change in changes:
        try:
            outcomes.append(process_change(change))
        except Exception as error:
            errors.append(f"s3://{change.bucket}/{change.key}: {type(error).__name__}: {error}")
    if errors:
        raise RetryableDeliveryError("; ".join(errors)[:4000])
    return outcomes


# The lease on an object outlives the invocation holding it by a little, so a crashed run cannot
# block the object for long; it stays shorter than the queue's visibility timeout (6x the
# function timeout), so a retry finds it free. Set from the Lambda context at each invocation.
_lease_seconds = 900.0
# When the invocation ends; each change gets what is left, less a margin to write and publish
# (5 s, or a tenth of the timeout for short ones).
_deadline: float | None = None
_margin_seconds = 5.0
_MIN_START_SECONDS = 0.5


def _seconds_left() -> float | None:
    if _deadline is None:
        return None
    left = _deadline - time.monotonic() - _margin_seconds
    if left < _MIN_START_SECONDS:
        raise OutOfTime(f"only {left + _margin_seconds:.1f} s left of the invocation: retried in a fresh one")
    return left


@tracer.capture_method
def process_change(change: ObjectChange) -> dict[str, Any]:
    logger.set_correlation_id(f"s3://{change.bucket}/{change.key}")
    with logger.append_context_keys(object_key=change.key, bucket=change.bucket, version_id=change.version_id, change=change.kind.value):
        try:
            result = apply_delivered_change(change=change) if change.sequencer else apply_change(change)
        except Exception:
            metrics.add_metric(name="TransientFailures", unit=MetricUnit.Count, value=1)
            logger.exception("change not processed; the delivery will be retried")
            raise
        if result.get("duplicate"):
            metrics.add_metric(name="DuplicatesSkipped", unit=MetricUnit.Count, value=1)
            logger.info("duplicate delivery: the change was already applied", extra=result)
        return result


def apply_change(change: ObjectChange) -> dict[str, Any]:
    outcome = pipeline.process(change, lease_seconds=_lease_seconds, seconds_left=_seconds_left())
    record(outcome)
    return summary(outcome)


# A fixed key prefix: the records must not depend on the name the module is imported under.
apply_delivered_change = idempotent_function(
    apply_change,
    data_keyword_argument="change",
    config=idempotency,
    persistence_store=_persistence,
    key_prefix="pagesift-extract",
)


def record(outcome: Outcome) -> None:
    if outcome.status == "extracted":
        metrics.add_metric(name="DocumentsExtracted", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="ExtractionMs", unit=MetricUnit.Milliseconds, value=outcome.duration_ms or 0)
        metrics.add_metric(name="InputBytes", unit=MetricUnit.Bytes, value=outcome.input_bytes or 0)
        metrics.add_metric(name="Words", unit=MetricUnit.Count, value=outcome.words or 0)
        logger.info("document extracted", extra=summary(outcome))
    elif outcome.status == "deleted":
        metrics.add_metric(name="DocumentsDeleted", unit=MetricUnit.Count, value=1)
        logger.info("document deleted", extra=summary(outcome))
    elif outcome.status == "unchanged":
        metrics.add_metric(name="DocumentsUnchanged", unit=MetricUnit.Count, value=1)
        logger.info("document unchanged: nothing rewritten", extra=summary(outcome))
    elif outcome.status == "skipped":
        metrics.add_metric(name="ChangesSkipped", unit=MetricUnit.Count, value=1)
        logger.info("change skipped", extra=summary(outcome))
    else:
        metrics.add_metric(name="DocumentsFailed", unit=MetricUnit.Count, value=1)
        logger.warning("page could not become a document", extra=summary(outcome))


def report_unusable_delivery(error: UnsupportedEventError, received: object) -> None:
    """A delivery no supported shape matches: log it whole-ish and emit a failure event."""
    excerpt = received if isinstance(received, str) else repr(received)
    logger.error("unsupported event", extra={"error": str(error), "received": excerpt[:_EXCERPT_CHARS]})
    outcome = pipeline.fail(
        Source(), error=ExtractionError(str(error)[:1000], kind="UnsupportedEvent", stage="trigger")
    )
    record(outcome)


def summary(outcome: Outcome) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "source_key": outcome.change.key if outcome.change else None,
        "document_id": outcome.document_id,
        "document_key": outcome.document_key,
        "event_id": outcome.event_id,
        "error": str(outcome.error) if outcome.error else None,
        "reason": outcome.reason,
        "words": outcome.words,
        "duration_ms": outcome.duration_ms,
    }
