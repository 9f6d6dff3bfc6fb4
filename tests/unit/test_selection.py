"""The second opinions: readability-lxml's body in trafilatura's shape,
resiliparse's text as the referee that can settle a page before readability-lxml runs, and the
selector that decides per page which body the document keeps."""

import json
import logging
import math
import time

import pytest
from lxml import etree

from pagesift.extraction import steps as extraction
from pagesift.contracts.errors import ErrorKind, ExtractionError
from pagesift.extraction.candidates import readability_body, referee_text, text_body
from pagesift.contracts.document import Source
from pagesift.extraction.steps import Page, extract, render
from pagesift.extraction.selection import (
    AGREEMENT,
    ALTERNATIVES,
    FEATURES,
    READABILITY,
    RESILIPARSE,
    TEXT_FEATURES,
    GainModel,
    Selector,
    agreement,
    confirms,
    default_selector,
    features,
    signals_of,
)
from tests.support.pages import ARTICLE_PARAGRAPHS, article_bytes

PROSE = " ".join(ARTICLE_PARAGRAPHS)


def test_the_shipped_model_loads_and_names_its_features():
    selector = default_selector()
    assert set(selector.models) == set(ALTERNATIVES)
    assert all(model.trees and model.margin >= 0 for model in selector.models.values())
    assert len(signals_of("a b c d e", "a b c d e", "a b c d e", {"article": 1.0})) == len(FEATURES)


def test_a_model_trained_on_other_features_or_alternatives_is_refused():
    with pytest.raises(ValueError, match="retrain"):
        Selector.from_dict({"version": "x", "features": ["other"], "models": {}})
    with pytest.raises(ValueError, match="one gain model for each"):
        Selector.from_dict({"version": "x", "features": list(FEATURES), "models": {READABILITY: {}}})


def test_trees_are_walked_left_when_at_or_under_the_threshold():
    # one tree on feature 0 (the primary's log token count): under 2.0 → +0.5, else −0.5
    model = GainModel(0.0, 1.0, 0.1, ([0, 2.0, 0.5, -0.5],))
    assert model.predicted_gain([2.0] + [0.0] * (len(FEATURES) - 1)) == 0.5
    assert model.predicted_gain([2.1] + [0.0] * (len(FEATURES) - 1)) == -0.5


def test_the_alternative_with_the_highest_gain_over_its_margin_is_kept():
    def constant(gain: float, margin: float) -> GainModel:
        return GainModel(gain, 1.0, margin, ())

    texts = {READABILITY: PROSE, RESILIPARSE: PROSE + " more"}
    both_over = Selector("t", {READABILITY: constant(0.2, 0.0), RESILIPARSE: constant(0.1, 0.0)})
    assert both_over.choose(PROSE, texts, "", {}) == READABILITY
    under_its_margin = Selector("t", {READABILITY: constant(0.2, 0.3), RESILIPARSE: constant(0.1, 0.0)})
    assert under_its_margin.choose(PROSE, texts, "", {}) == RESILIPARSE
    neither = Selector("t", {READABILITY: constant(-0.1, 0.0), RESILIPARSE: constant(0.0, 0.0)})
    assert neither.choose(PROSE, texts, "", {}) is None
    # an alternative that holds nothing is never kept, whatever its model says
    assert both_over.choose(PROSE, {READABILITY: " ", RESILIPARSE: PROSE}, "", {}) == RESILIPARSE


def test_features_measure_overlap_and_shape():
    same = features(PROSE, PROSE, PROSE)
    named = dict(zip(TEXT_FEATURES, same, strict=True))
    assert named["alternative_in_primary"] == named["primary_in_alternative"] == 1.0
    assert named["referee_in_primary"] == named["alternative_in_referee"] == 1.0
    assert named["length_ratio_log"] == 0.0
    menu = "\n".join(["Home", "News", "Sport", "Weather", "Contact us"])
    named = dict(zip(TEXT_FEATURES, features(PROSE, menu, ""), strict=True))
    assert named["alternative_short_lines"] == 1.0 and named["alternative_in_primary"] == 0.0
    assert named["alternative_tokens_log"] == pytest.approx(math.log1p(6))
    assert named["referee_tokens_log"] == 0.0 and named["primary_in_referee"] == 0.0


def test_the_referee_confirms_only_a_text_it_nearly_holds_and_that_nearly_holds_it():
    assert agreement(PROSE, PROSE) == 1.0 and confirms(PROSE, PROSE)
    # the referee found the article and a footer: trafilatura's text is all in it, not the reverse
    footer = " ".join(f"Footer link number {i} of the site" for i in range(60))
    assert agreement(PROSE, PROSE + "\n" + footer) < AGREEMENT
    assert not confirms(PROSE, PROSE + "\n" + footer)
    assert not confirms(PROSE, "") and not confirms("", "")


