"""A thread's posts: authors and dates read from JSON-LD or markup, put before each post's text."""

from __future__ import annotations

import json
import re
import time

from lxml import etree

from pagesift.extraction.metadata.jsonld import read_json_ld
from pagesift.extraction.parsing import parse_html
from pagesift.extraction.steps import Page, extract
from pagesift.extraction.threads import (
    MAX_AUTHOR_WORDS,
    MAX_POSTS,
    Post,
    add_post_headers,
    is_thread,
    thread_posts,
)

FIRST = "I upgraded the router firmware last night and now the wireless keeps dropping every hour."
SECOND = "Roll back to the previous firmware from the admin page, the new one has a known bug."
THIRD = "Thanks, rolling back fixed it, the connection has been stable all morning."


def _post(author: str, date: str, text: str, *, quote: str = "") -> str:
    quoted = f'<blockquote><span class="username">someone</span> {quote}</blockquote>' if quote else ""
    return (
        f'<article class="message"><div class="message-user"><h4 class="message-name">'
        f'<a class="username" href="/u/{author}">{author}</a></h4><span class="user-title">Member</span></div>'
        f'<div class="message-main"><time datetime="2024-03-01T10:00:00Z">{date}</time>'
        f'<div class="message-body">{quoted}<p>{text}</p></div></div></article>'
    )


MARKUP_THREAD = (
    "<html><head><title>Wireless drops after firmware update</title></head><body>"
    '<nav><a href="/">Home</a> <a href="/forums">Forums</a></nav>'
    "<h1>Wireless drops after firmware update</h1><div class='thread'>"
    + _post("routerfan", "Mar 3, 2024", FIRST)
    + _post("netadmin", "Mar 4, 2024", SECOND)
    + _post("routerfan", "Mar 5, 2024", THIRD, quote=SECOND)
    + "</div><footer>Terms Privacy Contact</footer></body></html>"
)


def _body(*texts: str) -> etree._Element:
    body = etree.Element("body")
    for text in texts:
        etree.SubElement(body, "p").text = text
    return body


def _texts(body: etree._Element) -> list[str]:
    return [" ".join(block.itertext()) for block in body]


def test_markup_posts_have_their_author_date_and_text() -> None:
    posts = thread_posts(parse_html(MARKUP_THREAD), [])
    assert [(post.author, post.date) for post in posts] == [
        ("routerfan", "Mar 3, 2024"),
        ("netadmin", "Mar 4, 2024"),
        ("routerfan", "Mar 5, 2024"),
    ]
    assert "Iupgradedtherouter" in posts[0].key


def test_headers_go_before_each_post_in_order() -> None:
    posts = thread_posts(parse_html(MARKUP_THREAD), [])
    body = _body(FIRST, SECOND, f"someone {SECOND}", THIRD)
    assert add_post_headers(body, posts) == 3
    assert _texts(body) == [
        "routerfan",
        "Mar 3, 2024",
        FIRST,
        "netadmin",
        "Mar 4, 2024",
        SECOND,
        # the reply opens with its quote of the previous post, attribution and all
        "routerfan",
        "Mar 5, 2024",
        f"someone {SECOND}",
        THIRD,
    ]


def test_thread_from_json_ld_comments() -> None:
    declared = {
        "@context": "https://schema.org",
        "@type": "DiscussionForumPosting",
        "headline": "Wireless drops",
        "author": {"@type": "Person", "name": "routerfan"},
        "datePublished": "2024-03-03T10:00:00+00:00",
        "text": FIRST,
        "comment": [
            {
                "@type": "Comment",
                "author": {"name": "netadmin"},
                "datePublished": "2024-03-04T09:30:00Z",
                "text": SECOND,
            },
            {"@type": "Comment", "author": "routerfan", "datePublished": "2024-03-05", "text": THIRD},
        ],
    }
    html = f'<html><body><script type="application/ld+json">{json.dumps(declared)}</script><p>{FIRST}</p></body></html>'
    tree = parse_html(html)
    json_ld = read_json_ld(tree)
    assert is_thread(None, json_ld)
    posts = thread_posts(tree, json_ld)
    assert [(post.author, post.date) for post in posts] == [
        ("routerfan", "March 3, 2024"),
        ("netadmin", "March 4, 2024"),
        ("routerfan", "March 5, 2024"),
    ]
    body = _body(FIRST, SECOND, THIRD)
    assert add_post_headers(body, posts) == 3
    assert _texts(body)[3:6] == ["netadmin", "March 4, 2024", SECOND]


