"""A web archive's records → documents and failures, and the counts an ``Archive Extracted``
event gives. Knows nothing of AWS: the command line and the function both run it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .document import Document, Record
from .errors import ExtractionError
from .extraction import Page, extract
from .limits import DEFAULT_LIMITS, Limits
from .profiles import DEFAULT_PROFILE
from .warc import Broken, Item, Skipped


@dataclass(slots=True)
class ArchiveCounts:
    """What reading (part of) an archive came to. ``pages`` are the HTML captures: each is a
    document or a failure; the other records are counted by why they were skipped."""

    records: int = 0
    pages: int = 0
    documents: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # by ErrorKind
    skipped: Counter[str] = field(default_factory=Counter)  # by warc.Skip

    def add(self, other: ArchiveCounts) -> None:
        self.records += other.records
        self.pages += other.pages
        self.documents += other.documents
        self.failures.update(other.failures)
        self.skipped.update(other.skipped)

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "pages": self.pages,
            "documents": self.documents,
            "failures": dict(sorted(self.failures.items())),
            "skipped": dict(sorted(self.skipped.items())),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArchiveCounts:
        return cls(int(data.get("records", 0)), int(data.get("pages", 0)), int(data.get("documents", 0)),
                   Counter({k: int(v) for k, v in (data.get("failures") or {}).items()}),
                   Counter({k: int(v) for k, v in (data.get("skipped") or {}).items()}))


@dataclass(frozen=True, slots=True)
class PageFailure:
    """A page of the archive that is no document: its record and why."""

    page: Page | None  # None for a record that could not be read
    record: Record
    error: ExtractionError


Result = Document | PageFailure


def count(counts: ArchiveCounts, item: Item | Result) -> None:
    """Count one record read (an Item) or one page's result."""
    if isinstance(item, Skipped):
        counts.records += 1
        counts.skipped[item.skip.value] += 1
    elif isinstance(item, Broken):
        counts.records += 1
        counts.pages += 1  # a record that cannot be read is counted as a page that failed
        counts.failures[item.error.kind.value] += 1
    elif isinstance(item, Page):
        counts.records += 1
        counts.pages += 1
    elif isinstance(item, Document):
        counts.documents += 1
    elif isinstance(item, PageFailure) and item.page is not None:
        counts.failures[item.error.kind.value] += 1


def extract_page(page: Page, *, limits: Limits = DEFAULT_LIMITS, profile: str = DEFAULT_PROFILE,
                 time_budget_seconds: float | None = None) -> Result:
    """One page of an archive → its document, or the failure that takes its place."""
    try:
        return extract(page, limits=limits, time_budget_seconds=time_budget_seconds, profile=profile)
    except ExtractionError as error:
        assert page.source.record is not None
        return PageFailure(page, page.source.record, error)


def results(items: Iterable[Item], counts: ArchiveCounts, *, limits: Limits = DEFAULT_LIMITS, profile: str = DEFAULT_PROFILE,
            time_budget_seconds: float | None = None) -> Iterator[Result]:
    """The documents and failures of the archive's records, in their order, counted in ``counts``."""
    for item in items:
        count(counts, item)
        if isinstance(item, Broken):
            yield PageFailure(None, item.record, item.error)
        elif isinstance(item, Page):
            result = extract_page(item, limits=limits, profile=profile, time_budget_seconds=time_budget_seconds)
            count(counts, result)
            yield result
