"""The document and event models, and the rule that places a document in its bucket.

These are the contracts other teams build on (see DESIGN.md, "Contracts"); the JSON Schemas
in ``schemas/`` describe the same shapes and the tests validate every output against them.
Nothing here knows AWS: plain dataclasses in, plain dicts out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = "1.0"
EVENT_SOURCE = "pagesift"

DETAIL_EXTRACTED = "Document Extracted"
DETAIL_DELETED = "Document Deleted"
DETAIL_FAILED = "Document Extraction Failed"

# S3 refuses keys longer than 1,024 bytes (UTF-8).
MAX_S3_KEY_BYTES = 1024


@dataclass(slots=True)
class Source:
    """Where a document came from: an S3 object, or a local file for the command line."""

    bucket: str | None = None
    key: str | None = None
    version_id: str | None = None
    etag: str | None = None
    size: int | None = None
    content_type: str | None = None
    content_encoding: str | None = None
    last_modified: str | None = None
    sequencer: str | None = None
    path: str | None = None  # local file (command line) only

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.path is None:
            del data["path"]
        return data


@dataclass(slots=True)
class Stats:
    words: int
    characters: int
    paragraphs: int
    reading_time_seconds: int


@dataclass(slots=True)
class Fingerprints:
    sha256: str
    simhash: str


@dataclass(slots=True)
class ExtractionInfo:
    extractor: str
    extractor_version: str
    pagesift_version: str
    encoding: str
    input_bytes: int
    duration_ms: float
    timestamp: str
    options: dict[str, Any]


@dataclass(slots=True)
class Document:
    id: str
    source: Source
    url: str | None
    hostname: str | None
    sitename: str | None
    title: str | None
    author: str | None
    date: str | None
    description: str | None
    language: str | None
    categories: list[str]
    tags: list[str]
    image: str | None
    text: str
    markdown: str
    comments: str | None
    stats: Stats
    fingerprints: Fingerprints
    extraction: ExtractionInfo
    schema_version: str = field(default=SCHEMA_VERSION)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["source"] = self.source.to_dict()
        # Contract order: version and id first, so a person reading the JSON sees them first.
        return {"schema_version": data.pop("schema_version"), "id": data.pop("id"), **data}


def document_id(bucket: str | None, key: str | None, path: str | None = None) -> str:
    """Stable id of the document of one source object, the same across its versions.

    An index upserts on it, so it must depend only on where the page lives.
    """
    where = f"s3://{bucket}/{key}" if bucket is not None else f"file://{path}"
    return hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()[:32]


# Characters that make a key awkward or dangerous for the tools that read the documents bucket
# (control characters break XML listings; `.`/`..` segments are resolved away by some clients
# and file-system syncs, so two source keys could land on one file).
_UNSAFE_KEY = re.compile(r"[\x00-\x1f\x7f]|(?:^|/)\.{1,2}(?:/|$)")


def document_key(source_key: str, prefix: str = "documents/") -> str:
    """The documents-bucket key for a source key: ``<prefix><source key>.json``.

    Keys that would be unsafe or longer than S3 allows keep a readable, cleaned part and get
    a hash of the full source key appended, which keeps the mapping one-to-one.
    """
    suffix = ".json"
    plain = f"{prefix}{source_key}{suffix}"
    if not _UNSAFE_KEY.search(source_key) and len(plain.encode("utf-8")) <= MAX_S3_KEY_BYTES:
        return plain
    digest = hashlib.sha256(source_key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    cleaned = re.sub(r"[\x00-\x1f\x7f]", "_", source_key)
    cleaned = re.sub(r"(?:^|(?<=/))\.{1,2}(?=/|$)", "_", cleaned)
    tail = f"~{digest}{suffix}"
    budget = MAX_S3_KEY_BYTES - len(prefix.encode("utf-8")) - len(tail.encode("utf-8"))
    head = cleaned.encode("utf-8")[: max(budget, 0)].decode("utf-8", "ignore")
    return f"{prefix}{head}{tail}"


def source_pointer(source: Source) -> dict[str, Any]:
    return {
        "bucket": source.bucket,
        "key": source.key,
        "version_id": source.version_id,
        "etag": source.etag,
        "sequencer": source.sequencer,
    }


def document_pointer(bucket: str, key: str, doc_id: str) -> dict[str, str]:
    return {"bucket": bucket, "key": key, "id": doc_id}


def extracted_detail(document: Document, bucket: str, key: str, *, changed: bool) -> dict[str, Any]:
    return {
        "source": source_pointer(document.source),
        "document": document_pointer(bucket, key, document.id),
        "url": document.url,
        "title": document.title,
        "language": document.language,
        "date": document.date,
        "words": document.stats.words,
        "sha256": document.fingerprints.sha256,
        "changed": changed,
    }


def deleted_detail(source: Source, bucket: str, key: str) -> dict[str, Any]:
    doc_id = document_id(source.bucket, source.key, source.path)
    return {"source": source_pointer(source), "document": document_pointer(bucket, key, doc_id)}


def failed_detail(source: Source, *, error_type: str, message: str, stage: str) -> dict[str, Any]:
    return {
        "source": source_pointer(source),
        "error": {"type": error_type, "message": message, "stage": stage},
    }
