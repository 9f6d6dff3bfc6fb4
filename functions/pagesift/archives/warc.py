"""Web archives (WARC 1.0 and 1.1, plain, gzip per record or gzipped whole) → the records in
them: pages to extract, records skipped by type, and records that are broken. Knows nothing of
AWS: it reads any stream with ``read(n)``, from any byte offset that starts a record.

Two layers, so that every record gets its exact place in the archive and a broken one fails
alone (benchmarks/warc-libraries/README.md has the measurements behind this split):

- the *framing* is this module's: gzip members are inflated with ``zlib`` one at a time, so
  that a record's offset and length are those of its member in the stored bytes (what a ranged
  GET asks for), and records are cut at their WARC Content-Length, which must end at the
  record's trailer (or the next record). A corrupt member or header, or a record that does not
  end where its length says, is reported and reading resumes at the next record (the next member
  that inflates to ``WARC/1.``, or the next version line of a plain stream that is followed by
  WARC headers, searched from after the broken record's headers); a record cut short by the end
  of the stream is reported as truncated. FastWARC gives neither: no record length, and its
  iteration stops at the first corrupt member and returns a truncated record short, silently.
- the *parsing* of each record is FastWARC's (its WARC and HTTP header parsers and its chunked
  transfer decoding); the body's Content-Encoding (gzip, deflate, br) is undone by
  ``decoding.decode_page`` within the page's limits, as for any stored page. FastWARC's own
  ``auto_decode='all'`` loses records, hence ``'transfer'``.

An archive gzipped whole (one member for everything, as ``gzip file.warc`` makes) has no record
boundaries in its stored bytes: its offsets are in the decompressed stream, and it cannot be
read from the middle (``Framing.splittable`` is False).
"""

from __future__ import annotations

import enum
import io
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from pagesift.contracts.document import Record, Source
from pagesift.contracts.errors import ErrorKind, ExtractionError, Stage
from pagesift.extraction.steps import Page
from pagesift.extraction.limits import DEFAULT_LIMITS, Limits
from pagesift.archives.ports import Readable

WARC_MAGIC = b"WARC/1."
GZIP_MEMBER = b"\x1f\x8b\x08"
ARCHIVE_SUFFIXES = (".warc", ".warc.gz")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# A page whose content type says nothing (missing, or the generic binary type) is a page when
# its first bytes are markup.
UNTYPED = frozenset({"", "application/octet-stream", "unknown/unknown"})
_MARKUP_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)

MAX_HEADER_BYTES = 256 * 1024  # of a record's WARC headers: real ones are under 2 KB
READ_CHUNK = 1 << 18  # bytes asked of the stream at a time
INFLATE_STEP = 1 << 16  # compressed bytes inflated at a time
# Of a record too large to be a page, this much is kept to read its HTTP headers by.
OVERSIZED_HEAD_BYTES = 64 * 1024
# Compressed bytes of the current gzip member kept to resume after it if it is corrupt: a
# corrupt member larger than this may take the record after it with it.
RESYNC_HISTORY_BYTES = 32 * 1024 * 1024


class Skip(str, enum.Enum):
    """Why a record is not a page: the keys of ``Archive Extracted``'s ``skipped``."""

    WARCINFO = "warcinfo"
    REQUEST = "request"
    METADATA = "metadata"
    REVISIT = "revisit"  # its payload is an earlier record's, already extracted
    CONVERSION = "conversion"
    CONTINUATION = "continuation"
    OTHER_TYPE = "other-type"
    NOT_HTML = "not-html"  # a response or resource whose payload is not an HTML page
    NOT_OK = "not-ok"  # an HTTP response that is not a 2xx (a redirect, an error page) or has no content (204, 205)


@dataclass(frozen=True, slots=True)
class Skipped:
    skip: Skip
    record: Record


@dataclass(frozen=True, slots=True)
class Broken:
    """A record that cannot be read (truncated, corrupt): a failure of its own."""

    record: Record
    error: ExtractionError


Item = Page | Skipped | Broken


def sniff(head: bytes) -> str | None:
    """``'warc'`` or ``'warc.gz'`` when ``head`` (the first bytes of an object, a few hundred
    are enough) starts a web archive, else None: archives are recognised by content, whatever
    their name."""
    if head.lstrip(b"\r\n").startswith(WARC_MAGIC):
        return "warc"
    if head.startswith(GZIP_MEMBER):
        try:
            if zlib.decompressobj(31).decompress(head, 64).lstrip(b"\r\n").startswith(WARC_MAGIC):
                return "warc.gz"
        except zlib.error:
            return None
    return None


