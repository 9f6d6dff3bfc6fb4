"""Composition root of the extract function: configuration, clients, adapters and the
pipeline are built once per execution environment (reused across invocations); the handler
is Powertools' decorators around one delegating call. What it does: docs/architecture.md."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from pagesift.aws.clients import client
from pagesift.aws.dynamodb import DynamoDBStateStore
from pagesift.aws.eventbridge import EventBridgePublisher
from pagesift.aws.handler import ExtractHandler
from pagesift.aws.s3 import S3DocumentStore, S3PageSource
from pagesift.core.config import Settings
from pagesift.core.pipeline import Pipeline

logger = Logger()
tracer = Tracer()
metrics = Metrics()

settings = Settings.from_environ(os.environ)
s3, dynamodb = client("s3"), client("dynamodb")
pipeline = Pipeline(
    pages=S3PageSource(s3, limits=settings.limits),
    documents=S3DocumentStore(s3, bucket=settings.documents_bucket, prefix=settings.documents_prefix),
    publisher=EventBridgePublisher(client("events"), bus_name=settings.event_bus_name),
    state=DynamoDBStateStore(dynamodb, settings.state_table),
    limits=settings.limits,
    extraction_budget_seconds=settings.extraction_budget_seconds,
    profile=settings.profile,
)
handler = ExtractHandler(pipeline, logger=logger, metrics=metrics)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handler.handle(event, context)
