"""The WARC reader (pagesift.archives.warc) on archives the tests write: every record becomes what
it is (a page, a record skipped by type, a broken record that fails alone), at its exact offset
and length, whole or read range by range, plain, gzip per record or gzipped whole."""

from __future__ import annotations

import gzip
import io
import re
from collections import Counter

import pytest

from pagesift.contracts.document import Source, document_id
from pagesift.contracts.errors import ErrorKind
from pagesift.extraction.steps import Page, extract
from pagesift.extraction.limits import Limits
from pagesift.archives.warc import Broken, WarcReader, named_like_archive, sniff
from tests.support.warcs import ArchiveWriter, Trickle, http_response, outcome, realistic_archive, record_of, repository_pages

MODES = ["record", None, "whole"]
ARCHIVE = Source(bucket="archives", key="crawl/2026/part 1+2.warc.gz", version_id="v1", etag="e1")


ARTICLE_PAGES = [html for _url, html in repository_pages()]


def pages(n: int = 12) -> list[tuple[str, bytes]]:
    """``n`` pages with urls of their own (the repository's pages, cycled)."""
    return [(f"https://news.example/{i}/story", ARTICLE_PAGES[i % len(ARTICLE_PAGES)]) for i in range(n)]


def read(data: bytes, **options: object) -> tuple[list[object], WarcReader]:
    reader = WarcReader()
    return list(reader.items(Trickle(data), ARCHIVE, **options)), reader  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
def test_every_record_is_what_it_was_written_as(mode: str | None) -> None:
    archive = realistic_archive(pages(), gzip_mode=mode)
    items, reader = read(archive.data)
    written = {entry.record_id: entry for entry in archive.entries}
    found = {record_of(item).id: item for item in items}
    for record_id, entry in written.items():
        # A corrupt member's headers cannot be read
        # (or a truncated one's, when the cut is inside them): its record is named by its offset.
        item = found.get(record_id) or found[f"offset:{entry.offset}"]
        assert outcome(item) == entry.expect, (entry, item)
        # (an archive gzipped whole has the offsets and lengths of its decompressed records)
        assert (record_of(item).offset, record_of(item).length) == (entry.offset, entry.length)
    named = set(written) | {f"offset:{e.offset}" for e in archive.entries}
    extra = [outcome(item) for item in items if record_of(item).id not in named]
    # Garbage between the records of a plain archive is a corrupt record of its own.
    assert extra == (["broken:CorruptRecord"] if mode is None else [])
    assert reader.framing.splittable is (mode != "whole")
    assert reader.framing.records == len(items)


@pytest.mark.parametrize("mode", MODES)
def test_pages_carry_their_record_url_and_http_headers_and_extract(mode: str | None) -> None:
    archive = realistic_archive(pages(9), gzip_mode=mode, faults=False)
    items, _ = read(archive.data)
    found = [item for item in items if isinstance(item, Page)]
    assert len(found) == len(archive.pages) == 10  # nine responses and a resource
    for page, entry in zip(found, archive.pages, strict=True):
        assert page.url == entry.url
        assert page.source.bucket == ARCHIVE.bucket and page.source.key == ARCHIVE.key and page.source.version_id == "v1"
        assert page.source.record is not None and page.source.record.id == entry.record_id
        assert page.source.record.date and page.source.record.date.startswith("2026-11-02T")
        document = extract(page)  # gzip, deflate, br and chunked bodies alike
        assert document.id == document_id(ARCHIVE.bucket, ARCHIVE.key, record=entry.record_id)
        assert document.url == entry.url
        assert document.stats.words > 50
        assert document.source.record == page.source.record
        assert document.source.to_dict()["record"]["id"] == entry.record_id


@pytest.mark.parametrize("mode", ["record", None])
def test_ranges_from_any_record_read_exactly_their_records(mode: str | None) -> None:
    archive = realistic_archive(pages(), gzip_mode=mode)
    whole, _ = read(archive.data)
    starts = [record_of(item).offset for item in whole]
    cuts = [0, *starts[3:-1:7], len(archive.data)]
    pieces: list[object] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        items, reader = read(archive.data[start:], start=start, end=end)
        assert all(start <= record_of(item).offset < end for item in items)
        assert reader.framing.next_offset == (end if end < len(archive.data) else None)
        pieces += items
    assert [(outcome(i), record_of(i)) for i in pieces] == [(outcome(i), record_of(i)) for i in whole]


