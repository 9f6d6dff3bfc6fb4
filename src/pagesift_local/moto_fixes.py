"""Where moto's S3 → EventBridge events differ from AWS's, make them AWS-shaped; and one SQS
cost that made a burst's backlog quadratic (``_is_message_valid_based_on_retention_period``).

moto 5.2.5 (``moto/s3/notifications.py::_send_event_bridge_message``) puts the object key
raw, spells the ETag ``eTag``, gives every event the same ``id`` and ``sequencer``, sends
S3 events to the rules of every bus, and sends nothing for a delete marker (a DELETE in a
versioned bucket). AWS URL-encodes the key (as in S3 notifications: Powertools decodes it
with ``unquote_plus``), spells it ``etag``, gives each event its own id and a sequencer
that grows with each change of a key, sends to the default bus, and sends ``Object
Deleted`` (deletion-type "Delete Marker Created") for a delete marker. The function is
written for AWS; the embedded stack and the tests patch moto once, here, rather than teach
the function moto's dialect.

moto also keeps a bucket's ``EventBridgeConfiguration`` but leaves it out of what
GetBucketNotificationConfiguration answers: AWS answers it, and ``pagesift connect`` reads it.

And DynamoDB's conditional writes: AWS checks a condition and writes atomically; moto 5.2.5
checks then writes with no lock, so two threads of its server (two functions of the embedded
stack's worker) can both pass ``attribute_not_exists(lease_owner)`` and both take an object.
``atomic_conditional_writes`` serialises the backend's writes, as AWS's own are per item.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
import uuid
from typing import Any
from urllib.parse import quote_plus

# moto is imported inside the functions that patch it: pagesift_local.stack imports this module,
# and moto (about 290 ms to import, 1.2 s with every backend) only once a stack starts.
_applied = False
_atomic_applied = False
_lock = threading.Lock()
_dynamodb_writes = threading.RLock()
_sequence = itertools.count(1)


def _send_event_bridge_message(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
    from moto.events.models import events_backends
    from moto.events.utils import _BASE_EVENT_MESSAGE
    from moto.s3.notifications import _detail_type

    event = copy.deepcopy(_BASE_EVENT_MESSAGE)
    event["id"] = str(uuid.uuid4())
    event["detail-type"] = _detail_type(event_name)
    event["source"] = "aws.s3"
    event["account"] = account_id
    event["time"] = time.time()  # moto's SQS delivery turns it into AWS's ISO string
    event["region"] = bucket.region_name
    event["resources"] = [bucket.arn]
    detail_object = {
        "key": quote_plus(key.name, safe="/"),
        "size": getattr(key, "size", None),
        "etag": (getattr(key, "etag", None) or "").replace('"', "") or None,
        "sequencer": f"{next(_sequence):018X}",
    }
    if key.version_id and key.version_id != "null":
        detail_object["version-id"] = key.version_id
    event["detail"] = {
        "version": "0",
        "bucket": {"name": bucket.name},
        "object": detail_object,
        "request-id": uuid.uuid4().hex[:16].upper(),
        "requester": account_id,
        "source-ip-address": "127.0.0.1",
        "reason": event_name.split(":")[1],
    }
    if event["detail-type"] == "Object Deleted":
        detail_object.pop("size", None)
        marker = event_name.endswith("DeleteMarkerCreated")
        event["detail"]["deletion-type"] = "Delete Marker Created" if marker else "Permanently Deleted"
        event["detail"]["reason"] = "DeleteObject"
    detail_object = {k: v for k, v in detail_object.items() if v is not None}
    event["detail"]["object"] = detail_object
    try:
        bus = events_backends[account_id][bucket.region_name].event_buses.get("default")
        for rule in list(bus.rules.values()) if bus else []:
            rule.send_to_targets(event, transform_input=False)
    except Exception:  # noqa: BLE001 - asynchronous in AWS: a failed delivery never fails the put
        pass


def _with_delete_marker_events(original: Any) -> Any:
    def _set_delete_marker(backend: Any, bucket_name: str, key_name: str) -> Any:
        marker = original(backend, bucket_name, key_name)
        bucket = backend.get_bucket(bucket_name)
        config = bucket.notification_configuration
        if config is not None and config.event_bridge is not None:
            _send_event_bridge_message(backend.account_id, bucket, "s3:ObjectRemoved:DeleteMarkerCreated", marker)
        return marker

    return _set_delete_marker


def _with_eventbridge_configuration(original: Any) -> Any:
    """moto 5.2.5 keeps a bucket's ``EventBridgeConfiguration`` but leaves it out of
    GetBucketNotificationConfiguration; AWS answers it (``{}``), which is how ``pagesift connect``
    tells that it is already on. The answer built as moto builds it, with it."""

    def get_bucket_notification(response: Any) -> Any:
        from moto.core.responses import ActionResult

        config = response.backend.get_bucket_notification_configuration(response.bucket_name)
        if config is None or config.event_bridge is None:
            return original(response)
        destinations = {
            "TopicConfigurations": [_destination(t, "TopicArn") for t in config.topic],
            "QueueConfigurations": [_destination(q, "QueueArn") for q in config.queue],
            "LambdaFunctionConfigurations": [_destination(f, "LambdaFunctionArn") for f in config.cloud_function],
        }
        response.data["Action"] = "GetBucketNotificationConfiguration"
        return response.serialized(ActionResult({**destinations, "EventBridgeConfiguration": {}}))

    return get_bucket_notification


def _destination(notification: Any, arn_key: str) -> dict[str, Any]:
    destination = {"Id": notification.id, arn_key: notification.arn, "Events": notification.events}
    if notification.filters:
        destination["Filter"] = {"Key": {"FilterRules": notification.filters["S3Key"]["FilterRule"]}}
    return destination


def _is_message_valid_based_on_retention_period(backend: Any, queue_name: str, message: Any) -> bool:
    """moto 5.2.5 reads the retention period through ``get_queue_attributes``, which builds
    every attribute of the queue, counting its messages several times over: once per message
    received, so a receive costs O(queue length) and a burst's backlog makes the server's
    time quadratic. The same check on the queue's own field (an int, see ``_set_attributes``)."""
    from moto.core.utils import unix_time

    retention_period = backend.get_queue(queue_name).message_retention_period
    return retention_period + message.sent_timestamp / 1000 > unix_time()


