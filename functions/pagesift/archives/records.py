"""A web archive's records → documents and failures, and the counts an ``Archive Extracted``
event gives. Knows nothing of AWS: the command line and the function both run it."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pagesift.archives.warc import Broken, Item, Skip, Skipped
from pagesift.contracts.document import Document, Record
from pagesift.contracts.errors import ErrorKind, ExtractionError, Stage
from pagesift.extraction.options import DEFAULT_OPTIONS, ExtractionOptions
from pagesift.extraction.steps import Page, extract


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
        return cls(
            int(data.get("records", 0)),
            int(data.get("pages", 0)),
            int(data.get("documents", 0)),
            Counter({k: int(v) for k, v in (data.get("failures") or {}).items()}),
            Counter({k: int(v) for k, v in (data.get("skipped") or {}).items()}),
            int(data.get("unchanged", 0)),
        )


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


def extract_page(page: Page, options: ExtractionOptions = DEFAULT_OPTIONS) -> Result:
    """One page of an archive → its document, or the failure that takes its place."""
    try:
        return extract(page, limits=options.limits, time_budget_seconds=options.budget_seconds)
    except ExtractionError as error:
        assert page.source.record is not None
        return PageFailure(page, page.source.record, error)


class RecordIds:
    """The first capture (a record that may be a page) of each WARC-Record-ID, as an archive
    is read from its start. Ids must be unique (WARC 1.1, 5.2) and a page's document is named
    by its record's id, so a later capture with an earlier one's id would overwrite its
    document: it is a duplicate, and a page that is one fails alone (DuplicateRecord). Kept as
    8-byte digests: about 100 bytes a capture, 4 MB for a Common Crawl archive's 40,000."""

    def __init__(self) -> None:
        self._first: dict[bytes, int] = {}

    def duplicate_of(self, record_id: str | None, offset: int) -> int | None:
        """The offset of the earlier capture with ``record_id``, or None (and it is the first)."""
        if not record_id or record_id.startswith("offset:"):  # no id: named by its offset, unique
            return None
        first = self._first.setdefault(
            hashlib.blake2b(record_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), offset
        )
        return None if first == offset else first


def is_capture(item: Item) -> bool:
    """Whether the record read is a capture (a response or resource, or a record that could not
    be framed), as ``WarcReader.spans`` calls them: what record ids are unique among."""
    return isinstance(item, Page | Broken) or (isinstance(item, Skipped) and item.skip in (Skip.NOT_HTML, Skip.NOT_OK))


def duplicate_record(record: Record, first: int) -> Broken:
    return Broken(
        record,
        ExtractionError(
            f"the record at {record.offset} has the WARC-Record-ID {record.id} of the capture at {first}: "
            "ids must be unique in an archive, and a page's document is named by its record's id "
            "(the first capture keeps it)",
            kind=ErrorKind.DUPLICATE_RECORD,
            stage=Stage.READ,
        ),
    )


def unique_pages(items: Iterable[Item]) -> Iterator[Item]:
    """``items`` (an archive read from its start) with each page whose record id an earlier
    capture had replaced by its failure."""
    ids = RecordIds()
    for item in items:
        record = item.source.record if isinstance(item, Page) else item.record
        first = None
        if is_capture(item) and record is not None and record.offset is not None:
            first = ids.duplicate_of(record.id, record.offset)
        yield (
            duplicate_record(record, first)
            if first is not None and record is not None and isinstance(item, Page)
            else item
        )
