"""Composition root of the archive function: its settings and a boto3 client factory in, its
handler out. The steps of archive runs (plan, range, prune) on the archive queue; the same
package as the extract function, with a whole vCPU and 900 s (template.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from pagesift.archives.runs import ArchiveWork
from pagesift.aws.archive_handler import ArchiveHandler
from pagesift.aws.clients import client as aws_client
from pagesift.aws.dynamodb import DynamoDBRunStore
from pagesift.aws.eventbridge import EventBridgePublisher
from pagesift.aws.s3 import S3ArchiveSource, S3DocumentStore
from pagesift.aws.sqs import SqsWorkQueue
from pagesift.config import ConfigurationError, Settings


def build(
    settings: Settings,
    client: Callable[[str], Any] = aws_client,
    *,
    logger: Logger | None = None,
    metrics: Metrics | None = None,
) -> ArchiveHandler:
    if not settings.archive_queue_url:
        # Its steps send their continuations to the queue they came from.
        raise ConfigurationError("missing environment variable(s): ARCHIVE_QUEUE_URL")
    s3 = client("s3")
    work = ArchiveWork(
        archives=S3ArchiveSource(s3),
        documents=S3DocumentStore(s3, bucket=settings.documents_bucket, prefix=settings.documents_prefix),
        publisher=EventBridgePublisher(client("events"), bus_name=settings.event_bus_name),
        runs=DynamoDBRunStore(client("dynamodb"), settings.state_table),
        queue=SqsWorkQueue(client("sqs"), settings.archive_queue_url),
        options=settings.extraction,
        range_pages=settings.archive_range_pages,
    )
    return ArchiveHandler(work, logger=logger or Logger(), metrics=metrics or Metrics())
