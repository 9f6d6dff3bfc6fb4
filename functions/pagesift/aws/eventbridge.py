"""EventBridge adapter: the documents bus as the pipeline's EventPublisher.

The events of a whole invocation are put together, ten a call (PutEvents' limit). A call can
succeed while some entries fail (``FailedEntryCount``); botocore's retries
(pagesift.aws.clients) never see those. They, and only they, are sent again with backoff, up
to ``ENTRY_ATTEMPTS`` times; past that they are reported as not put (``Published``), so that
their changes are retried and their neighbours' recorded. A call that raises has already been
retried by botocore: it and the calls after it are not made again here.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from pagesift.core.events import EVENT_SOURCE, Event
from pagesift.core.ports import Published

MAX_ENTRIES_PER_CALL = 10  # PutEvents' own limit
ENTRY_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 0.1
BACKOFF_CAP_SECONDS = 5.0


def backoff_delays(attempts: int, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> list[float]:
    """Full-jitter exponential backoff (AWS Architecture Blog), one delay between attempts."""
    return [random.uniform(0, min(cap, base * 2**n)) for n in range(attempts - 1)]


class EventBridgePublisher:
    def __init__(
        self,
        events_client: Any,
        *,
        bus_name: str,
        attempts: int = ENTRY_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._events = events_client
        self.bus_name = bus_name
        self._attempts = attempts
        self._sleep = sleep

    def publish(self, events: Sequence[Event]) -> Published:
        """Put the events, ten a call; their EventBridge ids in order, None for each not put."""
        ids: list[str | None] = []
        errors: list[str] = []
        for start in range(0, len(events), MAX_ENTRIES_PER_CALL):
            chunk = events[start : start + MAX_ENTRIES_PER_CALL]
            try:
                chunk_ids, error = self._publish_chunk(chunk)
            except Exception as failure:  # botocore gave up on the call: the bus is not answering
                errors.append(f"PutEvents failed: {type(failure).__name__}: {failure}")
                ids.extend([None] * (len(events) - start))
                break
            ids.extend(chunk_ids)
            if error:
                errors.append(error)
        return Published(ids, "; ".join(errors) or None)

    def _publish_chunk(self, events: Sequence[Event]) -> tuple[list[str | None], str | None]:
        entries = [self._entry(event) for event in events]
        ids: list[str | None] = [None] * len(entries)
        pending = list(range(len(entries)))
        errors: list[str] = []
        for delay in [*backoff_delays(self._attempts), None]:
            response = self._events.put_events(Entries=[entries[i] for i in pending])
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
                return ids, None
            if delay is not None:
                self._sleep(delay)
        return ids, (f"{len(pending)} of {len(entries)} events not accepted by bus {self.bus_name!r} "
                     f"after {self._attempts} attempts: {'; '.join(errors[:3])}")

    def _entry(self, event: Event) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "Source": EVENT_SOURCE,
            "DetailType": event.detail_type.value,
            "Detail": json.dumps(event.detail, ensure_ascii=False),
            "EventBusName": self.bus_name,
        }
        if event.resources:
            entry["Resources"] = list(event.resources)
        return entry
