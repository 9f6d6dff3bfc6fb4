"""Record framing: an archive's stored bytes cut into records at their WARC Content-Length, each
with its exact offset and length (its gzip member's, in an archive gzipped per record); a broken
record is reported on its own and reading resumes at the next record (see the package's
docstring)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from pagesift.archives.ports import Readable
from pagesift.archives.recognition import GZIP_MEMBER, WARC_MAGIC
from pagesift.archives.warc.members import (
    RESYNC_HISTORY_BYTES,
    ByteStream,
    Corrupt,
    GzipMember,
    Truncated,
)
from pagesift.contracts.errors import ErrorKind, ExtractionError, Stage

MAX_HEADER_BYTES = 256 * 1024  # of a record's WARC headers: real ones are under 2 KB

_VERSION_LINE = re.compile(rb"WARC/1\.[01]\r?(?:\n|$)")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_DIGITS = re.compile(rb"[0-9]{1,18}")


def member_starts_record(compressed: bytes) -> bool:
    """Whether ``compressed`` starts a gzip member that inflates to a WARC record."""
    try:
        return bool(_VERSION_LINE.match(zlib.decompressobj(31).decompress(compressed, 16).lstrip(b"\r\n")))
    except zlib.error:
        return False


@dataclass(frozen=True, slots=True)
class Framing:
    """What reading an archive (or a range of it) found, besides its records."""

    # Every record can be read from its offset (plain, or a gzip member per record). False for
    # an archive gzipped whole, whose offsets are decompressed ones.
    splittable: bool = True
    next_offset: int | None = None  # where the first record after the range starts (None: the end)
    records: int = 0


@dataclass(frozen=True, slots=True)
class Span:
    """Where a record is, its WARC-Type ('broken' for one that could not be framed) and id."""

    offset: int
    length: int | None
    warc_type: str
    record_id: str | None = None


class RecordAt(NamedTuple):
    """A record being read, or one that broke: where it starts, and what of its headers was read."""

    offset: int
    headers: dict[str, str]


@dataclass(slots=True)
class Frame:
    """One framed record: its WARC headers, and up to the framer's limit of its block."""

    offset: int  # stored offset (decompressed, in an archive gzipped whole)
    length: int | None
    header: bytes
    headers: dict[str, str]
    block: bytes
    complete: bool  # the whole block was kept (not cut at the size limit)


@dataclass(slots=True)
class BrokenFrame:
    """A record that could not be framed: where it starts, what of its headers was read."""

    offset: int
    length: int | None
    headers: dict[str, str]
    error: ExtractionError


def _next_record(data: ByteStream, offset: int, keep: int, seen: dict[str, str]) -> Frame:
    """The record at ``data``'s position (its offset in the archive: ``offset``); ``seen``
    gets its headers as soon as they are read. Raises Corrupt or Truncated."""
    if not _VERSION_LINE.match(data.peek(12)):
        raise Corrupt(f"no WARC record starts at {offset} ({data.peek(16)!r})", offset)
    blank = data.search(_BLANK_LINE, MAX_HEADER_BYTES)
    if _not_headers(data.peek(blank.end() if blank else MAX_HEADER_BYTES)):
        # Junk that ends in a version line, or a version line and no headers: a record starts
        # further on, which the resync finds.
        raise Corrupt(f"no WARC headers follow the version line at {offset}", offset)
    if blank is None:
        if data.ended and data.end - data.position < MAX_HEADER_BYTES:
            raise Truncated(f"the archive ends inside the WARC headers of the record at {offset}", offset)
        raise Corrupt(f"the WARC headers at {offset} run past {MAX_HEADER_BYTES:,} bytes", offset)
    header = data.take(blank.end())
    seen.update(_parse_headers(header))
    declared = seen.get("content-length", "").strip()
    if not _DIGITS.fullmatch(declared.encode("ascii", "replace")):
        raise Corrupt(f"the record at {offset} has no valid Content-Length ({declared[:20]!r})", offset, seen)
    length = int(declared)
    kept = min(length, keep)
    block = data.take(kept)
    passed = data.skip(length - kept) if len(block) == kept else 0
    if len(block) + passed < length:
        raise Truncated(
            f"the archive ends {len(block) + passed:,} bytes into the {length:,}-byte record at {offset}",
            offset,
            seen,
            block_at=data.position - len(block) - passed,
        )
    return Frame(offset, None, header, dict(seen), block, complete=kept == length)