def test_an_archive_gzipped_whole_is_entered_by_skipping_to_a_record() -> None:
    archive = realistic_archive(pages(), gzip_mode="whole", faults=False)
    whole, _ = read(archive.data)
    middle = record_of(whole[20]).offset
    rest, _ = read(archive.data, skip_before=middle)
    assert [record_of(i) for i in rest] == [record_of(i) for i in whole[20:]]


def test_archives_are_recognised_by_content_whatever_their_name() -> None:
    for mode, kind in (("record", "warc.gz"), (None, "warc"), ("whole", "warc.gz")):
        assert sniff(realistic_archive(pages(2), gzip_mode=mode).data[:512]) == kind
    assert sniff(b"<html><body>a page</body></html>") is None
    assert sniff(gzip.compress(b"<html><body>a gzip page</body></html>")) is None
    assert sniff(b"\x1f\x8b\x08 not really gzip") is None
    assert sniff(b"") is None
    assert named_like_archive("a/b/CC-MAIN-2026-00001.warc.GZ") and not named_like_archive("page.html.gz")


def test_a_corrupt_member_fails_alone_and_reading_goes_on() -> None:
    writer = ArchiveWriter()
    before = writer.exchange("https://a.example/1", ARTICLE_PAGES[0])
    writer.exchange("https://a.example/2", ARTICLE_PAGES[1], expect="broken:CorruptRecord", corrupt=True)
    after = writer.exchange("https://a.example/3", ARTICLE_PAGES[2])
    items, _ = read(writer.archive().data)
    assert [outcome(i) for i in items] == ["skip:request", "page", "skip:request", "broken:CorruptRecord", "skip:request", "page"]
    assert record_of(items[1]).id == before.record_id and record_of(items[5]).id == after.record_id
    assert record_of(items[3]).offset == writer.entries[3].offset


def test_garbage_is_one_corrupt_record_and_an_empty_archive_has_none() -> None:
    assert read(b"")[0] == []
    items, _ = read(b"\x00\xff" * 5000)
    assert [outcome(i) for i in items] == ["broken:CorruptRecord"]
    items, _ = read(b"WARC/1.0\r\nWARC-Type: response\r\n" + b"X-Long: " + b"a" * 400_000)
    assert [outcome(i) for i in items] == ["broken:CorruptRecord"]
    items, _ = read(b"WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: ten\r\n\r\n<html></html>")
    assert [outcome(i) for i in items] == ["broken:CorruptRecord"]


def test_a_response_too_large_to_be_a_page_fails_and_a_large_capture_is_skipped_unread() -> None:
    big = b"<html><body><p>" + b"long article " * 20_000 + b"</p></body></html>"
    writer = ArchiveWriter()
    writer.exchange("https://a.example/big", big, expect="broken:InputTooLarge")
    writer.exchange("https://a.example/video.mp4", b"\x00" * 300_000, expect="skip:not-html", content_type="video/mp4")
    writer.exchange("https://a.example/ok", ARTICLE_PAGES[0])
    reader = WarcReader(limits=Limits(max_input_bytes=100_000))
    items = list(reader.items(io.BytesIO(writer.archive().data), ARCHIVE))
    assert [outcome(i) for i in items] == ["skip:request", "broken:InputTooLarge", "skip:request", "skip:not-html", "skip:request", "page"]
    assert items[1].error.kind is ErrorKind.INPUT_TOO_LARGE  # type: ignore[union-attr]


def test_an_oversized_chunked_response_is_judged_by_its_headers_not_called_corrupt() -> None:
    # Its block is kept only up to its head: the cut chunked body must not be de-chunked.
    big = b"<html><body><p>" + b"long article " * 20_000 + b"</p></body></html>"
    writer = ArchiveWriter()
    writer.exchange("https://a.example/big", big, expect="broken:InputTooLarge", chunked=True)
    writer.exchange("https://a.example/big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 300_000, expect="skip:not-html",
                    content_type="image/png", chunked=True)
    writer.exchange("https://a.example/ok", ARTICLE_PAGES[0], chunked=True)
    items = list(WarcReader(limits=Limits(max_input_bytes=100_000)).items(io.BytesIO(writer.archive().data), ARCHIVE))
    assert [outcome(i) for i in items] == ["skip:request", "broken:InputTooLarge", "skip:request", "skip:not-html", "skip:request", "page"]


