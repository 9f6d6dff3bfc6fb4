"""The extraction core: one page's bytes (+ what its storage says) → Document. Knows nothing of AWS.

``extract`` runs six named steps, each a function of this module:

1. ``decode``: size limits, gunzip, charset → HTML text (pagesift.extraction.decoding);
2. ``parse``: HTML text → lxml tree (pagesift.extraction.parsing), inside the page's time budget;
3. ``extract_main``: the tree → trafilatura's main content and metadata, and the structured date;
4. ``clean``: the title without the site name, boilerplate that survives trafilatura
   (pagesift.extraction.cleanup); ``second_opinion``: resiliparse's text (a
   shell page ends here), and unless it confirms trafilatura's, the alternatives: readability-
   lxml's body and resiliparse's text as a body (pagesift.extraction.candidates);
5. ``select`` and ``render``: the body to keep (pagesift.extraction.selection) → plain paragraphs and
   markdown, from the same tree, so both views always agree;
6. ``describe``: language (declared, else detected), date (structured, else the byline),
   stats and fingerprints, and the Document itself, with the page's type (read by
   pagesift.extraction.page_types in ``extract_main``, while the tree is whole).
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from typing import Any, TypedDict

import trafilatura
from lxml import etree
from trafilatura.xml import xmltotxt

from pagesift import __version__
from pagesift.contracts.document import Document, ExtractionInfo, Fingerprints, Source, Stats, source_document_id
from pagesift.contracts.errors import ErrorKind, ExtractionError, Stage
from pagesift.extraction.budget import BudgetExceeded, time_budget
from pagesift.extraction.candidates import (
    READABILITY_OPTIONS,
    RESILIPARSE_OPTIONS,
    readability_body,
    referee_text,
    text_body,
)
from pagesift.extraction.cleanup import remove_boilerplate
from pagesift.extraction.decoding import DecodedPage, decode_page
from pagesift.extraction.fingerprints import sha256_hex, simhash
from pagesift.extraction.limits import DEFAULT_LIMITS, Limits
from pagesift.extraction.markdown import SourceHints, render_markdown, restore_code_blocks, source_hints
from pagesift.extraction.metadata.authors import clean_author, opening_post_author
from pagesift.extraction.metadata.dates import byline_date, modified_date, structured_date
from pagesift.extraction.metadata.jsonld import read_json_ld
from pagesift.extraction.metadata.language import page_language
from pagesift.extraction.metadata.products import Product, page_product
from pagesift.extraction.metadata.titles import clean_title
from pagesift.extraction.page_types import default_model as default_page_type_model
from pagesift.extraction.page_types import page_type_probabilities
from pagesift.extraction.parsing import parse_html
from pagesift.extraction.selection import AGREEMENT, READABILITY, RESILIPARSE, confirms, default_selector
from pagesift.extraction.threads import Post, add_post_headers, is_thread, thread_posts
from pagesift.extraction.urls import hostname, public_url

# Words per minute of an adult reading news in a European language (published averages run
# from about 200 to 260); used only for the reading-time estimate.
READING_WORDS_PER_MINUTE = 230


class TrafilaturaOptions(TypedDict):
    with_metadata: bool
    include_comments: bool
    include_tables: bool
    include_images: bool
    fast: bool
    date_extraction_params: dict[str, bool]


# The trafilatura options the document is built with; recorded in every document so that an
# index can tell which documents a change of options touched. Chosen on the tune halves:
# trafilatura's own fallbacks (its readability and jusText comparison, ``fast`` off) rescue
# many pages of the wider web whose main block it would otherwise miss (+0.034 F1 on WCXB's
# tune half, about -0.01 on the news pages, which the selector makes up); ``favor_precision``
# and the formatting and link options are off, as they change which blocks trafilatura keeps
# (each cost F1 on pages nobody tuned on).
TRAFILATURA_OPTIONS: TrafilaturaOptions = {
    "with_metadata": True,
    "include_comments": True,
    "include_tables": True,
    "include_images": False,
    "fast": False,
    # htmldate's fast mode: its result is not used (see pagesift.extraction.metadata.dates), and its extensive
    # search would cost a 5 s dateparser warm-up on the first page of a process.
    "date_extraction_params": {"extensive_search": False, "original_date": True},
}

TRAFILATURA = "trafilatura"

# Fewer words than this is a menu or a stub, not an article: a one-line news brief has more.
MIN_WORDS = 5
# A page where resiliparse finds no main content at all and trafilatura fewer words than this
# is a shell: a few words of chrome around an app its scripts render, an empty shop page. On the
# development pages, 12 such pages, 10 of them with nothing to extract.
SHELL_MAX_WORDS = 50

# A page whose parse took this long (a typical one takes a few milliseconds) is markup that
# parsers find hard, such as one tag with tens of thousands of attributes; resiliparse's parser
# would take longer still, in C, where the time budget cannot interrupt it. Such a page keeps
# trafilatura's body without a second opinion.
SECOND_OPINION_MAX_PARSE_SECONDS = 0.25
# Likewise a tree this deep: resiliparse's time grows with the square of the nesting of block
# elements (20,000 nested <div>s: 8.5 s; with an <i> in each: 26 s), and libxml2 stops
# nesting at 255 levels, so the markup may be far deeper than the tree shows. The deepest of
# the 1,414 development pages is 50 levels deep (99 % are under 34).
SECOND_OPINION_MAX_DEPTH = 128
# libxml2 stops at a text node of 10 MB: a page with more inline script state than that before
# its article lost the article. Script and style contents this long are emptied before parsing:
# nothing reads them (JSON-LD metadata is a few KB), and the tree does not hold them.
SCRIPT_CONTENT_MAX_CHARACTERS = 1_000_000
_AT_MAX_DEPTH = etree.XPath("boolean(/*" + "/*" * SECOND_OPINION_MAX_DEPTH + ")")
# readability-lxml's time grows with the page's elements (a 5 MB product page: a quarter of a
# second), and on the development pages it is the body kept on fewer than 1 % of them. On pages
# of more elements than this (7 % of the development pages) its body is not made: chosen on the
# tune pages, the selector's F1 moves by at most 0.0002 on each corpus.
READABILITY_MAX_ELEMENTS = 2000
_ELEMENTS = etree.XPath("count(//*)")

_WORD = re.compile(r"\w+")
# Markup that the markdown view keeps and the plain text must not show.
_INLINE_MARKUP = ("ref", "hi", "del")


@dataclass(slots=True)
class Page:
    """One page as stored, with what its storage says about it."""

    data: bytes
    source: Source = field(default_factory=Source)
    url: str | None = None  # the page's address as the crawler recorded it
    content_type: str | None = None
    content_encoding: str | None = None
    content_language: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    paragraphs: list[str]
    text: str
    words: int
    markdown: str


@dataclass(slots=True)
class MainContent:
    """What the extract and clean steps found in a page."""

    result: Any  # trafilatura's Document: body tree, comments and metadata
    structured_date: str | None
    url: str | None
    hostname: str | None
    title: str | None = None
    # trafilatura's cleaned body as text (markdown not yet rendered), or why it is no article
    primary: Rendered | None = None
    refusal: ExtractionError | None = None
    # resiliparse's text, and the alternatives' bodies and texts (readability-lxml's,
    # resiliparse's) when the referee did not confirm trafilatura's
    referee: str = ""
    alternatives: dict[str, tuple[etree._Element, Rendered]] = field(default_factory=dict)
    page_type: str | None = None  # pagesift.extraction.page_types, read before anything consumes the tree
    page_type_probabilities: dict[str, float] = field(default_factory=dict)
    date_modified: str | None = None  # what the page declares (pagesift.extraction.metadata)
    product: Product | None = None
    opening_post_author: str | None = None  # a thread's, as it declares it
    headings: tuple[str, ...] = ()  # the page's own <h1>s, for its title
    posts: list[Post] = field(default_factory=list)  # a thread's posts, their authors and dates
    # what the markdown takes from the source tree (code languages, links), read before readability consumes it
    hints: SourceHints = field(default_factory=SourceHints)


_TAG_OPEN = re.compile(r"<[a-zA-Z]")
# A tag long enough to hold 100 attributes (" a" each): only those are counted.
_LONG_TAG = re.compile(r"<[a-zA-Z][^<>]{200,}")
_QUOTED_VALUE = re.compile(r"\"[^\"]*\"|'[^']*'")
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b", re.IGNORECASE)
_CLOSING = {name: re.compile(f"</{name}", re.IGNORECASE) for name in ("script", "style")}


def extract(
    page: Page,
    *,
    limits: Limits = DEFAULT_LIMITS,
    time_budget_seconds: float | None = None,
) -> Document:
    """Build the document of one page, or raise ExtractionError saying why there is none.

    ``time_budget_seconds`` bounds the parse, extract and clean steps (kind ``ExtractionTimeout``).
    """
    started = time.perf_counter()
    decoded = decode(page, limits)
    try:
        with time_budget(time_budget_seconds):
            parse_started = time.perf_counter()
            tree = parse(decoded)
            slow_to_parse = time.perf_counter() - parse_started > SECOND_OPINION_MAX_PARSE_SECONDS
            found = extract_main(tree, page)
            if found is not None:
                found.hints = source_hints(tree, found.url)
                clean(found)
                if not slow_to_parse and not _AT_MAX_DEPTH(tree):
                    second_opinion(found, tree, decoded.html)
    except BudgetExceeded:
        raise ExtractionError(
            f"extraction took longer than its budget of {time_budget_seconds:g} s (markup too complex)",
            kind=ErrorKind.EXTRACTION_TIMEOUT,
            stage=Stage.EXTRACT,
        ) from None
    except Exception as exc:  # noqa: BLE001
        # Hostile or broken markup trips the parser or the extractor in many ways (lxml errors,
        # RecursionError, even an AssertionError from htmldate on "<svg><br><l>"): the page is
        # the cause, and the same bytes would fail the same way, so it is a permanent failure.
        raise ExtractionError(
            f"the extractor could not process this page: {type(exc).__name__}: {exc}"[:500],
            kind=ErrorKind.UNPARSEABLE_HTML,
            stage=Stage.EXTRACT,
        ) from exc
    if found is None:
        raise ExtractionError(
            "no main content found (the page may be a menu, a login wall or a script-only app)",
            kind=ErrorKind.NO_MAIN_CONTENT,
            stage=Stage.EXTRACT,
        )
    rendered, extractor = select(found)
    return describe(page, decoded, found, rendered, started=started, extractor=extractor)


def select(found: MainContent) -> tuple[Rendered, str]:
    """The rendering of the body to keep, and which extractor made it: trafilatura's, unless
    the selector predicts an alternative's is better (or trafilatura's is no article). Only
    the kept body is rendered as markdown, and only it gets a thread's post headers: the
    selector compares the bodies as the extractors made them."""
    primary = found.primary
    if found.alternatives:
        texts = {name: rendered.text for name, (_, rendered) in found.alternatives.items()}
        chosen = default_selector().choose(
            primary.text if primary else "", texts, found.referee, found.page_type_probabilities
        )
        if chosen is not None:
            body, rendered = found.alternatives[chosen]
            return _kept(found, body, rendered), chosen
    if primary is None:
        assert found.refusal is not None  # clean() sets one of primary and refusal
        raise found.refusal
    return _kept(found, found.result.body, primary), TRAFILATURA


def _kept(found: MainContent, body: etree._Element, rendered: Rendered) -> Rendered:
    """The kept body's rendering with its markdown; on a thread, each post's author and date
    first go before the post's text (pagesift.extraction.threads), and the text is rendered
    again from the same body, so that text and markdown agree."""
    if found.posts and add_post_headers(body, found.posts):
        rendered = render(body, markdown=False)
    return replace(rendered, markdown=render_markdown(body, found.hints))


def decode(page: Page, limits: Limits = DEFAULT_LIMITS) -> DecodedPage:
    """Stored bytes → HTML text, within the limits (raw and gunzipped size, markup size)."""
    limits.check_input_size(len(page.data))
    decoded = decode_page(
        page.data,
        content_type=page.content_type,
        content_encoding=page.content_encoding,
        max_bytes=limits.max_input_bytes,
    )
    _check_markup_size(decoded.html, limits)
    if len(decoded.html) > SCRIPT_CONTENT_MAX_CHARACTERS:
        decoded = replace(decoded, html=_without_huge_scripts(decoded.html))
    return decoded


def _without_huge_scripts(html: str) -> str:
    """``html`` with the contents of any <script> or <style> longer than
    SCRIPT_CONTENT_MAX_CHARACTERS emptied (their tags stay)."""
    pieces, previous_end = [], 0
    for start, end in _markup_spans(html):
        contents = html[previous_end:start]
        if len(contents) <= SCRIPT_CONTENT_MAX_CHARACTERS:
            pieces.append(contents)
        pieces.append(html[start:end])
        previous_end = end
    if len(html) - previous_end <= SCRIPT_CONTENT_MAX_CHARACTERS:  # an unclosed script's rest
        pieces.append(html[previous_end:])
    return "".join(pieces)


def parse(decoded: DecodedPage) -> etree._Element | None:
    """HTML text → tree; None when nothing is parseable (then: no main content)."""
    return parse_html(decoded.html)


def extract_main(tree: etree._Element | None, page: Page) -> MainContent | None:
    """trafilatura's main content and metadata, and the page's type, or None when trafilatura
    finds no body."""
    if tree is None:
        return None
    date = structured_date(tree, page.url)
    # trafilatura works on copies of the tree it is given: the tree stays whole for readability.
    result = trafilatura.bare_extraction(tree, url=page.url, **TRAFILATURA_OPTIONS)
    assert not isinstance(result, dict)  # a dict only with as_dict=True, which the options leave out
    if result is None or result.body is None:
        # (Reading the metadata alone and letting readability-lxml fill the body gained one tune
        # page, +0.0006, and nothing on check, where readability found no article on any of the
        # 9 such pages: it was taken out.)
        return None
    # The crawler's address, when it gave one, is the page's: a canonical link in the page is
    # the page's claim about itself and never overrides it. Only public http(s) URLs are kept.
    url = public_url(page.url) if page.url else public_url(result.url)
    found = MainContent(result=result, structured_date=date, url=url, hostname=hostname(url))
    found.page_type_probabilities = page_type_probabilities(tree, page.url or result.url, main_words(found))
    found.page_type = default_page_type_model().label(found.page_type_probabilities)
    json_ld = read_json_ld(tree)  # parsed once, for every fact read from it
    found.date_modified, found.product = modified_date(tree, json_ld), page_product(tree, json_ld)
    found.opening_post_author = opening_post_author(json_ld, tree)
    found.headings = page_headings(tree)
    # read only on threads: a page of another type is not walked
    found.posts = thread_posts(tree, json_ld) if is_thread(found.page_type, json_ld) else []
    return found


MAX_HEADINGS = 5  # a page of many <h1>s uses them for styling; the first few are enough


def page_headings(tree: etree._Element) -> tuple[str, ...]:
    """The text of the page's first <h1>s."""
    headings: list[str] = []
    for heading in tree.iter("h1"):
        if len(headings) == MAX_HEADINGS:
            break
        headings.append(" ".join(heading.text_content().split()))
    return tuple(headings)


