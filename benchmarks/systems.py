"""The extractors measured side by side: each one a function page bytes (+ URL) → plain text.

``pagesift`` and ``pagesift-fast`` are the product's two profiles; the others are the libraries
as their users call them: plain trafilatura (``bare_extraction(with_metadata=True)``), its
``fast`` mode, readability-lxml, jusText and, when installed, resiliparse. Every other system
gets the HTML decoded the way the pipeline decodes it, so a page's charset is never what one
system is judged on; trafilatura gets the bytes, as a user would give them.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

import lxml.html  # noqa: E402
import trafilatura  # noqa: E402

from pagesift.extraction.decoding import decode_page  # noqa: E402
from pagesift.contracts.errors import ExtractionError  # noqa: E402
from pagesift.extraction.steps import Page, extract  # noqa: E402
from pagesift.extraction.limits import DEFAULT_LIMITS  # noqa: E402

System = Callable[[bytes, "str | None"], str]

_BLOCKS = ("p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "ul", "ol", "dd", "dt")


def _html(raw: bytes) -> str:
    try:
        return decode_page(raw, max_bytes=DEFAULT_LIMITS.max_input_bytes).html
    except ExtractionError:  # empty or binary: nothing for any system
        return ""


def pagesift(profile: str) -> System:
    # A checkout from before the profiles (the "before" of a before/after run) takes none.
    options = {"profile": profile} if "profile" in inspect.signature(extract).parameters else {}

    def run(raw: bytes, url: str | None) -> str:
        try:
            return extract(Page(raw, url=url), **options).text
        except ExtractionError:
            return ""

    return run


def plain_trafilatura(raw: bytes, url: str | None) -> str:
    result = trafilatura.bare_extraction(raw, url=url, with_metadata=True)
    return result.text if result is not None and result.text else ""


def trafilatura_fast(raw: bytes, url: str | None) -> str:
    result = trafilatura.bare_extraction(raw, url=url, with_metadata=True, fast=True)
    return result.text if result is not None and result.text else ""


def readability_lxml(raw: bytes, url: str | None) -> str:
    from readability import Document

    html = _html(raw)
    if not html.strip():
        return ""
    try:
        summary = Document(html, url=url).summary(html_partial=True)
    except Exception:  # noqa: BLE001 - readability raises on empty or odd documents
        return ""
    return block_text(summary)


def justext_english(raw: bytes, url: str | None) -> str:
    """jusText as the Web Content Extraction Benchmark runs it: the English stop list."""
    import justext

    html = _html(raw)
    if not html.strip():
        return ""
    try:
        paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist("English"), encoding="utf-8")
    except Exception:  # noqa: BLE001
        return ""
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def resiliparse_main(raw: bytes, url: str | None) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return extract_plain_text(HTMLTree.parse(_html(raw)), main_content=True, alt_texts=False, links=False, comments=False)


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
        "pagesift": pagesift("accurate"),
        "pagesift-fast": pagesift("fast"),
        "trafilatura": plain_trafilatura,
        "trafilatura-fast": trafilatura_fast,
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
