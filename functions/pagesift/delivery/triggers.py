"""Turn the events that reach the extract function into ``ObjectChange`` values.

Pure: plain dicts in, frozen dataclasses out; no AWS call, no boto3. Four shapes arrive
(docs/contracts.md, "Triggers"): S3 event notifications, S3 events on EventBridge, SQS
batches whose bodies hold either of those (optionally inside an SNS envelope), and S3 Batch
Operations jobs. ``read_event`` is the one entry point: any of them in, a ``Delivery`` out
(what kind of delivery it is, and the changes each of its items names). Anything else, or a
supported shape with a required field missing or of the wrong type, raises
``UnsupportedEventError`` with a message that says what was received; no other exception
escapes for JSON-like input. Adding a shape means a reader here and a branch in
``read_event``, nothing else.

How object keys arrive, and how they are decoded here
-----------------------------------------------------
* S3 event notifications (``Records[].s3.object.key``) are form-URL-encoded, as
  documented: "The s3 key ... value is URL encoded. For example, 'red flower.jpg'
  becomes 'red+flower.jpg'" (S3 User Guide, "Event message structure",
  notification-content-structure). A space is ``+``, a literal ``+`` is ``%2B``,
  non-ASCII is percent-encoded UTF-8, ``/`` is usually left as is: ``unquote_plus``.
  moto 5.2.5 encodes them the same way (``quote_plus`` in
  ``moto/s3/notifications.py::_get_s3_event``, since getmoto/moto#9060).
* S3 Batch Operations (``tasks[].s3Key``), schema 1.0 and 2.0: documented as encoded
  ("keys from S3 Batch Operations are URL encoded", S3 User Guide,
  batch-ops-invoke-lambda). AWS's own manifest example decodes with ``unquote_plus``
  and Powertools' ``S3BatchOperationTask.s3_key`` does too, chosen after testing on
  the real service (aws-powertools/powertools-lambda-python#3572): ``unquote_plus``.
* S3 on EventBridge (``detail.object.key``): the S3 User Guide ("EventBridge event
  message structure", ev-events) shows only ``example-key`` and says nothing either
  way. Powertools for AWS Lambda (Python) 3.37, maintained by AWS, decodes it with
  ``unquote_plus`` like classic notifications
  (``data_classes/s3_event.py::S3EventBridgeNotificationObject.key``), and S3 builds
  both from the same notification pipeline: ``unquote_plus`` for events shaped like
  AWS's. This is the one rule not stated by AWS documentation.
* moto 5.2.5's S3 -> EventBridge events differ: the key raw, ``eTag``, constant ids and
  sequencers. The function is written for AWS's shape; the embedded stack and the tests
  make moto send AWS's shape (``src/pagesift_local/moto_fixes.py``), so nothing here
  knows moto. ``eTag`` is still accepted, since S3 notifications spell it that way.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote_plus

__all__ = [
    "ChangeKind",
    "Delivery",
    "DeliveryItem",
    "DeliveryKind",
    "EventShape",
    "ObjectChange",
    "Purpose",
    "UnsupportedEventError",
    "changes_from_eventbridge",
    "changes_from_s3_notification",
    "changes_in",
    "event_shape",
    "message_item",
    "read_event",
]


class ChangeKind(str, enum.Enum):
    CREATED = "created"
    DELETED = "deleted"


class Purpose(enum.StrEnum):
    """Why a Batch Operations job of ``pagesift backfill`` names an object."""

    BACKFILL = "backfill"  # apply only versions no pagesift has applied
    REEXTRACT = "reextract"  # also those that another pagesift, or other options, made


@dataclass(frozen=True, slots=True)
class ObjectChange:
    """One object that was written or removed; what the rest of the function works on."""

    bucket: str
    key: str  # URL-decoded object key, as S3 APIs expect it
    kind: ChangeKind
    version_id: str | None = None
    etag: str | None = None  # without surrounding quotes
    size: int | None = None  # often missing for deletes
    sequencer: str | None = None  # orders events for one key (compare as hex strings)
    # A change S3 did not sequence (a Batch Operations task): the request it came from, so that
    # each job's request is a change of its own (its retries are the same one).
    request: str | None = None
    # A Batch Operations job of ``pagesift backfill`` (None: apply the change whatever was applied).
    purpose: Purpose | None = None


class EventShape(enum.StrEnum):
    """Which supported shape an event has."""

    S3 = "s3"  # an S3 event notification
    EVENTBRIDGE = "eventbridge"  # an S3 event on EventBridge
    SQS = "sqs"  # an SQS batch
    BATCH = "batch"  # an S3 Batch Operations job


class DeliveryKind(str, enum.Enum):
    """How a delivery must be answered."""

    CHANGES = "changes"  # an S3 notification or S3 EventBridge event invoked directly: one item
    MESSAGES = "messages"  # an SQS batch: an item per message, failures reported per message
    JOB = "job"  # an S3 Batch Operations invocation: an item per task, a result per task


@dataclass(frozen=True, slots=True)
class DeliveryItem:
    """One unit of a delivery that succeeds or fails alone: a message, a task, or the event."""

    id: str  # the SQS messageId or the Batch Operations taskId ("" when it has none)
    changes: tuple[ObjectChange, ...] = ()
    error: str | None = None  # why the item names no object: reported once, never retried


@dataclass(frozen=True, slots=True)
class Delivery:
    kind: DeliveryKind
    items: tuple[DeliveryItem, ...]

    @property
    def changes(self) -> list[ObjectChange]:
        return [change for item in self.items for change in item.changes]


class UnsupportedEventError(ValueError):
    """An event this function cannot act on; the message says what was received.

    Permanent: the same event fails the same way, so it belongs in a dead-letter queue
    (or a Batch Operations ``PermanentFailure``), not in a retry loop.
    """


# S3 notification eventName -> kind. Only objects appearing and disappearing change a
# document; the other S3 event types are known and deliberately ignored (returned as no
# change) so that a broad notification configuration does not fill the dead-letter queue.
_CREATED_PREFIXES: Final = ("ObjectCreated:",)
# LifecycleExpiration:Delete and :DeleteMarkerCreated: either way the object is gone.
_DELETED_PREFIXES: Final = ("ObjectRemoved:", "LifecycleExpiration:Delete")
_IGNORED_PREFIXES: Final = (
    "ObjectRestore:",
    "Replication:",
    "ObjectTagging:",
    "ObjectAcl:",
    "LifecycleTransition",
    "IntelligentTiering",
    "ReducedRedundancyLostObject",
)

# S3 EventBridge detail-type -> kind, and the other S3 detail-types (S3 User Guide,
# "Amazon EventBridge mapping and troubleshooting"). An unknown detail-type is an error,
# not silence: the production rule only forwards Object Created|Deleted, so anything else
# means a misconfigured rule, and the dead-letter queue is where someone will see it.
_EVENTBRIDGE_KINDS: Final = {
    "Object Created": ChangeKind.CREATED,
    "Object Deleted": ChangeKind.DELETED,
}
_EVENTBRIDGE_IGNORED: Final = frozenset(
    {
        "Object Restore Initiated",
        "Object Restore Completed",
        "Object Restore Expired",
        "Object Storage Class Changed",
        "Object Access Tier Changed",
        "Object ACL Updated",
        "Object Tags Added",
        "Object Tags Deleted",
    }
)

_MISSING: Final = object()  # tells "absent" from "null" in error messages
# S3's sequencers are 16 to 18 hex digits; room for twice that, and no more (ordering pads
# every sequencer to 64 digits to compare them).
MAX_SEQUENCER_DIGITS: Final = 32
_SEQUENCER: Final = re.compile(rf"[0-9A-Fa-f]{{1,{MAX_SEQUENCER_DIGITS}}}")


# --- public functions --------------------------------------------------------------


def read_event(event: object) -> Delivery:
    """Any supported event → the delivery it is and the changes each of its items names.

    The handler and the tests both read events through this one function. Raises
    UnsupportedEventError when the event as a whole is not a supported shape; a malformed
    SQS message or Batch Operations task becomes an item with an ``error`` instead, so that
    its neighbours are still done.
    """
    shape = event_shape(event)
    assert isinstance(event, dict)  # event_shape said so
    if shape is EventShape.SQS:
        return Delivery(DeliveryKind.MESSAGES, tuple(message_item(record) for record in event["Records"]))
    if shape is EventShape.BATCH:
        return Delivery(DeliveryKind.JOB, tuple(batch_tasks(event)))
    return Delivery(DeliveryKind.CHANGES, (DeliveryItem("", tuple(changes_in(event))),))


def message_item(record: dict[str, Any]) -> DeliveryItem:
    """One SQS record: the changes its body names, or why it names none."""
    message_id = record.get("messageId")
    message_id = message_id if isinstance(message_id, str) else ""
    try:
        return DeliveryItem(message_id, tuple(changes_in(record.get("body", _MISSING), inside="SQS message body")))
    except UnsupportedEventError as error:
        return DeliveryItem(message_id, error=str(error))


def changes_in(message: object, *, inside: str | None = None) -> list[ObjectChange]:
    """The changes an S3 notification or an S3 EventBridge event names, given as an object or
    as JSON text (an SQS message body), either perhaps inside an SNS envelope (what a queue
    subscribed to a topic receives without raw message delivery)."""
    where = f"{inside}: " if inside else ""
    if isinstance(message, str):
        message = _parse_json(message, inside or "message")
    elif inside is not None:
        raise UnsupportedEventError(f"{inside} must be a string, received {_type_of(message)}")
    if isinstance(message, dict) and message.get("Type") == "Notification" and "Message" in message:
        inner = message["Message"]
        if not isinstance(inner, str):
            raise UnsupportedEventError(
                f"SNS notification{' in ' + inside if inside else ''}: Message must be a string of JSON, "
                f"got {_type_of(inner)}"
            )
        message = _parse_json(inner, "SNS notification Message")
    try:
        shape = event_shape(message)
    except UnsupportedEventError as error:
        raise UnsupportedEventError(f"{where}{error}") from None
    if shape is EventShape.S3:
        return changes_from_s3_notification(message)  # type: ignore[arg-type]
    if shape is EventShape.EVENTBRIDGE:
        return changes_from_eventbridge(message)  # type: ignore[arg-type]
    raise UnsupportedEventError(
        f"{inside or 'the message'} must hold an S3 notification or an S3 EventBridge event, "
        f"not a {shape.value!r} event; received {_describe(message)}"
    )


def event_shape(event: object) -> EventShape:
    """Which of the supported shapes ``event`` is."""
    if not isinstance(event, dict):
        raise UnsupportedEventError(f"unsupported event: expected a JSON object, received {_type_of(event)}")
    if "Records" in event:
        records = event["Records"]
        if isinstance(records, list) and records and all(isinstance(r, dict) for r in records):
            first = records[0].get("eventSource")
            if all(r.get("eventSource") == first for r in records):
                if first == "aws:s3":
                    return EventShape.S3
                if first == "aws:sqs":
                    return EventShape.SQS
        raise UnsupportedEventError(
            "unsupported event: Records must be a non-empty array whose records all have "
            f"eventSource 'aws:s3' or all 'aws:sqs'; received {_describe(event)}"
        )
    if _is_s3_test_event(event):
        return EventShape.S3
    if "source" in event and "detail-type" in event:
        if event["source"] == "aws.s3":
            return EventShape.EVENTBRIDGE
        raise UnsupportedEventError(
            f"unsupported EventBridge event: only source 'aws.s3' is handled; received {_describe(event)}"
        )
    if "invocationSchemaVersion" in event and "tasks" in event:
        return EventShape.BATCH
    raise UnsupportedEventError(
        "unsupported event: not an S3 notification, S3 EventBridge event, SQS batch or "
        f"S3 Batch Operations job; received {_describe(event)}"
    )


def changes_from_s3_notification(event: dict[str, Any]) -> list[ObjectChange]:
    """``{"Records": [{"eventSource": "aws:s3", ...}]}``; the ``s3:TestEvent`` gives []."""
    if not isinstance(event, dict):
        raise UnsupportedEventError(f"not an S3 event notification: expected a JSON object, received {_type_of(event)}")
    if _is_s3_test_event(event):
        # Sent once when a notification configuration is saved; nothing to do.
        return []
    records = event.get("Records", _MISSING)
    if not isinstance(records, list):
        raise UnsupportedEventError(
            f"not an S3 event notification: Records must be an array, got {_type_of(records)}; "
            f"received {_describe(event)}"
        )
    changes: list[ObjectChange] = []
    for index, record in enumerate(records):
        path = f"S3 notification Records[{index}]"
        if not isinstance(record, dict):
            raise UnsupportedEventError(f"{path} must be an object, got {_type_of(record)}")
        source = record.get("eventSource", _MISSING)
        if source != "aws:s3":
            raise UnsupportedEventError(f"{path}.eventSource must be 'aws:s3', got {_type_of(source)}")
        kind = _kind_from_event_name(_required_str(record, "eventName", path), path)
        if kind is None:
            continue
        s3 = _required_dict(record, "s3", path)
        bucket = _required_dict(s3, "bucket", f"{path}.s3")
        obj = _required_dict(s3, "object", f"{path}.s3")
        key_path = f"{path}.s3.object.key"
        changes.append(
            ObjectChange(
                bucket=_required_str(bucket, "name", f"{path}.s3.bucket"),
                key=_decode_key(_required_str(obj, "key", f"{path}.s3.object"), key_path),
                kind=kind,
                version_id=_optional_str(obj, "versionId"),
                etag=_etag(obj),
                size=_optional_size(obj, "size"),
                sequencer=_sequencer(obj, f"{path}.s3.object.sequencer"),
            )
        )
    return changes


def changes_from_eventbridge(event: dict[str, Any]) -> list[ObjectChange]:
    """An S3 event on EventBridge: Object Created/Deleted give one change, other S3 types []."""
    if not isinstance(event, dict):
        raise UnsupportedEventError(f"not an EventBridge event: expected a JSON object, received {_type_of(event)}")
    source = event.get("source", _MISSING)
    detail_type = event.get("detail-type", _MISSING)
    if source != "aws.s3":
        raise UnsupportedEventError(
            f"not an S3 EventBridge event: expected source 'aws.s3', got source "
            f"{_type_of(source)} and detail-type {_type_of(detail_type)}"
        )
    if not isinstance(detail_type, str):
        raise UnsupportedEventError(f"S3 EventBridge event: detail-type must be a string, got {_type_of(detail_type)}")
    if detail_type in _EVENTBRIDGE_IGNORED:
        return []
    kind = _EVENTBRIDGE_KINDS.get(detail_type)
    if kind is None:
        raise UnsupportedEventError(
            f"S3 EventBridge event: detail-type {_short(repr(detail_type))} is not supported "
            "(expected 'Object Created' or 'Object Deleted')"
        )
    path = "S3 EventBridge event detail"
    detail = _required_dict(event, "detail", "S3 EventBridge event")
    bucket = _required_dict(detail, "bucket", path)
    obj = _required_dict(detail, "object", path)
    raw_key = _required_str(obj, "key", f"{path}.object")
    key = _decode_key(raw_key, f"{path}.object.key")
    return [
        ObjectChange(
            bucket=_required_str(bucket, "name", f"{path}.bucket"),
            key=key,
            kind=kind,
            version_id=_optional_str(obj, "version-id"),
            etag=_etag(obj),
            size=_optional_size(obj, "size"),
            sequencer=_sequencer(obj, f"{path}.object.sequencer"),
        )
    ]


def batch_tasks(event: dict[str, Any]) -> list[DeliveryItem]:
    """The tasks of an S3 Batch Operations job invocation (schema 1.0 or 2.0)."""
    if not isinstance(event, dict):
        raise UnsupportedEventError(
            f"not an S3 Batch Operations event: expected a JSON object, received {_type_of(event)}"
        )
    version = event.get("invocationSchemaVersion", _MISSING)
    if not (isinstance(version, str) and version in ("1.0", "2.0")):
        raise UnsupportedEventError(
            f"S3 Batch Operations event: invocationSchemaVersion must be '1.0' or '2.0', got {_type_of(version)}"
        )
    tasks = event.get("tasks", _MISSING)
    if not isinstance(tasks, list):
        raise UnsupportedEventError(f"S3 Batch Operations event: tasks must be an array, got {_type_of(tasks)}")
    job = event.get("job")
    job_id: str = job["id"] if isinstance(job, dict) and isinstance(job.get("id"), str) else ""
    arguments = job.get("userArguments") if isinstance(job, dict) else None
    purpose = arguments.get("pagesift") if isinstance(arguments, dict) else None
    purpose = Purpose(purpose) if isinstance(purpose, str) and purpose in set(Purpose) else None
    return [
        _batch_task(task, f"S3 Batch Operations tasks[{index}]", version, job_id, purpose)
        for index, task in enumerate(tasks)
    ]


def _batch_task(task: Any, path: str, version: str, job_id: str, purpose: Purpose | None = None) -> DeliveryItem:
    """One task; a malformed one becomes a task with an ``error``, so that its neighbours are
    still done and the job report says what was wrong with it."""
    task_id = task.get("taskId") if isinstance(task, dict) else None
    task_id = task_id if isinstance(task_id, str) else ""
    try:
        if not isinstance(task, dict):
            raise UnsupportedEventError(f"{path} must be an object, got {_type_of(task)}")
        _required_str(task, "taskId", path)
        # 1.0 names the bucket by ARN; 2.0 (needed for directory buckets) by name.
        if version == "1.0":
            bucket = _bucket_from_arn(_required_str(task, "s3BucketArn", path), f"{path}.s3BucketArn")
        else:
            bucket = _required_str(task, "s3Bucket", path)
        change = ObjectChange(
            bucket=bucket,
            key=_decode_key(_required_str(task, "s3Key", path), f"{path}.s3Key"),
            kind=ChangeKind.CREATED,
            version_id=_optional_str(task, "s3VersionId"),
            request=f"batch:{job_id}:{task_id}",
            purpose=purpose,
        )
    except UnsupportedEventError as error:
        return DeliveryItem(task_id, error=str(error))
    # Kind CREATED: a backfill asks for the object's current version to be (re)applied.
    return DeliveryItem(task_id, (change,))


# --- helpers -------------------------------------------------------------------------


def _is_s3_test_event(event: dict[str, Any]) -> bool:
    # {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": ..., ...}: no Records.
    return event.get("Event") == "s3:TestEvent" and "Records" not in event


def _kind_from_event_name(name: str, path: str) -> ChangeKind | None:
    # AWS sends "ObjectCreated:Put"; S3-compatible stores often add "s3:". None = not ours.
    name = name.removeprefix("s3:")
    if name.startswith(_CREATED_PREFIXES):
        return ChangeKind.CREATED
    if name.startswith(_DELETED_PREFIXES):
        return ChangeKind.DELETED
    if name.startswith(_IGNORED_PREFIXES):
        return None
    raise UnsupportedEventError(f"{path}.eventName {_short(repr(name))} is not a known S3 event type")


def _decode_key(raw: str, path: str) -> str:
    # Strict: a key whose %-escapes are not UTF-8 was not encoded by S3; guessing with
    # replacement characters would name an object that does not exist.
    try:
        key = unquote_plus(raw, errors="strict")
    except UnicodeDecodeError:
        raise UnsupportedEventError(f"{path} {_short(repr(raw))} is not valid URL-encoded UTF-8") from None
    return _checked_key(key, path)


def _checked_key(key: str, path: str) -> str:
    # JSON can carry lone surrogates ("\ud800"); S3 keys are UTF-8, so boto3 would crash
    # on them later, far from the event that caused it.
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsupportedEventError(f"{path} {_short(repr(key))} is not valid Unicode (lone surrogate)") from None
    return key


def _bucket_from_arn(arn: str, path: str) -> str:
    # arn:aws:s3:::name (the documented form); the S3 docs' example uses
    # arn:aws:s3:region:account:name, and directory buckets end in bucket/name.
    parts = arn.split(":", 5)
    name = parts[5].removeprefix("bucket/") if len(parts) == 6 else ""
    if parts[0] != "arn" or len(parts) != 6 or not parts[2].startswith("s3") or not name:
        raise UnsupportedEventError(f"{path} {_short(repr(arn))} is not an S3 bucket ARN")
    return name


def _parse_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        raise UnsupportedEventError(
            f"{what} is not valid JSON ({type(error).__name__}: {_short(str(error))}); received {_type_of(text)}"
        ) from None


def _required_dict(container: dict[str, Any], name: str, path: str) -> dict[str, Any]:
    value = container.get(name, _MISSING)
    if not isinstance(value, dict):
        raise UnsupportedEventError(f"{path}.{name} must be an object, got {_type_of(value)}")
    return value


def _required_str(container: dict[str, Any], name: str, path: str) -> str:
    value = container.get(name, _MISSING)
    if not isinstance(value, str) or not value:
        raise UnsupportedEventError(f"{path}.{name} must be a non-empty string, got {_type_of(value)}")
    return value


# Optional fields are informational (ordering, idempotency keys, document metadata): a
# wrong type there is dropped to None rather than making the page unprocessable.
def _optional_str(container: dict[str, Any], name: str) -> str | None:
    value = container.get(name)
    return value if isinstance(value, str) and value else None


def _sequencer(obj: dict[str, Any], path: str) -> str | None:
    """The change's sequencer: hex digits, as S3 writes them (16 to 18 of them in practice).
    Anything else is refused rather than recorded: a forged sequencer above any real one
    would otherwise make every later change of the key look stale."""
    value = obj.get("sequencer")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _SEQUENCER.fullmatch(value):
        raise UnsupportedEventError(
            f"{path} must be up to {MAX_SEQUENCER_DIGITS} hex digits, got {_short(repr(value))}"
        )
    return value


def _optional_size(container: dict[str, Any], name: str) -> int | None:
    value = container.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _etag(obj: dict[str, Any]) -> str | None:
    # AWS EventBridge says "etag", S3 notifications and moto say "eTag".
    value = obj.get("etag", obj.get("eTag"))
    if not isinstance(value, str):
        return None
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value or None


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _type_of(value: object) -> str:
    """A short, bounded description of a value for error messages."""
    if value is _MISSING:
        return "nothing"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {_short(repr(value), 40)}"
    if isinstance(value, str):
        return f"string {_short(repr(value[:100]))}"
    if isinstance(value, list):
        return f"array of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return f"object with keys {_keys(value)}"
    return type(value).__name__


def _keys(mapping: dict[Any, Any], limit: int = 10) -> str:
    names = [_short(repr(k), 40) if isinstance(k, str) else type(k).__name__ for k in list(mapping)[:limit]]
    more = ", …" if len(mapping) > limit else ""
    return f"[{', '.join(names)}{more}]"


# Fields that say what an event is; named in messages so an operator can act on them.
_TELLING_FIELDS: Final = (
    "source",
    "detail-type",
    "Type",
    "Event",
    "invocationSchemaVersion",
)


def _describe(event: object) -> str:
    if not isinstance(event, dict):
        return _type_of(event)
    parts = [f"an object with keys {_keys(event)}"]
    for name in _TELLING_FIELDS:
        if name in event:
            parts.append(f"{name}={_type_of(event[name])}")
    records = event.get("Records")
    if isinstance(records, list) and records:
        first = records[0]
        if isinstance(first, dict):
            # SQS and S3 say "eventSource", SNS says "EventSource".
            for name in ("eventSource", "EventSource", "eventName"):
                if name in first:
                    parts.append(f"Records[0].{name}={_type_of(first[name])}")
    return _short(", ".join(parts), 400)
