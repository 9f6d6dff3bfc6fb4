"""Web archives (WARC 1.0 and 1.1, plain, gzip per record or gzipped whole) → the records in
them: pages to extract, records skipped by type, and records that are broken. Knows nothing of
AWS: it reads any stream with ``read(n)``, from any byte offset that starts a record.

Two layers, so that every record gets its exact place in the archive and a broken one fails
alone (benchmarks/warc-libraries/README.md has the measurements behind this split):

- the *framing* is this module's: gzip members are inflated with ``zlib`` one at a time, so
  that a record's offset and length are those of its member in the stored bytes (what a ranged
  GET asks for), and records are cut at their WARC Content-Length. A corrupt member or header is
  reported and reading resumes at the next record (the next member that inflates to
  ``WARC/1.``, or the next ``WARC/1.`` line of a plain archive); a record cut short by the end
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
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from .document import Record, Source
from .errors import ErrorKind, ExtractionError, Stage
from .extraction import Page
from .limits import DEFAULT_LIMITS, Limits
from .ports import Readable

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
    NOT_OK = "not-ok"  # an HTTP response that is not a 2xx (a redirect, an error page)


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

    def __init__(self, message: str, offset: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.offset = offset
        self.headers = headers or {}


class _Truncated(_Corrupt):
    """The stream ends inside the record at ``offset``."""


def _starts_record(compressed: bytes) -> bool:
    try:
        return zlib.decompressobj(31).decompress(compressed, 16).lstrip(b"\r\n").startswith(WARC_MAGIC)
    except zlib.error:
        return False


class _Plain:
    """The stored bytes themselves (a plain archive): positions are stored offsets."""

    def __init__(self, raw: Readable, base: int) -> None:
        self._raw = raw
        self.position = base  # of the next byte read()

    def read(self, size: int) -> bytes:
        data = self._raw.read(size)
        self.position += len(data)
        return data

    def stored_offset(self, position: int) -> int | None:
        return position

    def boundary(self) -> int | None:
        """The stored offset of the next byte, where the framer's buffer is empty."""
        return self.position

    def resync(self, buffered: bytes) -> bytes:
        """After a corrupt record: the bytes from the next line that starts ``WARC/1.``."""
        window = buffered
        while (found := window.find(b"\n" + WARC_MAGIC)) < 0:
            more = self.read(READ_CHUNK)
            if not more:
                return b""
            window = window[-len(WARC_MAGIC) :] + more
        return window[found + 1 :]


class _Inflated:
    """The decompressed bytes of a gzip stream of many members (one record in each, as WARC
    writers make them) or of one (an archive gzipped whole), knowing at which decompressed
    position each member starts and where it is stored."""

    def __init__(self, raw: Readable, base: int) -> None:
        self._raw = raw
        self._compressed = base  # stored offset of self._input[0]
        self._input = b""
        self._inflater: zlib._Decompress | None = None
        self._member = base  # stored offset of the current member
        self._history = bytearray()  # compressed bytes of the current member, to resync after it
        self.position = 0  # decompressed bytes produced
        self._starts: OrderedDict[int, int] = OrderedDict()  # decompressed position -> stored offset

    @property
    def stored_end(self) -> int:
        return self._compressed + len(self._input)

    def boundary(self) -> int | None:
        """The stored offset of the next member, when between members (else None)."""
        if self._inflater is not None or self._input.strip(b"\x00\r\n")[:1] not in (b"", GZIP_MEMBER[:1]):
            return None
        return self._compressed + (len(self._input) - len(self._input.lstrip(b"\x00\r\n")))

    def stored_offset(self, position: int) -> int | None:
        """The stored offset of the member that starts at decompressed ``position``, if one does."""
        return self._starts.get(position)

    def read(self, size: int) -> bytes:
        """Up to ``size`` decompressed bytes, of one member; b"" at the end."""
        while True:
            if self._inflater is None:
                while len(self._input) < len(GZIP_MEMBER) and (more := self._raw.read(READ_CHUNK)):
                    self._input += more
                if not self._input.strip(b"\x00\r\n"):
                    self._compressed += len(self._input)
                    self._input = b""
                    if not (more := self._raw.read(READ_CHUNK)):
                        return b""  # the end (trailing padding ignored, as gzip(1) does)
                    self._input = more
                    continue
                if not self._input.startswith(GZIP_MEMBER):
                    raise _Corrupt(f"no gzip member starts at {self._compressed}", self._compressed)
                self._inflater = zlib.decompressobj(31)
                self._member = self._compressed
                self._starts[self.position] = self._member
                if len(self._starts) > 64:
                    self._starts.popitem(last=False)
            if not self._input:
                self._input = self._raw.read(READ_CHUNK)
            if not self._input:
                raise _Truncated(f"the archive ends inside the gzip member at {self._member}", self._member)
            data = self._input
            try:
                out = self._inflater.decompress(data, size)
            except zlib.error as error:
                raise _Corrupt(f"the gzip member at {self._member} is corrupt ({error})", self._member) from error
            rest = self._inflater.unused_data if self._inflater.eof else self._inflater.unconsumed_tail
            consumed = len(data) - len(rest)
            if len(self._history) < RESYNC_HISTORY_BYTES:
                self._history += data[:consumed]
            self._compressed += consumed
            self._input = rest
            if self._inflater.eof:
                self._inflater = None
                self._history.clear()
            if out:
                self.position += len(out)
                return out

    def resync(self, buffered: bytes) -> bytes:
        """After a corrupt member: go on from the next member that inflates to ``WARC/1.``,
        searched from just after the broken one's start (what was inflated of it is dropped)."""
        self._inflater = None
        window = bytes(self._history[1:]) + self._input
        start = self._member + 1 if self._history else self._compressed  # stored offset of window[0]
        self._history.clear()
        searched = 0
        while True:
            found = window.find(GZIP_MEMBER, searched)
            if found < 0 or len(window) - found < 4096:  # not found, or too near the end to test
                more = self._raw.read(READ_CHUNK)
                if more:
                    if found < 0:
                        keep = len(GZIP_MEMBER) - 1
                        start, window, searched = start + len(window) - keep, window[-keep:] + more, 0
                    else:
                        window += more
                    continue
                if found < 0:
                    self._input, self._compressed = b"", start + len(window)
                    return b""
            if _starts_record(window[found : found + 4096]):
                self._input, self._compressed = window[found:], start + found
                return b""
            searched = found + 1


