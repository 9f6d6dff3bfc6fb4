"""Web archives written by the tests themselves, with what each record is expected to become.

Written by hand, not with a WARC library, so that a test decides every byte: the record mix of
real crawls (warcinfo, request/response pairs, metadata, revisits, non-HTML captures, chunked,
gzip, deflate and br bodies, redirects, resources) and the faults a reader must survive (a
truncated last record, a corrupt gzip member, garbage between records).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import brotli

BASE_DATE = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)


def sha1_digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


@dataclass
class Entry:
    """One record as written: ``expect`` is 'page', 'skip:<kind>' or 'broken:<ErrorKind>'."""

    record_id: str
    warc_type: str
    expect: str
    offset: int = 0
    length: int = 0
    url: str | None = None
    html: bytes | None = None  # the page's HTML as served, before any Content-Encoding


@dataclass
class Archive:
    data: bytes
    entries: list[Entry] = field(default_factory=list)

    @property
    def pages(self) -> list[Entry]:
        return [e for e in self.entries if e.expect == "page"]

    def expected(self, prefix: str) -> list[Entry]:
        return [e for e in self.entries if e.expect.startswith(prefix)]


def _record(warc_type: str, record_id: str, block: bytes, *, url: str | None, date: datetime,
            content_type: str | None, extra: dict[str, str] | None = None, misstate: int = 0) -> bytes:
    headers = [("WARC-Type", warc_type), ("WARC-Record-ID", record_id), ("WARC-Date", date.strftime("%Y-%m-%dT%H:%M:%SZ"))]
    if url:
        headers.append(("WARC-Target-URI", url))
    for name, value in (extra or {}).items():
        headers.append((name, value))
    if content_type:
        headers.append(("Content-Type", content_type))
    headers.append(("Content-Length", str(len(block) + misstate)))  # misstate: a writer's wrong length
    head = "WARC/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    return head.encode("utf-8") + block + b"\r\n\r\n"


def _chunked(body: bytes, size: int = 1500) -> bytes:
    parts = [b"%x\r\n" % len(body[i : i + size]) + body[i : i + size] + b"\r\n" for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def http_response(body: bytes, *, status: str = "200 OK", content_type: str | None = "text/html; charset=utf-8",
                  encoding: str | None = None, chunked: bool = False, extra: list[tuple[str, str]] | None = None) -> bytes:
    """An HTTP response as a crawler keeps it: the body as it came off the wire."""
    wire = body
    if encoding == "gzip":
        wire = gzip.compress(body, mtime=0)
    elif encoding == "deflate":
        wire = zlib.compress(body)
    elif encoding == "br":
        wire = brotli.compress(body)
    headers = [("Server", "nginx")]
    if content_type:
        headers.append(("Content-Type", content_type))
    if encoding:
        headers.append(("Content-Encoding", encoding))
    if chunked:
        headers.append(("Transfer-Encoding", "chunked"))
        wire = _chunked(wire)
    else:
        headers.append(("Content-Length", str(len(wire))))
    headers += extra or []
    return (f"HTTP/1.1 {status}\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers) + "\r\n").encode("latin-1") + wire


class ArchiveWriter:
    """Appends records; ``gzip``: 'record' (a member per record, as crawlers write), 'whole'
    (one member for all, as ``gzip file.warc`` makes) or None (plain)."""

    def __init__(self, *, gzip_mode: str | None = "record", seed: int = 1) -> None:
        self.gzip_mode = gzip_mode
        self._parts: list[bytes] = []
        self._offset = 0
        self.entries: list[Entry] = []
        self._n = 0
        self._seed = seed

    def _id(self) -> str:
        self._n += 1
        return f"<urn:uuid:{uuid.UUID(int=self._seed * 1_000_003 + self._n)}>"

    def _date(self) -> datetime:
        return BASE_DATE + timedelta(seconds=self._n)

    def raw(self, data: bytes) -> None:
        """Bytes as they are (garbage between records)."""
        self._parts.append(data)
        self._offset += len(data)

    def add(self, warc_type: str, block: bytes, *, expect: str, url: str | None = None, content_type: str | None = None,
            extra: dict[str, str] | None = None, html: bytes | None = None, corrupt: bool = False, truncate_at: float | None = None,
            misstate: int = 0, record_id: str | None = None) -> Entry:
        record_id = record_id or self._id()  # record_id: a writer's bug that reuses one
        data = _record(warc_type, record_id, block, url=url, date=self._date(), content_type=content_type, extra=extra,
                       misstate=misstate)
        if self.gzip_mode == "record":
            data = gzip.compress(data, mtime=0)
        if corrupt:  # the member's deflate data replaced by bytes that are not deflate
            data = data[:10] + bytes((b * 7 + 3) % 256 for b in data[10:-8]) + data[-8:]
        if truncate_at is not None:
            data = data[: int(len(data) * truncate_at)]
        entry = Entry(record_id, warc_type, expect, self._offset, len(data), url, html)
        self.entries.append(entry)
        self._parts.append(data)
        self._offset += len(data)
        return entry

    def warcinfo(self) -> Entry:
        return self.add("warcinfo", b"software: pagesift-tests\r\nformat: WARC File Format 1.1\r\n", expect="skip:warcinfo",
                        content_type="application/warc-fields")

    def exchange(self, url: str, html: bytes, *, expect: str = "page", corrupt: bool = False, truncate_at: float | None = None,
                 misstate: int = 0, record_id: str | None = None, **response: object) -> Entry:
        """A request record, then its response (``response``: http_response's options)."""
        request = f"GET / HTTP/1.1\r\nHost: {url.split('/')[2]}\r\nUser-Agent: tests\r\n\r\n".encode()
        self.add("request", request, expect="skip:request", url=url, content_type="application/http; msgtype=request")
        body = http_response(html, **response)  # type: ignore[arg-type]
        return self.add("response", body, expect=expect, url=url, content_type="application/http; msgtype=response",
                        extra={"WARC-Payload-Digest": sha1_digest(html)}, html=html, corrupt=corrupt, truncate_at=truncate_at,
                        misstate=misstate, record_id=record_id)

    def archive(self) -> Archive:
        data = b"".join(self._parts)
        if self.gzip_mode == "whole":
            data = gzip.compress(data, mtime=0)
        return Archive(data, list(self.entries))


def realistic_archive(pages: list[tuple[str, bytes]], *, gzip_mode: str | None = "record", faults: bool = True, seed: int = 1) -> Archive:
    """The record mix of a real crawl around ``pages`` (url, html): every page's response
    varies in how it is served; faults: a corrupt member (gzip) or garbage (plain) in the
    middle and a truncated last record."""
    writer = ArchiveWriter(gzip_mode=gzip_mode, seed=seed)
    writer.warcinfo()
    variants = [
        {},
        {"chunked": True},
        {"encoding": "gzip"},
        {"encoding": "gzip", "chunked": True},
        {"encoding": "deflate"},
        {"encoding": "br"},
        {"content_type": "text/html"},
        {"content_type": None},
        {"content_type": "application/xhtml+xml; charset=utf-8"},
    ]
    first = None
    for n, (url, html) in enumerate(pages):
        entry = writer.exchange(url, html, **variants[n % len(variants)])
        first = first or entry
        if n % 4 == 1:
            writer.add("metadata", f"via: {url}\r\nfetchTimeMs: 120\r\n".encode(), expect="skip:metadata", url=url,
                       content_type="application/warc-fields", extra={"WARC-Concurrent-To": entry.record_id})
        if n == len(pages) // 2 and faults:
            if gzip_mode == "record":
                writer.add("response", http_response(b"<html><body><p>never read</p></body></html>"), expect="broken:CorruptRecord",
                           url="https://broken.example/corrupt", content_type="application/http; msgtype=response", corrupt=True)
            elif gzip_mode is None:
                writer.raw(b"this is not a WARC record\r\n\r\n")
    # What a crawl holds besides pages.
    assert first is not None
    writer.add("revisit", http_response(b"", content_type="text/html"), expect="skip:revisit", url=first.url,
               content_type="application/http; msgtype=response",
               extra={"WARC-Refers-To": first.record_id, "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                      "WARC-Payload-Digest": sha1_digest(first.html or b"")})
    writer.exchange("https://example.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), expect="skip:not-html", content_type="image/png")
    writer.exchange("https://example.org/report.pdf", b"%PDF-1.7\n" + bytes(300), expect="skip:not-html", content_type="application/pdf")
    writer.exchange("https://example.org/old", b"<html><body>Moved</body></html>", expect="skip:not-ok", status="301 Moved Permanently",
                    extra=[("Location", "https://example.org/new")])
    writer.exchange("https://example.org/missing", b"<html><body><p>Not found</p></body></html>", expect="skip:not-ok", status="404 Not Found")
    writer.add("response", b"example.org. 300 IN A 93.184.216.34\n", expect="skip:not-html", url="dns:example.org", content_type="text/dns")
    url, html = pages[0]
    writer.add("resource", html, expect="page", url=url + "#resource", content_type="text/html; charset=utf-8", html=html)
    if faults:
        writer.exchange("https://example.org/cut", b"<html><body><p>" + b"cut short " * 400 + b"</p></body></html>",
                        expect="broken:TruncatedRecord", truncate_at=0.6)
    return writer.archive()


def archive_with_reused_ids(pages: list[tuple[str, bytes]], *, gzip_mode: str | None = "record") -> tuple[Archive, list[Entry], list[Entry]]:
    """Every page captured twice, the second time under the first capture's WARC-Record-ID (a
    writer's bug), the second captures after all the first ones; and a PNG whose id a page
    reuses. Returns the archive, the first captures and the second ones (pages failing
    DuplicateRecord)."""
    writer = ArchiveWriter(gzip_mode=gzip_mode, seed=7)
    writer.warcinfo()
    firsts = [writer.exchange(url, html) for url, html in pages]
    image = writer.exchange("https://d.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), expect="skip:not-html", content_type="image/png")
    again = [writer.exchange(url + "?again", html, expect="broken:DuplicateRecord", record_id=first.record_id)
             for (url, html), first in zip(pages, firsts, strict=True)]
    again.append(writer.exchange("https://d.example/after-the-image", pages[0][1], expect="broken:DuplicateRecord", record_id=image.record_id))
    return writer.archive(), firsts + [image], again


def repository_pages() -> list[tuple[str, bytes]]:
    """The real-world pages kept in the repository (samples/pages, tests/fixtures/pages) as
    (url, html): news and blog pages in English, French, Spanish and Arabic, legacy encodings."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for folder in (root / "samples" / "pages", root / "tests" / "fixtures" / "pages"):
        for path in sorted(folder.iterdir()):
            if path.name.endswith((".html", ".html.gz")) and not path.name.startswith("not-a-page"):
                data = path.read_bytes()
                html = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
                found.append((f"https://{path.name.split('.')[0]}.example/article", html))
    return found


class Trickle:
    """A stream that answers reads a few bytes at a time, as a network body may."""

    def __init__(self, data: bytes, step: int = 977) -> None:
        self._data, self._at, self._step = data, 0, step

    def read(self, size: int = -1) -> bytes:
        size = self._step if size < 0 else min(size, self._step)
        chunk = self._data[self._at : self._at + size]
        self._at += len(chunk)
        return chunk


def outcome(item: object) -> str:
    """What the reader made of a record, as an Entry's ``expect`` says it."""
    from pagesift.extraction.steps import Page
    from pagesift.archives.warc import Broken, Skipped

    if isinstance(item, Page):
        return "page"
    if isinstance(item, Skipped):
        return f"skip:{item.skip.value}"
    assert isinstance(item, Broken)
    return f"broken:{item.error.kind.value}"


def record_of(item: object):  # noqa: ANN201
    """The record an item of the reader is about."""
    from pagesift.extraction.steps import Page

    return item.source.record if isinstance(item, Page) else item.record  # type: ignore[union-attr]

