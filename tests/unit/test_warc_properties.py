"""Property-based (hypothesis): the WARC reader (pagesift.archives.warc) on archives drawn at random,
with the record mix of a crawl and a fault or two, as docs/archives.md ("Reading an archive")
describes them: faults fail alone, planning frames as reading does, ranges read the whole,
a stream's chunking changes nothing, and no bytes make the reader raise or hang."""

from __future__ import annotations

import io
import random
import re
import time
import zlib
from dataclasses import dataclass, replace

import pytest
from hypothesis import HealthCheck, assume, example, given, note, settings
from hypothesis import strategies as st

from pagesift.archives.ranges import cut_ranges
from pagesift.contracts.document import Source
from pagesift.contracts.errors import ErrorKind
from pagesift.extraction.steps import Page
from pagesift.archives.warc import Broken, Skipped, WarcReader
from tests.support.warcs import Archive, ArchiveWriter, Entry, Trickle, http_response, outcome, record_of, sha1_digest

SOURCE = Source(bucket="archives", key="crawl/props.warc.gz", version_id="v1", etag="e1")
MODES = ["record", None, "whole"]


def props(examples: int) -> settings:
    """Deterministic (derandomized, no example database), so that CI runs the same examples."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


def key(item: object) -> tuple:
    """What an item is, for comparing two readings: its outcome, its record, a page's bytes."""
    page = (item.data, item.url, item.content_type) if isinstance(item, Page) else None
    return outcome(item), record_of(item), page


def read(data: bytes, step: int = 977, **options: object) -> tuple[list[object], WarcReader]:
    reader = WarcReader()
    return list(reader.items(Trickle(data, step), SOURCE, **options)), reader  # type: ignore[arg-type]


def http_broken(item: object) -> bool:
    """A Broken item whose record was framed but whose HTTP could not be read (or is too large)."""
    return isinstance(item, Broken) and (item.error.kind is ErrorKind.INPUT_TOO_LARGE or "cannot be read as HTTP" in item.error.message)


# -- archives drawn at random ---------------------------------------------------------------------

KINDS = ["warcinfo", "request", "page", "image", "not-ok", "metadata", "revisit", "resource-html", "resource-text", "dns",
         "conversion", "other", "blob", "about-warc"]
BLOB_SIZES = [1_000, 70_000, 300_000]  # past a 64 KB inflation step, and a 256 KB read
VARIANTS = [{}, {"chunked": True}, {"encoding": "gzip"}, {"encoding": "deflate"}, {"encoding": "br"}, {"content_type": None},
            {"content_type": "text/html"}, {"content_type": "application/xhtml+xml; charset=utf-8"},
            {"encoding": "gzip", "chunked": True}]
PADDING = re.compile(rb"[\x00\r\n\t ]*")
VERSION_LINE = re.compile(rb"WARC/1\.[01]\r?(?:\n|$)")


@dataclass(frozen=True)
class Rec:
    kind: str
    size: int  # paragraphs (or lines) of filler
    variant: int


@dataclass(frozen=True)
class Spec:
    """An archive to write: its records, and what goes wrong. ``junk`` and ``padding``: bytes
    after record i; ``misstate``: (i, bytes); ``corrupt``: i (gzip per record); ``cut``: bytes
    of the last record kept (it is truncated)."""

    mode: str | None
    records: tuple[Rec, ...]
    junk: tuple[tuple[int, bytes], ...] = ()
    padding: tuple[tuple[int, bytes], ...] = ()
    misstate: tuple[int, int] | None = None
    corrupt: int | None = None
    cut: int | None = None

    def faulty(self) -> set[int]:
        """The records that are themselves faulty."""
        found = {i for i in (self.corrupt, self.misstate[0] if self.misstate else None) if i is not None}
        return found | ({len(self.records) - 1} if self.cut is not None else set())


def html(n: int, size: int) -> bytes:
    paragraphs = b"".join(b"<p>Paragraph %d of page %d, with a few words to read.</p>" % (i, n) for i in range(size))
    return b"<!doctype html><html><head><title>Page %d</title></head><body>%s</body></html>" % (n, paragraphs)


