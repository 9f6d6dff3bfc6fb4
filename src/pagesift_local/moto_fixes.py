"""Where moto's S3 → EventBridge events differ from AWS's, make them AWS-shaped.

moto 5.2.5 (``moto/s3/notifications.py::_send_event_bridge_message``) puts the object key
raw, spells the ETag ``eTag``, and gives every event the same ``id`` and ``sequencer``.
AWS URL-encodes the key (as in S3 notifications: Powertools decodes it with
``unquote_plus``), spells it ``etag``, and gives each event its own id and a sequencer that
grows with each change of a key. The function is written for AWS; the embedded stack and
the tests patch moto once, here, rather than teach the function moto's dialect.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
import uuid
from typing import Any
from urllib.parse import quote_plus

_applied = False
_lock = threading.Lock()
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
        "size": key.size,
        "etag": key.etag.replace('"', ""),
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
        event["detail"]["deletion-type"] = "Delete Marker Created" if getattr(key, "is_delete_marker", False) else "Permanently Deleted"
    try:
        backend = events_backends[account_id][bucket.region_name]
        for event_bus in backend.event_buses.values():
            for rule in event_bus.rules.values():
                rule.send_to_targets(event, transform_input=False)
    except Exception:  # noqa: BLE001 - asynchronous in AWS: a failed delivery never fails the put
        pass


def apply() -> None:
    """Patch moto (idempotent). Call before S3 objects are written."""
    global _applied
    with _lock:
        if _applied:
            return
        from moto.s3 import notifications

        notifications._send_event_bridge_message = _send_event_bridge_message  # type: ignore[assignment]
        _applied = True