def main_words(found: MainContent | None) -> int:
    """The number of words of trafilatura's main content, before cleanup (0 when it found none)."""
    return len(_WORD.findall(found.result.text or "")) if found is not None else 0


def clean(found: MainContent) -> None:
    """The title without its site name; the body without the boilerplate trafilatura kept,
    rendered as text."""
    result = found.result
    # the page's own claimed host helps tell its name from the headline (it goes nowhere else)
    found.title = (
        clean_title(
            result.title,
            sitename=result.sitename,
            hostname=found.hostname or result.hostname,
            headings=found.headings,
        )
        or None
    )
    remove_boilerplate(result.body, titles=(result.title, found.title))
    restore_code_blocks(result.body, found.hints)
    found.primary, found.refusal = _text_of(result.body)


def second_opinion(found: MainContent, tree: etree._Element, html: str, *, always: bool = False) -> None:
    """resiliparse's text, and, unless it confirms trafilatura's, the alternatives: readability-
    lxml's body of the same tree (which it consumes; none on pages of more than
    READABILITY_MAX_ELEMENTS elements) and resiliparse's text mapped onto the
    page's own blocks, each cleaned and rendered as text. ``always`` makes both on every page
    (the selector's training needs every body of each). A page resiliparse finds nothing in and
    trafilatura next to nothing is a shell: no main content."""
    referee = referee_text(html)
    found.referee = referee or ""
    if referee is not None and _is_shell(found):
        found.primary, found.refusal = None, _shell()
        return
    if not always and found.primary is not None and confirms(found.primary.text, found.referee):
        return
    # resiliparse's lines are mapped onto the tree before readability-lxml consumes it
    resiliparse = text_body(found.referee, tree)
    readability = readability_body(tree) if _ELEMENTS(tree) <= READABILITY_MAX_ELEMENTS else None
    for name, body in ((READABILITY, readability), (RESILIPARSE, resiliparse)):
        if body is None:
            continue
        remove_boilerplate(body, titles=(found.result.title, found.title))
        rendered, _ = _text_of(body)
        if rendered is not None:
            found.alternatives[name] = (body, rendered)


