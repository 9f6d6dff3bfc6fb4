"""One invocation's clock: when it ends, how long an object's lease lasts, what a page may take.

Made from the time the runtime says is left when the invocation starts, and handed to the
pipeline with each change, so that nothing about an invocation lives in module state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

LONGEST_INVOCATION_SECONDS = 900.0  # Lambda's maximum timeout
# Each change gets what is left of the invocation less this margin to write and publish
# (5 s, or a tenth of the time for short invocations) ...
MAX_MARGIN_SECONDS = 5.0
MARGIN_FRACTION = 0.1
# ... and is not started with less than this left.
MIN_START_SECONDS = 0.5


class OutOfTime(Exception):
    """Too little of the invocation is left to give this page its full time budget: the
    delivery is retried in a fresh invocation rather than the page failed for it."""


@dataclass(frozen=True, slots=True)
class Invocation:
    # The lease on an object outlives the invocation holding it by a little, so a crashed run
    # cannot block the object for long; it stays shorter than the queue's visibility timeout
    # (6x the function timeout), so a retry finds it free.
    lease_seconds: float = LONGEST_INVOCATION_SECONDS
    deadline: float | None = None  # on ``clock``; None: unbounded (the command line, tests)
    margin_seconds: float = MAX_MARGIN_SECONDS
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def starting(cls, remaining_seconds: float, *, clock: Callable[[], float] = time.monotonic) -> Invocation:
        """An invocation that has ``remaining_seconds`` left from now."""
        return cls(
            lease_seconds=remaining_seconds * 1.1 + 1,
            deadline=clock() + remaining_seconds,
            margin_seconds=min(MAX_MARGIN_SECONDS, remaining_seconds * MARGIN_FRACTION),
            clock=clock,
        )

    def seconds_left(self) -> float | None:
        """What a change starting now may take (None: unbounded); raises OutOfTime when that
        is too little to start one."""
        if self.deadline is None:
            return None
        left = self.deadline - self.clock() - self.margin_seconds
        if left < MIN_START_SECONDS:
            raise OutOfTime(f"only {left + self.margin_seconds:.1f} s left of the invocation: retried in a fresh one")
        return left