def _serialised(original: Any) -> Any:
    def write(*args: Any, **kwargs: Any) -> Any:
        with _dynamodb_writes:
            return original(*args, **kwargs)

    return write


def atomic_conditional_writes() -> None:
    """Make moto's DynamoDB writes check their condition and write as one step (idempotent)."""
    global _atomic_applied
    with _lock:
        if _atomic_applied:
            return
        from moto.dynamodb.models import DynamoDBBackend

        for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
            setattr(DynamoDBBackend, name, _serialised(getattr(DynamoDBBackend, name)))
        _atomic_applied = True


def apply() -> None:
    """Patch moto (idempotent). Call before S3 objects are written."""
    global _applied
    with _lock:
        if _applied:
            return
        from moto.s3 import notifications
        from moto.s3.models import S3Backend
        from moto.s3.responses import S3Response
        from moto.sqs.models import SQSBackend

        notifications._send_event_bridge_message = _send_event_bridge_message
        # Methods replaced on moto's classes, which mypy forbids (method-assign) and, for the SQS
        # one, types with its ``self`` twice, so that no plain function matches it (assignment).
        S3Backend._set_delete_marker = _with_delete_marker_events(S3Backend._set_delete_marker)  # type: ignore[method-assign]
        S3Response.get_bucket_notification = _with_eventbridge_configuration(S3Response.get_bucket_notification)  # type: ignore[method-assign]
        SQSBackend.is_message_valid_based_on_retention_period = _is_message_valid_based_on_retention_period  # type: ignore[method-assign, assignment]
        _applied = True
    atomic_conditional_writes()