def _shell() -> ExtractionError:
    return ExtractionError(
        "no main content: the page is a shell (a few words of chrome; its content may be rendered by script)",
        kind=ErrorKind.NO_MAIN_CONTENT,
        stage=Stage.EXTRACT,
    )


def _is_shell(found: MainContent) -> bool:
    return not _WORD.search(found.referee) and (found.primary is None or found.primary.words < SHELL_MAX_WORDS)


def _text_of(body: etree._Element) -> tuple[Rendered | None, ExtractionError | None]:
    try:
        return render(body, markdown=False), None
    except ExtractionError as error:  # a stub or only links: no article in this body
        return None, error


def render(body: etree._Element, *, markdown: bool = True) -> Rendered:
    """The body as plain paragraphs and as markdown (empty with ``markdown=False``); raises
    NoMainContent when what is left is a stub or only links. The markdown marks the tree: it is
    rendered last."""
    paragraphs = _paragraphs(_plain_text(body))
    text = "\n\n".join(paragraphs)
    words = len(_WORD.findall(text))
    if words < MIN_WORDS or not _has_text_outside_links(body):
        raise ExtractionError(
            f"no main content: {words} word(s) left once menus and boilerplate are removed"
            if words < MIN_WORDS
            else "no main content: what is left is only links (a menu or a list of headlines)",
            kind=ErrorKind.NO_MAIN_CONTENT,
            stage=Stage.EXTRACT,
        )
    return Rendered(paragraphs=paragraphs, text=text, words=words, markdown=render_markdown(body) if markdown else "")


