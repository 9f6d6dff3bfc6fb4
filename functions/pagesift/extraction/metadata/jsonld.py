"""The page's JSON-LD: its ``<script type="application/ld+json">`` blocks, parsed once.

Pages state facts about themselves in these blocks (what they are, when they changed, what they
sell). The blocks are written by hand, by plugins and by templates, and often badly: invalid
JSON, strings where objects belong, ``NaN``, blocks of megabytes, nesting thousands deep. Nothing
here raises on them, and no walk over them visits more than a bounded number of values.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from typing import Any

from lxml import etree

# Bounds on what one page's JSON-LD may cost. Real blocks are a few KB, a handful per page; the
# parse of one of a megabyte takes milliseconds (the decode step empties longer scripts).
MAX_BLOCKS = 64
MAX_CHARACTERS = 2_000_000  # of all blocks together
# How far entities() looks: @graph, lists and mainEntity nest a few levels in real pages.
MAX_DEPTH = 6
MAX_VALUES = 5_000

# Templates wrap blocks in HTML comments or CDATA markers, and some end them with a semicolon.
_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>|;)\s*$")


def json_ld_texts(tree: etree._Element) -> Iterator[str]:
    """The text of each JSON-LD block of the page, in document order (the one loop over them)."""
    for script in tree.iter("script"):
        if "ld+json" in (script.get("type") or "").lower() and script.text:
            yield script.text


def read_json_ld(tree: etree._Element) -> list[Any]:
    """Every JSON-LD block of the page that parses, as Python values; a block that does not
    parse is left out."""
    parsed: list[Any] = []
    budget = MAX_CHARACTERS
    for text in json_ld_texts(tree):
        if len(parsed) >= MAX_BLOCKS or len(text) > budget:
            break
        budget -= len(text)
        if (value := _parsed(text)) is not None:
            parsed.append(value)
    return parsed


def _parsed(text: str) -> Any:
    try:
        # strict=False: control characters inside strings (a raw newline in a description) are
        # common and harmless.
        return json.loads(_WRAPPERS.sub("", text), strict=False)
    except (ValueError, RecursionError):  # invalid JSON; nesting deeper than the parser goes
        return None


def entities(json_ld: list[Any]) -> Iterator[dict[str, Any]]:
    """The things the page declares about itself, outermost first: each block's object, the
    members of its lists and of its ``@graph``, and the ``mainEntity`` of a page. Things nested
    in other properties (a review's item, a list's elements, an offer's seller) are not the
    page's own and are not yielded."""
    queue: deque[tuple[Any, int]] = deque((block, 0) for block in json_ld)
    visited = 0
    while queue and visited < MAX_VALUES:
        value, depth = queue.popleft()
        visited += 1
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, list):
            room = MAX_VALUES - visited - len(queue)  # never more queued than can be visited
            queue.extend((item, depth + 1) for item in value[: max(room, 0)])
        elif isinstance(value, dict):
            yield value
            for key in ("@graph", "mainEntity"):
                if key in value:
                    queue.append((value[key], depth + 1))


def types(entity: dict[str, Any]) -> set[str]:
    """The schema.org types of an entity, without their namespace (``https://schema.org/Product``,
    ``schema:Product`` and ``Product`` are all ``Product``)."""
    declared = entity.get("@type")
    names = declared if isinstance(declared, list) else [declared]
    return {term(name) for name in names[:20] if isinstance(name, str)}


def term(name: str) -> str:
    """A schema.org term without its namespace: ``https://schema.org/InStock`` is ``InStock``."""
    return name.strip().rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def first(value: Any) -> Any:
    """A property's value, or the first of its values when the page gives a list."""
    if isinstance(value, list):
        return value[0] if value else None
    return value
