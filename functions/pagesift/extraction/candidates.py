"""Second opinions on a page's main content, beside trafilatura's.

- **readability-lxml**: scores a page's blocks a different way, and is right on many of the pages
  where trafilatura keeps a teaser and misses the article, or keeps the furniture around it. Its
  HTML fragment is converted to the element vocabulary trafilatura's body uses (p, head,
  list/item, quote, code, table/row/cell, hi, lb), so that the rest of the core (cleanup,
  rendering, stats) sees one shape whichever is kept.
- **resiliparse**: its main-content text (lexbor's parser and its own rules, about 2 ms a page),
  never kept as the document: a third opinion, the referee. Where it agrees with trafilatura
  the page is settled and readability-lxml does not run; elsewhere the selector
  (pagesift.extraction.selection) reads how the three agree.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import TypedDict

from lxml import etree, html

from pagesift.extraction.parsing import HTML_PARSER

_WORD = re.compile(r"\w+")

# readability-lxml logs a traceback at ERROR for every page it gives up on; here that is an
# expected outcome (trafilatura's body stands), not an operator's concern: keep the logs clean.
logging.getLogger("readability").setLevel(logging.CRITICAL)

READABILITY_OPTIONS = {"min_text_length": 25, "retry_length": 250}


class ResiliparseOptions(TypedDict):
    main_content: bool
    alt_texts: bool
    links: bool
    comments: bool


# Body content only: the referee is compared with trafilatura's body, which holds no comments,
# alt texts or link targets.
RESILIPARSE_OPTIONS: ResiliparseOptions = {"main_content": True, "alt_texts": False, "links": False, "comments": False}

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_DROPPED = {
    "img",
    "figure",
    "picture",
    "svg",
    "video",
    "audio",
    "iframe",
    "object",
    "embed",
    "script",
    "style",
    "noscript",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "nav",
    "aside",
    "footer",
    "header",
}
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "ul",
    "ol",
    "dl",
    "li",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "figcaption",
    "center",
    "address",
    *_HEADINGS,
}


def referee_text(html: str) -> str | None:
    """resiliparse's main-content text of the page ("" when it finds none), or None when it
    gives up: then it neither confirms trafilatura's text nor says the page is a shell."""
    from resiliparse.extract.html2text import extract_plain_text  # imported on first use

    try:
        return extract_plain_text(html, **RESILIPARSE_OPTIONS)
    except Exception:  # noqa: BLE001 - a referee that gives up leaves trafilatura unconfirmed, nothing more
        return None


def readability_body(tree: etree._Element) -> etree._Element | None:
    """readability-lxml's main content of ``tree`` as a trafilatura body, or None when it finds
    nothing. readability changes the tree it reads (it cleans and prunes it): pass one nothing
    reads afterwards. No URL is given: readability would only rewrite every link to absolute,
    a quarter of its time, for links the body does not keep."""
    from readability import Document  # imported on first use

    try:
        fragment = Document(tree, **READABILITY_OPTIONS).summary(html_partial=True)
    except Exception:  # noqa: BLE001 - readability gives up on odd pages in many ways; trafilatura stands
        return None
    try:
        root = html.fragment_fromstring(fragment, create_parent="div", parser=HTML_PARSER)
    except Exception:  # noqa: BLE001 - lxml asserts on some fragments ("too many bodies")
        return None
    body = etree.Element("body")
    _blocks(root, body)
    return body if len(body) else None


def _blocks(element: etree._Element, body: etree._Element) -> None:
    """Emit ``element``'s content as body blocks, in document order."""
    pending: list = []  # loose text and inline elements waiting for a paragraph

    def flush() -> None:
        if pending:
            paragraph = etree.SubElement(body, "p")
            for piece in pending:
                _append_inline(paragraph, piece)
            if not "".join(paragraph.itertext()).strip():
                body.remove(paragraph)
            pending.clear()

    if element.text:
        pending.append(element.text)
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else None
        if tag is None or tag in _DROPPED:
            pass
        elif tag in _BLOCK_TAGS:
            flush()
            _block(child, body)
        else:
            pending.append(child)
        if child.tail:
            pending.append(child.tail)
    flush()


