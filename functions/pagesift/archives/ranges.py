"""An archive cut into ranges of whole records, as its plan does: each range a task's share,
bounded in captures, duplicates and stored bytes, with the names of its captures (what its
manifest lists and its documents are named by)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pagesift.archives.records import RecordIds
from pagesift.archives.tasks import RANGE_BYTES, RANGE_DUPLICATES, RANGE_PAGES

# Records that may be pages: what a range's size is counted in, and what its manifest names
# (a record that could not be framed is a page that failed).
_CAPTURES = frozenset({"response", "resource", "broken"})


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Records of an archive read together: from ``start`` (a record's first byte) to the first
    record at or after ``end`` (None: to the archive's end). ``captures``: the ids of the
    records in it that may be pages (a record with none is named by its offset, as its document
    is: ``warc._record``), each its first capture in the archive; ``duplicates``: the offsets of
    the others, with that of the capture whose id they have."""

    start: int
    end: int | None
    records: int
    captures: list[str]
    duplicates: dict[int, int]


def cut_ranges(
    spans: Iterable[Any], *, start: int, max_captures: int = RANGE_PAGES, max_bytes: int = RANGE_BYTES
) -> Iterator[ByteRange]:
    """Cut an archive, from its records' spans (``WarcReader.spans`` from ``start``), into
    ranges of whole records, each given out as soon as the first record after it is framed: at
    most ``max_captures`` captures or RANGE_DUPLICATES duplicates, or about ``max_bytes``
    stored bytes once it has one (a record bigger than that is a range of its own; records that
    may not be pages join the next capture's range, so that no range is empty of captures but
    an archive's last). The last range ends at None; an archive with no record at all is one
    empty range. Duplicates are found among the spans from ``start`` only."""
    ids = RecordIds()
    records, size = 0, 0
    captures: list[str] = []
    duplicates: dict[int, int] = {}
    for span in spans:
        if (captures or duplicates) and (
            len(captures) + len(duplicates) >= max_captures or size >= max_bytes or len(duplicates) >= RANGE_DUPLICATES
        ):
            yield ByteRange(start, span.offset, records, captures, duplicates)
            start, records, size, captures, duplicates = span.offset, 0, 0, [], {}
        records += 1
        size += span.length or 0
        if span.warc_type in _CAPTURES:
            record_id = span.record_id or f"offset:{span.offset}"
            if (first := ids.duplicate_of(record_id, span.offset)) is not None:
                duplicates[span.offset] = first
            else:
                captures.append(record_id)
    yield ByteRange(start, None, records, captures, duplicates)
