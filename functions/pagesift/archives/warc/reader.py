"""The WARC reader: framed records (framing.py) become pages to extract, records skipped by
type, and broken records, each with its place in the archive."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from pagesift.archives.ports import Readable
from pagesift.archives.warc.framing import BrokenFrame, Frame, Frames, Framing, Span
from pagesift.archives.warc.http import (
    OVERSIZED_HEAD_BYTES,
    HttpMessage,
    UnreadableHttp,
    crlf_head,
    mime_type,
    parse_http,
    parse_stored_dechunked,
    says_chunked,
)
from pagesift.contracts.document import Record, Source
from pagesift.contracts.errors import ErrorKind, ExtractionError, Stage
from pagesift.extraction.limits import DEFAULT_LIMITS, Limits
from pagesift.extraction.steps import Page

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# A page whose content type says nothing (missing, or the generic binary type) is a page when
# its first bytes are markup.
UNTYPED = frozenset({"", "application/octet-stream", "unknown/unknown"})
_MARKUP_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_NO_CONTENT = frozenset({204, 205})  # 2xx statuses that carry no page by definition


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


def _record(raw_headers: dict[str, str], offset: int, length: int | None) -> Record:
    record_id = raw_headers.get("warc-record-id") or f"offset:{offset}"
    return Record(
        id=record_id,
        offset=offset,
        length=length,
        date=raw_headers.get("warc-date") or None,
        payload_digest=raw_headers.get("warc-payload-digest") or None,
    )


def _read_http(raw: Frame) -> HttpMessage:
    """The HTTP message of a response record. Raises UnreadableHttp (the first way of reading
    it that failed, when the second fails too)."""
    block = crlf_head(raw.block if raw.complete else raw.block[:OVERSIZED_HEAD_BYTES])
    # An oversized record's block is cut after its head: only its headers are read, since
    # de-chunking a cut body fails and would make a big chunked capture look corrupt.
    try:
        return parse_http(block, "transfer" if raw.complete else "none")
    except UnreadableHttp as error:
        if not (raw.complete and says_chunked(block)):
            raise
        # Chunked as FastWARC does not read it: with chunk extensions, or not chunked at all.
        try:
            return parse_stored_dechunked(block)
        except (UnreadableHttp, ValueError):
            raise error from error.__cause__


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

    def items(
        self, stream: Readable, source: Source, *, start: int = 0, end: int | None = None, skip_before: int = 0
    ) -> Iterator[Item]:
        """The records of ``stream``, whose first byte is the archive's byte ``start`` (a
        record's first byte), up to the last record that starts before ``end``; each page's
        source is ``source`` with its record. Records before ``skip_before`` are passed over:
        the way into the middle of an archive gzipped whole, read from its start."""
        frames = Frames(
            stream,
            start=start,
            end=end,
            skip_before=skip_before,
            keep=self.limits.max_input_bytes + OVERSIZED_HEAD_BYTES,
        )
        for raw in frames:
            self.framing = frames.framing
            yield self._item(raw, source)
        self.framing = frames.framing

    def spans(
        self, stream: Readable, *, start: int = 0, end: int | None = None, skip_before: int = 0
    ) -> Iterator[Span]:
        """Where each record is, its type and id, framed only (no block kept, nothing parsed):
        what an archive is cut into ranges by."""
        frames = Frames(stream, start=start, end=end, skip_before=skip_before, keep=0)
        for raw in frames:
            self.framing = frames.framing
            kind = "broken" if isinstance(raw, BrokenFrame) else raw.headers.get("warc-type", "").lower()
            yield Span(raw.offset, raw.length, kind, raw.headers.get("warc-record-id") or None)
        self.framing = frames.framing

    def _item(self, raw: Frame | BrokenFrame, archive: Source) -> Item:
        record = _record(raw.headers, raw.offset, raw.length)
        if isinstance(raw, BrokenFrame):
            return Broken(record, raw.error)
        kind = raw.headers.get("warc-type", "").lower()
        if kind in _SKIPPED_TYPES:
            return Skipped(_SKIPPED_TYPES[kind], record)
        if kind not in ("response", "resource"):
            return Skipped(Skip.OTHER_TYPE, record)
        url = (raw.headers.get("warc-target-uri") or "").strip().strip("<>") or None
        if kind == "resource":
            return self._page(raw, record, archive, url, raw.headers.get("content-type"), None, None, raw.block)
        return self._response(raw, record, archive, url)

    def _response(self, raw: Frame, record: Record, archive: Source, url: str | None) -> Item:
        """A response record: a page if its HTTP message is a 2xx with a page in it."""
        if mime_type(raw.headers.get("content-type")).mime not in ("application/http", ""):
            return Skipped(Skip.NOT_HTML, record)  # dns:, whois: and other captures that are not HTTP
        try:
            message = _read_http(raw)
        except UnreadableHttp as error:
            return self._unreadable(raw, record, error.__cause__ or error)
        if not 200 <= message.status < 300 or message.status in _NO_CONTENT:
            return Skipped(Skip.NOT_OK, record)
        headers = message.headers
        return self._page(
            raw,
            record,
            archive,
            url,
            headers.get("Content-Type"),
            headers.get("Content-Encoding"),
            headers.get("Content-Language"),
            message.body,
        )

    def _unreadable(self, raw: Frame, record: Record, error: BaseException) -> Broken:
        message = f"the response at {raw.offset} cannot be read as HTTP ({type(error).__name__}: {error})"
        return Broken(record, ExtractionError(message, kind=ErrorKind.CORRUPT_RECORD, stage=Stage.READ))

    def _page(
        self,
        raw: Frame,
        record: Record,
        archive: Source,
        url: str | None,
        content_type: str | None,
        content_encoding: str | None,
        content_language: str | None,
        body: bytes,
    ) -> Item:
        mime = mime_type(content_type).mime
        encoded = bool(content_encoding and content_encoding.strip().lower() not in ("identity", ""))
        if mime not in HTML_TYPES and not (mime in UNTYPED and (encoded or _MARKUP_START.match(body[:4096]))):
            return Skipped(Skip.NOT_HTML, record)
        if not raw.complete:
            declared = int(raw.headers.get("content-length", len(raw.block)))
            return Broken(record, self.limits.input_too_large(declared))
        source = replace(archive, record=record, content_type=content_type, content_encoding=content_encoding)
        return Page(
            data=body,
            source=source,
            url=url,
            content_type=content_type,
            content_encoding=content_encoding,
            content_language=content_language,
        )