def describe(
    page: Page,
    decoded: DecodedPage,
    found: MainContent,
    rendered: Rendered,
    *,
    started: float,
    extractor: str = TRAFILATURA,
) -> Document:
    """Language, date, stats and fingerprints: the Document."""
    result = found.result
    text, words = rendered.text, rendered.words
    language = page_language(decoded.html, text, content_language=page.content_language)
    # Dates people write: only in the byline around the headline, never a year from a ticker,
    # a menu or a footer; numeric ones are day-first in French, Spanish and Arabic and
    # month-first on most English pages. No date is better than a wrong one.
    date = found.structured_date or byline_date(decoded.html, title=result.title, month_first=language == "en")
    return Document(
        id=source_document_id(page.source),
        source=page.source,
        url=found.url,
        hostname=found.hostname,
        sitename=result.sitename or None,
        title=found.title,
        # a thread's author is its opening post's: the byline trafilatura reads may be any post's
        author=found.opening_post_author or clean_author(result.author),
        date=date or None,
        date_modified=found.date_modified,
        description=result.description or None,
        language=language,
        page_type=found.page_type,
        product=found.product,
        categories=_term_list(result.categories),
        tags=_term_list(result.tags),
        image=public_url(result.image, base=found.url),
        text=text,
        markdown=rendered.markdown,
        comments=(result.comments or "").strip() or None,
        stats=Stats(
            words=words,
            characters=len(text),
            paragraphs=len(rendered.paragraphs),
            reading_time_seconds=round(words * 60 / READING_WORDS_PER_MINUTE),
        ),
        fingerprints=Fingerprints(sha256=sha256_hex(text), simhash=simhash(text)),
        extraction=ExtractionInfo(
            extractor=extractor,
            extractor_version=_version(extractor),
            pagesift_version=__version__,
            encoding=decoded.encoding,
            input_bytes=len(page.data),
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            timestamp=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            options=_recorded_options(),
        ),
    )


