"""What one message of IndexQueue asks of an index: an EventBridge envelope of a pagesift event
(docs/contracts.md#the-events), read into a ``Change``.

The dedupe key of a change is its ``change_id`` *with* its target (the document id, or the
shard's key): one change of a web archive (its run) announces many documents and shards under
one ``change_id`` (docs/reliability.md#what-is-left).
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from typing import Any

SEQUENCER_WIDTH = 32  # S3 sequencers compare as hex strings, the shorter left-padded with zeros
_HEX_ID = re.compile(r"[0-9a-f]{32}")
_HEX = re.compile(r"[0-9A-Fa-f]{1,32}")


class MalformedEvent(ValueError):
    """A message that is not a pagesift event an index can apply."""


class Action(enum.Enum):
    UPSERT_DOCUMENT = "Document Extracted"
    DELETE_DOCUMENT = "Document Deleted"
    UPSERT_SHARD = "Shard Extracted"
    DELETE_SHARD = "Shard Deleted"
    IGNORE = "ignore"  # failures and an archive's summary: nothing changes in an index


@dataclass(frozen=True, slots=True)
class Change:
    action: Action
    change_id: str
    target: str  # the document id, or "shard:" + the shard's key
    bucket: str
    key: str  # the document's or the shard's key in the documents bucket
    sequencer: str | None  # the announced change's S3 sequencer, padded to compare as strings

    @property
    def document_id(self) -> str:
        return self.target


def shard_target(key: str) -> str:
    return f"shard:{key}"


def sequencer_key(sequencer: object) -> str | None:
    """A sequencer in the form that compares as AWS documents it, None for none."""
    if sequencer is None or sequencer == "":
        return None
    if not isinstance(sequencer, str) or not _HEX.fullmatch(sequencer.strip()):
        raise MalformedEvent(f"detail.source.sequencer is not a sequencer: {sequencer!r}")
    return sequencer.strip().upper().rjust(SEQUENCER_WIDTH, "0")


def read_change(body: str) -> Change:
    """The change a message's body announces; ``MalformedEvent`` when it is none."""
    try:
        event = json.loads(body)
    except ValueError as error:
        raise MalformedEvent(f"the body is not JSON ({error})") from error
    if not isinstance(event, dict) or event.get("source") != "pagesift":
        raise MalformedEvent("not a pagesift event (no source: pagesift)")
    detail = _object(event, "detail")
    change_id = detail.get("change_id")
    if not isinstance(change_id, str) or not _HEX_ID.fullmatch(change_id):
        raise MalformedEvent(f"detail.change_id is not 32 hex digits: {change_id!r}")
    sequencer = sequencer_key((detail.get("source") or {}).get("sequencer"))
    try:
        action = Action(event.get("detail-type"))
    except ValueError:
        action = Action.IGNORE  # another kind of event (a failure, an archive's summary, a newer kind)
    if action in (Action.UPSERT_DOCUMENT, Action.DELETE_DOCUMENT):
        document = _object(detail, "document")
        bucket, key = _text(document, "bucket", "document"), _text(document, "key", "document")
        return Change(action, change_id, _text(document, "id", "document"), bucket, key, sequencer)
    if action in (Action.UPSERT_SHARD, Action.DELETE_SHARD):
        shard = _object(detail, "shard")
        bucket, key = _text(shard, "bucket", "shard"), _text(shard, "key", "shard")
        return Change(action, change_id, shard_target(key), bucket, key, sequencer)
    return Change(Action.IGNORE, change_id, "", "", "", sequencer)


def _object(parent: dict[str, Any], name: str) -> dict[str, Any]:
    value = parent.get(name)
    if not isinstance(value, dict):
        raise MalformedEvent(f"no {name} object")
    return value


def _text(parent: dict[str, Any], name: str, where: str) -> str:
    value = parent.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"detail.{where}.{name} is missing")
    return value