def _block(element: etree._Element, body: etree._Element) -> None:
    tag = element.tag
    if tag in _HEADINGS:
        _leaf(element, etree.SubElement(body, "head", rend=tag))
    elif tag == "p" or (tag in {"dt", "dd", "figcaption", "caption", "address"}):
        if any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in element):
            _blocks(element, body)
        else:
            _leaf(element, etree.SubElement(body, "p"))
    elif tag in {"ul", "ol"}:
        listing = etree.SubElement(body, "list", rend=tag)
        for item in element:
            if item.tag == "li":  # a nested list is flattened into its item's text
                _leaf(item, etree.SubElement(listing, "item"))
        if not len(listing):
            body.remove(listing)
    elif tag == "blockquote":
        quote = etree.SubElement(body, "quote")
        _leaf(element, quote)
    elif tag == "pre":
        code = etree.SubElement(body, "code")
        code.text = element.text_content()
    elif tag == "table" and _is_data_table(element):
        _table(element, body)
    else:  # div, section, li outside a list...: a container
        _blocks(element, body)


def _leaf(source: etree._Element, target: etree._Element) -> None:
    """``source``'s text and inline markup into ``target``; nested blocks flattened to lines."""
    if source.text:
        _append_inline(target, source.text)
    for child in source:
        if isinstance(child.tag, str) and child.tag not in _DROPPED:
            if child.tag in _BLOCK_TAGS:
                _append_inline(target, " ")
                _leaf(child, target)
                _append_inline(target, " ")
            else:
                _append_inline(target, child)
        if child.tail:
            _append_inline(target, child.tail)
    if target.getparent() is not None and not "".join(target.itertext()).strip() and target.tag != "item":
        target.getparent().remove(target)


def _append_inline(target: etree._Element, piece) -> None:
    if isinstance(piece, str):
        if len(target):
            last = target[-1]
            last.tail = (last.tail or "") + piece
        else:
            target.text = (target.text or "") + piece
        return
    tag = piece.tag if isinstance(piece.tag, str) else None
    if tag is None or tag in _DROPPED:
        return
    if tag == "br":
        etree.SubElement(target, "lb")
        return
    # Links and emphasis: their text only, as trafilatura's body has them with the options the
    # document is built with (include_links and include_formatting off).
    _append_inline(target, piece.text or "")
    for child in piece:
        _append_inline(target, child)
        if child.tail:
            _append_inline(target, child.tail)


_LAYOUT_INSIDE = {"table", "div", "ul", "ol", "blockquote", "pre", *_HEADINGS}
DATA_CELL_MAX_WORDS = 25  # a longer cell is a page laid out in a table, not a table of data


def _is_data_table(table: etree._Element) -> bool:
    """Rows of short cells; a table that holds paragraphs, nested tables or loose text is
    layout, and its content is read as blocks."""
    if (table.text or "").strip() or any((row.tail or "").strip() for row in table.iter("tr")):
        return False
    for cell in table.iter("td", "th"):
        if len(cell.text_content().split()) > DATA_CELL_MAX_WORDS:
            return False
        if any(isinstance(inner.tag, str) and inner.tag in _LAYOUT_INSIDE for inner in cell.iterdescendants()):
            return False
    return next(table.iter("tr"), None) is not None


def _table(element: etree._Element, body: etree._Element) -> None:
    table = etree.SubElement(body, "table")
    for row in element.iter("tr"):
        converted = etree.SubElement(table, "row")
        for cell in row:
            if isinstance(cell.tag, str) and cell.tag in {"td", "th"}:
                target = (
                    etree.SubElement(converted, "cell", role="head")
                    if cell.tag == "th"
                    else etree.SubElement(converted, "cell")
                )
                target.text = " ".join(cell.text_content().split())
        if not len(converted):
            table.remove(converted)
    if not len(table):
        body.remove(table)