@dataclass(slots=True)
class Framing:
    """What reading an archive (or a range of it) found, besides its records."""

    # Every record starts a gzip member (or the archive is plain): a range can be read from
    # any record's offset. False for an archive gzipped whole.
    splittable: bool = True
    next_offset: int | None = None  # where the first record after the range starts (None: the end)
    records: int = 0


@dataclass(frozen=True, slots=True)
class Span:
    """Where a record is, and its WARC-Type ('broken' for one that could not be framed)."""

    offset: int
    length: int | None
    warc_type: str
    record_id: str | None = None


@dataclass(slots=True)
class _Raw:
    """One framed record: its WARC headers, and up to the framer's limit of its block."""

    offset: int  # stored offset (decompressed, in an archive gzipped whole)
    length: int | None  # known once the next record's start is
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


class _Framer:
    """Cuts a stream into records at their Content-Length (see the module's docstring)."""

    def __init__(self, stream: _Plain | _Inflated, *, keep_block_bytes: int) -> None:
        self.stream = stream
        self._buffer = b""
        self.position = stream.position  # of _buffer[0], in the stream's positions
        self._keep = keep_block_bytes

    def _more(self, headers: dict[str, str], offset: int | None) -> bool:
        """Read on; a broken stream is the broken record's, when one is being read (``offset``)."""
        try:
            data = self.stream.read(READ_CHUNK)
        except _Corrupt as error:
            if offset is None:
                raise
            raise type(error)(str(error), offset, headers) from error
        self._buffer += data
        return bool(data)

    def _take(self, size: int) -> bytes:
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        self.position += len(data)
        return data

    def next_start(self, stop_at: int | None = None) -> tuple[int | None, int | None]:
        """(position, None) of the next record (after any blank lines); (None, where it would
        start) when that is at or past stored offset ``stop_at``, found without reading it (a
        corrupt record after a range is the next range's); (None, None) at the end."""
        while True:
            stripped = self._buffer.lstrip(b"\r\n")
            self.position += len(self._buffer) - len(stripped)
            self._buffer = stripped
            if self._buffer:
                return self.position, None
            boundary = self.stream.boundary()
            if stop_at is not None and boundary is not None and boundary >= stop_at:
                return None, boundary
            if not self._more({}, None):
                return None, None

    def read_record(self, offset: int) -> _Raw:
        """The record at the current position (stored at ``offset``)."""
        while len(self._buffer) < len(WARC_MAGIC) and self._more({}, offset):
            pass
        if not self._buffer.startswith(WARC_MAGIC):
            raise _Corrupt(f"no WARC record starts at {offset} ({self._buffer[:16]!r})", offset)
        while (end := self._buffer.find(b"\r\n\r\n")) < 0 and (end := self._buffer.find(b"\n\n")) < 0:
            if len(self._buffer) > MAX_HEADER_BYTES:
                raise _Corrupt(f"the WARC headers at {offset} run past {MAX_HEADER_BYTES:,} bytes", offset)
            if not self._more({}, offset):
                raise _Truncated(f"the archive ends inside the WARC headers of the record at {offset}", offset)
        header = self._take(end + (4 if self._buffer[end : end + 4] == b"\r\n\r\n" else 2))
        headers = _parse_headers(header)
        try:
            length = int(headers.get("content-length", ""))
            if length < 0:
                raise ValueError
        except ValueError:
            raise _Corrupt(f"the record at {offset} has no valid Content-Length", offset, headers) from None
        kept = min(length, self._keep)
        while len(self._buffer) < kept and self._more(headers, offset):
            pass
        block = self._take(kept)
        dropped = 0
        while dropped < length - kept and (self._buffer or self._more(headers, offset)):
            dropped += len(self._take(length - kept - dropped))
        if len(block) + dropped < length:
            raise _Truncated(f"the archive ends {len(block) + dropped:,} bytes into the {length:,}-byte record at {offset}", offset, headers)
        return _Raw(offset, None, header, headers, block, complete=kept == length)

    def resync(self) -> None:
        if isinstance(self.stream, _Plain):
            self._buffer = self.stream.resync(self._buffer[1:])
            self.position = self.stream.position - len(self._buffer)
        else:
            self._buffer = self.stream.resync(self._buffer)
            self.position = self.stream.position


