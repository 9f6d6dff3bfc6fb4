"""Events and documents checked against the JSON schemas the contracts publish."""

from __future__ import annotations

from typing import Any

import jsonschema

from pagesift.contracts.schemas import load as load_schema


def validate_event(event: dict[str, Any]) -> None:
    jsonschema.validate(event, load_schema(event["detail-type"]))


def validate_document(document: dict[str, Any]) -> None:
    jsonschema.validate(document, load_schema("document"))