def named_like_archive(key: str) -> bool:
    return key.lower().endswith(ARCHIVE_SUFFIXES)


class _Corrupt(Exception):
    """The bytes at ``offset`` are not a record (or not a gzip member)."""

    def __init__(self, message: str, offset: int, headers: dict[str, str] | None = None, *, member: bool = False,
                 block_at: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset
        self.headers = headers or {}
        self.member = member  # raised by the gzip member itself (its deflate data or its CRC)
        self.block_at = block_at  # where the record's block starts in the stream, once its headers are read


class _Truncated(_Corrupt):
    """The bytes end inside the record (or the gzip member) at ``offset``."""


def _starts_record(compressed: bytes) -> bool:
    """Whether ``compressed`` starts a gzip member that inflates to a WARC record."""
    try:
        return bool(_VERSION_LINE.match(zlib.decompressobj(31).decompress(compressed, 16).lstrip(b"\r\n")))
    except zlib.error:
        return False


_VERSION_LINE = re.compile(rb"WARC/1\.[01]\r?(?:\n|$)")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_DIGITS = re.compile(rb"[0-9]{1,18}")
_NOT_PADDING = re.compile(rb"[^\x00\r\n\t ]")


class _Bytes:
    """A forward-only stream read in chunks, with absolute positions (``base`` is the first
    byte's). Bytes from a ``mark`` on stay kept (up to RESYNC_HISTORY_BYTES back), so that a
    reader can go back to just after a broken record; the last chunk read always does."""

    def __init__(self, raw: Readable, base: int) -> None:
        self._raw = raw
        self._buffer = bytearray()
        self._base = base  # absolute position of _buffer[0]
        self.position = base
        self._mark: int | None = None
        self.ended = False

    @property
    def end(self) -> int:
        """The position after the last byte read so far (the stream's end, once ``ended``)."""
        return self._base + len(self._buffer)

    def _fill(self, size: int) -> bool:
        """Have ``size`` bytes from ``position`` read, if the stream has them."""
        while self.end - self.position < size:
            if self.ended:
                return False
            more = self._raw.read(READ_CHUNK)
            if not more:
                self.ended = True
                return False
            self._buffer += more
        return True

    def _trim(self) -> None:
        keep_from = self.position - READ_CHUNK
        if self._mark is not None:
            keep_from = max(min(self._mark, keep_from), self.position - RESYNC_HISTORY_BYTES)
        drop = keep_from - self._base
        if drop > 4 * READ_CHUNK:  # in steps, so that dropping costs nothing per read
            del self._buffer[:drop]
            self._base += drop

    def peek(self, size: int) -> bytes:
        self._fill(size)
        at = self.position - self._base
        return bytes(self._buffer[at : at + size])

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes from ``position`` (what is buffered, else one chunk's worth)."""
        if self.end == self.position:
            self._fill(1)
        at = self.position - self._base
        data = bytes(self._buffer[at : at + size])
        self.position += len(data)
        self._trim()
        return data

    def take(self, size: int) -> bytes:
        """``size`` bytes, fewer only at the stream's end."""
        self._fill(size)
        return self.read(size)

    def skip(self, size: int) -> int:
        """Pass over ``size`` bytes without keeping them; how many there were."""
        skipped = 0
        while skipped < size and (self.end > self.position or self._fill(1)):
            step = min(size - skipped, self.end - self.position)
            self.position += step
            skipped += step
            self._trim()
        return skipped

    def give_back(self, size: int) -> None:
        self.position -= size

    def skip_padding(self) -> None:
        """Pass over NULs and blank lines between records (which writers and tools add)."""
        while self._fill(1):
            found = _NOT_PADDING.search(self._buffer, self.position - self._base)
            if found is not None:
                self.position = self._base + found.start()
                break
            self.position = self.end
            self._trim()
        self._trim()

    def at_end(self) -> bool:
        return not self._fill(1)

    def mark(self) -> None:
        self._mark = self.position

    def back_to(self, position: int) -> None:
        """Go back to ``position``, or as near to it as is still kept."""
        self.position = max(position, self._base)
        self._mark = None

    def search(self, pattern: re.Pattern[bytes], limit: int, overlap: int = 4) -> _Shifted | None:
        """The first match of ``pattern`` (at most ``overlap`` bytes long) in the next ``limit``
        bytes (its span relative to ``position``), reading on as needed; what was searched is
        not searched again."""
        at = self.position - self._base
        searched = at
        while True:
            if match := pattern.search(self._buffer, max(at, searched - overlap), min(len(self._buffer), at + limit)):
                return _Shifted(match, at)
            searched = len(self._buffer)
            if self.end - self.position >= limit or not self._fill(self.end - self.position + 1):
                return None

    def seek(self, needle: re.Pattern[bytes], accept: Callable[[bytes], bool]) -> bool:
        """Move to the next match of ``needle`` (at most 8 bytes long) at or after ``position``
        that ``accept`` takes (given the 4 KB from it); False, at the end, if there is none.
        Reads on in bounded memory."""
        while True:
            found = needle.search(self._buffer, self.position - self._base)
            if found is None:
                self.position = max(self.position, self.end - 7)
                self._trim()
                if not self._fill(self.end - self.position + 1):
                    self.position = self.end
                    return False
                continue
            self.position = self._base + found.start()
            if accept(self.peek(4096)):
                self._trim()
                return True
            self.position += 1
            self._trim()


@dataclass(frozen=True, slots=True)
class _Shifted:
    """A match in the buffer, with its span relative to where the search began."""

    match: re.Match[bytes]
    at: int

    def end(self) -> int:
        return self.match.end() - self.at


class _Member:
    """The decompressed bytes of the gzip member at the stored bytes' position, as a readable;
    its errors (corrupt deflate data, a wrong CRC, the end of the archive inside it) name it."""

    def __init__(self, stored: _Bytes) -> None:
        self._stored = stored
        self.offset = stored.position
        self._inflater = zlib.decompressobj(31)
        self._input = b""
        self.done = False
        self._fault: _Corrupt | None = None  # raised by the next read, once what preceded it is read

    def read(self, size: int = READ_CHUNK) -> bytes:
        while not self.done:
            if self._fault is not None:
                raise self._fault
            if not self._input:
                self._input = self._stored.read(READ_CHUNK)
                if not self._input:
                    raise _Truncated(f"the archive ends inside the gzip member at {self.offset}", self.offset, member=True)
            # In steps, so that what precedes a fault (a wrong CRC is found at the end) comes out first.
            piece, rest = self._input[:INFLATE_STEP], self._input[INFLATE_STEP:]
            before = self._inflater.copy()
            try:
                out = self._inflater.decompress(piece, size)
            except zlib.error as error:
                self._fault = _Corrupt(f"the gzip member at {self.offset} is corrupt ({error})", self.offset, member=True)
                self._fault.__cause__ = error
                self._input = b""
                # What the step held before the fault, whatever the stream's chunks were: the
                # step again, a byte at a time, from the state before it.
                out = _salvage(before, piece, size)
                if not out:
                    raise self._fault from error
                return out
            if self._inflater.eof:
                self._stored.give_back(len(self._inflater.unused_data) + len(rest))  # the next member's first bytes
                self._input, self.done = b"", True
            else:
                self._input = self._inflater.unconsumed_tail + rest
            if out:
                return out
        return b""


def _salvage(inflater: zlib._Decompress, piece: bytes, size: int) -> bytes:
    """Up to ``size`` bytes that ``piece`` inflates to before its fault, fed a byte at a time."""
    out = bytearray()
    for at in range(len(piece)):
        try:
            out += inflater.decompress(piece[at : at + 1], size - len(out))
        except zlib.error:
            break
        if len(out) >= size or inflater.eof:
            break
    return bytes(out)


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


@dataclass(slots=True)
class _Raw:
    """One framed record: its WARC headers, and up to the framer's limit of its block."""

    offset: int  # stored offset (decompressed, in an archive gzipped whole)
    length: int | None
    header: bytes
    headers: dict[str, str]
    block: bytes
    complete: bool  # the whole block was kept (not cut at the size limit)


@dataclass(slots=True)
class _BrokenRaw:
    """A record that could not be framed: where it starts, what of its headers was read."""

    offset: int
    length: int | None
    headers: dict[str, str]
    error: ExtractionError


def _next_record(data: _Bytes, offset: int, keep: int, seen: dict[str, str]) -> _Raw:
    """The record at ``data``'s position (its offset in the archive: ``offset``); ``seen``
    gets its headers as soon as they are read. Raises _Corrupt or _Truncated."""
    if not _VERSION_LINE.match(data.peek(12)):
        raise _Corrupt(f"no WARC record starts at {offset} ({data.peek(16)!r})", offset)
    blank = data.search(_BLANK_LINE, MAX_HEADER_BYTES)
    if _not_headers(data.peek(blank.end() if blank else MAX_HEADER_BYTES)):
        # Junk that ends in a version line, or a version line and no headers: a record starts
        # further on, which the resync finds.
        raise _Corrupt(f"no WARC headers follow the version line at {offset}", offset)
    if blank is None:
        if data.ended and data.end - data.position < MAX_HEADER_BYTES:
            raise _Truncated(f"the archive ends inside the WARC headers of the record at {offset}", offset)
        raise _Corrupt(f"the WARC headers at {offset} run past {MAX_HEADER_BYTES:,} bytes", offset)
    header = data.take(blank.end())
    seen.update(_parse_headers(header))
    declared = seen.get("content-length", "").strip()
    if not _DIGITS.fullmatch(declared.encode("ascii", "replace")):
        raise _Corrupt(f"the record at {offset} has no valid Content-Length ({declared[:20]!r})", offset, seen)
    length = int(declared)
    kept = min(length, keep)
    block = data.take(kept)
    passed = data.skip(length - kept) if len(block) == kept else 0
    if len(block) + passed < length:
        raise _Truncated(f"the archive ends {len(block) + passed:,} bytes into the {length:,}-byte record at {offset}", offset, seen,
                         block_at=data.position - len(block) - passed)
    return _Raw(offset, None, header, dict(seen), block, complete=kept == length)


def _not_headers(head: bytes) -> bool:
    """Whether ``head`` (a version line, and what follows it up to its blank line or the end)
    is no record's headers: a line that is no header field right after the version line, or
    another version line before the blank line. A first line cut by the end tells nothing."""
    version = _VERSION_LINE.match(head)
    assert version is not None
    first_line_read = b"\n" in head[version.end() :]
    return (first_line_read and not _FIELD_LINE.match(head, version.end())) or bool(_INNER_VERSION_LINE.search(head, version.end() - 1))


def _broken(offset: int, length: int | None, headers: dict[str, str], error: _Corrupt, *, truncated: bool | None = None) -> _BrokenRaw:
    if truncated if truncated is not None else isinstance(error, _Truncated):
        failure = ExtractionError(str(error), kind=ErrorKind.TRUNCATED_RECORD, stage=Stage.READ)
    else:
        failure = ExtractionError(str(error), kind=ErrorKind.CORRUPT_RECORD, stage=Stage.READ)
    return _BrokenRaw(offset, length, dict(headers), failure)


def _plausible_record(head: bytes) -> bool:
    """Whether ``head`` starts a WARC record: its version line, then a header field, among its
    headers one that every record has, and no other version line (so that a 'WARC/1.0' line in
    a page's text, or junk ending in one, is not taken for a record)."""
    version = _VERSION_LINE.match(head)
    if version is None or not _FIELD_LINE.match(head, version.end()):
        return False
    blank = _BLANK_LINE.search(head, version.end() - 1)
    end = blank.start() if blank else len(head)
    return bool(_RECORD_FIELD.search(head, version.end() - 1, end)) and not _INNER_VERSION_LINE.search(head, version.end() - 1, end)


_RECORD_FIELD = re.compile(rb"\n(?:WARC-Type|WARC-Record-ID|Content-Length)[ \t]*:", re.IGNORECASE)
_FIELD_LINE = re.compile(rb"[!#-'*+.0-9A-Z^_`a-z|~-]+[ \t]*:")  # a header's name (an RFC 9110 token) and its colon
_INNER_VERSION_LINE = re.compile(rb"\nWARC/1\.[01]\r?\n")
_RECORD_OR_MEMBER = re.compile(rb"WARC/1\.|\x1f\x8b\x08")
_MEMBER = re.compile(re.escape(GZIP_MEMBER))
_MAGIC = re.compile(re.escape(WARC_MAGIC))


def _starts_anything(head: bytes) -> bool:
    """Whether ``head`` starts a gzip member of a record, or a plain record."""
    return _starts_record(head) if head.startswith(GZIP_MEMBER) else _plausible_record(head)


def _ends_well(data: _Bytes) -> bool:
    """Whether the record just framed ends where its Content-Length says: at its trailer (the
    blank line the WARC format puts after every record), at the end, or (for writers that leave
    the trailer out or write another) at the next record's version line."""
    if data.peek(4) == b"\r\n\r\n":
        return True
    data.skip_padding()
    return data.at_end() or bool(_VERSION_LINE.match(data.peek(12)))


def _resync(data: _Bytes, after: int) -> bool:
    """Move to the first record that starts after ``after`` (True), else to the end. Looks back
    no further than RESYNC_HISTORY_BYTES from where reading got to, wherever ``after`` is, so
    that the framing of a planning pass (which keeps no blocks) and of a reading pass agree."""
    data.back_to(max(after, data.position - RESYNC_HISTORY_BYTES))
    return data.seek(_MAGIC, _plausible_record)


class _Frames:
    """Cuts an archive into records (see the module's docstring); ``framing`` is filled in as
    it goes. A record before ``skip_before`` or at or after ``end`` is not yielded."""

    def __init__(self, stream: Readable, *, start: int, end: int | None, skip_before: int, keep: int) -> None:
        self.data = _Bytes(stream, start)
        self.end, self.skip_before, self.keep = end, skip_before, keep
        self.splittable = True
        self.next_offset: int | None = None
        self.records = 0
        self._first_member = start == 0  # the archive's first gzip member with records is yet to be read
        # Of the records being framed by _records: the one whose bytes are being read (its
        # offset and the headers read so far), and the last one framed, not yet given out.
        self._reading: tuple[int, dict[str, str]] | None = None
        self._pending: _Raw | _BrokenRaw | None = None

    @property
    def framing(self) -> Framing:
        return Framing(self.splittable, self.next_offset, self.records)

    def __iter__(self) -> Iterator[_Raw | _BrokenRaw]:
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
            yield from self._count([_broken(offset, data.position - offset, {}, _Corrupt(f"no WARC record starts at {offset}", offset))])
            if not found:
                return
            if data.peek(3) == GZIP_MEMBER:
                yield from self._count(self._gzip())
            else:
                yield from self._count(self._records(data, lambda position: position, bounded=True))

    def _count(self, frames: Iterator[_Raw | _BrokenRaw] | list[_BrokenRaw]) -> Iterator[_Raw | _BrokenRaw]:
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

    def _records(self, data: _Bytes, place: Callable[[int], int], *, bounded: bool | Callable[[], bool]) -> Iterator[_Raw | _BrokenRaw]:
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
            self._reading = offset, seen
            try:
                raw = _next_record(data, offset, self.keep, seen)
            except _Corrupt as error:
                if error.member:
                    raise
                if not isinstance(error, _Truncated):
                    _resync(data, start + 1)
                elif error.block_at is not None and _resync(data, error.block_at):
                    # It claims more bytes than the archive has, yet a record starts inside them.
                    error = _Corrupt(f"the record at {offset} claims {seen.get('content-length', '?').strip()} bytes, but the next "
                                     f"record starts {place(data.position) - offset:,} bytes after it", offset, seen)
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
            self._pending = _broken(offset, None, seen, _Corrupt(
                f"the record at {offset} does not end where its Content-Length ({declared}) says: no trailer and no record "
                f"follows its block", offset, seen))

    def _gzip(self) -> Iterator[_Raw | _BrokenRaw]:
        """Member by member: each member's records are framed by _records. In an archive gzipped
        per record (a member at its first offset that holds one record), a record's offset and
        length are its member's; a first member holding more than one record is an archive
        gzipped whole, whose offsets are decompressed ones from then on."""
        data = self.data
        decompressed = 0  # inflated bytes of the members so far: the offsets of an archive gzipped whole
        while True:
            data.skip_padding()
            offset = data.position
            if data.at_end() or (self.splittable and self._beyond(offset)):
                return
            if data.peek(3) != GZIP_MEMBER:
                data.position += 1
                data.seek(_MEMBER, _starts_record)
                junk = data.position - offset
                if self.splittable:
                    yield _broken(offset, junk, {}, _Corrupt(f"no gzip member starts at {offset}", offset))
                elif self._beyond(decompressed):
                    return
                else:  # gzipped whole: placed after what the members before it inflated to
                    yield _broken(decompressed, junk, {}, _Corrupt(f"no gzip member starts at stored byte {offset}", decompressed))
                    decompressed += junk
                continue
            data.mark()
            inner = _Bytes(_Member(data), 0)
            first_member = self._first_member  # the first with records: junk or a corrupt member may precede it
            if first_member:
                decompressed = offset  # the stored bytes before it (padding, junk) count as they are
            member_offset, base = offset, decompressed

            def place(position: int) -> int:
                return base + position if not self.splittable else member_offset

            held: list[_Raw | _BrokenRaw] = []  # this member's records, given out once its CRC checks
            self._reading, self._pending = None, None
            try:
                for frame in self._records(inner, place, bounded=lambda: not self.splittable):
                    self._first_member = False
                    if not self.splittable:
                        yield frame
                        continue
                    held.append(frame)
                    if first_member and len(held) == 1 and not inner.at_end():
                        # A second record in the archive's first member: the archive is gzipped
                        # whole, and its offsets are decompressed ones from here on (the first
                        # record's length too: it ends where the second starts).
                        self.splittable = False
                        held[0].length = base + inner.position - held[0].offset
                        yield from held
                        held = []
                    elif sum(len(getattr(f, "block", b"")) for f in held) > RESYNC_HISTORY_BYTES:
                        yield from held  # too much to hold until the CRC is checked
                        held = []
            except _Corrupt as error:
                if self._reading is not None:
                    at, headers = self._reading
                elif self._pending is not None:
                    at, headers = self._pending.offset, self._pending.headers  # the last record takes the blame
                else:
                    at, headers = place(inner.position), {}
                if self.splittable:
                    at, headers = offset, headers or next((f.headers for f in held if f.headers), {})
                if isinstance(error, _Truncated):
                    yield _broken(at, None if not self.splittable else data.end - offset, headers, error)
                    return
                data.back_to(offset + 1)
                data.seek(_MEMBER, _starts_record)
                yield _broken(at, None if not self.splittable else data.position - offset, headers, error)
                # Gzipped whole: what the next member inflates to comes after all this one gave
                # (however far its records were read) and after the broken record, even one that
                # broke where it began, so that no two records share an offset.
                decompressed = max(decompressed + inner.end, at + 1)
                continue
            decompressed += inner.end  # all it inflated to, even past a record cut short inside it
            if self.next_offset is not None:
                return  # the range's end, inside an archive gzipped whole
            if not held:
                continue
            first = held[0]
            if isinstance(first, _BrokenRaw):
                # A record cut short inside a sound member is truncated if nothing follows (the
                # archive was cut, then gzipped), else corrupt (its Content-Length is wrong).
                cut = first.error.kind is ErrorKind.TRUNCATED_RECORD
                truncated = cut and data.at_end()
                message = first.error.message
                if cut and not truncated:
                    message = (f"the record at {offset} claims {first.headers.get('content-length', '?').strip()} bytes, more than its "
                               f"gzip member holds (its Content-Length is wrong)")
                held = [_broken(offset, None, first.headers, _Corrupt(message, offset), truncated=truncated)]
            else:
                # Bytes after a sound member's records that are no record are passed over.
                held = [f for f in held if isinstance(f, _Raw) or f.headers]
            for frame in held:
                frame.length = data.position - offset
                yield frame


def _drain(member: _Member) -> None:
    """Read the member to its end (checking its CRC), keeping nothing."""
    while member.read():
        pass


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


def _record(raw_headers: dict[str, str], offset: int, length: int | None) -> Record:
    record_id = raw_headers.get("warc-record-id") or f"offset:{offset}"
    return Record(
        id=record_id,
        offset=offset,
        length=length,
        date=raw_headers.get("warc-date") or None,
        payload_digest=raw_headers.get("warc-payload-digest") or None,
    )


class _Unreadable(Exception):
    """FastWARC could not read a record's HTTP message (its error is the cause)."""


_NO_CONTENT = frozenset({204, 205})  # 2xx statuses that carry no page by definition
_HTTP_HEAD_END = re.compile(rb"\r?\n\r?\n")
_BARE_LF = re.compile(rb"(?<!\r)\n")
_CHUNK_SIZE_LINE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")


def _crlf_head(block: bytes) -> bytes:
    """``block`` (an HTTP message) with the lines of its head ended by CRLF. Servers and
    hand-made archives that end them with LF alone are read as browsers and warcio read them;
    FastWARC would find the status line and then no header and no body."""
    end = _HTTP_HEAD_END.search(block, 0, OVERSIZED_HEAD_BYTES)
    if end is None or (end.group() == b"\r\n\r\n" and not _BARE_LF.search(block, 0, end.start())):
        return block
    return _BARE_LF.sub(b"\r\n", block[: end.start()]) + b"\r\n\r\n" + block[end.end():]


def _says_chunked(block: bytes) -> bool:
    """Whether ``block``'s HTTP head says ``Transfer-Encoding: chunked``."""
    end = _HTTP_HEAD_END.search(block, 0, OVERSIZED_HEAD_BYTES)
    return end is not None and bool(re.search(rb"\ntransfer-encoding[ \t]*:[^\r\n]*chunked", block[: end.start()], re.IGNORECASE))


def _dechunk(body: bytes) -> bytes:
    """A chunked body's data, chunk extensions and trailers left out; one that ends between two
    chunks gives what came (as FastWARC does). ValueError for a body that is not chunked or a
    chunk cut short."""
    out = bytearray()
    at = 0
    while at < len(body):
        line = _CHUNK_SIZE_LINE.match(body, at)
        if line is None:
            raise ValueError(f"no chunk size line at {at} of the body")
        size, at = int(line.group(1), 16), line.end()
        if size == 0:
            break
        if at + size > len(body):
            raise ValueError(f"a chunk of {size:,} bytes runs past the body's end")
        out += body[at : at + size]
        at += size
        at += 2 if body.startswith(b"\r\n", at) else 1 if body.startswith(b"\n", at) else 0
    return bytes(out)


def _parse_http(block: bytes, decode: str) -> tuple[Any, bytes]:
    """The HTTP headers and body of ``block``, parsed by FastWARC behind WARC headers of
    pagesift's making (the record's own were read already, and may end lines with LF alone);
    ``decode``: FastWARC's auto_decode ('transfer' de-chunks). Raises _Unreadable."""
    from fastwarc.warc import ArchiveIterator  # imported with the first archive, not by every page

    header = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % len(block)
    try:
        parsed = next(iter(ArchiveIterator(io.BytesIO(header + block + b"\r\n\r\n"), auto_decode=decode, parse_http=True)), None)
        if parsed is None or not parsed.is_http or not parsed.http_headers.status_code:
            raise ValueError("no HTTP status line")
        return parsed.http_headers, parsed.reader.read()
    except Exception as error:  # OSError: FastWARC's word for HTTP it cannot read (bad chunks, huge headers)
        raise _Unreadable(str(error)) from error
    except BaseException as error:  # pyo3's PanicException derives from BaseException
        if type(error).__name__ != "PanicException":
            raise
        raise _Unreadable(str(error)) from error


def _mime(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    mime, _, params = content_type.partition(";")
    return mime.strip().lower(), params


_SKIPPED_TYPES = {
    "warcinfo": Skip.WARCINFO,
    "request": Skip.REQUEST,
    "metadata": Skip.METADATA,
    "revisit": Skip.REVISIT,
    "conversion": Skip.CONVERSION,
    "continuation": Skip.CONTINUATION,
}


@dataclass
class WarcReader:
    """Reads the records of an archive, or of a range of it, as pages, skipped records and
    broken ones (see the module's docstring). ``limits.max_input_bytes`` bounds a page's
    stored payload: a bigger HTML record is a page that failed (InputTooLarge). ``framing``
    says, once ``items`` is exhausted, what the framing found."""

    limits: Limits = DEFAULT_LIMITS
    framing: Framing = field(default_factory=Framing)

    def items(self, stream: Readable, source: Source, *, start: int = 0, end: int | None = None, skip_before: int = 0) -> Iterator[Item]:
        """The records of ``stream``, whose first byte is the archive's byte ``start`` (a
        record's first byte), up to the last record that starts before ``end``; each page's
        source is ``source`` with its record. Records before ``skip_before`` are passed over:
        the way into the middle of an archive gzipped whole, read from its start."""
        frames = _Frames(stream, start=start, end=end, skip_before=skip_before, keep=self.limits.max_input_bytes + OVERSIZED_HEAD_BYTES)
        for raw in frames:
            self.framing = frames.framing
            yield self._item(raw, source)
        self.framing = frames.framing

    def spans(self, stream: Readable, *, start: int = 0, end: int | None = None, skip_before: int = 0) -> Iterator[Span]:
        """Where each record is, its type and id, framed only (no block kept, nothing parsed):
        what an archive is cut into ranges by."""
        frames = _Frames(stream, start=start, end=end, skip_before=skip_before, keep=0)
        for raw in frames:
            self.framing = frames.framing
            kind = "broken" if isinstance(raw, _BrokenRaw) else raw.headers.get("warc-type", "").lower()
            yield Span(raw.offset, raw.length, kind, raw.headers.get("warc-record-id") or None)
        self.framing = frames.framing

    def _item(self, raw: _Raw | _BrokenRaw, archive: Source) -> Item:
        record = _record(raw.headers, raw.offset, raw.length)
        if isinstance(raw, _BrokenRaw):
            return Broken(record, raw.error)
        kind = raw.headers.get("warc-type", "").lower()
        if kind in _SKIPPED_TYPES:
            return Skipped(_SKIPPED_TYPES[kind], record)
        if kind not in ("response", "resource"):
            return Skipped(Skip.OTHER_TYPE, record)
        url = (raw.headers.get("warc-target-uri") or "").strip().strip("<>") or None
        if kind == "resource":
            return self._page(raw, record, archive, url, raw.headers.get("content-type"), None, None, raw.block)
        if _mime(raw.headers.get("content-type"))[0] not in ("application/http", ""):
            return Skipped(Skip.NOT_HTML, record)  # dns:, whois: and other captures that are not HTTP
        block = _crlf_head(raw.block if raw.complete else raw.block[:OVERSIZED_HEAD_BYTES])
        # An oversized record's block is cut after its head: only its headers are read, since
        # de-chunking a cut body fails and would make a big chunked capture look corrupt.
        try:
            http, body = _parse_http(block, "transfer" if raw.complete else "none")
        except _Unreadable as error:
            if not (raw.complete and _says_chunked(block)):
                return self._unreadable(raw, record, error.__cause__ or error)
            # Chunked as FastWARC does not read it: with chunk extensions (``1f4;name=value``,
            # which HTTP allows), or not chunked at all (some writers store the body de-chunked
            # and keep the header: it is read as stored, as warcio and browsers read it).
            try:
                http, body = _parse_http(block, "none")
                body = _dechunk(body) if _CHUNK_SIZE_LINE.match(body) else body
            except (_Unreadable, ValueError):
                return self._unreadable(raw, record, error.__cause__ or error)
        if not 200 <= http.status_code < 300 or http.status_code in _NO_CONTENT:
            return Skipped(Skip.NOT_OK, record)
        return self._page(raw, record, archive, url, http.get("Content-Type"), http.get("Content-Encoding"),
                          http.get("Content-Language"), body)

    def _unreadable(self, raw: _Raw, record: Record, error: BaseException) -> Broken:
        message = f"the response at {raw.offset} cannot be read as HTTP ({type(error).__name__}: {error})"
        return Broken(record, ExtractionError(message, kind=ErrorKind.CORRUPT_RECORD, stage=Stage.READ))

    def _page(self, raw: _Raw, record: Record, archive: Source, url: str | None, content_type: str | None,
              content_encoding: str | None, content_language: str | None, body: bytes) -> Item:
        mime, _ = _mime(content_type)
        encoded = bool(content_encoding and content_encoding.strip().lower() not in ("identity", ""))
        if mime not in HTML_TYPES and not (mime in UNTYPED and (encoded or _MARKUP_START.match(body[:4096]))):
            return Skipped(Skip.NOT_HTML, record)
        if not raw.complete:
            declared = int(raw.headers.get("content-length", len(raw.block)))
            return Broken(record, self.limits.input_too_large(declared))
        source = replace(archive, record=record, content_type=content_type, content_encoding=content_encoding)
        return Page(data=body, source=source, url=url, content_type=content_type, content_encoding=content_encoding,
                    content_language=content_language)


