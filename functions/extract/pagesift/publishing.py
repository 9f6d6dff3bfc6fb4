"""EventBridge edge: put events, retrying the entries that failed.

PutEvents can succeed as a call while some entries fail (``FailedEntryCount``); those
entries, and only those, are sent again with backoff. Past the attempts the error is
raised so that the message is redelivered rather than the event lost.
"""

from __future__ import annotations

import json
from functools import partial
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .document import EVENT_SOURCE
from .retry import backoff_delays, with_retries

MAX_ENTRIES_PER_CALL = 10  # PutEvents' own limit


@dataclass(frozen=True, slots=True)
class Event:
    detail_type: str
    detail: dict[str, Any]
    resources: tuple[str, ...] = ()


class PublishError(Exception):
    """Some events could not be put after every attempt; the message must be retried."""


class EventPublisher:
    def __init__(
        self,
        events_client: Any,
        *,
        bus_name: str,
        attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._events = events_client
        self.bus_name = bus_name
        self._attempts = attempts
        self._sleep = sleep

    def publish(self, events: list[Event]) -> list[str]:
        """Put every event; returns their EventBridge ids in the same order."""
        ids: list[str] = []
        for start in range(0, len(events), MAX_ENTRIES_PER_CALL):
            ids.extend(self._publish_chunk(events[start : start + MAX_ENTRIES_PER_CALL]))
        return ids

    def _publish_chunk(self, events: list[Event]) -> list[str]:
        entries = [self._entry(event) for event in events]
        ids: list[str | None] = [None] * len(entries)
        pending = list(range(len(entries)))
        errors: list[str] = []
        for delay in [*backoff_delays(self._attempts), None]:
            batch = [entries[i] for i in pending]
            response = with_retries(partial(self._events.put_events, Entries=batch), sleep=self._sleep)
            results = response.get("Entries", [])
            still_failing, errors = [], []
            for position, index in enumerate(pending):
                # An answer with fewer results than entries leaves the rest unconfirmed: resend them.
                result = results[position] if position < len(results) else {}
                if result.get("EventId") and not result.get("ErrorCode"):
                    ids[index] = result["EventId"]
                else:
                    still_failing.append(index)
                    errors.append(f"{result.get('ErrorCode')}: {result.get('ErrorMessage')}")
            pending = still_failing
            if not pending:
                return [event_id for event_id in ids if event_id is not None]
            if delay is not None:
                self._sleep(delay)
        raise PublishError(
            f"{len(pending)} of {len(entries)} events not accepted by bus {self.bus_name!r} "
            f"after {self._attempts} attempts: {'; '.join(errors[:3])}"
        )

    def _entry(self, event: Event) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "Source": EVENT_SOURCE,
            "DetailType": event.detail_type,
            "Detail": json.dumps(event.detail, ensure_ascii=False),
            "EventBusName": self.bus_name,
        }
        if event.resources:
            entry["Resources"] = list(event.resources)
        return entry