def write(spec: Spec, *, mode: str | None | bool = False, cut: int | None | bool = False) -> Archive:
    """The archive ``spec`` describes (in another gzip mode, or cut elsewhere, when told)."""
    mode = spec.mode if mode is False else mode
    cut = spec.cut if cut is False else cut
    writer = ArchiveWriter(gzip_mode=mode, seed=3)  # type: ignore[arg-type]
    junk, padding = dict(spec.junk), dict(spec.padding)
    for n, rec in enumerate(spec.records):
        fault: dict[str, object] = {}
        if spec.misstate and spec.misstate[0] == n:
            fault["misstate"] = spec.misstate[1]
        if spec.corrupt == n:
            fault["corrupt"] = True
        url = f"https://site{n}.example/path/{rec.size}"
        if n == len(spec.records) - 1 and cut is not None:
            length = write(spec, mode=mode, cut=None).entries[-1].length
            fault["truncate_at"] = (cut + 0.5) / length
        response = {"url": url, "content_type": "application/http; msgtype=response"}
        fields = b"".join(b"field-%d: value %d\r\n" % (i, n) for i in range(rec.size % 7 + 1))
        match rec.kind:
            case "warcinfo":
                writer.add("warcinfo", b"software: pagesift-tests\r\n" + fields, expect="skip:warcinfo",
                           content_type="application/warc-fields", **fault)  # type: ignore[arg-type]
            case "request":
                writer.add("request", b"GET /%d HTTP/1.1\r\nHost: site%d.example\r\nUser-Agent: tests\r\n\r\n" % (n, n),
                           expect="skip:request", url=url, content_type="application/http; msgtype=request", **fault)  # type: ignore[arg-type]
            case "page":
                page = html(n, rec.size)
                writer.add("response", http_response(page, **VARIANTS[rec.variant % len(VARIANTS)]), expect="page",  # type: ignore[arg-type]
                           extra={"WARC-Payload-Digest": sha1_digest(page)}, html=page, **response, **fault)  # type: ignore[arg-type]
            case "image":
                writer.add("response", http_response(b"\x89PNG\r\n\x1a\n" + bytes(rec.size * 13), content_type="image/png"),
                           expect="skip:not-html", **response, **fault)  # type: ignore[arg-type]
            case "not-ok":
                status = ["404 Not Found", "301 Moved Permanently", "500 Internal Server Error", "204 No Content"][rec.variant % 4]
                writer.add("response", http_response(html(n, rec.size), status=status), expect="skip:not-ok", **response, **fault)  # type: ignore[arg-type]
            case "metadata":
                writer.add("metadata", b"via: " + url.encode() + b"\r\n" + fields, expect="skip:metadata", url=url,
                           content_type="application/warc-fields", **fault)  # type: ignore[arg-type]
            case "revisit":
                writer.add("revisit", http_response(b"", content_type="text/html"), expect="skip:revisit",
                           extra={"WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"},
                           **response, **fault)  # type: ignore[arg-type]
            case "resource-html":
                writer.add("resource", html(n, rec.size), expect="page", url=url, content_type="text/html; charset=utf-8", **fault)  # type: ignore[arg-type]
            case "resource-text":
                writer.add("resource", b"plain notes, " * (rec.size + 1) + b"the end.", expect="skip:not-html", url=url,
                           content_type="text/plain", **fault)  # type: ignore[arg-type]
            case "dns":
                writer.add("response", b"site%d.example. 300 IN A 93.184.216.34\n" % n, expect="skip:not-html", url=f"dns:site{n}.example",
                           content_type="text/dns", **fault)  # type: ignore[arg-type]
            case "conversion":
                writer.add("conversion", b"converted text " * (rec.size + 1) + b"done.", expect="skip:conversion", url=url,
                           content_type="text/plain", **fault)  # type: ignore[arg-type]
            case "blob":  # a big capture that is no page (incompressible: a big gzip member too)
                writer.add("resource", random.Random(n).randbytes(BLOB_SIZES[rec.variant % 3]), expect="skip:not-html", url=url,
                           content_type="application/octet-stream", **fault)  # type: ignore[arg-type]
            case "about-warc":  # text with version lines in it, not followed by WARC fields
                writer.add("resource", b"Notes on the format.\r\nWARC/1.0\r\nis its version line; so is\nWARC/1.1\n\n" * (rec.size % 3 + 1)
                           + b"The end.", expect="skip:not-html", url=url, content_type="text/plain", **fault)  # type: ignore[arg-type]
            case _:
                writer.add("unknown-type", b"?" * (rec.size + 1), expect="skip:other-type", **fault)  # type: ignore[arg-type]
        writer.raw(padding.get(n, b""))
        writer.raw(junk.get(n, b""))
    return writer.archive()


