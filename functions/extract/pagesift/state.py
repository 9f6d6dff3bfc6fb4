"""Per-object state on the StateTable: what was last applied to each source object, and a lease
so that two changes of one object are never applied at the same time.

S3 and EventBridge deliver at least once and in no particular order. Each object's item
records the S3 ``sequencer`` (and version, ETag, LastModified, text and content hashes) of
the last change applied; a change that is not newer steps aside. Updates are conditional
writes, so two workers cannot both believe they hold an object.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from .retry import with_retries

ITEM_PREFIX = "object#"
# S3 sequencers are hex strings of varying length: AWS says to left-pad the shorter with
# zeros, then compare as strings. Padding every stored one to this width keeps them comparable.
SEQUENCER_WIDTH = 64


class ObjectBusy(Exception):
    """Another change of the same object is being applied: retry the delivery later."""


def sequencer_key(sequencer: str | None) -> str | None:
    if not sequencer:
        return None
    return sequencer.strip().upper().rjust(SEQUENCER_WIDTH, "0")


@dataclass(frozen=True, slots=True)
class ObjectState:
    """What was last applied to an object (all None for an object never seen)."""

    sequencer: str | None = None  # padded, see sequencer_key
    version_id: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    text_sha256: str | None = None
    content_sha256: str | None = None
    deleted: bool = False
    # A document may have been written without being recorded (the invocation died, or its
    # event failed): the bucket may hold something the hashes above do not describe.
    dirty: bool = False

    @property
    def known(self) -> bool:
        return self.sequencer is not None or self.last_modified is not None or self.deleted


@dataclass(frozen=True, slots=True)
class Applied:
    """The state to record once a change has been applied."""

    sequencer: str | None
    version_id: str | None
    etag: str | None
    last_modified: str | None
    text_sha256: str | None
    content_sha256: str | None
    deleted: bool
    dirty: bool = False  # carried over when nothing was written (a failure): see ObjectState


class StateStore:
    def __init__(self, dynamodb_client: Any, table: str, *, clock: Callable[[], float] = time.time) -> None:
        self._db = dynamodb_client
        self.table = table
        self._clock = clock

    @staticmethod
    def item_id(bucket: str, key: str) -> str:
        return f"{ITEM_PREFIX}{bucket}/{key}"

    def acquire(self, bucket: str, key: str, owner: str, lease_seconds: float, *, may_write: bool = False) -> ObjectState:
        """Take the object's lease (or raise ObjectBusy) and return its last applied state.

        With ``may_write`` the object is marked dirty in the same write: should the document
        be written and the invocation die before ``commit``, the next change knows the bucket
        may differ from the recorded hashes. ``release`` puts the previous mark back.
        """
        now = self._clock()
        dirty = ", dirty = :dirty" if may_write else ""
        values = {
            ":owner": {"S": owner},
            ":expires": {"N": str(now + lease_seconds)},
            ":now": {"N": str(now)},
        }
        if may_write:
            values[":dirty"] = {"BOOL": True}
        try:
            response = with_retries(
                lambda: self._db.update_item(
                    TableName=self.table,
                    Key={"id": {"S": self.item_id(bucket, key)}},
                    UpdateExpression=f"SET lease_owner = :owner, lease_expires = :expires{dirty}",
                    ConditionExpression="attribute_not_exists(lease_owner) OR lease_expires < :now",
                    ExpressionAttributeValues=values,
                    ReturnValues="ALL_OLD",
                )
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ObjectBusy(f"s3://{bucket}/{key} is being processed by another invocation") from error
            raise
        return _state_from(response.get("Attributes", {}))

    def commit(self, bucket: str, key: str, owner: str, applied: Applied) -> None:
        """Record the applied change and give the lease back, if it is still ours."""
        values: dict[str, Any] = {
            ":owner": {"S": owner},
            ":deleted": {"BOOL": applied.deleted},
            ":dirty": {"BOOL": applied.dirty},
            ":at": {"N": str(self._clock())},
        }
        sets = ["deleted = :deleted", "dirty = :dirty", "updated_at = :at"]
        removes = ["lease_owner", "lease_expires"]
        for name, value in (
            ("sequencer", sequencer_key(applied.sequencer)),
            ("version_id", applied.version_id),
            ("etag", applied.etag),
            ("last_modified", applied.last_modified),
            ("text_sha256", applied.text_sha256),
            ("content_sha256", applied.content_sha256),
        ):
            if value is None:
                removes.append(name)
            else:
                sets.append(f"{name} = :{name}")
                values[f":{name}"] = {"S": value}
        try:
            with_retries(
                lambda: self._db.update_item(
                    TableName=self.table,
                    Key={"id": {"S": self.item_id(bucket, key)}},
                    UpdateExpression=f"SET {', '.join(sets)} REMOVE {', '.join(removes)}",
                    ConditionExpression="lease_owner = :owner",
                    ExpressionAttributeValues=values,
                )
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                # The lease ran out and another invocation took the object: what it applies wins.
                raise ObjectBusy(f"lost the lease on s3://{bucket}/{key} before recording it") from error
            raise

    def release(self, bucket: str, key: str, owner: str, *, dirty: bool | None = None) -> None:
        """Give the lease back without recording a change; ``dirty`` puts the mark back as it
        was (None leaves it: something may have been written)."""
        values: dict[str, Any] = {":owner": {"S": owner}}
        expression = "REMOVE lease_owner, lease_expires"
        if dirty is not None:
            expression = f"SET dirty = :dirty {expression}"
            values[":dirty"] = {"BOOL": dirty}
        try:
            self._db.update_item(
                TableName=self.table,
                Key={"id": {"S": self.item_id(bucket, key)}},
                UpdateExpression=expression,
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise


def _state_from(item: dict[str, Any]) -> ObjectState:
    def text(name: str) -> str | None:
        value = item.get(name)
        return value.get("S") if value else None

    deleted, dirty = item.get("deleted"), item.get("dirty")
    return ObjectState(
        sequencer=text("sequencer"),
        version_id=text("version_id"),
        etag=text("etag"),
        last_modified=text("last_modified"),
        text_sha256=text("text_sha256"),
        content_sha256=text("content_sha256"),
        deleted=bool(deleted and deleted.get("BOOL")),
        dirty=bool(dirty and dirty.get("BOOL")),
    )
