"""The document and event models, and the rule that places a document in its bucket.

These are the contracts other teams build on (docs/contracts.md); the JSON Schemas in
``schemas/`` describe the same shapes and the tests validate every output against them.
Nothing here knows AWS: plain dataclasses in, plain dicts out.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = "1.0"

# S3 refuses keys longer than 1,024 bytes (UTF-8).
MAX_S3_KEY_BYTES = 1024
DEFAULT_DOCUMENTS_PREFIX = "documents/"


@dataclass(frozen=True, slots=True)
class Record:
    """Which page of a many-page object (a web archive) a document is: its identity inside the
    object. A page that is the whole object has none."""

    id: str  # unique inside the object (a WARC-Record-ID); names the document's key
    offset: int | None = None  # bytes from the start of the object
    length: int | None = None
    date: str | None = None  # when the page was captured (WARC-Date)
    payload_digest: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Source:
    """Where a document came from: an S3 object, or a local file for the command line, and the
    page inside it when the object holds many."""

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
    record: Record | None = None  # the page inside a many-page object

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        # Present only when they apply, so that one-page objects keep the shape they always had.
        for optional in ("path", "record"):
            if data[optional] is None:
                del data[optional]
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


@dataclass(frozen=True, slots=True)
class Product:
    """The product a page declares that it sells (schema.org ``Product``), as it declares it."""

    name: str | None = None
    brand: str | None = None
    sku: str | None = None
    gtin: str | None = None  # GTIN-8, -12 (UPC), -13 (EAN) or -14: digits only
    price: str | None = None  # a decimal number as a string, "19.99": the lowest of its offers
    currency: str | None = None  # ISO 4217, upper case: "EUR"
    availability: str | None = None  # a schema.org ItemAvailability term: "InStock", "OutOfStock"...
    rating: float | None = None  # the page's aggregate rating, on the page's own scale
    review_count: int | None = None


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
    # when the page says it was last modified (YYYY-MM-DD, as date); None: it does not say
    date_modified: str | None = field(default=None, kw_only=True)
    description: str | None
    language: str | None
    # article, forum, product, collection, listing, documentation or service; None: could not tell
    page_type: str | None = field(default=None, kw_only=True)
    product: Product | None = field(default=None, kw_only=True)  # None: the page declares none
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


def document_id(bucket: str | None, key: str | None, path: str | None = None, record: str | None = None) -> str:
    """Stable id of the document of one page, the same across its object's versions: of the
    object itself, or of the record ``record`` inside it.

    An index upserts on it, so it must depend only on where the page lives.
    """
    where = f"s3://{bucket}/{key}" if bucket is not None else f"file://{path}"
    if record is not None:
        # A JSON array, never a URL: no object's own id can be a record's.
        where = json.dumps([where, record], ensure_ascii=False)
    return hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def source_document_id(source: Source) -> str:
    """The id of the document that ``source`` becomes."""
    return document_id(source.bucket, source.key, source.path, source.record.id if source.record else None)


# Characters that make a key awkward or dangerous for the tools that read the documents bucket
# (control characters break XML listings; `.`/`..` segments are resolved away by some clients
# and file-system syncs, so two source keys could land on one file).
_UNSAFE_KEY = re.compile(r"[\x00-\x1f\x7f]|(?:^|/)\.{1,2}(?:/|$)")


_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9._-]")


_WARC_UUID = re.compile(r"<urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})>")
MAX_ARCHIVE_PREFIX_BYTES = 768  # leaves room under S3's 1,024 for a record's name, a shard's or a manifest's


def record_name(record_id: str) -> str:
    """How a record is named in its document's key: a WARC-Record-ID ``<urn:uuid:…>`` (as
    writers make them: lower case) by its UUID; any other id by its safe characters and a hash
    of the whole id (so that no two ids share a name)."""
    if match := _WARC_UUID.fullmatch(record_id):
        return match.group(1)
    clean = _NOT_IN_NAME.sub("_", record_id.strip().strip("<>"))[:200]
    return f"{clean}~{hashlib.sha256(record_id.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"


def archive_prefix(source_key: str, prefix: str = DEFAULT_DOCUMENTS_PREFIX) -> str:
    """Where everything of a many-page object (a web archive) lives in the documents bucket:
    ``<prefix><source key>/``, or for a key that is unsafe or too long, a cleaned, shortened
    form with a hash of the full key, so that the mapping stays one-to-one."""
    return _placed(source_key, prefix, "/", MAX_ARCHIVE_PREFIX_BYTES)


def document_key(source_key: str, prefix: str = DEFAULT_DOCUMENTS_PREFIX, record: str | None = None) -> str:
    """The documents-bucket key of a page: ``<prefix><source key>.json`` for an object that is
    one page, ``<archive_prefix(source key)><record name>.json`` for a record inside a
    many-page object (``record`` is its id; see record_name).

    Keys that would be unsafe or longer than S3 allows keep a readable, cleaned part and get
    a hash of the full source key appended, which keeps the mapping one-to-one.
    """
    if record is not None:
        return f"{archive_prefix(source_key, prefix)}{record_name(record)}.json"
    return _placed(source_key, prefix, ".json", MAX_S3_KEY_BYTES)


def _placed(source_key: str, prefix: str, suffix: str, limit: int) -> str:
    """``<prefix><source key><suffix>`` if that is safe and within ``limit`` bytes, else a
    cleaned, shortened form of the key with a hash of all of it before the suffix."""
    plain = f"{prefix}{source_key}{suffix}"
    if not _UNSAFE_KEY.search(source_key) and len(plain.encode("utf-8")) <= limit:
        return plain
    digest = hashlib.sha256(source_key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    cleaned = re.sub(r"[\x00-\x1f\x7f]", "_", source_key)
    cleaned = re.sub(r"(?:^|(?<=/))\.{1,2}(?=/|$)", "_", cleaned)
    tail = f"~{digest}{suffix}"
    budget = limit - len(prefix.encode("utf-8")) - len(tail.encode("utf-8"))
    head = cleaned.encode("utf-8")[: max(budget, 0)].decode("utf-8", "ignore")
    return f"{prefix}{head}{tail}"


def document_json(document: Document) -> bytes:
    """The document as stored: compact UTF-8 JSON."""
    return json.dumps(document.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def content_sha256(document: Document) -> str:
    """Hash of what a reader of the document sees: everything but where it was read from and
    how long it took, so that a re-upload of the same page is recognised as the same."""
    data = document.to_dict()
    del data["source"], data["extraction"]
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