def made_by(limits: Limits = DEFAULT_LIMITS) -> str:
    """What made a document, in 16 hex digits: pagesift's version, the options it records in
    every document, and the page bounds. A re-extraction redoes the objects whose record has
    another (pagesift backfill --reextract)."""
    made = [
        __version__,
        _recorded_options(),
        [limits.max_input_bytes, limits.max_html_elements, limits.max_markup_characters],
    ]
    return sha256_hex(json.dumps(made, sort_keys=True, default=str))[:16]


def _recorded_options() -> dict[str, object]:
    return {
        "trafilatura": {k: dict(v) if isinstance(v, dict) else v for k, v in TRAFILATURA_OPTIONS.items()},
        # The page-type model decides a field of every document: a new one is a reextraction.
        "page_type": {"version": default_page_type_model().version},
        "readability": dict(READABILITY_OPTIONS),
        "resiliparse": dict(RESILIPARSE_OPTIONS),
        "selector": {"version": default_selector().version, "agreement": AGREEMENT},
    }


@cache
def _version(extractor: str) -> str:
    """The extractor's version, read from its installed metadata once per process."""
    if extractor == TRAFILATURA:
        return trafilatura.__version__
    return metadata.version(extractor)


def _check_markup_size(html: str, limits: Limits) -> None:
    if len(html) > limits.max_markup_characters and (markup := _markup_characters(html)) > limits.max_markup_characters:
        raise ExtractionError(
            f"the page has {markup:,} characters of markup besides scripts and styles, "
            f"over the limit of {limits.max_markup_characters:,}",
            kind=ErrorKind.HTML_TOO_LARGE,
            stage=Stage.EXTRACT,
        )
    _check_attributes(html, limits)
    if html.count("<") <= limits.max_html_elements:  # cheap bound first: most pages stop here
        return
    elements = sum(1 for _ in _TAG_OPEN.finditer(html))
    if elements > limits.max_html_elements:
        raise ExtractionError(
            f"the page has about {elements:,} HTML elements, over the limit of {limits.max_html_elements:,}",
            kind=ErrorKind.HTML_TOO_LARGE,
            stage=Stage.EXTRACT,
        )


