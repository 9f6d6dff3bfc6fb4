"""HTML text → lxml tree, the way trafilatura's loader parses it, with elements that cost less to touch.

lxml.html's parser finds the Python class of every element through a lookup written in Python
(``HtmlElementClassLookup.lookup``), run each time code touches an element it has not touched
yet. Every step after the parse walks the tree (trafilatura, readability-lxml, the page-type
signals, the markdown's hints), and on the development pages that lookup alone was about a
seventh of pagesift's time. This parser has the same options as trafilatura's and gives every
element lxml.html's ``HtmlElement`` class through lxml's lookup written in C: the same methods
(``text_content``, ``drop_tree``...), the same trees and the same documents, in less time. Only
lxml.html's form classes (``FormElement``, ``InputElement``...) are not used; nothing here reads
a form's fields.
"""

from __future__ import annotations

import lxml.html
from lxml import etree
from trafilatura.utils import is_dubious_html, repair_faulty_html

HTML_PARSER = lxml.html.HTMLParser(
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
)
HTML_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """``html`` as a tree, or None when it is not HTML. The steps of trafilatura's ``load_html``
    for text (its sanity check and repairs), with HTML_PARSER.

    A page that does not start like a document (saved without its <html> and <head>, a CMS
    fragment) is parsed by lxml's document parser, as a browser would, rather than lost."""
    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    try:
        tree = lxml.html.fromstring(html, parser=HTML_PARSER)
    except Exception:  # noqa: BLE001 - "Unicode strings with encoding declaration are not supported", an empty document...
        tree = None
    if tree is None or len(tree) < 1:
        tree = _from_bytes(html)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        tree = None
    if tree is None and html.strip():
        try:
            tree = lxml.html.document_fromstring(html, parser=HTML_PARSER)
        except (etree.ParserError, ValueError):
            return None
    return tree


def _from_bytes(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fromstring(html.encode("utf-8", "surrogatepass"), parser=HTML_PARSER)
    except Exception:  # noqa: BLE001 - as trafilatura's loader: bytes lxml cannot take are no tree
        return None