def plain_stream(spec: Spec) -> tuple[bytes, list[Entry]]:
    """The archive's records as a plain stream (what an archive gzipped whole inflates to)."""
    archive = write(spec, mode=None)
    return archive.data, archive.entries


def lands_on_boundary(stream: bytes, at: int) -> bool:
    """Whether a record whose block (by its Content-Length) ends at ``at`` of ``stream`` ends
    where docs/archives.md accepts: a trailer (a blank line), the end, or (after padding) the
    next version line. A wrong length that lands there cannot be told from a right one."""
    if at > len(stream):
        return False
    if stream[at : at + 4] == b"\r\n\r\n":
        return True
    rest = PADDING.match(stream, at).end()
    return rest == len(stream) or bool(VERSION_LINE.match(stream[rest : rest + 12]))


def ambiguous_misstatement(spec: Spec) -> bool:
    if spec.misstate is None:
        return False
    index, wrong = spec.misstate
    stream, entries = plain_stream(spec)
    liar = entries[index]
    if spec.mode == "record":  # the member bounds the record
        stream, offset = stream[liar.offset : liar.offset + liar.length], 0
    else:
        offset = liar.offset
    block_start = stream.index(b"\r\n\r\n", offset) + 4
    block = offset + liar.length - 4 - block_start  # the true block's length
    if block + wrong < 0:
        return False  # a negative Content-Length is no valid one
    return lands_on_boundary(stream, block_start + block + wrong)


def kept_version_line(member: bytes) -> int:
    """How many bytes of a gzip member inflate to its record's version line."""
    for size in range(12, len(member)):
        if zlib.decompressobj(31).decompress(member[:size]).startswith(b"WARC/1.1\r\n"):
            return size
    return len(member)


recs = st.builds(Rec, st.sampled_from(KINDS), st.integers(0, 25), st.integers(0, 8))
JUNK_TAILS = [b"", b"\n", b"\r\n"]
JUNK_TEXTS = {"inline": [b"WARC/1.0", b"WARC/1.0 in a sentence ", b"see WARC/1.1: ", b"WARC/1."],
              "line": [b"WARC/1.1\r\n", b"WARC/1.0\n", b"WARC/1.0\r\nmore junk "]}
A_VERSION_LINE = re.compile(rb"WARC/1\.[01]\r?\n")


@st.composite
def junk_bytes(draw: st.DrawFn, *, version_text: str | None) -> bytes:
    """Bytes that are no record: random, with or without a newline at their end; with
    ``version_text``, 'WARC/1.0' text somewhere in them ('inline': never a whole line; 'line':
    a version line), but never a whole plausible header (no WARC field follows it)."""
    body = draw(st.binary(min_size=1, max_size=48))
    if version_text:
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from(JUNK_TEXTS[version_text])) + body[at:]
    junk = body + draw(st.sampled_from(JUNK_TAILS))
    assume(not re.search(rb"\n(?:WARC-Type|WARC-Record-ID|Content-Length)[ \t]*:", junk, re.IGNORECASE))
    assume(b"\x1f\x8b\x08" not in junk)
    assume(bool(A_VERSION_LINE.search(junk)) is (version_text == "line"))
    return junk