def _check_attributes(html: str, limits: Limits) -> None:
    """Refuse a page whose tags hold so many attributes that parsing it would stall (see
    limits.MAX_ATTRIBUTES_PER_TAG). Only tags long enough to hold many are counted, by the
    words left once quoted values are out (``a = b`` counts three: the bound errs towards
    parsing): C-speed regex passes, a fraction of a millisecond on a typical page."""
    load, most = 0, 0
    for start, end in _markup_spans(html):
        for tag in _LONG_TAG.finditer(html, start, end):
            # quoted values out (an SVG path, a long description), the words left are names
            attributes = len(_QUOTED_VALUE.sub(" ", tag.group(0)).split()) - 1
            most, load = max(most, attributes), load + attributes * attributes
    if most > limits.max_attributes_per_tag or load > limits.max_attribute_load:
        raise ExtractionError(
            f"the page has a tag with about {most:,} attributes (at most {limits.max_attributes_per_tag:,} are taken: "
            "parsers take quadratic time on them)"
            if most > limits.max_attributes_per_tag
            else f"the page's tags hold too many attributes for it to be parsed in time "
            f"(load {load:,} over {limits.max_attribute_load:,})",
            kind=ErrorKind.HTML_TOO_LARGE,
            stage=Stage.EXTRACT,
        )


def _markup_characters(html: str) -> int:
    """Length of ``html`` without the contents of its <script> and <style> elements."""
    return sum(end - start for start, end in _markup_spans(html))


def _markup_spans(html: str) -> Iterator[tuple[int, int]]:
    """The (start, end) spans of ``html`` outside the contents of its <script> and <style>
    elements. Literal searches, one pass: a lazy "<script.*?</script>" would be quadratic on
    unclosed tags."""
    position = 0
    while opening := _SCRIPT_OR_STYLE.search(html, position):
        # the <script ...> tag itself, attributes and all, is markup; its contents are not
        tag_end = html.find(">", opening.end())
        if tag_end < 0:
            break
        yield position, tag_end + 1
        closing = _CLOSING[opening.group(1).lower()].search(html, tag_end + 1)
        if closing is None:
            return  # unclosed: the parser takes the rest as script text too
        position = closing.start()
    yield position, len(html)


def _plain_text(body: etree._Element) -> str:
    plain = copy.deepcopy(body)
    etree.strip_tags(plain, *_INLINE_MARKUP)
    return xmltotxt(plain, include_formatting=False)


def _has_text_outside_links(body: etree._Element) -> bool:
    for element in body.iter():
        if element.tag != "ref" and element.text and _WORD.search(element.text):
            return True
        if element is not body and element.tail and _WORD.search(element.tail):
            return True
    return False


_TABLE_RULE = re.compile(r"\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?\s*)?")


def _paragraphs(text: str) -> list[str]:
    """Plain paragraphs: no list bullets, table rows as cells between bars, no rule rows."""
    paragraphs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or _TABLE_RULE.fullmatch(line):
            continue
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            # Empty cells are layout (a caption spanning the columns), not content.
            line = " | ".join(cell.strip() for cell in line[1:-1].split("|") if cell.strip())
        elif line.startswith("- "):
            line = line[2:].strip()
        if line:
            paragraphs.append(line)
    return paragraphs


def _term_list(values: list[str] | None) -> list[str]:
    """Categories or tags as separate terms: pages often give them as one comma-separated string."""
    terms: dict[str, None] = {}
    for value in values or []:
        for term in value.split(","):
            if term := term.strip():
                terms.setdefault(term, None)
    return list(terms)