def test_headers_the_way_crawlers_write_them() -> None:
    writer = ArchiveWriter(gzip_mode=None)
    # Capitalised chunked, a charset only in the page, no Content-Type, WARC/1.0 angle-bracketed URI.
    writer.add("response", http_response(ARTICLE_PAGES[3], content_type=None, chunked=True).replace(b"chunked", b"Chunked"),
               expect="page", url="<https://b.example/x>", content_type="application/http;msgtype=response")
    writer.raw(b"\r\n\r\n\r\n")  # extra blank lines between records
    writer.add("resource", b"plain notes", expect="skip:not-html", url="file:///notes.txt", content_type="text/plain")
    writer.add("response", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n", expect="page", url="https://b.example/empty",
               content_type="application/http; msgtype=response")
    writer.add("response", b"no status line at all", expect="broken:CorruptRecord", url="https://b.example/odd",
               content_type="application/http; msgtype=response")
    writer.add("unknown-type", b"?", expect="skip:other-type")
    items, _ = read(writer.archive().data)
    assert [outcome(i) for i in items] == [e.expect for e in writer.entries]
    assert items[0].url == "https://b.example/x"  # type: ignore[union-attr]
    assert extract(items[0]).stats.words > 50  # type: ignore[arg-type]
    with pytest.raises(Exception, match="empty"):
        extract(items[2])  # type: ignore[arg-type]  # an empty page is a page that fails, as a single object would


def test_http_as_some_writers_store_it_is_read_as_browsers_and_warcio_read_it() -> None:
    page = ARTICLE_PAGES[1]
    writer = ArchiveWriter()
    # A head whose lines end with LF alone (hand-made archives, a few servers).
    writer.add("response", b"HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Encoding: gzip\n\n" + gzip.compress(page),
               expect="page", url="https://c.example/lf", content_type="application/http; msgtype=response")
    # Transfer-Encoding: chunked kept over a body stored de-chunked.
    writer.add("response", http_response(page, extra=[("Transfer-Encoding", "chunked")]), expect="page",
               url="https://c.example/dechunked", content_type="application/http; msgtype=response")
    # Chunk extensions (HTTP allows them; FastWARC does not read them).
    extended = http_response(page, chunked=True)
    extended = re.sub(rb"\r\n([0-9a-f]+)\r\n", rb"\r\n\1;name=value\r\n", extended)
    assert b";name=value\r\n" in extended
    writer.add("response", extended, expect="page", url="https://c.example/extensions", content_type="application/http; msgtype=response")
    # A chunked body cut after its first chunk is still a broken capture, not a page.
    cut = http_response(page, chunked=True)
    writer.add("response", cut[: cut.index(b"\r\n\r\n") + 2000], expect="broken:CorruptRecord", url="https://c.example/cut",
               content_type="application/http; msgtype=response")
    # 204 and 205 carry no page by definition.
    writer.add("response", b"HTTP/1.1 204 No Content\r\nContent-Type: text/html\r\n\r\n", expect="skip:not-ok",
               url="https://c.example/none", content_type="application/http; msgtype=response")
    items, _ = read(writer.archive().data)
    assert [outcome(i) for i in items] == [e.expect for e in writer.entries]
    for item in items[:3]:
        assert item.content_type == "text/html; charset=utf-8"  # type: ignore[union-attr]
        assert extract(item).text.startswith(extract(Page(data=page, source=ARCHIVE)).text[:200])  # type: ignore[arg-type]


def test_counts_of_a_realistic_archive() -> None:
    archive = realistic_archive(pages(40))
    items, _ = read(archive.data)
    counts = Counter(outcome(i) for i in items)
    assert counts == Counter(entry.expect for entry in archive.entries)
    assert counts["page"] == 41 and counts["skip:request"] == 45


def test_br_and_deflate_bodies_are_decoded_within_the_size_limit() -> None:
    import zlib

    import brotli

    from pagesift.extraction.decoding import decode_page
    from pagesift.contracts.errors import ExtractionError

    html = ARTICLE_PAGES[0]
    for encoding, data in (("br", brotli.compress(html)), ("deflate", zlib.compress(html)), ("deflate", zlib.compress(html)[2:-4])):
        assert decode_page(data, content_type="text/html; charset=utf-8", content_encoding=encoding, max_bytes=10**7).html
    # Labelled so but already decoded (the client that stored it had undone it): kept as it is.
    assert decode_page(html, content_encoding="br", max_bytes=10**7).html
    bomb = brotli.compress(b"<p>" + b"a" * 50_000_000)
    with pytest.raises(ExtractionError, match="expands past"):
        decode_page(bomb, content_encoding="br", max_bytes=1_000_000)
    with pytest.raises(ExtractionError, match="expands past"):
        decode_page(zlib.compress(b"<p>" + b"a" * 50_000_000), content_encoding="deflate", max_bytes=1_000_000)
    with pytest.raises(ExtractionError) as refused:
        decode_page(b"\x00\x01 not br at all", content_encoding="br", max_bytes=10**7)
    assert refused.value.kind is ErrorKind.CORRUPT_COMPRESSION


