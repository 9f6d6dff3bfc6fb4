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

from botocore.exceptions import ClientError

from pagesift.contracts.events import EVENT_SOURCE, Event
from pagesift.contracts.ports import Published

MAX_ENTRIES_PER_CALL = 10  # PutEvents' own limits: ten entries ...
MAX_BYTES_PER_CALL = 256 * 1024  # ... of at most 256 KB together, as EventBridge counts them
ENTRY_OVERHEAD_BYTES = 14  # what EventBridge adds to each entry's size (its Time)
# A call refused for what it carries fails alone; these errors say the bus itself is not
# answering (or refusing everyone), and the calls after it would fail the same way.
_BUS_DOWN_ERRORS = {
    "ThrottlingException",
    "InternalException",
    "ServiceUnavailable",
    "AccessDeniedException",
    "ResourceNotFoundException",
}
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
        chunks = _chunks([self._entry(event) for event in events])
        for number, chunk in enumerate(chunks):
            try:
                chunk_ids, error = self._publish_chunk(chunk)
            except Exception as failure:  # botocore gave up on the call (after its own retries)
                errors.append(f"PutEvents failed: {type(failure).__name__}: {failure}")
                ids.extend([None] * len(chunk))
                if _bus_down(failure):
                    ids.extend([None] * sum(len(rest) for rest in chunks[number + 1 :]))
                    break
                continue
            ids.extend(chunk_ids)
            if error:
                errors.append(error)
        return Published(ids, "; ".join(errors) or None)

    def _publish_chunk(self, entries: list[dict[str, Any]]) -> tuple[list[str | None], str | None]:
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
        return ids, (
            f"{len(pending)} of {len(entries)} events not accepted by bus {self.bus_name!r} "
            f"after {self._attempts} attempts: {'; '.join(errors[:3])}"
        )

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


def entry_bytes(entry: dict[str, Any]) -> int:
    """An entry's size as EventBridge counts it against a call's 256 KB."""
    parts = [entry["Source"], entry["DetailType"], entry["Detail"], *entry.get("Resources", [])]
    return ENTRY_OVERHEAD_BYTES + sum(len(part.encode("utf-8")) for part in parts)


def _chunks(entries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The entries in order, in calls of at most ten and 256 KB (an entry over that goes alone:
    EventBridge refuses it, and only it)."""
    chunks: list[list[dict[str, Any]]] = []
    size = 0
    for entry in entries:
        entry_size = entry_bytes(entry)
        if not chunks or len(chunks[-1]) == MAX_ENTRIES_PER_CALL or size + entry_size > MAX_BYTES_PER_CALL:
            chunks.append([])
            size = 0
        chunks[-1].append(entry)
        size += entry_size
    return chunks


def _bus_down(failure: Exception) -> bool:
    """Whether the calls after this failed one would fail too: no answer at all, or an error of
    the bus rather than of what the call carried (a ValidationException fails that call alone)."""
    if not isinstance(failure, ClientError):
        return True  # a connection error or a timeout, after botocore's retries
    return failure.response.get("Error", {}).get("Code") in _BUS_DOWN_ERRORS
