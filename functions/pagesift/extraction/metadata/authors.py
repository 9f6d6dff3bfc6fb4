"""Author names as a byline writes them, without the byline around them.

trafilatura takes the author from meta tags or the byline's text, which brings the byline's
words along: "Por Lucía Fernández · Publicado el", "بقلم سليم الحداد", "Marcus Bell; Staff
Writer". Names are kept in their order, separated by "; " as trafilatura gives them.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from pagesift.extraction.metadata.jsonld import entities, first, types

# "By", "Par", "Por", "بقلم" (by the pen of), "كتب" (wrote), "إعداد" (prepared by); not the
# particles that also begin surnames ("Di Maio", "Von Trapp")
_LEADING = re.compile(
    r"^(?:(?:published|posted|updated|written|publié|mis à jour|écrit|publicado|actualizado|escrito|نشر)\s+)?"
    r"(?:by|par|por|بواسطة|بقلم|كتب|كتبت|إعداد|تقرير)\s*:?\s+",
    re.IGNORECASE,
)
# Separators between a byline's pieces: the name, a dateline city ("الرباط - نادية العلوي"),
# an agency, the publication date ("Lucía Fernández · Publicado el").
_SEPARATOR = re.compile(r"\s+(?:[·|•—–]|-)\s+")
_DATE_WORDS = re.compile(
    r"(?:^|\s*,?\s+)(?:published|updated|posted|publié|mis à jour|publicado|actualizado|نشر|تحديث)\b.*$",
    re.IGNORECASE,
)
# Parts that are a role or a desk, not a person.
_ROLES = re.compile(
    r"^(?:staff(?: writer| reporter)?|reporter|correspondent|contributor|editor|senior editor|"
    r"rédaction|la rédaction|redacción|redaccion|redação|agencias?|المحرر|محرر)$",
    re.IGNORECASE,
)
# Pieces that are a date's words: a forum post's "Aug 12" byline gives trafilatura "Aug".
_CALENDAR = re.compile(
    r"^(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|january|february|march|april|june|july|august|"
    r"september|october|november|december|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|today|yesterday|ago|now|just now)\.?$",
    re.IGNORECASE,
)
MAX_NAME_CHARACTERS = 80  # longer is a sentence that a page put where a name goes


def clean_author(author: str | None) -> str | None:
    """``author`` without byline words, dates or roles; None when no name is left."""
    if not author:
        return None
    names: list[str] = []
    for part in author.split(";"):
        pieces = [_DATE_WORDS.sub("", _LEADING.sub("", piece.strip())).strip(" ,:") for piece in _SEPARATOR.split(part)]
        pieces = [
            p
            for p in pieces
            if p
            and not _ROLES.match(p)
            and not _CALENDAR.match(p)
            and not any(c.isdigit() for c in p)
            and len(p) <= MAX_NAME_CHARACTERS
        ]
        if not pieces:
            continue
        # A person's name has a given name and a family name; a one-word piece beside it is a
        # dateline city or an agency.
        name = next((p for p in pieces if len(p.split()) >= 2), pieces[0])
        if name not in names:
            names.append(name)
    return "; ".join(names) or None


# What a thread declares itself to be: its opening post (a reply is a Comment or an Answer).
_OPENING_POSTS = frozenset({"DiscussionForumPosting", "SocialMediaPosting", "Question"})


def opening_post_author(json_ld: list[Any], tree: etree._Element | None = None) -> str | None:
    """The author of the post a thread declares itself to be (a ``DiscussionForumPosting``,
    ``SocialMediaPosting`` or a Q&A page's ``Question``), in JSON-LD, else in the ``tree``'s
    microdata; or None. On a forum, the byline trafilatura reads may be any post's, or a
    date's words (or a name with its avatar's initial)."""
    for entity in entities(json_ld):
        if types(entity) & _OPENING_POSTS:
            author = first(entity.get("author"))
            name = author.get("name") if isinstance(author, dict) else author
            if isinstance(name, str) and (name := _name(name)):
                return name
    return _microdata_opening_post_author(tree) if tree is not None else None


_OPENING_POST_ITEMS = etree.XPath(
    "//*[@itemscope and (" + " or ".join(f"contains(@itemtype, '/{kind}')" for kind in sorted(_OPENING_POSTS)) + ")]"
)


def _microdata_opening_post_author(tree: etree._Element) -> str | None:
    """The first thread item's ``author`` property: its ``name`` (as text or a meta tag's
    content), else its own text."""
    items = _OPENING_POST_ITEMS(tree)
    author = next((e for e in items[0].iter(etree.Element) if e.get("itemprop") == "author"), None) if items else None
    if author is None:
        return None
    named = next((e for e in author.iter(etree.Element) if e.get("itemprop") == "name"), author)
    return _name(named.get("content") or named.text_content())


def _name(name: str) -> str | None:
    name = " ".join(name.split())
    return name if name and len(name) <= MAX_NAME_CHARACTERS else None
