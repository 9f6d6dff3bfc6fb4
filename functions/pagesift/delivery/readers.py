"""How an input object becomes the pages in it: the seam between storage and extraction.

An object is one page today (HTML, plain or gzip): ``WholeObjectReader`` yields it as one page
with no record identity, and its document keeps the object's id and key. A reader of a
many-page object (a web archive) yields a page per record, each with its ``Record`` (id,
offset, length, date, digest), which gives it its own document id and key
(``document_key(object key, prefix, record id)``); the pipeline does the same with each.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from pagesift.contracts.document import Source
from pagesift.extraction.steps import Page
from pagesift.contracts.ports import StoredObject


class ObjectReader(Protocol):
    def pages(self, stored: StoredObject, source: Source) -> Iterator[Page]:
        """The pages of ``stored`` (already read within the size limit), each with its source:
        ``source`` itself for a page that is the whole object, else with its record set."""
        ...


class WholeObjectReader:
    """An object that is one page (HTML, plain or gzip)."""

    def pages(self, stored: StoredObject, source: Source) -> Iterator[Page]:
        assert stored.data is not None  # the pipeline fails over-limit objects before reading pages
        yield Page(
            data=stored.data,
            source=source,
            url=stored.url,
            content_type=stored.content_type,
            content_encoding=stored.content_encoding,
            content_language=stored.content_language,
        )