def _parse_headers(header: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    name = None
    for line in header.decode("utf-8", "replace").splitlines()[1:]:
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
        keep = self.limits.max_input_bytes + OVERSIZED_HEAD_BYTES
        for raw in self._frames(stream, start=start, end=end, skip_before=skip_before, keep=keep):
            yield self._item(raw, source)

    def spans(self, stream: Readable, *, start: int = 0, end: int | None = None, skip_before: int = 0) -> Iterator[Span]:
        """Where each record is, its type and id, framed only (no block kept, nothing parsed):
        what an archive is cut into ranges by."""
        for raw in self._frames(stream, start=start, end=end, skip_before=skip_before, keep=0):
            kind = "broken" if isinstance(raw, _BrokenRaw) else raw.headers.get("warc-type", "").lower()
            yield Span(raw.offset, raw.length, kind, raw.headers.get("warc-record-id") or None)

    def _frames(self, stream: Readable, *, start: int, end: int | None, skip_before: int, keep: int) -> Iterator[_Raw | _BrokenRaw]:
        self.framing = framing = Framing()
        head = stream.read(len(GZIP_MEMBER))
        rewound = _Prefixed(head, stream)
        layer: _Plain | _Inflated = _Inflated(rewound, start) if head.startswith(GZIP_MEMBER) else _Plain(rewound, start)
        framer = _Framer(layer, keep_block_bytes=keep)
        pending: _Raw | _BrokenRaw | None = None  # yielded once the next record's start gives its length
        while True:
            try:
                position, beyond = framer.next_start(end)
                offset = beyond if position is None else layer.stored_offset(position)
                if position is not None and offset is None:
                    framing.splittable = False  # a record inside a member: an archive gzipped whole
                    offset = position
                if pending is not None:
                    following = offset if offset is not None else self._end_of(layer, framer)
                    pending.length = following - pending.offset
                    yield pending
                    pending = None
                if position is None or (end is not None and offset >= end):
                    framing.next_offset = offset
                    return
                raw = framer.read_record(offset)
            except _Corrupt as broken:
                if pending is not None:
                    if broken.offset > pending.offset:
                        pending.length = broken.offset - pending.offset
                    yield pending
                    pending = None
                framing.records += broken.offset >= skip_before
                truncated = isinstance(broken, _Truncated)
                if truncated:
                    error = ExtractionError(str(broken), kind=ErrorKind.TRUNCATED_RECORD, stage=Stage.READ)
                else:
                    error = ExtractionError(str(broken), kind=ErrorKind.CORRUPT_RECORD, stage=Stage.READ)
                bad = _BrokenRaw(broken.offset, None, broken.headers, error)
                if truncated:  # what there is of it: up to the end of the archive
                    bad.length = self._end_of(layer, framer) - broken.offset
                    if bad.offset >= skip_before:
                        yield bad
                    return
                framer.resync()
                pending = bad if bad.offset >= skip_before else None  # its length is known at the next record
                continue
            framing.records += raw.offset >= skip_before
            pending = raw if raw.offset >= skip_before else None

    def _end_of(self, layer: _Plain | _Inflated, framer: _Framer) -> int:
        """Where the archive ends, in its records' offsets."""
        return layer.stored_end if isinstance(layer, _Inflated) and self.framing.splittable else framer.position

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
        from fastwarc.warc import ArchiveIterator  # imported with the first archive, not by every page

        block = raw.block if raw.complete else raw.block[:OVERSIZED_HEAD_BYTES]
        header = _CONTENT_LENGTH.sub(b"Content-Length: %d" % len(block), raw.header, count=1)
        parsed = next(iter(ArchiveIterator(io.BytesIO(header + block + b"\r\n\r\n"), auto_decode="transfer", parse_http=True)), None)
        if parsed is None or not parsed.is_http or not parsed.http_headers.status_code:
            error = ExtractionError(f"the response at {raw.offset} has no HTTP status line", kind=ErrorKind.CORRUPT_RECORD, stage=Stage.READ)
            return Broken(record, error)
        http = parsed.http_headers
        if not 200 <= http.status_code < 300:
            return Skipped(Skip.NOT_OK, record)
        return self._page(raw, record, archive, url, http.get("Content-Type"), http.get("Content-Encoding"),
                          http.get("Content-Language"), parsed.reader.read())

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


_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[^\r\n]*")


class _Prefixed:
    """A stream with bytes already read from it put back in front."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head, self._rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            data, self._head = self._head[:size] if size >= 0 else self._head, self._head[size:] if size >= 0 else b""
            return data
        return self._rest.read(size)