padding_bytes = st.lists(st.sampled_from([b"\r\n", b"\n", b"\x00", b"\r\n\r\n"]), min_size=1, max_size=6).map(b"".join)


@st.composite
def specs(draw: st.DrawFn, *, modes: list[str | None] = MODES, faults: int = 2, version_text: str | None = None,
          min_records: int = 2, max_records: int = 7) -> Spec:
    mode = draw(st.sampled_from(modes))
    records = tuple(draw(st.lists(recs, min_size=min_records, max_size=max_records)))
    n = len(records)
    kinds = ["junk", "misstate", "truncate", "padding"] + (["corrupt"] if mode == "record" else [])
    least = draw(st.sampled_from([0, 1, 1, 1]))  # mostly a fault or two; padding is none
    chosen = draw(st.lists(st.sampled_from(kinds), min_size=min(least, faults), max_size=faults, unique=True))
    spec = Spec(mode, records)
    used: set[int] = set()
    junk, padding = [], []
    for fault in chosen:
        if fault == "junk":
            junk.append((draw(st.integers(0, n - 2)), draw(junk_bytes(version_text=version_text))))
        elif fault == "padding":  # not after a truncated last record: the stream ends inside it
            padding += [(i, draw(padding_bytes)) for i in draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=3))]
        elif fault == "truncate":
            assume(n - 1 not in used)
            last = write(spec, cut=None).entries[-1]
            # Kept: at least its version line and first field (what tells a record's start after
            # junk or a corrupt member: inflated, in a gzip member per record), never its whole block.
            low = len(b"WARC/1.1\r\nWARC-Type:") if mode != "record" else kept_version_line(write(spec, cut=None).data[last.offset :])
            spec = replace(spec, cut=low + int(draw(st.floats(0, 1, exclude_max=True)) * (last.length - 4 - low)))
            used.add(n - 1)
        else:
            free = [i for i in range(n) if i not in used]
            assume(free)
            index = draw(st.sampled_from(free))
            used.add(index)
            if fault == "corrupt":
                spec = replace(spec, corrupt=index)
            else:
                wrong = draw(st.integers(-400, -1) | st.integers(5, 400) | st.sampled_from([10**6, 10**9]))
                spec = replace(spec, misstate=(index, wrong))
    if spec.cut is not None:
        padding = [(i, pad) for i, pad in padding if i != n - 1]
    spec = replace(spec, junk=tuple(junk), padding=tuple(padding))
    assume(not ambiguous_misstatement(spec))
    return spec


