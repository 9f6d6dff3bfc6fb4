"""The events pagesift puts on its bus: their names, and the ``detail`` of each.

Small pointers to documents, never the documents themselves (EventBridge caps an entry at
256 KB). docs/contracts.md describes them; the JSON Schemas in ``schemas/`` are the contract
the tests validate every event against.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pagesift.contracts.document import Document, Source, source_document_id

EVENT_SOURCE = "pagesift"


class DetailType(str, enum.Enum):
    EXTRACTED = "Document Extracted"
    DELETED = "Document Deleted"
    FAILED = "Document Extraction Failed"
    # web archives (docs/archives.md)
    ARCHIVE_EXTRACTED = "Archive Extracted"
    SHARD_EXTRACTED = "Shard Extracted"
    SHARD_DELETED = "Shard Deleted"


@dataclass(frozen=True, slots=True)
class Event:
    detail_type: DetailType
    detail: dict[str, Any]
    resources: tuple[str, ...] = ()


def unusable_delivery_id(received: str) -> str:
    """The id of a delivery that names no object (an unsupported event): the same for every
    delivery of the same bytes."""
    return hashlib.sha256(json.dumps(["unusable", received], ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def source_pointer(source: Source) -> dict[str, Any]:
    pointer: dict[str, Any] = {
        "bucket": source.bucket,
        "key": source.key,
        "version_id": source.version_id,
        "etag": source.etag,
        "sequencer": source.sequencer,
    }
    if source.record is not None:
        pointer["record"] = source.record.to_dict()
    return pointer


def document_pointer(bucket: str, key: str, doc_id: str) -> dict[str, str]:
    return {"bucket": bucket, "key": key, "id": doc_id}


def extracted_event(document: Document, bucket: str, key: str, *, changed: bool, change: str) -> Event:
    detail = {
        "change_id": change,
        "source": source_pointer(document.source),
        "document": document_pointer(bucket, key, document.id),
        "url": document.url,
        "title": document.title,
        "language": document.language,
        "page_type": document.page_type,
        "date": document.date,
        "date_modified": document.date_modified,
        "words": document.stats.words,
        "sha256": document.fingerprints.sha256,
        "changed": changed,
    }
    return Event(DetailType.EXTRACTED, detail, resources=(f"arn:aws:s3:::{bucket}/{key}",))


def deleted_event(source: Source, bucket: str, key: str, *, change: str) -> Event:
    detail = {
        "change_id": change,
        "source": source_pointer(source),
        "document": document_pointer(bucket, key, source_document_id(source)),
    }
    return Event(DetailType.DELETED, detail)


def failed_event(source: Source, *, error_type: str, message: str, stage: str, change: str) -> Event:
    detail = {
        "change_id": change,
        "source": source_pointer(source),
        "error": {"type": error_type, "message": message, "stage": stage},
    }
    return Event(DetailType.FAILED, detail)


def archive_extracted_event(
    archive: Source, *, run: str, mode: str, ranges: int, counts: dict[str, Any], change: str
) -> Event:
    """Every range of the archive's run is done: what it came to."""
    detail = {
        "change_id": change,
        "source": source_pointer(archive),
        "run": run,
        "mode": mode,
        "ranges": ranges,
        **counts,
    }
    return Event(DetailType.ARCHIVE_EXTRACTED, detail)


def shard_extracted_event(
    archive: Source, bucket: str, key: str, *, run: str, range_index: int, documents: int, size: int, change: str
) -> Event:
    detail = {
        "change_id": change,
        "source": source_pointer(archive),
        "run": run,
        "shard": {"bucket": bucket, "key": key, "range": range_index, "documents": documents, "bytes": size},
    }
    return Event(DetailType.SHARD_EXTRACTED, detail, resources=(f"arn:aws:s3:::{bucket}/{key}",))


def shard_deleted_event(archive: Source, bucket: str, key: str, *, change: str) -> Event:
    detail = {"change_id": change, "source": source_pointer(archive), "shard": {"bucket": bucket, "key": key}}
    return Event(DetailType.SHARD_DELETED, detail)
