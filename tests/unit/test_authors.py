"""Author names without the byline around them, in the languages we serve."""

import pytest

from pagesift.extraction.metadata.authors import clean_author, opening_post_author
from pagesift.extraction.steps import Page, extract
from tests.support.pages import ARTICLE_PARAGRAPHS


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Por Lucía Fernández · Publicado el", "Lucía Fernández"),
        ("Par Claire Martin", "Claire Martin"),
        ("بقلم سليم الحداد", "سليم الحداد"),
        ("الرباط - نادية العلوي", "نادية العلوي"),  # dateline city, then the name
        ("John Smith - Reuters", "John Smith"),
        ("Marcus Bell; Staff Writer", "Marcus Bell"),
        ("By Jane Doe, Published 12 March 2021", "Jane Doe"),
        ("Detroit News wire services Published", "Detroit News wire services"),
        ("Jane Doe; John Roe", "Jane Doe; John Roe"),
        ("Jane Doe; Jane Doe", "Jane Doe"),
        ("Jean-Pierre Dupont", "Jean-Pierre Dupont"),
        ("Di Maio", "Di Maio"),  # a particle that begins a surname is not "by"
        ("Reuters", "Reuters"),
        ("12 March 2021", None),
        ("Aug", None),  # a forum byline's "Aug 12", the day gone
        ("Yesterday", None),
        ("kate_w; Sept.", "kate_w"),
        ("Redacción", None),
        ("", None),
        (None, None),
    ],
)
def test_clean_author(author, expected):
    assert clean_author(author) == expected


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Publicado por Lucía Fernández", "Lucía Fernández"),
        ("Publié par Claire Martin", "Claire Martin"),
        ("Mis à jour par Claire Martin", "Claire Martin"),
        ("نشر بواسطة محمد علي", "محمد علي"),
    ],
)
def test_published_by_forms_keep_the_name(author, expected):
    assert clean_author(author) == expected


def _declared(*blocks: object) -> list:
    return list(blocks)


@pytest.mark.parametrize(
    ("json_ld", "expected"),
    [
        (_declared({"@type": "DiscussionForumPosting", "author": {"@type": "Person", "name": "raoul"}}), "raoul"),
        # a Q&A page declares its question as its main entity
        (_declared({"@type": "QAPage", "mainEntity": {"@type": "Question", "author": {"name": " Linc "}}}), "Linc"),
        (_declared({"@graph": [{"@type": "WebPage"}, {"@type": "SocialMediaPosting", "author": ["kate_w", "x"]}]}), "kate_w"),
        (_declared({"@type": "https://schema.org/DiscussionForumPosting", "author": [{"name": "TissueBox"}]}), "TissueBox"),
        # replies are not the thread's opening post
        (_declared({"@type": "Comment", "author": {"name": "a reply's author"}}), None),
        (_declared({"@type": "NewsArticle", "author": {"name": "Jane Doe"}}), None),
        (_declared({"@type": "DiscussionForumPosting", "author": {"name": 42}}), None),
        (_declared({"@type": "DiscussionForumPosting", "author": "x" * 200}), None),
        (_declared({"@type": "DiscussionForumPosting"}), None),
        ([], None),
    ],
)
def test_a_threads_author_is_its_opening_posts(json_ld, expected):
    assert opening_post_author(json_ld) == expected


def test_a_forum_page_takes_its_opening_posts_author_over_the_byline():
    posting = '{"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": "Night buses", "author": {"@type": "Person", "name": "raoul"}}'
    posts = "".join(
        f'<article class="post"><div class="byline">Aug {day}</div><p>{text}</p></article>'
        for day, text in ((12, ARTICLE_PARAGRAPHS[0]), (13, ARTICLE_PARAGRAPHS[1]), (14, ARTICLE_PARAGRAPHS[2]))
    )
    html = f'<html><head><script type="application/ld+json">{posting}</script></head><body><main>{posts}</main></body></html>'
    assert extract(Page(html.encode())).author == "raoul"


def test_a_thread_declared_in_microdata_gives_its_opening_posts_author():
    from pagesift.extraction.parsing import parse_html

    person = '<div itemprop="author" itemscope itemtype="https://schema.org/Person">{}</div>'
    thread = (
        '<html><body><div itemscope itemtype="https://schema.org/DiscussionForumPosting">'
        + person.format('<span class="avatar">R</span><meta itemprop="name" content="raoul">')
        + "<p>Night buses</p>"
        + person.format('<span itemprop="name">claire</span>')
        + "</div></body></html>"
    )
    assert opening_post_author([], parse_html(thread)) == "raoul"  # the avatar's initial is no part of it
    without_name = thread.replace('<span class="avatar">R</span><meta itemprop="name" content="raoul">', " raoul ")
    assert opening_post_author([], parse_html(without_name)) == "raoul"  # the author's own text
    assert opening_post_author([], parse_html("<html><body><p>No thread here</p></body></html>")) is None