@pytest.mark.parametrize("mode", MODES)
def test_an_archive_is_cut_into_ranges_of_whole_records_that_read_it_all(mode: str | None) -> None:
    from pagesift.archives.ranges import cut_ranges

    archive = realistic_archive(pages(30), gzip_mode=mode)
    whole, _ = read(archive.data)
    ranges = list(cut_ranges(WarcReader().spans(Trickle(archive.data)), start=0, max_captures=7))
    assert len(ranges) == 6 and ranges[-1].end is None and ranges[0].start == 0
    assert all(0 < len(r.captures) <= 7 for r in ranges) and sum(r.records for r in ranges) == len(whole)
    assert [r.end for r in ranges[:-1]] == [r.start for r in ranges[1:]]
    # The captures are named as their pages' records are (an unreadable one by its offset).
    captures = [record_of(i).id for i in whole if outcome(i) == "page" or outcome(i).startswith("broken")
                or outcome(i) in ("skip:not-html", "skip:not-ok")]
    assert [name for r in ranges for name in r.captures] == captures
    pieces: list[object] = []
    for piece in ranges:
        if mode == "whole":  # read from the start, passing over the records before the range
            items, _ = read(archive.data, skip_before=piece.start, end=piece.end)
        else:
            items, _ = read(archive.data[piece.start :], start=piece.start, end=piece.end)
        assert len(items) == piece.records
        pieces += items
    assert [(outcome(i), record_of(i)) for i in pieces] == [(outcome(i), record_of(i)) for i in whole]


def test_records_that_are_no_pages_join_a_range_with_captures_and_a_big_one_closes_its_range() -> None:
    from pagesift.archives.ranges import cut_ranges
    from pagesift.archives.warc import Span

    spans = [Span(0, 10, "warcinfo"), Span(10, 50, "request"), Span(60, 500, "response", "a"), Span(560, 10, "metadata"),
             Span(570, 900, "broken"), Span(1470, 20, "request"), Span(1490, 30, "resource", "c")]
    ranges = list(cut_ranges(spans, start=0, max_captures=5, max_bytes=400))
    assert [(r.start, r.end, r.records, r.captures) for r in ranges] == [
        (0, 560, 3, ["a"]), (560, 1470, 2, ["offset:570"]), (1470, None, 2, ["c"])]
    assert [(r.start, r.end, r.records, r.captures) for r in cut_ranges([], start=0)] == [(0, None, 0, [])]
    # A writer that gives every record one id: the ranges' tasks list at most RANGE_DUPLICATES.
    same = [Span(n * 10, 10, "response", "<urn:uuid:same>") for n in range(2_500)]
    assert [(len(r.captures), len(r.duplicates)) for r in cut_ranges(same, start=0, max_captures=100_000)] == [(1, 1000), (0, 1000), (0, 499)]


@pytest.mark.parametrize("mode", MODES)
def test_reading_from_the_start_and_cutting_ranges_find_the_same_reused_record_ids(mode: str | None) -> None:
    from pagesift.archives.ranges import cut_ranges
    from pagesift.archives.records import unique_pages
    from tests.support.warcs import archive_with_reused_ids

    written, firsts, again = archive_with_reused_ids(pages(5), gzip_mode=mode)
    items = list(unique_pages(WarcReader().items(Trickle(written.data), ARCHIVE)))
    expected = {e.record_id: e.expect for e in firsts}
    assert [outcome(i) for i in items if record_of(i).offset in {e.offset for e in again}] == ["broken:DuplicateRecord"] * 6
    assert [record_of(i).offset for i in items if isinstance(i, Page)] == [e.offset for e in firsts if expected[e.record_id] == "page"]
    ranges = list(cut_ranges(WarcReader().spans(Trickle(written.data)), start=0, max_captures=4))
    first_at = {e.record_id: e.offset for e in firsts}
    assert {o: f for r in ranges for o, f in r.duplicates.items()} == {e.offset: first_at[e.record_id] for e in again}
    assert sorted(name for r in ranges for name in r.captures) == sorted(first_at)  # the manifests name each id once


def lying_archive(mode: str | None, misstate: int) -> tuple[ArchiveWriter, object]:
    """Four exchanges; the second response's Content-Length is off by ``misstate`` bytes."""
    writer = ArchiveWriter(gzip_mode=mode)
    writer.warcinfo()
    writer.exchange("https://a.example/1", ARTICLE_PAGES[0])
    liar = writer.exchange("https://a.example/2", ARTICLE_PAGES[1], expect="broken:CorruptRecord", misstate=misstate)
    writer.exchange("https://a.example/3", ARTICLE_PAGES[2], chunked=True)
    writer.exchange("https://a.example/4", ARTICLE_PAGES[3])
    return writer, liar