def test_the_referee_reads_the_main_content_and_gives_up_quietly():
    html = "<html><body><nav><a href='/'>Home</a></nav><article>" + "".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS) + "</article></body></html>"
    assert ARTICLE_PARAGRAPHS[0] in referee_text(html)
    assert referee_text("") == ""
    assert referee_text("\x00\ufffd<<<>>>") is not None


def test_a_page_the_referee_confirms_never_runs_readability(monkeypatch):
    ran = []
    monkeypatch.setattr(extraction, "readability_body", lambda tree: ran.append(tree))
    monkeypatch.setattr(extraction, "referee_text", lambda html: "")
    extract(Page(article_bytes()))  # the referee found nothing: readability-lxml is asked
    assert len(ran) == 1
    monkeypatch.setattr(extraction, "confirms", lambda primary, referee: True)
    document = extract(Page(article_bytes()))
    assert len(ran) == 1 and document.extraction.extractor == "trafilatura"


def test_a_page_of_many_elements_gets_no_readability_body(monkeypatch):
    ran = []
    monkeypatch.setattr(extraction, "readability_body", lambda tree: ran.append(tree))
    monkeypatch.setattr(extraction, "referee_text", lambda html: "")  # never confirmed
    extract(Page(article_bytes()))
    assert len(ran) == 1
    grid = "<div>" + "<span>item</span>" * extraction.READABILITY_MAX_ELEMENTS + "</div>"
    html = article_bytes().decode().replace("</body>", grid + "</body>")
    extract(Page(html.encode()))
    assert len(ran) == 1  # over the bound: readability-lxml is not asked


def test_empty_alternative_is_never_kept_and_empty_primary_always_loses():
    selector = default_selector()
    assert selector.choose(PROSE, {READABILITY: "  ", RESILIPARSE: ""}, PROSE, {}) is None
    assert selector.choose("", {READABILITY: PROSE, RESILIPARSE: PROSE}, "", {}) == READABILITY
    assert selector.choose("", {RESILIPARSE: PROSE}, "", {}) == RESILIPARSE


def test_resiliparses_text_becomes_paragraphs_and_lists():
    body = text_body("Opening hours\n\n\u2022 Monday to Friday\n\u2022 Saturday\n\xa0\nCall us any day.")
    assert [element.tag for element in body] == ["p", "list", "p"]
    assert [item.text for item in body[1]] == ["Monday to Friday", "Saturday"]
    assert render(body).markdown == "Opening hours\n\n- Monday to Friday\n- Saturday\n\nCall us any day."
    assert text_body(" \n\xa0\n") is None


def test_resiliparses_lines_are_mapped_onto_the_pages_own_blocks():
    html = """<html><body><nav><a href="/">Home</a></nav><main>
    <h2>Plans <a class="headerlink" href="#plans">\u00b6</a></h2><div>Loose text <span>in a div</span></div>
    <table><tr><th>Plan</th><th>Price</th></tr><tr><td>Basic</td><td>10 USD</td></tr></table>
    <pre>x = 1\n\ny = 2</pre></main><footer>Footer of the site</footer></body></html>"""
    tree = extraction.parse(extraction.decode(Page(html.encode())))
    # resiliparse's lines, spaced its own way, with one line no element stands for
    text = "Plans\n\nLoose text in a div\n\nA line of its own\nPlan\t\tPrice\nBasic\t\t10 USD\nx = 1\n\ny = 2"
    body = text_body(text, tree)
    assert [(element.tag, element.get("rend")) for element in body] == [
        ("head", "h2"),
        ("p", None),
        ("p", None),
        ("table", None),
        ("code", None),
    ]
    assert body[2].text == "A line of its own"  # in resiliparse's order, after the line before it
    assert [cell.text for cell in body[3].iter("cell")] == ["Plan", "Price", "Basic", "10 USD"]
    assert "Footer" not in "".join(body.itertext()) and "Home" not in "".join(body.itertext())