_BULLET = "\u2022"  # resiliparse's list bullet
# The page's own elements that can stand for one of resiliparse's lines (or, for <pre>, lists
# and tables, a run of them); containers only when no block is inside them.
_PROJECTED = {"p", "pre", "blockquote", "table", "ul", "ol", "li", "dt", "dd", "figcaption", "tr", *_HEADINGS}
_CONTAINERS = {"div", "section", "article", "main", "td", "th", "span", "a", "label", "summary"}


def text_body(text: str, tree: etree._Element | None = None) -> etree._Element | None:
    """resiliparse's text as a trafilatura body; None when it holds no words.

    resiliparse gives text, not a tree. With the page's ``tree``, its lines are mapped back onto
    the page's own elements (a heading stays a heading, a table a table, code a code block):
    each element whose text is one of the lines, or whose lines all are, stands for them, in the
    page's order. A line no element stands for, and every line without a tree, becomes a
    paragraph (bulleted runs: a list) after the block of the line before it."""
    wanted = Counter(key for key in map(_key, text.splitlines()) if key)
    body = etree.Element("body")
    placed: dict[str, etree._Element] = {}
    if tree is not None and wanted:
        _project(tree, wanted, body, placed)
    if +wanted:
        _place_the_rest(text, wanted, body, placed)
    return body if len(body) else None


def _key(line: str) -> str:
    """A line (or an element's text) as its words run together: the two sides space words and
    cells differently, and resiliparse leaves out some glyphs (a heading's anchor "¶")."""
    return "".join(_WORD.findall(line))


def _project(element: etree._Element, wanted: Counter[str], body: etree._Element, placed: dict) -> None:
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else None
        if tag is None or tag in _DROPPED:
            continue
        keys = _keys(child) if _may_stand_for_lines(child) else []
        if keys and all(wanted[key] >= count for key, count in Counter(keys).items()):
            wanted.subtract(keys)
            _emit(child, body)
            if len(body):
                placed.update(dict.fromkeys(keys, body[-1]))
            continue
        _project(child, wanted, body, placed)


def _may_stand_for_lines(element: etree._Element) -> bool:
    if element.tag in _PROJECTED:
        return True
    return element.tag in _CONTAINERS and not any(
        isinstance(inner.tag, str) and inner.tag in _BLOCK_TAGS for inner in element.iterdescendants()
    )


def _keys(element: etree._Element) -> list[str]:
    """The keys of the lines ``element`` would stand for ([] when it has no words)."""
    if element.tag == "pre":
        lines = element.text_content().splitlines()
    elif element.tag in {"table", "ul", "ol"}:
        lines = [row.text_content() for row in element.iter("tr" if element.tag == "table" else "li")]
    else:
        lines = [element.text_content()]
    return [key for key in map(_key, lines) if key]


def _emit(element: etree._Element, body: etree._Element) -> None:
    tag = element.tag
    if tag in {"li", "tr"} or tag in _CONTAINERS:  # an item or a row alone: a paragraph of its text
        _leaf(element, etree.SubElement(body, "p"))
    elif tag == "table" and not _is_data_table(element):
        _blocks(element, body)
    else:
        _block(element, body)


def _place_the_rest(text: str, wanted: Counter[str], body: etree._Element, placed: dict) -> None:
    previous: etree._Element | None = None
    for line in text.splitlines():
        key = _key(line)
        if not key:
            continue
        if wanted[key] <= 0:
            previous = placed.get(key, previous)
            continue
        wanted[key] -= 1
        line = line.strip()
        if line.startswith(_BULLET) and previous is not None and previous.tag == "list":
            etree.SubElement(previous, "item").text = line[1:].strip()
            continue
        block = etree.Element("list", rend="ul") if line.startswith(_BULLET) else etree.Element("p")
        if block.tag == "list":
            etree.SubElement(block, "item").text = line[1:].strip()
        else:
            block.text = line
        if previous is None:
            body.insert(0, block)
        else:
            previous.addnext(block)
        previous = block
