"""Property-based: any bytes given to the extraction core give a Document or an ExtractionError."""

from __future__ import annotations

import gzip

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pagesift.contracts.document import Source
from pagesift.contracts.errors import ExtractionError
from pagesift.extraction.steps import Page, extract
from pagesift.extraction.limits import Limits
from tests.support.pages import article_bytes

SEEDS = [article_bytes(), article_bytes("windows-1252", charset="windows-1252"), gzip.compress(article_bytes())]
FRAGMENTS = [b"<div>", b"</p>", b"<p>", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b'<meta charset="utf-16">', b"<!--", b"<![CDATA[",
             b"<script>", b"\x1f\x8b", b"&#0;", b"&#x110000;", b"<html lang='\xff'>", b"<svg><br><l>", b"\r\n"]


def outcome(data: bytes, **hints: str) -> str:
    try:
        document = extract(Page(data, source=Source(bucket="b", key="k"), **hints), limits=Limits(max_input_bytes=2_000_000), time_budget_seconds=5)
    except ExtractionError as error:
        assert error.kind and error.stage in {"read", "decode", "extract"} and error.message
        return error.kind
    assert document.text and document.stats.words >= 1
    document.to_dict()
    return "document"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_any_bytes(data: bytes) -> None:
    outcome(data)


@st.composite
def mutated_pages(draw: st.DrawFn) -> bytes:
    page = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 12))):
        position = draw(st.integers(0, len(page)))
        choice = draw(st.integers(0, 3))
        if choice == 0 and page:
            page[min(position, len(page) - 1)] = draw(st.integers(0, 255))
        elif choice == 1:
            page[position:position] = draw(st.sampled_from(FRAGMENTS))
        elif choice == 2:
            del page[position : position + draw(st.integers(1, 300))]
        else:
            page[position:position] = draw(st.binary(max_size=64))
    return bytes(page)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_pages(), st.sampled_from([None, "text/html", "text/html; charset=utf-8", "text/html; charset=utf-16", "text/html; charset=base64"]),
       st.sampled_from([None, "gzip", "br", "identity"]))
def test_mutated_pages_with_any_storage_hints(data: bytes, content_type: str | None, content_encoding: str | None) -> None:
    outcome(data, content_type=content_type, content_encoding=content_encoding)