def test_a_shell_page_has_no_main_content(monkeypatch):
    # a few words of chrome around an app its scripts render: resiliparse finds nothing in it
    shell = b"<html><body><header><a href='/'>Shop</a></header><div id='app'>Loading your basket</div>" + (
        b"<script>window.app = {}</script><footer>Terms and privacy of the shop</footer></body></html>"
    )
    with pytest.raises(ExtractionError) as raised:
        extract(Page(shell))
    assert raised.value.kind == ErrorKind.NO_MAIN_CONTENT
    # the same words inside an article resiliparse reads are a document
    monkeypatch.setattr(extraction, "referee_text", lambda html: "Loading your basket and the terms of the shop")
    try:
        extract(Page(shell))
    except ExtractionError as error:
        assert "shell" not in str(error)
    # a referee that gives up on the page says nothing about it: not a shell either
    monkeypatch.setattr(extraction, "referee_text", lambda html: None)
    try:
        extract(Page(shell))
    except ExtractionError as error:
        assert "shell" not in str(error)


def test_readability_body_uses_trafilaturas_vocabulary():
    html = f"""<html><body><nav><a href="/">Home</a> <a href="/n">News</a></nav><article><h2>The plan</h2>
    {''.join(f'<p>{p}</p>' for p in ARTICLE_PARAGRAPHS)}
    <ul><li>Three new night lines</li><li>Four more stops</li></ul><blockquote>We listened, she said.</blockquote>
    <p>See <a href="https://example.org">the <b>full</b> plan</a>.<br>Thanks.</p></article></body></html>"""
    tree = extraction.parse(extraction.decode(Page(html.encode())))
    body = readability_body(tree)
    tags = {element.tag for element in body.iter()}
    assert tags <= {"body", "p", "head", "list", "item", "quote", "code", "table", "row", "cell", "lb"}
    text = render(body).text
    assert "See the full plan." in text and ARTICLE_PARAGRAPHS[0] in text
    assert "Three new night lines" in text


def test_readability_failing_on_a_page_leaves_trafilatura_standing(caplog):
    with caplog.at_level(logging.DEBUG):
        assert readability_body(etree.Element("html")) is None
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_a_page_without_html_head_is_still_parsed():
    # trafilatura's loader refuses markup that does not start like a document
    fragment = "<div>" + "".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS) + "</div>"
    document = extract(Page(fragment.encode(), source=Source(bucket="in", key="f.html")))
    assert ARTICLE_PARAGRAPHS[0] in document.text


def test_the_options_and_the_extractor_are_recorded():
    document = extract(Page(article_bytes(), source=Source(bucket="in", key="a.html")))
    options = document.extraction.options
    assert set(options) == {"trafilatura", "page_type", "readability", "resiliparse", "selector"}
    assert options["trafilatura"]["fast"] is False
    assert document.extraction.extractor in {"trafilatura", *ALTERNATIVES}
    json.dumps(options)


def test_trafilatura_leaves_the_tree_whole_for_readability():
    # readability-lxml reads the same parsed tree after trafilatura: a trafilatura that cleaned
    # the tree it is given (older releases did) would starve the second opinion
    html = article_bytes().decode()
    tree = extraction.parse(extraction.decode(Page(html.encode())))
    before = etree.tostring(tree)
    found = extraction.extract_main(tree, Page(b""))
    assert found is not None and etree.tostring(tree) == before


def test_a_page_that_was_slow_to_parse_gets_no_second_opinion(monkeypatch):
    # resiliparse's parser is slower than lxml's on the markup that makes parsers slow, in C,
    # where the time budget cannot stop it: such a page keeps trafilatura's body
    asked = []
    monkeypatch.setattr(extraction, "referee_text", lambda html: asked.append(html) or "")
    parse = extraction.parse

    def slow_parse(decoded):
        time.sleep(extraction.SECOND_OPINION_MAX_PARSE_SECONDS + 0.05)
        return parse(decoded)

    monkeypatch.setattr(extraction, "parse", slow_parse)
    document = extract(Page(article_bytes()))
    assert asked == [] and document.extraction.extractor == "trafilatura"


@pytest.mark.parametrize("nest", ["<div>", "<i><div>"])
def test_a_deeply_nested_page_gets_no_second_opinion(monkeypatch, nest):
    # resiliparse's time grows with the square of the nesting, in C: 20,000 nested <div>s
    # after the article would hold the function for seconds (an <i> in each: 26 s)
    asked = []
    monkeypatch.setattr(extraction, "referee_text", lambda html: asked.append(html) or "")
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE_PARAGRAPHS)
    data = f"<html><body><article>{paragraphs}</article>{nest * 20_000}</body></html>".encode()
    document = extract(Page(data))
    assert asked == [] and document.extraction.extractor == "trafilatura"
    assert ARTICLE_PARAGRAPHS[0] in document.text
    # at the deepest nesting real pages have (50 levels on the development pages), it runs
    extract(Page(f"<html><body><article>{paragraphs}</article>{nest * 40}</body></html>".encode()))
    assert len(asked) == 1
