"""Composition root of the extract function: configuration, clients, adapters and the
pipeline are built once per execution environment (reused across invocations); the handler
is Powertools' decorators around one delegating call. What it does: docs/architecture.md."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from pagesift.aws.clients import client
from pagesift.aws.dynamodb import DynamoDBRunStore, DynamoDBStateStore
from pagesift.aws.eventbridge import EventBridgePublisher
from pagesift.aws.handler import ExtractHandler
from pagesift.aws.s3 import S3ArchiveSource, S3DocumentStore, S3PageSource
from pagesift.aws.sqs import SqsWorkQueue
from pagesift.archives.runs import ArchiveWork
from pagesift.config import Settings
from pagesift.delivery.pipeline import Pipeline

logger = Logger()
tracer = Tracer()
metrics = Metrics()

settings = Settings.from_environ(os.environ)
s3, dynamodb = client("s3"), client("dynamodb")
documents = S3DocumentStore(s3, bucket=settings.documents_bucket, prefix=settings.documents_prefix)
publisher = EventBridgePublisher(client("events"), bus_name=settings.event_bus_name)
archive_work = None
if settings.archive_queue_url:  # web archives, read by ranges (docs/archives.md)
    archive_work = ArchiveWork(
        archives=S3ArchiveSource(s3),
        documents=documents,
        publisher=publisher,
        runs=DynamoDBRunStore(dynamodb, settings.state_table),
        queue=SqsWorkQueue(client("sqs"), settings.archive_queue_url),
        limits=settings.limits,
        extraction_budget_seconds=settings.extraction_budget_seconds,
        profile=settings.profile,
        range_pages=settings.archive_range_pages,
    )
pipeline = Pipeline(
    pages=S3PageSource(s3, limits=settings.limits),
    documents=documents,
    publisher=publisher,
    state=DynamoDBStateStore(dynamodb, settings.state_table),
    limits=settings.limits,
    extraction_budget_seconds=settings.extraction_budget_seconds,
    profile=settings.profile,
    archives=archive_work,
    output_mode=settings.output_mode,
)
handler = ExtractHandler(pipeline, logger=logger, metrics=metrics, archive_work=archive_work)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handler.handle(event, context)
