"""Boilerplate rules on trafilatura's output tree: page furniture goes, prose stays whole."""

import re

import pytest
from lxml import etree

from pagesift.extraction.cleanup import remove_boilerplate


def _cleaned(xml: str) -> etree._Element:
    body = etree.fromstring(xml)
    remove_boilerplate(body)
    return body


def _text(body: etree._Element) -> str:
    """The text as a reader sees it: pieces spaced, no space before punctuation."""
    spaced = " ".join(" ".join(body.itertext()).split())
    return re.sub(r"\s+([,.)])", r"\1", spaced).replace("( ", "(")


def test_an_unrendered_shortcode_widget_paragraph_is_dropped():
    body = _cleaned(
        "<body><p>The review ends here.</p>"
        "<p>[button link=”http://example.org/submit/” type=”big” newwindow=”yes”] Send us YOUR review[/button]</p>"
        "<p>Next paragraph.</p></body>"
    )
    assert _text(body) == "The review ends here. Next paragraph."


def test_shortcode_tags_inside_prose_are_stripped_and_the_prose_kept():
    body = _cleaned('<body><p>Before [gallery ids="1,2,3" columns=4] after, and [caption id=\'x\']a caption[/caption].</p></body>')
    assert _text(body) == "Before after, and a caption."


def test_brackets_in_prose_are_not_shortcodes():
    prose = "He said [sic] that the figure [1] was wrong [Editor's note: it was] and [a = b] too."
    assert _text(_cleaned(f"<body><p>{prose}</p></body>")) == prose


def test_a_pop_up_card_of_glued_links_keeps_only_the_named_link():
    body = _cleaned(
        '<body><p>He threatened Rep. <ref target="/p/omar">Ilhan Omar</ref><ref target="/p/omar">Ilhan Omar</ref>'
        '<ref target="/a/1">Progressives oppose the bill</ref> <ref target="/a/2">Omar asks the court</ref> '
        '<ref target="/p/omar">MORE</ref> (D-Minn.), the office announced.</p></body>'
    )
    assert _text(body) == "He threatened Rep. Ilhan Omar (D-Minn.), the office announced."
    assert [ref.get("target") for ref in body.iter("ref")] == ["/p/omar"]


def test_links_separated_by_words_or_punctuation_are_prose():
    for xml in (
        '<body><p>Talks with <ref target="/e">Europe</ref>, <ref target="/j">Japan</ref>, <ref target="/c">Canada and Mexico</ref> went on.</p></body>',
        '<body><p>Water helps (<ref target="/10">10</ref>, <ref target="/11">11</ref>, <ref target="/12">12</ref>).</p></body>',
    ):
        before = _text(etree.fromstring(xml))
        assert _text(_cleaned(xml)) == before


def test_a_block_of_links_only_is_left_to_the_extractor():
    xml = '<body><p><ref target="/a">One</ref> <ref target="/b">Two</ref> <ref target="/c">Three</ref></p></body>'
    assert _text(_cleaned(xml)) == "One Two Three"


def test_headline_paragraphs_in_a_row_are_a_related_list():
    body = _cleaned(
        "<body><p>The article's last sentence.</p>"
        '<p><ref target="/a/1">Design week: a tribute to a master</ref></p><p> </p>'
        '<p><ref target="/a/2">The flow of time at the Triennale</ref></p>'
        '<p><hi rend="#b"><ref target="/a/3">Living nature explored</ref></hi></p>'
        "<p>copyright Example 2019</p></body>"
    )
    assert _text(body) == "The article's last sentence. copyright Example 2019"


def test_one_link_paragraph_or_footnotes_without_addresses_stay():
    single = '<body><p>Prose here.</p><p><ref target="https://example.org">example.org</ref></p><p>More prose.</p></body>'
    assert _text(_cleaned(single)) == "Prose here. example.org More prose."
    footnotes = "<body><p>Prose.</p><p><ref>[1] Ruskin KJ. Alarm fatigue. 2015.</ref></p><p><ref>[2] ECRI hazards list.</ref></p></body>"
    assert _text(_cleaned(footnotes)) == "Prose. [1] Ruskin KJ. Alarm fatigue. 2015. [2] ECRI hazards list."


