"""Composition root of the extract function: its settings and a boto3 client factory in, its
handler out, every adapter built once. ``app.py`` calls it once per execution environment;
tests call it with moto's clients (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from pagesift.archives.handover import ArchiveHandover
from pagesift.aws.clients import client as aws_client
from pagesift.aws.dynamodb import DynamoDBStateStore
from pagesift.aws.eventbridge import EventBridgePublisher
from pagesift.aws.handler import ExtractHandler
from pagesift.aws.s3 import S3DocumentStore, S3PageSource
from pagesift.aws.sqs import SqsWorkQueue
from pagesift.config import Settings
from pagesift.delivery.pipeline import Pipeline


def build(
    settings: Settings,
    client: Callable[[str], Any] = aws_client,
    *,
    logger: Logger | None = None,
    metrics: Metrics | None = None,
) -> ExtractHandler:
    s3 = client("s3")
    archives = None
    if settings.archive_queue_url:  # web archives: handed over to their runs (docs/archives.md)
        archives = ArchiveHandover(SqsWorkQueue(client("sqs"), settings.archive_queue_url), mode=settings.output_mode)
    pipeline = Pipeline(
        pages=S3PageSource(s3, limits=settings.extraction.limits),
        documents=S3DocumentStore(s3, bucket=settings.documents_bucket, prefix=settings.documents_prefix),
        publisher=EventBridgePublisher(client("events"), bus_name=settings.event_bus_name),
        state=DynamoDBStateStore(client("dynamodb"), settings.state_table),
        options=settings.extraction,
        archives=archives,
    )
    return ExtractHandler(pipeline, logger=logger or Logger(), metrics=metrics or Metrics())
