"""DynamoDB adapter: the StateTable as the pipeline's StateStore.

Each object's item records what was last applied to it (sequencer, version, ETag,
LastModified, text and content hashes, the dirty mark, the change's id and outcome), holds its
lease, and says why the last change given up was not applied. Ordering and idempotency are one
item, so that a change costs two writes: ``acquire`` (conditional: the lease is free and the
change is not the one last applied) and ``commit``. The rules that read the item are the
core's (pagesift.delivery.ordering, pagesift.delivery.pipeline); this module only stores it, with
conditional writes so that two invocations cannot both believe they hold an object. Calls are
retried by the client's policy (pagesift.aws.clients).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from pagesift.archives.ports import RunProgress
from pagesift.delivery.ports import AlreadyApplied, Applied, ObjectBusy, ObjectState

ITEM_PREFIX = "object#"


class DynamoDBStateStore:
    def __init__(self, dynamodb_client: Any, table: str, *, clock: Callable[[], float] = time.time) -> None:
        self._db = dynamodb_client
        self.table = table
        self._clock = clock

    @staticmethod
    def item_id(bucket: str, key: str) -> str:
        return f"{ITEM_PREFIX}{bucket}/{key}"

    def acquire(self, bucket: str, key: str, owner: str, lease_seconds: float, change_id: str) -> ObjectState:
        """Take the object's lease and return its last applied state; raises AlreadyApplied
        for the change last committed, ObjectBusy while another invocation holds the lease.

        The object is marked dirty in the same write: should a document be written and the
        invocation die before ``commit``, the next change knows the bucket may differ from the
        recorded hashes. ``release`` puts the previous mark back. One write either way: a
        refused condition returns the item, which tells a duplicate from a busy object.
        """
        now = self._clock()
        values = {
            ":owner": {"S": owner},
            ":expires": {"N": str(now + lease_seconds)},
            ":now": {"N": str(now)},
            ":dirty": {"BOOL": True},
            ":change": {"S": change_id},
        }
        try:
            response = self._db.update_item(
                TableName=self.table,
                Key={"id": {"S": self.item_id(bucket, key)}},
                UpdateExpression="SET lease_owner = :owner, lease_expires = :expires, dirty = :dirty",
                ConditionExpression=(
                    "(attribute_not_exists(lease_owner) OR lease_expires < :now) "
                    "AND (attribute_not_exists(change_id) OR change_id <> :change)"
                ),
                ExpressionAttributeValues=values,
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            item = error.response.get("Item", {})
            if item.get("change_id", {}).get("S") == change_id:
                raise AlreadyApplied(f"change {change_id} of s3://{bucket}/{key}", _outcome_from(item)) from error
            raise ObjectBusy(f"s3://{bucket}/{key} is being processed by another invocation") from error
        return _state_from(response.get("Attributes", {}))

    def commit(
        self, bucket: str, key: str, owner: str, applied: Applied, *, change_id: str, outcome: dict[str, Any]
    ) -> None:
        """Record the applied change, its id and outcome, and give the lease back, if it is still ours."""
        values: dict[str, Any] = {
            ":owner": {"S": owner},
            ":deleted": {"BOOL": applied.deleted},
            ":dirty": {"BOOL": applied.dirty},
            ":at": {"N": str(self._clock())},
            ":change": {"S": change_id},
            ":outcome": {"S": json.dumps(outcome, ensure_ascii=False, separators=(",", ":"))},
        }
        sets = ["deleted = :deleted", "dirty = :dirty", "updated_at = :at", "change_id = :change", "outcome = :outcome"]
        removes = ["lease_owner", "lease_expires", "last_error"]
        for name, value in (
            ("sequencer", applied.sequencer),
            ("version_id", applied.version_id),
            ("etag", applied.etag),
            ("last_modified", applied.last_modified),
            ("text_sha256", applied.text_sha256),
            ("content_sha256", applied.content_sha256),
            ("made_by", applied.made_by),
        ):
            if value is None:
                removes.append(name)
            else:
                sets.append(f"{name} = :{name}")
                values[f":{name}"] = {"S": value}
        try:
            self._db.update_item(
                TableName=self.table,
                Key={"id": {"S": self.item_id(bucket, key)}},
                UpdateExpression=f"SET {', '.join(sets)} REMOVE {', '.join(removes)}",
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                # The lease ran out and another invocation took the object: what it applies wins.
                raise ObjectBusy(f"lost the lease on s3://{bucket}/{key} before recording it") from error
            raise

    def release(self, bucket: str, key: str, owner: str, *, dirty: bool | None, error: str | None = None) -> None:
        """Give the lease back without recording a change; ``dirty`` puts the mark back as it
        was (None leaves it: something may have been written); ``error`` is kept as why."""
        values: dict[str, Any] = {":owner": {"S": owner}}
        sets = []
        if dirty is not None:
            sets.append("dirty = :dirty")
            values[":dirty"] = {"BOOL": dirty}
        if error is not None:
            sets.append("last_error = :error")
            values[":error"] = {"M": {"message": {"S": error}, "at": {"N": str(self._clock())}}}
        expression = (
            f"SET {', '.join(sets)} REMOVE lease_owner, lease_expires" if sets else "REMOVE lease_owner, lease_expires"
        )
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


def _outcome_from(item: dict[str, Any]) -> dict[str, Any]:
    try:
        recorded = json.loads(item.get("outcome", {}).get("S", "{}"))
    except ValueError:
        recorded = {}
    return recorded if isinstance(recorded, dict) else {}


def last_error(item: dict[str, Any]) -> tuple[str, float] | None:
    """Why the last change given up on the object (an item as DynamoDB returns it) was not
    applied, and when: what ``pagesift redrive`` shows beside a dead-lettered message."""
    error = item.get("last_error", {}).get("M")
    if not error:
        return None
    return error.get("message", {}).get("S", ""), float(error.get("at", {}).get("N", "0"))


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
        made_by=text("made_by"),
        deleted=bool(deleted and deleted.get("BOOL")),
        dirty=bool(dirty and dirty.get("BOOL")),
    )


RUN_PREFIX, RANGE_PREFIX = "run#", "range#"
# Runs' items expire (the table's TTL attribute) this long after their last write: long past
# any retry or redrive of their steps (SQS keeps a message 14 days at most).
RUN_ITEM_SECONDS = 30 * 24 * 3600
BATCH_GET = 100  # keys per BatchGetItem call, DynamoDB's most


class DynamoDBRunStore:
    """The StateTable as the archive work's RunStore: an item per run (its number of ranges,
    the set of those done, whether it was announced) and one per range (its resume offset and
    counts). ``range_done`` and ``planned`` return the item as written, so that exactly one of
    them sees the run complete first."""

    def __init__(self, dynamodb_client: Any, table: str, *, clock: Callable[[], float] = time.time) -> None:
        self._db = dynamodb_client
        self.table = table
        self._clock = clock

    def _expires(self) -> dict[str, str]:
        return {"N": str(int(self._clock() + RUN_ITEM_SECONDS))}

    def _range_key(self, run: str, index: int) -> dict[str, Any]:
        return {"id": {"S": f"{RANGE_PREFIX}{run}#{index}"}}

    def progress(self, run: str, index: int) -> dict[str, Any] | None:
        item = self._db.get_item(TableName=self.table, Key=self._range_key(run, index), ConsistentRead=True).get("Item")
        return _saved(item) if item else None

    def save_progress(self, run: str, index: int, *, offset: int, counts: dict[str, Any], done: bool) -> None:
        self._db.put_item(
            TableName=self.table,
            Item={
                **self._range_key(run, index),
                "offset": {"N": str(offset)},
                "counts": {"S": json.dumps(counts, separators=(",", ":"))},
                "done": {"BOOL": done},
                "expiration": self._expires(),
            },
        )

    def all_progress(self, run: str, ranges: int) -> list[dict[str, Any]]:
        saved: list[dict[str, Any]] = []
        keys = [self._range_key(run, index) for index in range(ranges)]
        for start in range(0, len(keys), BATCH_GET):
            request = {self.table: {"Keys": keys[start : start + BATCH_GET], "ConsistentRead": True}}
            while request:
                response = self._db.batch_get_item(RequestItems=request)
                saved.extend(_saved(item) for item in response.get("Responses", {}).get(self.table, []))
                request = response.get("UnprocessedKeys") or {}
        return saved

    def _update(self, run: str, expression: str, values: dict[str, Any]) -> RunProgress:
        item = self._db.update_item(
            TableName=self.table,
            Key={"id": {"S": f"{RUN_PREFIX}{run}"}},
            UpdateExpression=expression.replace("SET ", "SET expiration = :expires, ")
            if "SET " in expression
            else f"{expression} SET expiration = :expires",
            ExpressionAttributeValues={**values, ":expires": self._expires()},
            ReturnValues="ALL_NEW",
        )["Attributes"]
        ranges = int(item["ranges"]["N"]) if "ranges" in item else None
        done = [int(n) for n in item.get("done", {}).get("NS", [])]
        return RunProgress(ranges, len([n for n in done if ranges is None or 0 <= n < ranges]))

    def planned(self, run: str, *, ranges: int) -> RunProgress:
        return self._update(run, "SET ranges = :ranges", {":ranges": {"N": str(ranges)}})

    def range_done(self, run: str, index: int) -> RunProgress:
        return self._update(run, "ADD done :index", {":index": {"NS": [str(index)]}})

    def is_announced(self, run: str) -> bool:
        item = (
            self._db.get_item(TableName=self.table, Key={"id": {"S": f"{RUN_PREFIX}{run}"}}, ConsistentRead=True).get(
                "Item"
            )
            or {}
        )
        return bool(item.get("announced", {}).get("BOOL"))

    def claim_announcement(self, run: str, owner: str, lease_seconds: float) -> bool:
        now = self._clock()
        try:
            self._db.update_item(
                TableName=self.table,
                Key={"id": {"S": f"{RUN_PREFIX}{run}"}},
                UpdateExpression="SET claim_owner = :owner, claim_expires = :until, expiration = :expires",
                ConditionExpression=(
                    "attribute_not_exists(announced) AND "
                    "(attribute_not_exists(claim_owner) OR claim_owner = :owner OR claim_expires < :now)"
                ),
                ExpressionAttributeValues={
                    ":owner": {"S": owner},
                    ":until": {"N": str(now + lease_seconds)},
                    ":now": {"N": str(now)},
                    ":expires": self._expires(),
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def mark_announced(self, run: str) -> None:
        self._update(run, "SET announced = :yes", {":yes": {"BOOL": True}})


def _saved(item: dict[str, Any]) -> dict[str, Any]:
    return {"offset": int(item["offset"]["N"]), "counts": json.loads(item["counts"]["S"]), "done": item["done"]["BOOL"]}