def test_a_labelled_list_of_tagged_headlines_goes_with_its_label():
    body = _cleaned(
        "<body><p>Prose before the list.</p><p><hi rend=\"#b\">DON'T MISS</hi></p>"
        '<p><ref target="/1">CDC names eight deadly diseases</ref> [WARNING]</p>'
        '<p><ref target="/2">Holidaymakers die after eating marmot</ref> [INSIGHT]</p>'
        "<p>According to the CDC, the plague is treatable.</p></body>"
    )
    assert _text(body) == "Prose before the list. According to the CDC, the plague is treatable."


def test_a_read_more_teaser_goes_and_a_sentence_with_links_stays():
    body = _cleaned(
        '<body><p>First.</p><p><hi rend="#b">READ MORE: <ref target="/x">China plague outbreak confirmed in Beijing</ref></hi></p>'
        '<p><hi rend="#i">Follow Newsbeat on</hi> <ref target="/i">Instagram</ref><hi rend="#i">,</hi> <ref target="/f">Facebook</ref> '
        '<hi rend="#i">and</hi> <ref target="/y">YouTube</ref>.</p></body>'
    )
    assert _text(body) == "First. Follow Newsbeat on Instagram, Facebook and YouTube."


def test_calls_to_action_go_and_reporting_about_newsletters_stays():
    body = _cleaned(
        "<body><head>Sign up for the Morning Briefing</head>"
        "<p>The council's own newsletter said on Monday that the vote would be delayed by a week.</p>"
        '<p>Get <ref target="/m">the monthly magazine</ref> delivered every month. <ref target="/m">Click here</ref> for more.</p>'
        "<p>The vote is now set for December, the Boletín Oficial said.</p>"
        "<p>Abonnez-vous à notre lettre d'information pour ne rien manquer.</p></body>"
    )
    assert _text(body) == ("The council's own newsletter said on Monday that the vote would be delayed by a week. The vote is now set for December, the Boletín Oficial said.")


def test_the_headline_repeated_at_the_top_goes_with_its_section_label():
    body = etree.fromstring(
        "<body><p>Educación</p><head>Los colegios amplían su horario</head>"
        "<p>Los colegios amplían su horario desde enero, anunció la consejería.</p></body>"
    )
    remove_boilerplate(body, titles=("Los colegios amplían su horario | Diario", "Los colegios amplían su horario"))
    assert _text(body) == "Los colegios amplían su horario desde enero, anunció la consejería."


def test_the_headline_goes_alone_below_a_paragraph_and_stays_further_down():
    # Below a standfirst, only the headline goes (the paragraph above it is prose, not a
    # label); past the first blocks, the same words are the article quoting its own title.
    xml = (
        "<body><p>A standfirst that is long enough to be prose and not a label.</p>"
        "<p>Port breaks record</p><p>Second.</p><p>Third.</p><p>Port breaks record</p><p>Fourth.</p></body>"
    )
    body = etree.fromstring(xml)
    remove_boilerplate(body, titles=("Port breaks record",))
    assert _text(body) == "A standfirst that is long enough to be prose and not a label. Second. Third. Port breaks record Fourth."


# ------------------------------------------------------------------ prose the rules must keep


def test_names_split_into_links_and_lists_of_agencies_are_prose():
    for xml in (
        '<body><p>The <ref target="/e">European</ref> <ref target="/c">Central</ref> <ref target="/b">Bank</ref> raised rates.</p></body>',
        '<body><p>Reported by <ref target="/r">Reuters,</ref> <ref target="/ap">the Associated Press,</ref> <ref target="/afp">AFP</ref> and others.</p></body>',
    ):
        assert _text(_cleaned(xml)) == _text(etree.fromstring(xml))


def test_a_page_builder_shortcode_around_a_paragraph_keeps_the_paragraph():
    prose = "The harbour authority said the new cranes would double the number of containers handled each night by the end of next year."
    body = _cleaned(f'<body><p>[vc_column_text css=".vc_custom_1"]{prose}[/vc_column_text]</p></body>')
    assert _text(body) == prose


def test_a_citation_behind_a_label_is_not_a_teaser():
    xml = '<body><p>Prose.</p><p>Fuente: <ref target="https://ine.es">Instituto Nacional de Estadística</ref></p><p>More prose.</p></body>'
    assert _text(_cleaned(xml)) == "Prose. Fuente: Instituto Nacional de Estadística More prose."


