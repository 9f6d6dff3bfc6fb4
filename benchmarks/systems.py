"""The extractors measured side by side: each one a function page bytes (+ URL) → ``Output``
(plain text; markdown, title, author and date from the systems that give them).

``pagesift`` is the product (text, the document's markdown and metadata); the others are the
libraries as their users call them: plain trafilatura (``bare_extraction(with_metadata=True)``:
text and metadata), its ``fast`` mode, its ``favor_recall`` mode, readability-lxml, jusText and,
when installed, resiliparse.
Trafilatura's own markdown (``extract(output_format="markdown")``) is a second call,
``trafilatura_markdown``, made only where markdown is measured and outside the timings. Every other system
gets the HTML decoded the way the pipeline decodes it, so a page's charset is never what one
system is judged on; trafilatura gets the bytes, as a user would give them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

import lxml.html  # noqa: E402
import trafilatura  # noqa: E402

from pagesift.contracts.errors import ExtractionError  # noqa: E402
from pagesift.extraction.decoding import decode_page  # noqa: E402
from pagesift.extraction.limits import DEFAULT_LIMITS  # noqa: E402
from pagesift.extraction.steps import Page, extract  # noqa: E402


@dataclass(frozen=True, slots=True)
class Output:
    text: str
    markdown: str | None = None  # None: the system gives no markdown
    title: str | None = None
    author: str | None = None
    date: str | None = None


NOTHING = Output("")
System = Callable[[bytes, "str | None"], Output]

_BLOCKS = ("p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "ul", "ol")
_BLOCKS += ("dd", "dt")


def _html(raw: bytes) -> str:
    try:
        return decode_page(raw, max_bytes=DEFAULT_LIMITS.max_input_bytes).html
    except ExtractionError:  # empty or binary: nothing for any system
        return ""


def pagesift(raw: bytes, url: str | None) -> Output:
    try:
        document = extract(Page(raw, url=url))
    except ExtractionError:
        return Output("", markdown="")
    return Output(document.text, document.markdown, document.title, document.author, document.date)


def _trafilatura(**options: bool) -> System:
    def run(raw: bytes, url: str | None) -> Output:
        result = trafilatura.bare_extraction(raw, url=url, with_metadata=True, **options)
        if result is None:
            return NOTHING
        return Output(result.text or "", None, result.title, result.author, result.date)

    return run


plain_trafilatura = _trafilatura()
trafilatura_fast = _trafilatura(fast=True)
trafilatura_recall = _trafilatura(favor_recall=True)


def trafilatura_markdown(raw: bytes, url: str | None) -> str:
    """Trafilatura's own markdown of the page, its default options otherwise."""
    return trafilatura.extract(raw, url=url, output_format="markdown", with_metadata=False) or ""


def readability_lxml(raw: bytes, url: str | None) -> Output:
    from readability import Document

    html = _html(raw)
    if not html.strip():
        return NOTHING
    try:
        summary = Document(html, url=url).summary(html_partial=True)
    except Exception:  # noqa: BLE001 - readability raises on empty or odd documents
        return NOTHING
    return Output(block_text(summary))


def justext_english(raw: bytes, url: str | None) -> Output:
    """jusText as the Web Content Extraction Benchmark runs it: the English stop list."""
    import justext

    html = _html(raw)
    if not html.strip():
        return NOTHING
    try:
        paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist("English"), encoding="utf-8")
    except Exception:  # noqa: BLE001
        return NOTHING
    return Output("\n".join(p.text for p in paragraphs if not p.is_boilerplate))


def resiliparse_main(raw: bytes, url: str | None) -> Output:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(_html(raw))
    return Output(extract_plain_text(tree, main_content=True, alt_texts=False, links=False, comments=False))


def block_text(html: str) -> str:
    """Text of an HTML fragment with a line break after every block, so words never join."""
    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001 - empty or unparseable fragment
        return ""
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return "\n".join(line.strip() for line in tree.text_content().splitlines() if line.strip())


def available() -> dict[str, System]:
    systems: dict[str, System] = {
        "pagesift": pagesift,
        "trafilatura": plain_trafilatura,
        "trafilatura-fast": trafilatura_fast,
        "trafilatura-recall": trafilatura_recall,
        "readability": readability_lxml,
        "justext": justext_english,
    }
    try:
        import resiliparse  # noqa: F401
    except ImportError:
        pass
    else:
        systems["resiliparse"] = resiliparse_main
    return systems
