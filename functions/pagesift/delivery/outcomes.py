"""What became of a change: its ``Status`` and ``Outcome`` (a log line, a direct invocation's
answer, a Batch Operations result, and what the object's record keeps of it), and the
``Pending`` change of a round, applied up to its events."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from pagesift.contracts.errors import ExtractionError
from pagesift.contracts.events import Event
from pagesift.delivery.ports import Applied
from pagesift.delivery.triggers import ObjectChange

# Of a change's outcome, what its record keeps for a duplicate delivery's answer: enough to say
# what happened, short enough that the object's item stays under DynamoDB's 1 KB write unit.
RECORDED_FIELDS = ("status", "document_id", "event_id", "reason", "error")
RECORDED_TEXT_CHARACTERS = 160


class EventsNotPublished(Exception):
    """Some events of a change were not put on the bus after every attempt: the change is not
    recorded (its object stays dirty) and its delivery is retried, which sends them again."""


class Status(str, enum.Enum):
    EXTRACTED = "extracted"
    DELETED = "deleted"
    FAILED = "failed"
    UNCHANGED = "unchanged"  # the same document as the one applied: nothing rewritten
    SKIPPED = "skipped"  # stale, duplicate or superseded: the newer change's own event applies
    ARCHIVE = "archive"  # a web archive: its run was started (its own events follow)


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    change: ObjectChange | None  # None for a delivery that named no object
    document_key: str | None = None
    document_id: str | None = None
    event_id: str | None = None
    error: ExtractionError | None = None
    reason: str | None = None
    words: int | None = None
    input_bytes: int | None = None
    duration_ms: float | None = None
    recorded: dict[str, Any] | None = None  # of a duplicate delivery: the first delivery's outcome

    @property
    def duplicate(self) -> bool:
        return self.recorded is not None

    def to_dict(self) -> dict[str, Any]:
        """The outcome as plain JSON: its log line, a direct invocation's answer, a Batch
        Operations result; for a duplicate delivery, the outcome recorded of the first."""
        if self.recorded is not None:
            return {**self.recorded, "source_key": self.change.key if self.change else None, "duplicate": True}
        return {
            "status": self.status.value,
            "source_key": self.change.key if self.change else None,
            "document_id": self.document_id,
            "document_key": self.document_key,
            "event_id": self.event_id,
            "error": str(self.error) if self.error else None,
            "reason": self.reason,
            "words": self.words,
            "duration_ms": self.duration_ms,
        }

    def record(self) -> dict[str, Any]:
        """What the object's record keeps of this outcome (see RECORDED_FIELDS)."""
        full = self.to_dict()
        kept = {name: full[name] for name in RECORDED_FIELDS if full.get(name) is not None}
        for name in ("reason", "error"):
            if name in kept:
                kept[name] = kept[name][:RECORDED_TEXT_CHARACTERS]
        return kept


@dataclass(slots=True)
class Pending:
    """One change of a round: applied up to its events, done once they are out and it is
    recorded. ``result()`` is its outcome, or raises what kept it from being applied."""

    change: ObjectChange | None
    outcome: Outcome | None = None
    events: list[Event] = field(default_factory=list)
    applied: Applied | None = None  # to record once the events are out (None: nothing to record)
    owner: str | None = None  # of the object's lease, held until then (None: none taken)
    dirty_before: bool = False  # the object's mark as acquired: it goes back if nothing was written
    written: bool = False  # a document was written or deleted: the mark stays until recorded
    error: Exception | None = None
    done: bool = False

    def skip(self, reason: str) -> None:
        """The change leaves the documents as they are: stale, superseded, or applied already."""
        self.outcome = Outcome(Status.SKIPPED, self.change, reason=reason)

    def will_write(self) -> None:
        """A document is about to be written or deleted: from now on the object's dirty mark
        stays until the change is recorded (the write may land even if its call fails)."""
        self.written = True

    def result(self) -> Outcome:
        if self.error is not None:
            raise self.error
        if not self.done or self.outcome is None:
            raise RuntimeError("the change's round has not finished")
        return self.outcome