def test_arabic_took_part_is_not_subscribe():
    sentence = "اشترك أكثر من مئة ألف شخص في المظاهرة التي جابت شوارع المدينة يوم الجمعة."
    xml = f"<body><p>فقرة أولى من المقال.</p><p>{sentence}</p></body>"
    assert sentence in _text(_cleaned(xml))
    assert "اشترك الآن" not in _text(_cleaned("<body><p>فقرة.</p><p>ثانية.</p><p>اشترك الآن في نشرتنا اليومية.</p></body>"))


def test_a_body_that_is_only_the_headline_is_left_to_the_extractor():
    body = etree.fromstring("<body><p>Port of Tangier breaks its container record again this year</p></body>")
    remove_boilerplate(body, titles=("Port of Tangier breaks its container record again this year",))
    assert _text(body) == "Port of Tangier breaks its container record again this year"


# ----------------------------------------------------------------- odd trees and hostile input


def test_comments_and_processing_instructions_in_the_tree_are_skipped():
    body = etree.fromstring(
        '<body><!--c--><p>Title here</p><?pi x?><p>Prose <!--c--> with <ref target="/1">one</ref>.</p>'
        '<p><ref target="/a">A first related headline here</ref></p><!--c--><p><ref target="/b">A second related headline here</ref></p></body>'
    )
    remove_boilerplate(body, titles=("Title here",))
    assert _text(body) == "Prose with one."


def test_a_teaser_whose_link_has_no_words_is_kept_whole():
    xml = '<body><p>First.</p><p>READ MORE: <ref target="/x"> </ref><ref target="/y">Another headline of the day</ref></p><p>Last.</p></body>'
    _cleaned(xml)  # no exception: an empty link text once made split() fail


def test_hostile_shortcode_lookalikes_are_left_alone():
    text = "The council met. " + "[a b=c" * 20_000  # quadratic with an unbounded value class
    body = _cleaned(f"<body><p>{text}</p></body>")
    assert _text(body).startswith("The council met. [a b=c[a b=c")


# ------------------------------------------------------------------ lines at the body's edges

_PROSE = "<p>The harbour authority said on Tuesday that the new cranes would double the night's capacity.</p>"


@pytest.mark.parametrize(
    "first",
    [
        "Tempo de leitura: 1 minuto",
        "5 min read",
        "Updated at 1:23 p.m.",
        "November 20, 2019 - 11:28 AMT",
        "5:45 AM PST 11/19/2019 by Patrick Shanley",
        # a dated byline, whatever its language: short, not a sentence, a date in digits
        "Par Hélène Vuillemin - Publié le 25/11/2021 à 10h32 - Mis à jour le 26/11/2021 à 08h15",
        "Por Redacción | 03.05.2022 - 14:10",
        "Von Anna Schmidt, 2022-05-03",
        # shapes, not words of a few languages: a Portuguese or German timestamp and reading
        # time go as the English and French ones do
        "Publicado em 3 de março de 2021 às 10h32",
        "Aktualisiert am 25. November 2021, 10:32 Uhr",
        "Lesezeit: 4 Minuten",
        "Atualizado há 5 horas",
    ],
)
def test_furniture_lines_at_the_top_go(first):
    body = _cleaned(f"<body><p>{first}</p>{_PROSE}{_PROSE}{_PROSE}</body>")
    assert first.split()[0] not in _text(body) and _text(body).startswith("The harbour")


@pytest.mark.parametrize(
    "last",
    [
        "paul.takahashi@chron.com twitter.com/paultakahashi",
        "Filed under: Khawarij |",
        "Tags: port, shipping, Tangier",
        "Comments",
        "12 commentaires",
        "Tell us what YOU think...",
        "Keith Bradsher contributed reporting from Hong Kong.",
        "Additional reporting by Joseph Hudak",
        "Pontarlier : -2° / 4°",
        "Temas: Lula, eleições, Brasília",
        "Schlagwörter: Politik, Berlin",
        "Comentários (3)",
        "Kommentare",
    ],
)
def test_furniture_lines_at_the_bottom_go(last):
    body = _cleaned(f"<body>{_PROSE}{_PROSE}{_PROSE}<p>{last}</p></body>")
    assert _text(body).endswith("capacity.") and last.split()[0] not in _text(body)


