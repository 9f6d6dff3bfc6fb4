"""Publication dates as people write them in bylines, never a year from a ticker or a footer."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pagesift.extraction.metadata.dates import byline_date, modified_date, parse_written_date
from pagesift.extraction.metadata.jsonld import read_json_ld
from pagesift.extraction.steps import Page, decode, extract, parse

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("text", "expected", "month_first"),
    [
        ("Publié dans Le Matin le 25 - 11 - 2021", "2021-11-25", False),
        ("Publié le 25/11/2021 à 08h30", "2021-11-25", False),
        ("Mis en ligne le 3.2.2020", "2020-02-03", False),
        ("Publié le 25 novembre 2021", "2021-11-25", False),
        ("Le 1er décembre 2019, par la rédaction", "2019-12-01", False),
        ("Publicado el 25 de noviembre de 2021", "2021-11-25", False),
        ("Madrid, 7 de enero del 2022", "2022-01-07", False),
        ("نشر في ٢٥ نوفمبر ٢٠٢١", "2021-11-25", False),
        ("الخميس 25 تشرين الثاني 2021", "2021-11-25", False),
        ("Nov. 25, 2021 at 8:30 a.m.", "2021-11-25", True),
        ("Published November 25, 2021", "2021-11-25", True),
        ("Updated 25 November 2021", "2021-11-25", True),
        ("11/25/2021", "2021-11-25", True),
        ("05/06/2021", "2021-05-06", True),
        ("05/06/2021", "2021-06-05", False),
        ("2021-11-25T08:30", "2021-11-25", False),
        ("publiziert am 30. Juli 2018", "2018-07-30", False),
    ],
)
def test_written_forms(text, expected, month_first):
    assert parse_written_date(text, today=TODAY, month_first=month_first) == expected


@pytest.mark.parametrize(
    "text",
    ["31/02/2021", "25 - 11 - 2027", "Budget 2026", "© 2026 Agrégateur", "1994-05-01", "page 12 of 2021 results", ""],
)
def test_impossible_future_or_bare_years_are_not_dates(text):
    assert parse_written_date(text, today=TODAY) is None


AGGREGATOR = """<html lang="fr"><head><meta charset="utf-8"><title>Le port de Tanger bat un record | Agrégateur Info</title></head>
<body><div class="ticker"><ul><li><a href="/a">Budget 2026 : les députés votent le 12/01/2026</a></li><li><a href="/b">Coupe 2026 : le calendrier</a></li></ul></div>
<nav><a href="/">Accueil</a> <a href="/eco">Économie</a></nav>
<div class="sidebar">""" + "<p>Autre titre du jour, sans rapport avec l'article.</p>" * 20 + """</div>
<article><h1>Le port de Tanger bat un record</h1>
<p class="source">Publié dans Le Matin le 25 - 11 - 2021</p>
<p>Le port de Tanger Med a traité plus de sept millions de conteneurs cette année, un record depuis son ouverture, selon les chiffres publiés mardi par l'autorité portuaire.</p>
<p>La hausse s'explique par de nouvelles lignes vers l'Afrique de l'Ouest et l'Amérique du Sud, ainsi que par l'agrandissement du terminal à conteneurs achevé au printemps.</p>
<p>Les responsables du port prévoient de poursuivre les investissements, notamment dans l'automatisation des grues et la connexion ferroviaire avec l'arrière-pays.</p>
</article><footer>© 2026 Agrégateur Info — mis à jour le 01/01/2026</footer></body></html>"""


def test_aggregator_byline_wins_over_ticker_and_footer_years():
    assert byline_date(AGGREGATOR, today=TODAY) == "2021-11-25"
    document = extract(Page(AGGREGATOR.encode()))
    assert document.date == "2021-11-25"
    assert document.language == "fr"


def test_a_page_whose_only_dates_are_in_boilerplate_has_no_date():
    page = AGGREGATOR.replace("Publié dans Le Matin le 25 - 11 - 2021", "Publié dans Le Matin")
    assert extract(Page(page.encode())).date is None


def test_structured_data_comes_first():
    page = AGGREGATOR.replace("<head>", '<head><meta property="article:published_time" content="2021-11-24T22:00:00Z">')
    assert extract(Page(page.encode())).date == "2021-11-24"


_LEDE = "<p>" + "Le conseil a présenté le 10 janvier 2023 un plan qui doit durer dix ans et coûter plusieurs millions d'euros selon ses auteurs. " + "</p>"


@pytest.mark.parametrize(
    ("above", "below", "expected"),
    [
        # a byline below the headline wins over a top bar's day of the visit above it
        ("<div class='topbar'>Samedi 10 janvier 2026</div>", "<p class='byline'>Publié le 25/11/2021</p>", "2021-11-25"),
        # a kicker's date above the headline wins over a date the article's first paragraph cites
        ("<p class='kicker'>Publié le 14 mars 2023</p>", "", "2023-03-14"),
        # with nothing else, a date in the first paragraph is still read
        ("", "", "2023-01-10"),
    ],
)
def test_byline_dates_around_the_headline(above, below, expected):
    html = f"<html><body>{above}<h1>Un plan pour dix ans</h1>{below}{_LEDE}</body></html>"
    assert byline_date(html, title="Un plan pour dix ans", today=date(2026, 11, 29)) == expected


# --- the modification date: what the page declares, in the form of the publication date ---


def _modified(head: str, body: str = "") -> str | None:
    tree = parse(
        decode(Page(f"<html><head><title>t</title>{head}</head><body>{body}<p>text</p></body></html>".encode()))
    )
    return modified_date(tree, read_json_ld(tree))


def _json_ld(value: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(value)}</script>'


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        (
            _json_ld({"@type": "NewsArticle", "datePublished": "2021-11-25", "dateModified": "2021-11-26T10:00:00Z"}),
            "",
            "2021-11-26",
        ),
        (
            _json_ld({"@graph": [{"@type": "WebSite"}, {"@type": "WebPage", "dateModified": "2022-01-03"}]}),
            "",
            "2022-01-03",
        ),
        (_json_ld([{"@type": "Organization"}, {"@type": "Article", "dateModified": ["2022-01-04"]}]), "", "2022-01-04"),
        ('<meta property="article:modified_time" content="2021-11-26T08:30:00+01:00">', "", "2021-11-26"),
        ('<meta property="og:updated_time" content="2021-11-27T08:30:00Z">', "", "2021-11-27"),
        ('<meta itemprop="dateModified" content="2021-11-28">', "", "2021-11-28"),
        ('<meta name="last-modified" content="Mon, 29 Nov 2021 08:30:00 GMT">', "", "2021-11-29"),
        ("", '<time itemprop="dateModified" datetime="2021-11-30T12:00">30 Nov</time>', "2021-11-30"),
        # JSON-LD first, then meta tags
        (
            '<meta property="article:modified_time" content="2021-11-26">' + _json_ld({"dateModified": "2021-12-01"}),
            "",
            "2021-12-01",
        ),
    ],
)
def test_modified_dates_the_page_declares(head, body, expected):
    assert _modified(head, body) == expected


@pytest.mark.parametrize(
    "head",
    [
        "",
        '<meta property="article:published_time" content="2021-11-25">',
        _json_ld({"@type": "Article", "datePublished": "2021-11-25"}),
        _json_ld({"@type": "ItemList", "itemListElement": [{"@type": "Article", "dateModified": "2021-11-26"}]}),
        '<meta property="article:modified_time" content="2099-01-01">',  # the future
        '<meta property="article:modified_time" content="1990-01-01">',  # before the web's news
        '<meta property="article:modified_time" content="yesterday">',
        _json_ld({"dateModified": {"@value": "2021-11-26"}}),
        _json_ld({"dateModified": 20211126}),
        '<script type="application/ld+json">{"dateModified": "2021-11-26"</script>',  # invalid JSON
    ],
)
def test_no_modified_date_when_the_page_declares_none_that_reads(head):
    assert _modified(head) is None


def test_the_document_has_both_dates():
    page = AGGREGATOR.replace(
        "<head>",
        '<head><meta property="article:published_time" content="2021-11-25T06:00:00Z">'
        '<meta property="article:modified_time" content="2021-11-26T07:00:00Z">',
    )
    document = extract(Page(page.encode()))
    assert (document.date, document.date_modified) == ("2021-11-25", "2021-11-26")
    assert extract(Page(AGGREGATOR.encode())).date_modified is None
