"""How pages are extracted, as one deployment (or one command) sets it, in one value passed
through: the page bounds and the time one page may take."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pagesift.extraction.limits import DEFAULT_LIMITS, Limits


@dataclass(frozen=True, slots=True)
class ExtractionOptions:
    limits: Limits = DEFAULT_LIMITS
    budget_seconds: float | None = None  # of one page's parse, extract and clean; None: unbounded

    def within(self, seconds_left: float | None) -> ExtractionOptions:
        """These options for a page with only ``seconds_left`` of its invocation left (None: no
        deadline): the budget is the smaller of the two."""
        if seconds_left is not None and (self.budget_seconds is None or seconds_left < self.budget_seconds):
            return replace(self, budget_seconds=seconds_left)
        return self


DEFAULT_OPTIONS = ExtractionOptions()
