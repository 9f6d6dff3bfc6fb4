"""A web archive's records → documents and failures, and the counts an ``Archive Extracted``
event gives. Knows nothing of AWS: the command line and the function both run it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
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
    unchanged: int = 0  # documents the same as those already written (not rewritten, not announced)

    def add(self, other: ArchiveCounts) -> None:
        self.records += other.records
        self.pages += other.pages
        self.documents += other.documents
        self.failures.update(other.failures)
        self.skipped.update(other.skipped)
        self.unchanged += other.unchanged

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "pages": self.pages,
            "documents": self.documents,
            "failures": dict(sorted(self.failures.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "unchanged": self.unchanged,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArchiveCounts:
        return cls(int(data.get("records", 0)), int(data.get("pages", 0)), int(data.get("documents", 0)),
                   Counter({k: int(v) for k, v in (data.get("failures") or {}).items()}),
                   Counter({k: int(v) for k, v in (data.get("skipped") or {}).items()}), int(data.get("unchanged", 0)))


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


# A range is cut at this many captures that may be pages (responses and resources): about 40 s
# of extraction on one core, well inside a 900 s function timeout, and one shard of a thousand
# documents in shards mode.
RANGE_PAGES = 1_000
RANGE_BYTES = 128 * 1024 * 1024  # ... or at this many stored bytes (captures that are not pages)
_CAPTURES = frozenset({"response", "resource", "broken"})


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Records of an archive read together: from ``start`` (a record's first byte) to the first
    record at or after ``end`` (None: to the archive's end). ``captures``: records that may be pages."""

    index: int
    start: int
    end: int | None
    records: int
    captures: int

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start, "end": self.end, "records": self.records, "captures": self.captures}


def plan_ranges(spans: Iterable[Any], *, splittable: Callable[[], bool], max_captures: int = RANGE_PAGES,
                max_bytes: int = RANGE_BYTES) -> list[ByteRange]:
    """Cut an archive, from its records' spans (``WarcReader.spans``), into ranges of whole
    records with at most ``max_captures`` captures or ``max_bytes`` stored bytes each (a record
    bigger than that is a range of its own). An archive that is not ``splittable`` once read
    (gzipped whole) is one range, read from its start."""
    ranges: list[ByteRange] = []
    start, records, captures, size = 0, 0, 0, 0
    first = True
    for span in spans:
        if first:
            start, first = span.offset, False
        if records and (captures >= max_captures or size >= max_bytes):
            ranges.append(ByteRange(len(ranges), start, span.offset, records, captures))
            start, records, captures, size = span.offset, 0, 0, 0
        records += 1
        captures += span.warc_type in _CAPTURES
        size += span.length or 0
    if not splittable():
        total_records = sum(r.records for r in ranges) + records
        total_captures = sum(r.captures for r in ranges) + captures
        return [ByteRange(0, 0, None, total_records, total_captures)]
    if records or not ranges:
        ranges.append(ByteRange(len(ranges), start, None, records, captures))
    return ranges