@st.composite
def mutated_archives(draw: st.DrawFn, *, modes: list[str | None] = MODES) -> bytes:
    """A valid archive (a fault or two included) with bits flipped, bytes cut, inserted or
    repeated, or its end cut off."""
    data = bytearray(write(draw(specs(modes=modes, max_records=5))).data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "duplicate", "truncate", "insert"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        elif op == "duplicate":
            piece = bytes(data[at : at + draw(st.integers(1, 400))])
            where = draw(st.integers(0, len(data)))
            data[where:where] = piece
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
    return bytes(data)


def bad_crc_member(*, across_read: int | None = None) -> bytes:
    """A gzip-per-record archive whose second member's CRC is wrong (its records all sound);
    ``across_read``: placed so that a read boundary of that many bytes from the archive's start
    falls in the member's last deflate bytes (its WARC headers inflate before it)."""
    for fill in range(0, 4 * (across_read or 1)):
        writer = ArchiveWriter(gzip_mode="record", seed=5)
        writer.add("resource", random.Random(1).randbytes(fill), expect="skip:not-html", url="https://a.example/0",
                   content_type="application/octet-stream")
        bad = writer.add("resource", random.Random(2).randbytes(200), expect="broken:CorruptRecord", url="https://a.example/1",
                         content_type="application/octet-stream")
        writer.add("resource", b"after", expect="skip:not-html", url="https://a.example/2", content_type="text/plain")
        crc = bad.offset + bad.length - 8
        if across_read is None or crc - 60 < across_read < crc:
            data = bytearray(writer.archive().data)
            data[crc] ^= 1
            return bytes(data)
    raise AssertionError("no such archive")


# -- 1. faults fail alone -------------------------------------------------------------------------

def documented_kinds(spec: Spec) -> dict[int, set[ErrorKind]]:
    """What docs/archives.md says each faulty record is. A truncated record (cut by the end of
    the stream) is a TruncatedRecord; a corrupt member is a CorruptRecord; a record whose
    Content-Length is wrong is a CorruptRecord, but in a plain archive (or one gzipped whole)
    one whose length runs past the archive's end with no record inside is a TruncatedRecord.
    (In a gzip member per record, the docs say a CorruptRecord whatever member it is: the last
    member's is test_an_overstated_last_member_is_corrupt_as_documented's, not checked here.)"""
    corrupt, truncated = ErrorKind.CORRUPT_RECORD, ErrorKind.TRUNCATED_RECORD
    kinds: dict[int, set[ErrorKind]] = {}
    last = len(spec.records) - 1
    if spec.cut is not None:
        kinds[last] = {truncated}
    if spec.corrupt is not None:
        kinds[spec.corrupt] = {corrupt}
    if spec.misstate is not None:
        index, wrong = spec.misstate
        stream, plain = plain_stream(spec)
        block_start = stream.index(b"\r\n\r\n", plain[index].offset) + 4
        claimed_end = plain[index].offset + plain[index].length - 4 + wrong
        if spec.mode == "record":
            kinds[index] = {corrupt, truncated} if index == last and wrong > 0 else {corrupt}
        elif claimed_end > len(stream) and index == last and claimed_end >= block_start:
            kinds[index] = {truncated}
        else:
            kinds[index] = {corrupt}
    return kinds


def check_faults_fail_alone(spec: Spec) -> None:
    archive = write(spec)
    note(f"archive: {archive.data!r}")
    items, reader = read(archive.data)
    note(f"items: {[(outcome(i), record_of(i).id, record_of(i).offset, record_of(i).length) for i in items]}")
    at = {}
    for item in items:
        assert record_of(item).offset not in at, ("two items at one offset", item)
        at[record_of(item).offset] = item
    # Offsets of an archive gzipped whole are those of its inflated stream; there (and in a plain
    # archive) a record's length runs to where the next one starts, past the padding after it.
    stream = archive.data if spec.mode is None else plain_stream(spec)[0] if spec.mode == "whole" else None
    kinds = documented_kinds(spec)
    written_ids = {e.record_id for e in archive.entries}
    after_junk = {n + 1 for n, _junk in spec.junk}
    for n, entry in enumerate(archive.entries):
        item = at.get(entry.offset)
        if item is None and n == spec.corrupt and n in after_junk:
            # Junk, then a corrupt member: reading resumes at the next member that inflates to
            # 'WARC/1.' (docs/archives.md), so the junk's CorruptRecord covers the member too.
            assert any(isinstance(i, Broken) and record_of(i).offset < entry.offset
                       and record_of(i).offset + record_of(i).length >= entry.offset + entry.length for i in items), (n, entry)
            continue
        assert item is not None, ("record not found at its offset", n, entry)
        record = record_of(item)
        if n in kinds:  # a faulty record: a Broken one of its own kind, at its offset
            assert isinstance(item, Broken), (n, entry, item)
            assert item.error.kind in kinds[n], (n, entry, item)
            assert record.id in (entry.record_id, f"offset:{entry.offset}"), (n, record)
            assert record.id == entry.record_id or spec.misstate is None or spec.misstate[0] != n, (n, record)  # its headers were read
            assert record.length is None or record.length >= entry.length, (n, entry, record)
            continue
        length = entry.length
        if stream is not None:
            length += PADDING.match(stream, entry.offset + entry.length).end() - (entry.offset + entry.length)
        assert (outcome(item), record.id, record.length) == (entry.expect, entry.record_id, length), (n, entry, item)
        assert [record_of(i).id for i in items].count(entry.record_id) == 1, (n, entry)
    # Anything else is a Broken record of a fault's own: in junk, or in a faulty record's bytes.
    offsets = [e.offset for e in archive.entries]
    regions = [(offsets[n] + archive.entries[n].length, offsets[n + 1]) for n, _junk in spec.junk]
    regions += [(offsets[n], offsets[n + 1] if n + 1 < len(offsets) else 1 << 62) for n in kinds]
    extra = [i for i in items if record_of(i).offset not in set(offsets)]
    for item in extra:
        assert isinstance(item, Broken) and item.error.kind is ErrorKind.CORRUPT_RECORD, item
        assert record_of(item).id not in written_ids, item
        assert any(start <= record_of(item).offset < end for start, end in regions), (item, regions)
    assert len(extra) <= len(spec.junk) + len(kinds)
    # A TruncatedRecord is the end.
    assert all(outcome(i) != "broken:TruncatedRecord" for i in items[:-1])
    assert reader.framing.records == len(items)
    assert reader.framing.splittable is (spec.mode != "whole")


@props(2000)
@given(specs())
def test_faults_fail_alone(spec: Spec) -> None:
    check_faults_fail_alone(spec)


@props(600)
@given(specs(faults=1, max_records=4))
def test_faults_fail_alone_one_fault_at_a_time(spec: Spec) -> None:
    check_faults_fail_alone(spec)


@props(600)
@given(specs(modes=MODES, version_text="inline").filter(lambda s: bool(s.junk)))
def test_junk_with_warc_version_text_fails_alone(spec: Spec) -> None:
    check_faults_fail_alone(spec)


@props(60)
@given(specs(modes=[None, "whole"], version_text="line").filter(lambda s: bool(s.junk)))
@example(Spec(None, (Rec("warcinfo", 0, 0), Rec("warcinfo", 0, 0)), junk=((0, b"WARC/1.1\r\n\x00"),)))
def test_junk_with_a_warc_version_line_fails_alone(spec: Spec) -> None:
    check_faults_fail_alone(spec)


@props(40)
@given(specs(modes=["record"], faults=0), st.integers(5, 10**6))
def test_an_overstated_last_member_is_truncated_as_documented(spec: Spec, wrong: int) -> None:
    # A sound last member whose record claims more than it holds is what an archive cut short,
    # then gzipped, looks like: TruncatedRecord (docs/archives.md); any other member's is corrupt.
    spec = Spec("record", spec.records, misstate=(len(spec.records) - 1, wrong))
    items, _ = read(write(spec).data)
    assert outcome(items[-1]) == "broken:TruncatedRecord", items[-1]


# -- 2. planning frames as reading does -----------------------------------------------------------

def check_spans_frame_as_items(data: bytes) -> None:
    items, reader = read(data)
    planner = WarcReader()
    spans = list(planner.spans(Trickle(data)))
    note(f"items: {[(outcome(i), record_of(i).id, record_of(i).offset, record_of(i).length) for i in items]}")
    note(f"spans: {spans}")
    assert [(s.offset, s.length, s.record_id or f"offset:{s.offset}") for s in spans] == \
        [(record_of(i).offset, record_of(i).length, record_of(i).id) for i in items]
    for span, item in zip(spans, items, strict=True):
        assert (span.warc_type == "broken") == (isinstance(item, Broken) and not http_broken(item)), (span, item)
        if isinstance(item, Page):
            assert span.warc_type in ("response", "resource")
        elif isinstance(item, Skipped) and item.skip.value in ("warcinfo", "request", "metadata", "revisit", "conversion"):
            assert span.warc_type == item.skip.value
    assert planner.framing == reader.framing


@props(600)
@given(specs())
def test_spans_frame_the_archive_as_items_do(spec: Spec) -> None:
    check_spans_frame_as_items(write(spec).data)


# -- 3. ranges read the whole ---------------------------------------------------------------------

def check_ranges_read_the_whole(data: bytes, max_captures: int) -> None:
    """Cut into ranges from its spans, each range read from its start (an archive gzipped whole:
    from the archive's start, passing over the records before it) gives the whole's items."""
    whole, reader = read(data)
    ranges = list(cut_ranges(WarcReader().spans(Trickle(data)), start=0, max_captures=max_captures))
    note(f"ranges: {[(r.start, r.end, r.records) for r in ranges]}")
    assert ranges[0].start == 0 and ranges[-1].end is None
    assert [r.end for r in ranges[:-1]] == [r.start for r in ranges[1:]]
    pieces: list[object] = []
    for piece in ranges:
        if reader.framing.splittable:
            items, _ = read(data[piece.start :], start=piece.start, end=piece.end)
        else:
            items, _ = read(data, skip_before=piece.start, end=piece.end)
        assert len(items) == piece.records, piece
        pieces += items
    assert [key(i) for i in pieces] == [key(i) for i in whole]


@props(500)
@given(specs(max_records=9), st.integers(1, 6))
def test_ranges_cut_from_the_spans_read_the_whole(spec: Spec, max_captures: int) -> None:
    check_ranges_read_the_whole(write(spec).data, max_captures)


# Found by this test: an archive gzipped whole, cut inside its second record's headers, then a
# stray byte after its member (that byte's failure must be placed after the cut record, and in
# the range that holds it).
CUT_WHOLE_AND_A_STRAY_BYTE = (
    b'\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xffm\x8f\xc1\n\xc20\x0c\x86\xef\x83\xbeC_\xa0.\x1dcH\x11A\xb6\x8b\xe0i\x0c\x06\xdeJ\xdb\xcd\xc2h\xc7\x9a*\xbe\xbd\x9d'
    b'\x0e\x041\x87\x10\xc2\xf7\xff\xf9\xd3\x9f\xda:\xe7;N\xb2>M\xac{\xceF\xd0\x87\\\x94u\x83\xdf\x96\xadQ~\xd1\xec\xdc\x08z\x88\x8b\x131Z-`+\xf6'
    b'\xa7\x01\x14ZUJ\x1e7\x83Fbr-\xa0\xa8\x18\xe7\x0c\x8a\x0e\xf6I/\x80_IV{\x87\xc6\xe1vY\xce\xf3d\x95D\xeb]\xbe\xa6`\x835\x93\x0e_'
    b'\xecb\xdc\x887A\xcb\x92d$\x0b~\xc0\x84%\xe1,G\x13\xec\x80\x0cM\xc0\xc4\xbfu\x0c\x04\xbd\xcb)\x1a\n+\xfdI\xf3\xfb\xed\x0b\x080\xdd\xaa\x02\x01\x00'
    b'\x00\x1f'
)


@props(500)
@given(mutated_archives(modes=[None, "whole"]), st.integers(1, 4))
@example(CUT_WHOLE_AND_A_STRAY_BYTE, 1)
def test_ranges_of_damaged_archives_read_the_whole(data: bytes, max_captures: int) -> None:
    check_ranges_read_the_whole(data, max_captures)


@props(40)
@given(specs(modes=["whole"], faults=0, min_records=3), padding_bytes, st.integers(1, 3))
def test_an_archive_gzipped_whole_after_padding_is_read_as_one(spec: Spec, lead: bytes, max_captures: int) -> None:
    data = lead + write(spec).data
    items, reader = read(data)
    assert reader.framing.splittable is False
    offsets = [record_of(i).offset for i in items]
    assert offsets == sorted(set(offsets)) and len(items) == len(spec.records)
    check_ranges_read_the_whole(data, max_captures)


@props(300)
@given(mutated_archives(modes=["record"]), st.integers(1, 4))
@example(bad_crc_member(across_read=977), 1)
def test_ranges_of_damaged_gzip_per_record_archives_read_the_whole(data: bytes, max_captures: int) -> None:
    check_ranges_read_the_whole(data, max_captures)


# -- 4. a stream's chunking changes nothing -------------------------------------------------------

@props(200)
@given(specs(max_records=5), st.integers(1, 977))
def test_a_stream_read_in_tiny_steps_gives_the_same_items(spec: Spec, step: int) -> None:
    data = write(spec).data
    reader = WarcReader()
    whole = list(reader.items(io.BytesIO(data), SOURCE))
    trickled, trickler = read(data, step=step)
    assert [key(i) for i in trickled] == [key(i) for i in whole]
    assert trickler.framing == reader.framing
    assert list(WarcReader().spans(Trickle(data, step))) == list(WarcReader().spans(io.BytesIO(data)))


# -- 5. nothing raises, nothing hangs -------------------------------------------------------------

SECONDS_PER_EXAMPLE = 10.0  # what a few KB take is milliseconds: this bounds a hang, not speed


def read_any(data: bytes) -> tuple[list[object], list[object]]:
    began = time.monotonic()
    items, reader = read(data)
    spans = list(WarcReader().spans(Trickle(data)))
    assert time.monotonic() - began < SECONDS_PER_EXAMPLE
    assert reader.framing.records == len(items)
    for item in items:
        record = record_of(item)
        assert record.id and record.offset is not None and record.offset >= 0
    return items, spans


PREFIXES = [b"", b"WARC/1.0\r\n", b"WARC/1.1\r\nContent-Length: ", b"\x1f\x8b\x08", b"\r\n\r\nWARC/1.0\n", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"]


@props(1500)
@given(st.sampled_from(PREFIXES), st.binary(max_size=3000))
def test_any_bytes_read_to_the_end_without_raising(prefix: bytes, data: bytes) -> None:
    read_any(prefix + data)


@props(1000)
@given(mutated_archives())
def test_mutated_archives_read_to_the_end_without_raising(data: bytes) -> None:
    read_any(data)


@props(600)
@given(mutated_archives())
def test_spans_frame_mutated_archives_as_items_do(data: bytes) -> None:
    check_spans_frame_as_items(data)


@props(300)
@given(mutated_archives(modes=[None]), st.integers(1, 977))
def test_mutated_plain_archives_read_in_tiny_steps_give_the_same_items(data: bytes, step: int) -> None:
    whole = list(WarcReader().items(io.BytesIO(data), SOURCE))
    assert [key(i) for i in read(data, step=step)[0]] == [key(i) for i in whole]


@props(60)
@given(mutated_archives(modes=["record", "whole"]), st.integers(1, 977))
@example(bad_crc_member(), 1)
def test_mutated_gzip_archives_read_in_tiny_steps_give_the_same_items(data: bytes, step: int) -> None:
    whole = list(WarcReader().items(io.BytesIO(data), SOURCE))
    assert [key(i) for i in read(data, step=step)[0]] == [key(i) for i in whole]


# -- damaged first bytes, past the resync's history -----------------------------------------------

@pytest.mark.parametrize("where", ["archive", "range"])
def test_junk_first_in_a_big_plain_stream_loses_no_record(where: str) -> None:
    writer = ArchiveWriter(gzip_mode=None)
    for n in range(3):
        writer.add("resource", b"small", expect="skip:not-html", url=f"https://a.example/small/{n}", content_type="text/plain")
    start = writer.entries[-1].offset + writer.entries[-1].length if where == "range" else 0
    if where == "archive":
        writer = ArchiveWriter(gzip_mode=None)
    writer.raw(b"junk, no record\n")
    for n in range(36):  # 36 MB, past RESYNC_HISTORY_BYTES
        writer.add("resource", b"x" * 1_000_000, expect="skip:not-html", url=f"https://a.example/{n}", content_type="text/plain")
    data = writer.archive().data
    end = writer.entries[-34].offset if where == "range" else None  # the junk and two records
    items = list(WarcReader().items(io.BytesIO(data[start:]), SOURCE, start=start, end=end))
    expected = [e for e in writer.entries if e.offset > start and (end is None or e.offset < end)]
    assert [outcome(i) for i in items] == ["broken:CorruptRecord"] + [e.expect for e in expected]
    assert [record_of(i).offset for i in items[1:]] == [e.offset for e in expected]