def _not_headers(head: bytes) -> bool:
    """Whether ``head`` (a version line, and what follows it up to its blank line or the end)
    is no record's headers: a line that is no header field right after the version line, or
    another version line before the blank line. A first line cut by the end tells nothing."""
    version = _VERSION_LINE.match(head)
    assert version is not None
    first_line_read = b"\n" in head[version.end() :]
    return (first_line_read and not _FIELD_LINE.match(head, version.end())) or bool(
        _INNER_VERSION_LINE.search(head, version.end() - 1)
    )


def _broken(
    offset: int, length: int | None, headers: dict[str, str], error: Corrupt, *, truncated: bool | None = None
) -> BrokenFrame:
    if truncated if truncated is not None else isinstance(error, Truncated):
        failure = ExtractionError(str(error), kind=ErrorKind.TRUNCATED_RECORD, stage=Stage.READ)
    else:
        failure = ExtractionError(str(error), kind=ErrorKind.CORRUPT_RECORD, stage=Stage.READ)
    return BrokenFrame(offset, length, dict(headers), failure)


def _plausible_record(head: bytes) -> bool:
    """Whether ``head`` starts a WARC record: its version line, then a header field, among its
    headers one that every record has, and no other version line (so that a 'WARC/1.0' line in
    a page's text, or junk ending in one, is not taken for a record)."""
    version = _VERSION_LINE.match(head)
    if version is None or not _FIELD_LINE.match(head, version.end()):
        return False
    blank = _BLANK_LINE.search(head, version.end() - 1)
    end = blank.start() if blank else len(head)
    return bool(_RECORD_FIELD.search(head, version.end() - 1, end)) and not _INNER_VERSION_LINE.search(
        head, version.end() - 1, end
    )


_RECORD_FIELD = re.compile(rb"\n(?:WARC-Type|WARC-Record-ID|Content-Length)[ \t]*:", re.IGNORECASE)
_FIELD_LINE = re.compile(rb"[!#-'*+.0-9A-Z^_`a-z|~-]+[ \t]*:")  # a header's name (an RFC 9110 token) and its colon
_INNER_VERSION_LINE = re.compile(rb"\nWARC/1\.[01]\r?\n")
_RECORD_OR_MEMBER = re.compile(rb"WARC/1\.|\x1f\x8b\x08")
_MEMBER = re.compile(re.escape(GZIP_MEMBER))
_MAGIC = re.compile(re.escape(WARC_MAGIC))


def _starts_anything(head: bytes) -> bool:
    """Whether ``head`` starts a gzip member of a record, or a plain record."""
    return member_starts_record(head) if head.startswith(GZIP_MEMBER) else _plausible_record(head)


def _ends_well(data: ByteStream) -> bool:
    """Whether the record just framed ends where its Content-Length says: at its trailer (the
    blank line the WARC format puts after every record), at the end, or (for writers that leave
    the trailer out or write another) at the next record's version line."""
    if data.peek(4) == b"\r\n\r\n":
        return True
    data.skip_padding()
    return data.at_end() or bool(_VERSION_LINE.match(data.peek(12)))


def _resync(data: ByteStream, after: int) -> bool:
    """Move to the first record that starts after ``after`` (True), else to the end. Looks back
    no further than RESYNC_HISTORY_BYTES from where reading got to, wherever ``after`` is, so
    that the framing of a planning pass (which keeps no blocks) and of a reading pass agree."""
    data.back_to(max(after, data.position - RESYNC_HISTORY_BYTES))
    return data.seek(_MAGIC, _plausible_record)


