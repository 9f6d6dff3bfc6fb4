"""What each outcome tells an operator: its metrics (a table) and its log line."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from pagesift.delivery.outcomes import Outcome, Status

# Per outcome status: the counter it adds to, the level of its log line and its message.
OUTCOME_METRICS: dict[Status, tuple[str, str, str]] = {
    Status.EXTRACTED: ("DocumentsExtracted", "info", "document extracted"),
    Status.DELETED: ("DocumentsDeleted", "info", "document deleted"),
    Status.UNCHANGED: ("DocumentsUnchanged", "info", "document unchanged: nothing rewritten"),
    Status.SKIPPED: ("ChangesSkipped", "info", "change skipped"),
    Status.FAILED: ("DocumentsFailed", "warning", "page could not become a document"),
    Status.ARCHIVE: ("ArchivesStarted", "info", "web archive: its run started"),
}
# Measures of an extracted page: metric name, unit, and the outcome field it reads.
EXTRACTION_MEASURES: tuple[tuple[str, MetricUnit, str], ...] = (
    ("ExtractionMs", MetricUnit.Milliseconds, "duration_ms"),
    ("InputBytes", MetricUnit.Bytes, "input_bytes"),
    ("Words", MetricUnit.Count, "words"),
)
# Deliveries, not outcomes.
TRANSIENT_FAILURES = "TransientFailures"
DUPLICATES_SKIPPED = "DuplicatesSkipped"
ARCHIVE_TASKS = "ArchiveTasks"  # steps of archive runs done (plan, range, prune), whatever their outcome


def observe(outcome: Outcome, *, logger: Logger, metrics: Metrics) -> None:
    name, level, message = OUTCOME_METRICS[outcome.status]
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    if outcome.status is Status.EXTRACTED:
        for metric, unit, field in EXTRACTION_MEASURES:
            metrics.add_metric(name=metric, unit=unit, value=getattr(outcome, field) or 0)
    getattr(logger, level)(message, extra=outcome.to_dict())


def count(metrics: Metrics, name: str) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