def _words(text: str) -> str:
    return "".join(re.findall(r"\w+", text))


def test_posts_not_in_the_body_get_nothing() -> None:
    posts = [
        Post("ghost", "Jan 1, 2024", _words("A post the body does not hold")),
        Post("netadmin", None, _words(SECOND)),
    ]
    body = _body("An introduction the source never showed as a post.", SECOND)
    assert add_post_headers(body, posts) == 1
    assert _texts(body) == ["An introduction the source never showed as a post.", "netadmin", SECOND]
    assert add_post_headers(_body("Nothing of any post."), posts) == 0


def test_a_quote_of_a_post_the_body_lost_opens_the_reply() -> None:
    quote = f"routerfan said: {FIRST}"
    posts = [Post("routerfan", None, _words(FIRST)), Post("netadmin", None, _words(f"{quote} {SECOND}"))]
    body = _body(quote, SECOND)
    assert add_post_headers(body, posts) == 1
    assert _texts(body) == ["netadmin", quote, SECOND]


def test_blocks_too_short_to_tell_start_no_post() -> None:
    posts = [Post("routerfan", None, _words(f"4 votes {FIRST}"))]
    body = _body("4", "votes")
    assert add_post_headers(body, posts) == 0


def test_a_page_that_is_no_thread_is_not_read() -> None:
    assert not is_thread("article", [])
    assert not is_thread("product", [{"@type": "Product", "name": "Router"}])
    assert is_thread("forum", [])
    assert is_thread(None, [{"@type": "QAPage", "mainEntity": {"@type": "Question"}}])


def test_an_article_page_is_unchanged() -> None:
    article = (
        "<html><head><title>Firmware news</title></head><body><article><h1>Firmware news</h1>"
        '<p class="byline">By <span class="author">Dana Reyes</span> '
        '<time datetime="2024-03-03">March 3, 2024</time></p>'
        f"<p>{FIRST} {SECOND}</p><p>{THIRD} {FIRST}</p><p>{SECOND} {THIRD}</p></article></body></html>"
    )
    document = extract(Page(article.encode()))
    assert document.page_type != "forum"
    assert "Dana Reyes\n\nMarch 3, 2024" not in document.text


def test_thread_document_shows_authors_and_dates_in_text_and_markdown() -> None:
    document = extract(Page(MARKUP_THREAD.encode()))
    assert document.page_type == "forum"
    # the body kept each post's name heading: the author is not said twice, the date is added
    assert document.text.count("routerfan") == 2 and document.text.count("netadmin") == 1
    for view in (document.text, document.markdown):
        for date, text in (("Mar 3, 2024", FIRST), ("Mar 4, 2024", SECOND)):
            assert f"{date}\n\n{text}" in view, view


def test_authors_are_cut_to_a_few_words_and_missing_ones_skipped() -> None:
    sentence = "this is not a name but a whole sentence that a template put where the name goes"
    html = (
        "<html><body>"
        f'<div class="post"><span class="author">{sentence}</span><p>{FIRST}</p></div>'
        f'<div class="post"><span class="author">   </span><p>{SECOND}</p></div>'
        f'<div class="post"><span class="author">netadmin</span><p>{THIRD}</p></div>'
        "</body></html>"
    )
    posts = thread_posts(parse_html(html), [])
    assert [post.author for post in posts] == [" ".join(sentence.split()[:MAX_AUTHOR_WORDS]), "netadmin"]
    assert all(post.date is None for post in posts)


def test_a_huge_thread_is_bounded() -> None:
    many = "".join(
        f'<div class="post"><span class="author">user{n}</span><p>Reply number {n} says hello.</p></div>'
        for n in range(20_000)
    )
    tree = parse_html(f"<html><body>{many}</body></html>")
    started = time.perf_counter()
    posts = thread_posts(tree, [])
    body = _body(*(f"Reply number {n} says hello." for n in range(20_000)))
    add_post_headers(body, posts)
    assert len(posts) == MAX_POSTS
    assert len(body) == 20_000 + MAX_POSTS
    assert time.perf_counter() - started < 5


def test_json_ld_of_hostile_shapes_is_ignored() -> None:
    hostile = [
        {"@type": "DiscussionForumPosting", "author": 42, "text": FIRST, "comment": "not a list"},
        {"@type": "DiscussionForumPosting", "author": {"name": None}, "comment": [None, 3, {"text": SECOND}]},
    ]
    tree = parse_html(f"<html><body><p>{FIRST}</p></body></html>")
    assert thread_posts(tree, hostile) == []
