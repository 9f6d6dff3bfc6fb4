"""A forum thread's posts: who wrote each one and when, put back before each post's text.

A thread's content is its posts, and a post is its author, its date and its text. The
extractors keep the text and drop the "username / date" lines around it, so a thread reads as
one voice. ``thread_posts`` reads the posts from the whole page, before anything consumes the
tree: from JSON-LD when the thread declares its replies (a ``DiscussionForumPosting`` with its
``comment`` entries), else from the markup, where a post is the largest container that holds
one author element (``itemprop="author"``, a class word such as ``author``, ``username``,
``poster`` or ``message-name``, a ``data-author`` attribute). ``add_post_headers`` then puts
a paragraph with the author and one with the date before the body block that starts each
post, where the body holds that post.

Pure functions, bounded on hostile pages: at most MAX_POSTS posts, a few words of author and
date each, and a bounded search of the body per post.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree

from pagesift.extraction.metadata.jsonld import entities, first, types

_WORD = re.compile(r"\w+")

# What a thread declares itself to be in JSON-LD: a forum thread or a question with its answers.
THREAD_TYPES = frozenset({"DiscussionForumPosting", "QAPage"})
_JSON_LD_POSTS = frozenset({"DiscussionForumPosting", "SocialMediaPosting", "Question", "Answer", "Comment"})

# Bounds on what a page may cost: real threads show 20 to 50 posts a page.
MAX_POSTS = 500
# A name is a few words; more is a sentence a page put where a name goes: it is cut.
MAX_AUTHOR_WORDS = 5
MAX_AUTHOR_CHARACTERS = 60
# A shown date is a few words ("September 5, 2024, 11:15pm", "answered May 2, 2009 at 0:09").
MAX_DATE_WORDS = 8
MAX_DATE_CHARACTERS = 60
# A post's text as the key its blocks are found by: its first characters are enough, and
# they bound the cost of each look-up.
MAX_KEY_CHARACTERS = 3_000
# A body block is known by its first characters (a block of the body may be cut otherwise
# than the source's: a post's paragraphs run together, or split at line breaks).
BLOCK_KEY_CHARACTERS = 40
# Shorter blocks (a vote count, "Thanks", a date) are in the text of too many posts to say
# where one starts: a post that short gets no header.
MIN_BLOCK_KEY_CHARACTERS = 12
# How many body blocks past the previous post's start a post's first block is looked for: a
# post the body does not hold costs this many look-ups, not the whole body.
MAX_BLOCKS_AHEAD = 80
# How many blocks before a post's start may already show its author's name (its name heading,
# a "Member" title under it).
AUTHOR_SHOWN_BLOCKS = 3

# Class words of a post's author element: "author", "username", "poster", "creator" as the
# last part of a class ("post-author", "forum-post-author", "post_author", "u-author") or
# "username" anywhere in it ("username-coloured"); and a name part after a user or a message
# ("message-name", "PostUser-name", "user-name").
_AUTHOR_WORDS = frozenset({"author", "username", "poster", "creator"})
_NAME_OWNERS = frozenset({"user", "message", "post", "author", "poster"})
# Class words of a post's date element; <time> and schema.org's date properties are read too.
_DATE_WORDS = frozenset({"date", "time", "timestamp", "relativetime", "datetime", "published", "posted"})
_DATE_PROPERTIES = frozenset({"datePublished", "dateCreated"})
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")
_DATE_LIKE = re.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{4}-\d{2}-\d{2}\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b,?\s+\d{4}\b",
    re.IGNORECASE,
)
_CLASS_PARTS = re.compile(r"[-_\s]+|(?<=[a-z])(?=[A-Z])")
# Quoted posts name their author too: those names are not the post's.
_QUOTE_TAGS = frozenset({"blockquote", "q"})
_SKIPPED = frozenset({"script", "style", "noscript", "template"})


@dataclass(frozen=True, slots=True)
class Post:
    """One post of a thread: its author, its date as the page shows it (or a readable date),
    and its text's words run together (its first MAX_KEY_CHARACTERS), by which its first body
    block is found."""

    author: str
    date: str | None
    key: str


def is_thread(page_type: str | None, json_ld: list[Any]) -> bool:
    """Whether the page is a thread: typed a forum, or declaring itself one in JSON-LD."""
    return page_type == "forum" or any(types(entity) & THREAD_TYPES for entity in entities(json_ld))


def thread_posts(tree: etree._Element | None, json_ld: list[Any]) -> list[Post]:
    """The posts of a thread page, in order: the ones its JSON-LD declares with their text
    when there are at least two, else the ones its markup shows ([] when it shows none)."""
    if tree is None:
        return []
    declared = json_ld_posts(json_ld)
    return declared if len(declared) >= 2 else markup_posts(tree)


# --- JSON-LD ------------------------------------------------------------------------------------


def json_ld_posts(json_ld: list[Any]) -> list[Post]:
    """The thread's opening post and its replies (``comment``, ``suggestedAnswer``,
    ``acceptedAnswer``) as the JSON-LD declares them, those with an author and a text."""
    for entity in entities(json_ld):
        if types(entity) & {"DiscussionForumPosting", "Question"}:
            return [post for item in _declared_posts(entity) if (post := _json_ld_post(item))][:MAX_POSTS]
    return []


def _declared_posts(thread: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield thread
    for name in ("comment", "suggestedAnswer", "acceptedAnswer"):
        replies = thread.get(name)
        for reply in (replies if isinstance(replies, list) else [replies])[:MAX_POSTS]:
            if isinstance(reply, dict):
                yield reply


def _json_ld_post(item: dict[str, Any]) -> Post | None:
    author = first(item.get("author"))
    name = author.get("name") if isinstance(author, dict) else author
    text = item.get("text") or item.get("articleBody")
    if not isinstance(name, str) or not isinstance(text, str) or not (name := short_author(name)):
        return None
    key = _key(text[: MAX_KEY_CHARACTERS * 2])[:MAX_KEY_CHARACTERS]
    published = item.get("datePublished") or item.get("dateCreated")
    return Post(name, readable_date(published) if isinstance(published, str) else None, key) if key else None


def readable_date(value: str) -> str | None:
    """A machine-readable date as people write it ("2024-09-05T23:15:57Z" → "September 5,
    2024"), or None when it holds no ISO date."""
    if not (found := _ISO_DATE.search(value)):
        return None
    try:
        day = date(*map(int, found.groups()))
    except ValueError:  # "2024-13-45"
        return None
    return f"{day:%B} {day.day}, {day.year}"


# --- markup -------------------------------------------------------------------------------------


def markup_posts(tree: etree._Element) -> list[Post]:
    """The posts the markup shows. Author elements of one kind (tag, and the property, attribute
    or class word that makes them one) mark one series of posts: a question's and answers'
    authors, or their comments'. Each post is the largest container holding no other author of
    its series, its date the date element nearest its author's name, its text the container's
    text without those two. Of the series, the one with the most text is the thread's."""
    series: dict[tuple[str, ...], list[etree._Element]] = {}
    for author in _author_elements(tree):
        series.setdefault(_author_kind(author), []).append(author)
    threads = [(kind[1] == "author", _series_posts(authors)) for kind, authors in series.items()]
    # schema.org's author property says "this post's author" where class words may name a
    # comment's or a quote's: a series of it is the thread's
    declared = [posts for is_declared, posts in threads if is_declared and len(posts) >= 2]
    return max(declared or [posts for _, posts in threads], key=_text_length, default=[])


def _text_length(posts: list[Post]) -> int:
    return sum(len(post.key) for post in posts)


def _series_posts(authors: list[etree._Element]) -> list[Post]:
    holders: dict[etree._Element, int] = {}  # element -> how many of the series' authors it holds
    for author in authors:
        for ancestor in author.iterancestors():
            holders[ancestor] = holders.get(ancestor, 0) + 1
    posts = []
    for author in authors:
        named = _name_element(author)
        if not (name := _author_name(author, named)):
            continue
        container = author
        for ancestor in author.iterancestors():
            if holders[ancestor] > 1:
                break
            container = ancestor
        when = _nearest_date(container, named)
        key = _text_key(container, skip={named, when} if when is not None else {named})
        if key:
            posts.append(Post(name, _shown_date(when) if when is not None else None, key))
    return posts


def _author_elements(tree: etree._Element) -> list[etree._Element]:
    """The outermost author elements outside quotes, in document order, at most MAX_POSTS."""
    found: list[etree._Element] = []
    for element in tree.iter(etree.Element):
        if element.tag in _SKIPPED or not _is_author(element):
            continue
        if found and _holds(found[-1], element):  # inside the previous one: the same author
            continue
        if any(ancestor.tag in _QUOTE_TAGS for ancestor in element.iterancestors()):
            continue
        found.append(element)
        if len(found) >= MAX_POSTS:
            break
    return found


def _author_kind(element: etree._Element) -> tuple[str, ...]:
    words = [_author_word(word) for word in (element.get("class") or "").split()]
    return (
        str(element.tag),
        element.get("itemprop") or "",
        "data-author" if element.get("data-author") else "",
        next((word for word in words if word), ""),
    )


def _holds(outer: etree._Element, element: etree._Element) -> bool:
    return any(ancestor is outer for ancestor in element.iterancestors())


def _is_author(element: etree._Element) -> bool:
    if element.get("itemprop") == "author" or (element.get("data-author") and element.tag not in _QUOTE_TAGS):
        return True
    return any(_author_word(word) for word in (element.get("class") or "").split())


def _author_word(word: str) -> str:
    """The author word a class names ("post-author" → "author", "username-coloured" →
    "username", "message-name" → "name"), or "" when it names none."""
    parts = [part.lower() for part in _CLASS_PARTS.split(word) if part]
    if "username" in parts:
        return "username"
    if parts and parts[-1] in _AUTHOR_WORDS:
        return parts[-1]
    return "name" if len(parts) >= 2 and parts[-1] == "name" and parts[-2] in _NAME_OWNERS else ""


def _name_element(author: etree._Element) -> etree._Element:
    """The element that shows the author's name: the first author element nested in it (a
    post's container marked with data-author holds its name element), else itself."""
    return next((e for e in author.iterdescendants(etree.Element) if _is_author(e)), author)


def _author_name(author: etree._Element, named: etree._Element) -> str | None:
    """The name an author element shows: its data-author, its schema.org name, or its name
    element's text; cut to a few words."""
    if name := author.get("data-author"):
        return short_author(name)
    for element in named.iter(etree.Element):
        if element.get("itemprop") == "name":  # shown, or given in a <meta content>
            return short_author(element.get("content") or element.text_content())
    return short_author(named.text_content())


def short_author(name: str) -> str | None:
    """A name of at most MAX_AUTHOR_WORDS words and MAX_AUTHOR_CHARACTERS characters (a
    longer one is cut: a sentence put where a name goes); None when it has no word, or is a
    date or a time (a template's "author" line that holds only the post's date)."""
    short = _short(name, MAX_AUTHOR_WORDS, MAX_AUTHOR_CHARACTERS)
    return None if short is None or _DATE_LIKE.search(short) else short


def _short(text: str, words: int, characters: int) -> str | None:
    short = " ".join(text.split()[:words])[:characters].strip()
    return short if _WORD.search(short) else None


def _nearest_date(container: etree._Element, author: etree._Element) -> etree._Element | None:
    """The date element of the container nearest the author element in document order (a post
    may show an edit date too, further away; of two as near, the one after), outside the author
    element and quotes."""
    author_at, dates = 0, []
    for position, element in enumerate(container.iter(etree.Element)):
        if element is author:
            author_at = position
        elif _is_date(element) and not _holds(author, element) and not _quoted(element, container):
            dates.append((position, element))
            if len(dates) > MAX_POSTS:
                break
    if not dates:
        return None
    return min(dates, key=lambda date: (abs(date[0] - author_at), date[0] < author_at))[1]


def _is_date(element: etree._Element) -> bool:
    if element.tag == "time" or element.get("itemprop") in _DATE_PROPERTIES:
        return True
    return any(
        (parts := [p.lower() for p in _CLASS_PARTS.split(word) if p]) and parts[-1] in _DATE_WORDS
        for word in (element.get("class") or "").split()
    )


def _quoted(element: etree._Element, container: etree._Element) -> bool:
    for ancestor in element.iterancestors():
        if ancestor is container:
            return False
        if ancestor.tag in _QUOTE_TAGS:
            return True
    return False


def _shown_date(element: etree._Element) -> str | None:
    """A date as the page shows it, else its machine-readable value as a readable date."""
    shown = _short(element.text_content(), MAX_DATE_WORDS, MAX_DATE_CHARACTERS)
    if shown and _ISO_DATE.match(shown):  # a machine's date shown as it is
        return readable_date(shown)
    if shown and any(character.isdigit() for character in shown):
        return shown
    machine = element.get("datetime") or element.get("content") or element.get("title")
    return readable_date(machine) if machine else shown


def _text_key(container: etree._Element, skip: set[etree._Element]) -> str:
    """The container's words run together, without those of ``skip``'s elements, scripts and
    styles: its first MAX_KEY_CHARACTERS."""
    pieces: list[str] = []
    length = 0
    for piece in _texts(container, skip):
        key = _key(piece)
        pieces.append(key)
        length += len(key)
        if length >= MAX_KEY_CHARACTERS:
            break
    return "".join(pieces)[:MAX_KEY_CHARACTERS]


def _texts(element: etree._Element, skip: set[etree._Element]) -> Iterator[str]:
    """The text of ``element`` in document order, without skipped subtrees (their tails kept)."""
    if element.text and element not in skip:
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and child not in skip and child.tag not in _SKIPPED:
            yield from _texts(child, skip)
        if child.tail:
            yield child.tail


def _key(text: str) -> str:
    """Text as its words run together: the source and the body space words and cut blocks
    differently."""
    return "".join(_WORD.findall(text))


# --- the body -----------------------------------------------------------------------------------


def add_post_headers(body: etree._Element, posts: list[Post]) -> int:
    """Put each post's author, and its date when known, as paragraphs before the body block
    that starts the post; returns how many posts got one. A post starts at the first block
    after the previous post's start whose words are in its text and not the previous post's (a
    reply quoting the previous post holds its words too); a post whose text the body does not
    hold, or holds no sooner than the next post's start (a later reply quoting it), gets
    nothing."""
    blocks = [(block, _block_key(block)) for block in body if isinstance(block.tag, str)]
    posts = posts[:MAX_POSTS]
    starts: list[tuple[int, Post]] = []
    cursor = 0
    for number, post in enumerate(posts):
        previous = posts[number - 1].key if number else ""
        found = _first_block(blocks, cursor, post.key, previous)
        if found is None:
            continue
        if number + 1 < len(posts):
            following = _first_block(blocks, cursor, posts[number + 1].key, post.key)
            if following is not None and following <= found:
                continue
        starts.append((found, post))
        cursor = found + 1
    previous_start = -1
    for index, post in starts:
        block = blocks[index][0]
        # an author the body already shows just before the post (a name heading it kept) is not said twice
        author = (
            None
            if _shown_before(blocks, max(previous_start + 1, index - AUTHOR_SHOWN_BLOCKS), index, post.author)
            else post.author
        )
        for text in (author, post.date):
            if text:
                header = etree.Element("p")
                header.text = text
                block.addprevious(header)
        previous_start = index
    return len(starts)


def _shown_before(blocks: list[tuple[etree._Element, str]], start: int, end: int, author: str) -> bool:
    name = _key(author)
    return any(blocks[index][1] == name for index in range(start, end))


def _block_key(block: etree._Element) -> str:
    return _key(" ".join(block.itertext()))[:BLOCK_KEY_CHARACTERS]


def _first_block(blocks: list[tuple[etree._Element, str]], cursor: int, key: str, previous: str) -> int | None:
    for index in range(cursor, min(cursor + MAX_BLOCKS_AHEAD, len(blocks))):
        block_key = blocks[index][1]
        if len(block_key) >= MIN_BLOCK_KEY_CHARACTERS and block_key in key and block_key not in previous:
            return index
    return None