# Too long by a few hundred bytes (into the next record), by far more than the archive has, or
# too short by a little or a lot: a writer's wrong length, whatever the gzip mode.
@pytest.mark.parametrize("misstate", [300, 10**9, -5, -200])
@pytest.mark.parametrize("mode", MODES)
def test_a_record_whose_content_length_is_wrong_fails_alone_with_its_id(mode: str | None, misstate: int) -> None:
    writer, liar = lying_archive(mode, misstate)
    data = writer.archive().data
    items, reader = read(data)
    assert [outcome(i) for i in items] == [e.expect for e in writer.entries]
    assert [record_of(i).id for i in items] == [e.record_id for e in writer.entries]
    broken = items[4]
    assert isinstance(broken, Broken) and broken.record.id == liar.record_id  # type: ignore[attr-defined]
    assert "Content-Length" in str(broken.error) or "claims" in str(broken.error)
    if mode != "whole":  # stored offsets: each record exactly where it was written
        assert [(record_of(i).offset, record_of(i).length) for i in items] == [(e.offset, e.length) for e in writer.entries]
    # Planning (which keeps no block) frames the archive exactly as reading does...
    planner = WarcReader()
    spans = list(planner.spans(Trickle(data)))
    assert [(s.offset, s.length, s.record_id) for s in spans] == [(record_of(i).offset, record_of(i).length, record_of(i).id) for i in items]
    assert spans[4].warc_type == "broken"
    # ...and reading from any record on finds the same records after it.
    if mode != "whole":
        for item in items[3:7]:
            start = record_of(item).offset
            rest, _ = read(data[start:], start=start)
            assert [(outcome(i), record_of(i)) for i in rest] == [(outcome(i), record_of(i)) for i in items if record_of(i).offset >= start]


@pytest.mark.parametrize("junk", [b"junk without a newline", b"\xff\x00binary\r\njunk\nWARC/1.0 in a sentence ", b"a line of junk\r\n"])
def test_junk_between_plain_records_is_one_corrupt_record_and_hides_nothing(junk: bytes) -> None:
    writer = ArchiveWriter(gzip_mode=None)
    writer.exchange("https://a.example/1", ARTICLE_PAGES[0])
    writer.raw(junk)  # no blank line after it: the next record's version line follows at once
    writer.exchange("https://a.example/2", ARTICLE_PAGES[1])
    items, _ = read(writer.archive().data)
    assert [outcome(i) for i in items] == ["skip:request", "page", "broken:CorruptRecord", "skip:request", "page"]
    assert [record_of(i).id for i in items if not isinstance(i, Broken)] == [e.record_id for e in writer.entries]
    assert (record_of(items[2]).offset, record_of(items[2]).length) == (writer.entries[1].offset + writer.entries[1].length, len(junk))


@pytest.mark.parametrize("mode", MODES)
def test_a_record_that_holds_an_archive_is_one_record(mode: str | None) -> None:
    # A resource whose bytes are WARC records (a tool's test file, a page about the format):
    # its right Content-Length frames it, whatever it holds.
    inner = ArchiveWriter(gzip_mode=None)
    inner.exchange("https://inner.example/", ARTICLE_PAGES[4])
    writer = ArchiveWriter(gzip_mode=mode)
    writer.exchange("https://a.example/1", ARTICLE_PAGES[0])
    writer.add("resource", inner.archive().data, expect="skip:not-html", url="https://a.example/sample.warc",
               content_type="application/warc")
    writer.exchange("https://a.example/2", ARTICLE_PAGES[1])
    items, _ = read(writer.archive().data)
    assert [outcome(i) for i in items] == [e.expect for e in writer.entries]
    assert [record_of(i).id for i in items] == [e.record_id for e in writer.entries]


def test_a_whole_gzipped_archive_loses_nothing_after_a_broken_record() -> None:
    # One gzip member for everything: a bad header in the middle is one record, not the rest.
    writer = ArchiveWriter(gzip_mode="whole")
    writer.exchange("https://a.example/1", ARTICLE_PAGES[0])
    writer.raw(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: many\r\n\r\n<html>lost</html>\r\n\r\n")
    writer.exchange("https://a.example/2", ARTICLE_PAGES[1])
    items, reader = read(writer.archive().data)
    assert [outcome(i) for i in items] == ["skip:request", "page", "broken:CorruptRecord", "skip:request", "page"]
    assert reader.framing.splittable is False