class Frames:
    """Cuts an archive into records (see the module's docstring); ``framing`` is filled in as
    it goes. A record before ``skip_before`` or at or after ``end`` is not yielded."""

    def __init__(self, stream: Readable, *, start: int, end: int | None, skip_before: int, keep: int) -> None:
        self.data = ByteStream(stream, start)
        self.end, self.skip_before, self.keep = end, skip_before, keep
        self.splittable = True
        self.next_offset: int | None = None
        self.records = 0
        self._first_member = start == 0  # the archive's first gzip member with records is yet to be read
        # Of the records being framed by _records: the one whose bytes are being read (its
        # offset and the headers read so far), and the last one framed, not yet given out.
        self._reading: RecordAt | None = None
        self._pending: Frame | BrokenFrame | None = None

    @property
    def framing(self) -> Framing:
        return Framing(self.splittable, self.next_offset, self.records)

    def __iter__(self) -> Iterator[Frame | BrokenFrame]:
        data = self.data
        data.skip_padding()
        if data.at_end():
            return
        if data.peek(3) == GZIP_MEMBER:
            yield from self._count(self._gzip())
        elif _VERSION_LINE.match(data.peek(12)):
            yield from self._count(self._records(data, lambda position: position, bounded=True))
        else:
            # Neither: the archive's first bytes are damaged. What follows them (a gzip member of
            # a record, or a plain record, whichever comes first) tells which it is.
            offset = data.position
            data.position += 1
            found = data.seek(_RECORD_OR_MEMBER, _starts_anything)
            yield from self._count(
                [_broken(offset, data.position - offset, {}, Corrupt(f"no WARC record starts at {offset}", offset))]
            )
            if not found:
                return
            if data.peek(3) == GZIP_MEMBER:
                yield from self._count(self._gzip())
            else:
                yield from self._count(self._records(data, lambda position: position, bounded=True))

    def _count(self, frames: Iterator[Frame | BrokenFrame] | list[BrokenFrame]) -> Iterator[Frame | BrokenFrame]:
        for frame in frames:
            if frame.offset < self.skip_before:
                continue
            self.records += 1
            yield frame

    def _beyond(self, offset: int) -> bool:
        if self.end is not None and offset >= self.end:
            self.next_offset = offset
            return True
        return False

    def _records(
        self, data: ByteStream, place: Callable[[int], int], *, bounded: bool | Callable[[], bool]
    ) -> Iterator[Frame | BrokenFrame]:
        """The records of a plain stream (a plain archive, or what a gzip member inflates to),
        each at the offset ``place`` gives its position in ``data``; ``bounded``: whether the
        range's end applies to these offsets. A record that does not end where its
        Content-Length says is corrupt, and so are bytes that are no record: reading resumes at
        the first record that starts after its headers, or after them. Errors of a gzip member
        (its deflate data, its CRC, its end) are raised, with ``_reading`` and ``_pending`` set."""
        self._pending = None
        while True:
            data.skip_padding()
            offset = place(data.position)
            if self._pending is not None:
                frame, self._pending = self._pending, None
                frame.length = offset - frame.offset
                yield frame
                offset = place(data.position)  # the first frame given out may show the archive gzipped whole
            if data.at_end() or ((bounded() if callable(bounded) else bounded) and self._beyond(offset)):
                return
            start = data.position
            data.mark()
            seen: dict[str, str] = {}
            self._reading = RecordAt(offset, seen)
            try:
                raw = _next_record(data, offset, self.keep, seen)
            except Corrupt as error:
                if error.member:
                    raise
                if not isinstance(error, Truncated):
                    _resync(data, start + 1)
                elif error.block_at is not None and _resync(data, error.block_at):
                    # It claims more bytes than the archive has, yet a record starts inside them.
                    error = Corrupt(
                        f"the record at {offset} claims {seen.get('content-length', '?').strip()} bytes, but the next "
                        f"record starts {place(data.position) - offset:,} bytes after it",
                        offset,
                        seen,
                    )
                else:
                    self._reading = None
                    yield _broken(offset, place(data.end) - offset, seen, error)
                    return
                self._reading, self._pending = None, _broken(offset, None, seen, error)
                continue
            if _ends_well(data):
                self._reading, self._pending = None, raw
                continue
            declared = seen.get("content-length", "").strip()
            _resync(data, start + len(raw.header))
            self._reading = None
            self._pending = _broken(
                offset,
                None,
                seen,
                Corrupt(
                    f"the record at {offset} does not end where its Content-Length ({declared}) says: "
                    f"no trailer and no record follows its block",
                    offset,
                    seen,
                ),
            )

    def _gzip(self) -> Iterator[Frame | BrokenFrame]:
        """Member by member: each member's records are framed by _records. In an archive gzipped
        per record (a member at its first offset that holds one record), a record's offset and
        length are its member's; a first member holding more than one record is an archive
        gzipped whole, whose offsets are decompressed ones from then on."""
        data = self.data
        decompressed: int | None = 0  # inflated bytes of the members so far: the offsets of an archive gzipped whole
        while decompressed is not None:
            data.skip_padding()
            offset = data.position
            if data.at_end() or (self.splittable and self._beyond(offset)):
                return
            if data.peek(3) == GZIP_MEMBER:
                decompressed = yield from self._member(offset, decompressed)
            else:
                decompressed = yield from self._junk_before_member(offset, decompressed)

    def _junk_before_member(self, offset: int, decompressed: int) -> Generator[BrokenFrame, None, int | None]:
        """Bytes at ``offset`` that start no gzip member, up to the next member of a record: a
        broken record. What the members inflated to so far, or None at the range's end."""
        data = self.data
        data.position += 1
        data.seek(_MEMBER, member_starts_record)
        junk = data.position - offset
        if self.splittable:
            yield _broken(offset, junk, {}, Corrupt(f"no gzip member starts at {offset}", offset))
            return decompressed
        if self._beyond(decompressed):
            return None
        # Gzipped whole: placed after what the members before it inflated to.
        yield _broken(decompressed, junk, {}, Corrupt(f"no gzip member starts at stored byte {offset}", decompressed))
        return decompressed + junk

    def _member(self, offset: int, decompressed: int) -> Generator[Frame | BrokenFrame, None, int | None]:
        """The records of the gzip member at ``offset``, or the broken record it is. What the
        members inflated to so far after it, or None where reading stops (the range's end inside
        an archive gzipped whole, or the archive's end inside the member)."""
        self.data.mark()
        first = self._first_member  # the first with records: junk or a corrupt member may precede it
        if first:
            decompressed = offset  # the stored bytes before it (padding, junk) count as they are
        member = _OpenMember(offset, decompressed, first, ByteStream(GzipMember(self.data), 0))
        self._reading, self._pending = None, None
        try:
            yield from self._member_records(member)
        except Corrupt as error:
            return (yield from self._broken_member(member, error))
        if self.next_offset is not None:
            return None  # the range's end, inside an archive gzipped whole
        yield from self._sound_member(member)
        return member.base + member.inflated.end  # all it inflated to, even past a record cut short inside it

    def _place_in(self, member: _OpenMember) -> Callable[[int], int]:
        """The archive offset of a record at a position of what ``member`` inflates to: its
        member's offset, or (in an archive gzipped whole) its decompressed offset."""
        return lambda position: member.base + position if not self.splittable else member.offset

    def _member_records(self, member: _OpenMember) -> Iterator[Frame | BrokenFrame]:
        """The member's records as _records frames them: held until its CRC checks in an archive
        gzipped per record, given out as they come in one gzipped whole. Raises the member's
        Corrupt or Truncated."""
        for frame in self._records(member.inflated, self._place_in(member), bounded=lambda: not self.splittable):
            self._first_member = False
            if not self.splittable:
                yield frame
                continue
            member.held.append(frame)
            if member.first and len(member.held) == 1 and not member.inflated.at_end():
                yield from self._gzipped_whole(member)
            elif sum(len(f.block) for f in member.held if isinstance(f, Frame)) > RESYNC_HISTORY_BYTES:
                yield from _give_out_held(member)  # too much to hold until the CRC is checked

    def _gzipped_whole(self, member: _OpenMember) -> Iterator[Frame | BrokenFrame]:
        """A second record in the archive's first member: the archive is gzipped whole, and its
        offsets are decompressed ones from here on (the first record's length too: it ends where
        the second starts)."""
        self.splittable = False
        first = member.held[0]
        first.length = member.base + member.inflated.position - first.offset
        yield from _give_out_held(member)

    def _broken_member(self, member: _OpenMember, error: Corrupt) -> Generator[BrokenFrame, None, int | None]:
        """A member whose deflate data or CRC is bad, or that the archive ends inside, as a
        broken record; reading resumes at the next member of a record. What the members inflated
        to so far after it, or None at the archive's end."""
        blamed = self._blame(member)
        data = self.data
        if isinstance(error, Truncated):
            yield _broken(
                blamed.offset, None if not self.splittable else data.end - member.offset, blamed.headers, error
            )
            return None
        _resync_member(data, member.offset)
        length = None if not self.splittable else data.position - member.offset
        yield _broken(blamed.offset, length, blamed.headers, error)
        # Gzipped whole: what the next member inflates to comes after all this one gave
        # (however far its records were read) and after the broken record, even one that
        # broke where it began, so that no two records share an offset.
        return max(member.base + member.inflated.end, blamed.offset + 1)

    def _blame(self, member: _OpenMember) -> RecordAt:
        """The record a broken member is reported as: the one being read in it, else the last
        one framed, else one where reading got to; in an archive gzipped per record, the member
        itself, with the headers of its record."""
        if self._reading is not None:
            blamed = self._reading
        elif self._pending is not None:
            blamed = RecordAt(self._pending.offset, self._pending.headers)  # the last record takes the blame
        else:
            blamed = RecordAt(self._place_in(member)(member.inflated.position), {})
        if self.splittable:
            return RecordAt(member.offset, blamed.headers or next((f.headers for f in member.held if f.headers), {}))
        return blamed

    def _sound_member(self, member: _OpenMember) -> Iterator[Frame | BrokenFrame]:
        """The records held of a member whose CRC checked, each with its member's length."""
        if not member.held:
            return
        first = member.held[0]
        if isinstance(first, BrokenFrame):
            held: list[Frame | BrokenFrame] = [self._cut_short_in_sound_member(member, first)]
        else:
            # Bytes after a sound member's records that are no record are passed over.
            held = [f for f in member.held if isinstance(f, Frame) or f.headers]
        for frame in held:
            frame.length = self.data.position - member.offset
            yield frame

    def _cut_short_in_sound_member(self, member: _OpenMember, first: BrokenFrame) -> BrokenFrame:
        """A record cut short inside a sound member is truncated if nothing follows (the archive
        was cut, then gzipped), else corrupt (its Content-Length is wrong)."""
        cut = first.error.kind is ErrorKind.TRUNCATED_RECORD
        truncated = cut and self.data.at_end()
        message = first.error.message
        if cut and not truncated:
            message = (
                f"the record at {member.offset} claims {first.headers.get('content-length', '?').strip()} bytes, "
                f"more than its gzip member holds (its Content-Length is wrong)"
            )
        return _broken(member.offset, None, first.headers, Corrupt(message, member.offset), truncated=truncated)


@dataclass(slots=True)
class _OpenMember:
    """The gzip member being framed."""

    offset: int  # where it starts in the stored bytes
    base: int  # what the members before it inflated to: its decompressed offset
    first: bool  # the archive's first member with records
    inflated: ByteStream  # what it inflates to
    held: list[Frame | BrokenFrame] = field(default_factory=list)  # its records, given out once its CRC checks


def _give_out_held(member: _OpenMember) -> Iterator[Frame | BrokenFrame]:
    """The records the member holds, which it holds no more."""
    held, member.held = member.held, []
    yield from held


def _resync_member(data: ByteStream, member_offset: int) -> bool:
    """Move to the first gzip member of a record that starts after the one at ``member_offset``
    (True), else to the end."""
    data.back_to(member_offset + 1)
    return data.seek(_MEMBER, member_starts_record)


def _parse_headers(header: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    name = None
    for line in header.decode("utf-8", "replace").split("\n")[1:]:
        line = line.rstrip("\r")
        if line[:1] in (" ", "\t") and name is not None:  # a folded continuation line
            headers[name] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon:
            name = None
            continue
        name = name.strip().lower()
        headers.setdefault(name, value.strip())
    return headers
