"""S3 Batch Operations: the response a job invocation expects, one result per task.

``Succeeded`` with what was done and the document's key (``extracted: documents/….json``), or
why nothing was done, ``PermanentFailure`` with the
reason for a task that names no object or a page that cannot become a document, and
``TemporaryFailure`` for a transient error, which Batch Operations retries.
"""

from __future__ import annotations

import enum
from typing import Any

from pagesift.delivery.outcomes import Status

RESULT_STRING_CHARACTERS = 1_000  # what a job report keeps of a result string


class ResultCode(str, enum.Enum):
    SUCCEEDED = "Succeeded"
    TEMPORARY_FAILURE = "TemporaryFailure"
    PERMANENT_FAILURE = "PermanentFailure"


def result(task_id: str, code: ResultCode, text: str | None) -> dict[str, str]:
    return {"taskId": task_id, "resultCode": code.value, "resultString": (text or "")[:RESULT_STRING_CHARACTERS]}


def outcome_result(task_id: str, outcome: dict[str, Any]) -> dict[str, str]:
    """The result of a task from its outcome (``Outcome.to_dict()``)."""
    status = Status(outcome["status"])
    if status is Status.FAILED:
        return result(task_id, ResultCode.PERMANENT_FAILURE, outcome["error"])
    if status in (Status.EXTRACTED, Status.DELETED):
        return result(task_id, ResultCode.SUCCEEDED, f"{status.value}: {outcome['document_key']}")
    return result(task_id, ResultCode.SUCCEEDED, f"{status.value}: {outcome['reason']}")


def job_response(event: dict[str, Any], results: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "invocationSchemaVersion": event["invocationSchemaVersion"],
        "treatMissingKeysAs": ResultCode.PERMANENT_FAILURE.value,
        "invocationId": event.get("invocationId"),
        "results": results,
    }