def test_the_same_lines_inside_the_article_or_in_a_short_body_stay():
    live_blog = (
        "<body><p>The latest on the storm:</p>"
        "<p>11:40 a.m.</p><p>Winds reached 120 km/h on the coast, the weather service said.</p>"
        "<p>10:15 a.m.</p><p>Schools closed in three districts as the storm approached.</p>"
        "<p>The service expects the storm to weaken overnight as it moves inland.</p></body>"
    )
    assert "11:40 a.m." in _text(_cleaned(live_blog)) and "10:15 a.m." in _text(_cleaned(live_blog))
    short = "<body><p>Updated at 1:23 p.m.</p><p>The council approved the budget.</p></body>"
    assert _text(_cleaned(short)) == "Updated at 1:23 p.m. The council approved the budget."
    prose_about_comments = f"<body>{_PROSE}{_PROSE}<p>Readers left 300 comments under the article before it was closed.</p></body>"
    assert "300 comments" in _text(_cleaned(prose_about_comments))


def test_blocks_inside_divs_are_judged_too():
    body = etree.fromstring(
        "<body><div><div><p>November 20, 2019 - 11:28 AMT</p><p>Port breaks record</p>"
        f"{_PROSE}{_PROSE}</div></div></body>"
    )
    remove_boilerplate(body, titles=("Port breaks record",))
    assert _text(body).startswith("The harbour")


def test_edge_rules_leave_tables_and_temperatures_in_prose():
    table = "<table><row><cell>2019</cell><cell>2020</cell></row><row><cell>81</cell><cell>90</cell></row></table>"
    body = _cleaned(f"<body>{_PROSE}{_PROSE}<p>It was 40°C in the shade.</p>{table}</body>")
    assert "It was 40°C in the shade." in _text(body) and "2019" in _text(body)


@pytest.mark.parametrize(
    "last",
    [
        "The audit, to which dozens of experts contributed reporting on their own sectors, found nothing.",
        '"We thank the volunteers who contributed to this report," the mayor said.',
        "Temperatures will range from -2°C / 4°C.",
        "On 25 May by train, she left Paris for good.",
        "At 10 p.m. by the river, the crowd sang.",
        "Tags: are they important? The agency says they are.",
        "Temas: el Gobierno no ha respondido a las preguntas de este diario.",
        "Mots-clés : le ministre a refusé de commenter.",
        # a date in digits inside a sentence is prose
        "The hearing, first set for 25/11/2021, was moved to January.",
        # a sentence that ends with a short word, a number or a date ends like a sentence
        "The port said it was a good year.",
        "Ships waited 3 days.",
        "The new terminal opens on 25 November 2022.",
    ],
)
def test_prose_that_looks_like_furniture_at_the_bottom_stays(last):
    body = _cleaned(f"<body>{_PROSE}{_PROSE}{_PROSE}<p>{last}</p></body>")
    assert _text(body).endswith(_text(etree.fromstring(f"<p>{last}</p>")))


def test_a_byline_that_names_someone_with_a_date_in_words_stays():
    # the research datasets' truth keeps such bylines; a bare timestamp goes (above)
    first = "By Lim Cheng Soon, 18 August 2010"
    body = _cleaned(f"<body><p>{first}</p>{_PROSE}{_PROSE}{_PROSE}</body>")
    assert _text(body).startswith(first)


def test_a_short_line_is_a_label_only_at_the_end_of_the_body():
    # "Comments" with nothing below it labels a section that is gone; a short first line with
    # prose below is a kicker or a standfirst, left to the headline rule
    body = _cleaned(f"<body><p>Port news</p>{_PROSE}{_PROSE}<p>Port news</p></body>")
    assert _text(body).startswith("Port news") and _text(body).endswith("capacity.")


def test_a_heading_of_dates_opens_a_section_and_stays():
    body = _cleaned(f"<body><head>2023 by the numbers</head>{_PROSE}{_PROSE}{_PROSE}</body>")
    assert _text(body).startswith("2023 by the numbers")
