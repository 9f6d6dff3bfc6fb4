"""The changes of one invocation, applied together: each up to its events under its object's
lease, their events put together (PutEvents takes ten a call), and each change recorded on its
own once its own events are out."""

from __future__ import annotations

from typing import Protocol

from pagesift.contracts.document import Source
from pagesift.contracts.errors import ExtractionError
from pagesift.contracts.invocation import Invocation, OutOfTime
from pagesift.contracts.ports import EventPublisher, Published
from pagesift.delivery.outcomes import Pending
from pagesift.delivery.triggers import ObjectChange
from pagesift.extraction.options import ExtractionOptions

# Kept, per change whose events are pending, to put them and record it before the invocation ends.
FINISH_SECONDS_PER_CHANGE = 0.5


class Changes(Protocol):
    """What a round applies its changes with: ``delivery.pipeline.Pipeline``."""

    publisher: EventPublisher
    options: ExtractionOptions

    def stage(self, change: ObjectChange, invocation: Invocation) -> Pending: ...

    def failure(
        self,
        source: Source,
        *,
        error: ExtractionError,
        change: ObjectChange | None = None,
        delivery_id: str | None = None,
    ) -> Pending: ...

    def settle(self, pending: Pending, event_ids: list[str | None], why: str | None) -> None: ...


class Round:
    """The changes of one invocation. Each is applied up to its events under its object's lease
    (``add``); ``finish`` puts the events of all of them together (the publisher sends ten a
    call and resends those refused), then records each change whose events all went out and
    gives up the others for a retry. A change of an object the round already holds first
    finishes what is pending, so that it finds the object free. Call ``finish`` before the
    invocation ends (what is left pending is retried once its leases expire)."""

    def __init__(self, pipeline: Changes, invocation: Invocation) -> None:
        self.pipeline = pipeline
        self.invocation = invocation
        self._pending: list[Pending] = []

    def add(self, change: ObjectChange) -> Pending:
        """Apply ``change`` up to its events; errors are kept in the Pending (``result()``)."""
        if any(
            p.change is not None and (p.change.bucket, p.change.key) == (change.bucket, change.key)
            for p in self._pending
        ):
            self.finish()
        elif self._pending and self._short_of_time():
            # The next page may take what is left but the margin, which is sized for one
            # change's events and record: put out what is pending while there is time.
            self.finish()
        try:
            pending = self.pipeline.stage(change, self.invocation)
        except Exception as error:
            return Pending(change, error=error)
        return self._hold(pending)

    def add_failure(
        self,
        source: Source,
        *,
        error: ExtractionError,
        change: ObjectChange | None = None,
        delivery_id: str | None = None,
    ) -> Pending:
        """A permanent failure that holds no object (a delivery that names none): its event."""
        return self._hold(self.pipeline.failure(source, error=error, change=change, delivery_id=delivery_id))

    def finish(self) -> None:
        pending, self._pending = self._pending, []
        events = [event for each in pending for event in each.events]
        published = Published([])
        if events:
            try:
                published = self.pipeline.publisher.publish(events)
            except Exception as error:  # a publisher says what it did not put; this one broke instead
                published = Published([None] * len(events), f"{type(error).__name__}: {error}")
        ids = iter(published.ids)
        for each in pending:
            self.pipeline.settle(each, [next(ids, None) for _ in each.events], published.error)

    def _short_of_time(self) -> bool:
        try:
            left = self.invocation.seconds_left()
        except OutOfTime:
            return True
        if left is None:
            return False
        return left < (self.pipeline.options.budget_seconds or 0) + FINISH_SECONDS_PER_CHANGE * len(self._pending)

    def _hold(self, pending: Pending) -> Pending:
        if not pending.done and pending.error is None:
            self._pending.append(pending)
        return pending
