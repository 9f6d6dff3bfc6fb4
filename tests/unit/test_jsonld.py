"""The page's JSON-LD, read once: blocks as templates write them, and the entities a page
declares about itself."""

from __future__ import annotations

import pytest

from pagesift.extraction.metadata.jsonld import MAX_BLOCKS, entities, read_json_ld, types
from pagesift.extraction.steps import Page, decode, parse


def _blocks(*texts: str, kind: str = "application/ld+json") -> list:
    scripts = "".join(f'<script type="{kind}">{text}</script>' for text in texts)
    tree = parse(decode(Page(f"<html><head>{scripts}</head><body><p>text</p></body></html>".encode())))
    return read_json_ld(tree)


@pytest.mark.parametrize(
    "text",
    [
        '{"@type": "Article"}',
        '<!-- {"@type": "Article"} -->',
        '//<![CDATA[\n{"@type": "Article"}\n//]]>',
        '{"@type": "Article"};',
        '{"@type": "Article", "headline": "a raw\tcontrol character"}',
    ],
)
def test_blocks_as_templates_write_them(text):
    assert [types(entity) for entity in entities(_blocks(text))] == [{"Article"}]


def test_other_scripts_and_blocks_that_do_not_parse_are_left_out():
    assert _blocks('{"@type": "Article"}', kind="application/json") == []
    assert _blocks("{oops", '{"@type": "Product"}') == [{"@type": "Product"}]


def test_blocks_past_the_bound_are_not_parsed():
    assert len(_blocks(*['{"@type": "Thing"}'] * (MAX_BLOCKS + 10))) == MAX_BLOCKS


def test_entities_are_the_page_s_own_outermost_first():
    json_ld = [
        {"@type": "WebPage", "mainEntity": {"@type": "Article", "author": {"@type": "Person"}}},
        {"@graph": [{"@type": "Organization"}, [{"@type": "Product", "review": {"@type": "Review"}}]]},
    ]
    assert [types(entity) for entity in entities(json_ld)] == [
        {"WebPage"},
        set(),  # the @graph's holder
        {"Article"},
        {"Organization"},
        {"Product"},
    ]


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("https://schema.org/Product", {"Product"}),
        ("http://schema.org/Product/", {"Product"}),
        ("schema:Product", {"Product"}),
        (["Product", "Thing", 5, None], {"Product", "Thing"}),
        (5, set()),
        ({"@id": "Product"}, set()),
    ],
)
def test_types_without_their_namespace(declared, expected):
    assert types({"@type": declared}) == expected


def test_a_wide_list_costs_a_bounded_walk():
    wide = [[{"@type": "Thing"}] * 10_000] * 10_000  # a hundred million references, one list
    assert sum(1 for _ in entities([wide])) < 10_000
