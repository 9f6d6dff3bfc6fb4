"""JSON Schemas of the document and of each event (draft 2020-12), shipped with the code."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ..events import DetailType

_HERE = Path(__file__).parent
SCHEMA_FILES = {
    "document": "document.schema.json",
    DetailType.EXTRACTED.value: "document-extracted.schema.json",
    DetailType.DELETED.value: "document-deleted.schema.json",
    DetailType.FAILED.value: "document-extraction-failed.schema.json",
    DetailType.ARCHIVE_EXTRACTED.value: "archive-extracted.schema.json",
    DetailType.SHARD_EXTRACTED.value: "shard-extracted.schema.json",
    DetailType.SHARD_DELETED.value: "shard-deleted.schema.json",
}


@cache
def load(name: str) -> dict[str, Any]:
    """The schema for "document" or for an event's detail-type."""
    return json.loads((_HERE / SCHEMA_FILES[name]).read_text(encoding="utf-8"))
