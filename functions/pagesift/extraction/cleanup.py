"""Boilerplate that survives trafilatura, removed from its output tree (its XML: p, head, list,
item, quote, cell, ref...). Each rule is about the shape of page furniture, never about a site.
"""

from __future__ import annotations

import re

from lxml import etree

# Unrendered shortcodes (WordPress, Hugo, forum BBCode): "[button link="…" type="big"]",
# "[/button]", "[gallery ids=1,2]". An opening tag counts only with attributes, so that prose
# in brackets ("[sic]", "[1]", "[Editor's note]") is never touched. Quotes may be typographic:
# CMSs "smarten" them in text they failed to render.
# Every piece is bounded and no value may contain "[": a page of "[a b=c" repeated must cost
# linear time (an unbounded value class made it quadratic: 47 s for 120 KB).
_QUOTED = r"(?:\"[^\"\[\]]{0,200}\"|'[^'\[\]]{0,200}'|[“”″][^\[\]“”″]{0,200}[“”″]|[^\s\[\]\"'“”″]{1,200})"
_SHORTCODE_OPEN = re.compile(
    rf"\[(?P<name>[A-Za-z][\w-]{{0,40}})(?:\s{{1,20}}[\w-]{{1,40}}\s{{0,5}}=\s{{0,5}}{_QUOTED}){{1,30}}\s{{0,5}}/?\]"
)
_SHORTCODE_CLOSE = re.compile(r"\[/(?P<name>[A-Za-z][\w-]{0,40})\]")
# A block that is one small shortcode widget ("[button …]Send us your review[/button]") goes;
# a longer text inside a shortcode ("[vc_column_text …]<a paragraph>[/vc_column_text]", a
# page builder's leak) is the article: only its tags go.
SHORTCODE_WIDGET_MAX_WORDS = 15
_BLOCKS = ("p", "head", "item", "quote", "cell")
# Links in a row with nothing but spacing between them, inside a paragraph of prose: a pop-up
# card or a related-headlines strip that the page hides with CSS, glued into the sentence.
# Writers separate the links they cite with words or punctuation ("[A], [B] and [C]", "(10, 11)");
# three with only spacing between are furniture.
MIN_LINK_RUN = 3
# ...and what goes must hold other articles' headlines: names split into links ("the
# [European] [Central] [Bank]") or a list of agencies stay.
HEADLINE_MIN_WORDS = 4
MIN_HEADLINES_IN_RUN = 2
HEADLINE_SEARCH_BLOCKS = 3  # the headline repeated further down is a pull quote, not furniture
LABEL_MAX_WORDS = 6  # a section name or a kicker above the headline, not a paragraph
_WORD = re.compile(r"\w")
_WORDS = re.compile(r"\w+")
# Prompts that ask the reader to act, in the languages we serve: imperatives opening a
# sentence ("Subscribe to…", "Click here…", "Suscríbete…"), so that reporting that mentions a
# newsletter, a subscription or the "Boletín Oficial" is never taken for one.
_CALL_TO_ACTION = re.compile(
    r"(?:^|[.!?:»”\"]\s+)(?:subscribe|sign up|click here|follow us|get access|"
    r"abonnez-vous|inscrivez-vous|cliquez ici|suivez-nous|"
    r"suscr[íi]bete|suscr[íi]base|reg[íi]strate|haz clic|haga clic|s[íi]guenos|"
    # "اشترك" alone is also "took part": only its prompt forms
    r"اشترك الآن|اشترك في نشرتنا|اشترك في النشرة|اشترك مجانا|تابعونا|اضغط هنا|انقر هنا)\b",
    re.IGNORECASE,
)
TEASER_MIN_WORDS = 6
# Lines of page furniture that sit at the edges of an article, not in it, known by their shape
# in any language (never by a list of words): the author's address or handle, the
# contributors' credit line, a weather box; and below, reading times and counts, tag lines,
# timestamps and dated bylines, the label of a section that is not there.
_EDGE_LINE = re.compile(
    r"(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?:\s+(?:https?://)?(?:www\.)?(?:twitter|x)\.com/\w+)?"
    r"|(?:https?://)?(?:www\.)?(?:twitter|x)\.com/\w+|@\w{2,30}"
    r"|tell us what you think|leave a (?:comment|reply)"
    r"|[^.!?\"“”]{0,200}\b(?:additional|with) reporting by\s.{0,200}"
    r"|[^.!?\"“”]{0,200}\bcontributed (?:reporting|to this report)(?:\s+from\s+[^.!?]{1,120})?"
    # a weather box's low and high: "Pontarlier : -2° / 4°" (not "It was 40°C")
    r"|(?-i:[A-ZÀ-Þ])[\w'’-]*(?:\s+(?-i:[A-ZÀ-Þ])[\w'’-]*){0,3}\s*:?\s*-?\d{1,2}\s*°\s*[CF]?\s*/\s*-?\d{1,2}\s*°\s*[CF]?)",
    re.IGNORECASE,
)
# A date written with its month in words, in the orders people write them: "25 November 2021",
# "3 de março de 2021", "25. November 2021", "November 20, 2019", "Nov. 19, 2019", "25 نوفمبر 2021".
_MONTH_WORD = r"[^\W\d_]{3,12}\.?"
_WRITTEN_DATE = re.compile(
    rf"(?<![\d.,])\d{{1,2}}(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+|of\s+)?{_MONTH_WORD},?\s+(?:de\s+)?(?:19|20)\d{{2}}(?!\d)"
    rf"|{_MONTH_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}(?!\d)",
    re.IGNORECASE,
)
# A clock time: "10:32", "10h32", "1:23 p.m.", "5:45 AM".
_CLOCK = re.compile(r"(?<![\d:.,])\d{1,2}(?::|h)\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?)?(?![\d:.,]\d)", re.IGNORECASE)
_TIME_ZONE = re.compile(r"[A-Z]{2,4}")  # GMT, ET, PST, AMT: capitals alone, as zones are written
# A timestamp holds a date or a time and at most this many other words ("Updated at",
# "Publicado em … às", "Aktualisiert am … Uhr", "Posted on"): with more, it is a byline that
# names someone ("By Lim Cheng Soon, 18 August 2010"), which the research datasets' truth
# keeps; a byline with a date in digits goes (below).
TIMESTAMP_OTHER_WORDS = 3
# A line of this many words with one number in it is a count, not a sentence: "5 min read",
# "Lesezeit: 4 Minuten", "Tempo de leitura: 1 minuto", "12 commentaires", "Comentários (3)".
COUNT_LINE_MAX_WORDS = 5
# A tag line: a short label, a colon, then a list of short items ("Tags: port, shipping",
# "Filed under: Khawarij |", "Temas: Lula, eleições, Brasília", "Schlagwörter: Politik").
TAG_LABEL_MAX_WORDS = 3
TAG_ITEM_MAX_WORDS = 4
TAG_SINGLE_ITEM_MAX_WORDS = 2
_LIST_SEPARATOR = re.compile(r"\s*[,|;·•/]\s*")
# The last line of the body, this short and no sentence, is the label of what the page had
# below it ("Comments", "Kommentare", "Related"), now gone.
END_LABEL_MAX_WORDS = 3
# A line that ends with "a.m." or "p.m." does not end like a sentence for that dot.
_ABBREVIATION_END = re.compile(r"\b[ap]\.\s?m\.$", re.IGNORECASE)
CALL_TO_ACTION_MAX_WORDS = 60
CALL_TO_ACTION_TAIL = 3  # last blocks of the body where a prompt needs no link to be one
EDGE_BLOCKS = 3  # how far from each edge of the body furniture lines are looked for
# Footer shapes, in any language: a copyright sign with a year ("© 2004-2026 La Gazette - Tous
# droits réservés"), and a bar of three or more short items between vertical bars
# ("Mentions légales | Contact | Publicité").
_COPYRIGHT = re.compile(r"(?:©|\(c\))\s*(?:\d{4}\b|[^\W\d]+[^.!?]{0,80}\b\d{4}\b)", re.IGNORECASE)
COPYRIGHT_LINE_MAX_WORDS = 30
BAR_ITEM_MAX_WORDS = 4
# A byline or dateline, in any language: a short line that is not a sentence and holds a date
# written in digits ("Par Hélène Vuillemin - Publié le 25/11/2021 à 10h32 - Mis à jour le
# 26/11/2021 à 08h15", "2021-11-25 | Staff"). Prose that gives a date ends like a sentence.
_NUMERIC_DATE = re.compile(r"(?<!\d)(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})(?!\d)")
DATED_LINE_MAX_WORDS = 25
# The glyph of a link to a heading's own anchor, which documentation generators put after it
# (Sphinx, Django, MkDocs: "Installation¶"; others a link or an anchor symbol): at the end of a
# line it is never text. A "#" or "§" counts only in a heading and apart from its words, so
# that "C#" and "§ 3" stay.
_ANCHOR_GLYPH = re.compile(r"\s*[¶🔗⚓][\ufe0e\ufe0f]?\s*$")
_HEADING_ANCHOR_GLYPH = re.compile(r"(?<=\S)\s+[#§]\s*$|\s*[¶🔗⚓][\ufe0e\ufe0f]?\s*$")
_SENTENCE_END = (".", "!", "?", "…", ":", ";", "»", "”", '"', "؟", "。")


def remove_boilerplate(body: etree._Element, *, titles: tuple[str | None, ...] = ()) -> None:
    """Clean ``body`` (trafilatura's output tree) in place; ``titles`` are the page's title as
    found and as cleaned, for the headline repeated at the top of the body."""
    _remove_anchor_glyphs(body)
    _remove_repeated_headline(body, titles)
    _remove_shortcodes(body)
    _remove_link_runs(body)
    _remove_headline_lists(body)
    _remove_calls_to_action(body)
    _remove_edge_lines(body)


def _remove_anchor_glyphs(body: etree._Element) -> None:
    """Headings' anchor glyphs ("Installation¶"): the text at the end of each line loses them."""
    for element in body.iter():
        if not isinstance(element.tag, str) or element.tag == "code":
            continue
        if element.text and (len(element) == 0 or element[0].tag == "lb"):
            element.text = _without_anchor_glyph(element.text, heading=element.tag == "head")
        parent, following = element.getparent(), element.getnext()
        ends_line = following is None or following.tag == "lb"
        if element.tail and ends_line and parent is not None and parent.tag != "code":
            element.tail = _without_anchor_glyph(element.tail, heading=parent.tag == "head")


def _without_anchor_glyph(text: str, *, heading: bool) -> str:
    return (_HEADING_ANCHOR_GLYPH if heading else _ANCHOR_GLYPH).sub("", text)


def _remove_repeated_headline(body: etree._Element, titles: tuple[str | None, ...]) -> None:
    """The headline is the document's title, not its text: drop it where the body repeats it
    in its first blocks, with the short labels above it (section name, kicker)."""
    wanted = {_normalized(title) for title in titles if title} - {""}
    if not wanted:
        return
    blocks = _blocks(body)
    for index, block in enumerate(blocks[:HEADLINE_SEARCH_BLOCKS]):
        if index == len(blocks) - 1:
            return  # the headline is all there is: the page is a stub, let the extractor say so
        if _normalized(" ".join(block.itertext())) in wanted:
            above = blocks[:index]
            labels = above if all(len(_WORDS.findall(" ".join(b.itertext()))) <= LABEL_MAX_WORDS for b in above) else []
            for element in [*labels, block]:
                _drop(element)
            return


def _normalized(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def _remove_shortcodes(body: etree._Element) -> None:
    for block in list(body.iter("p", "head", "item", "quote")):  # not cells: columns would shift
        if _is_shortcode_widget("".join(block.itertext()).strip()):
            _drop(block)
    for element in body.iter():
        if element.text and "[" in element.text:
            element.text = _strip_shortcodes(element.text)
        if element.tail and "[" in element.tail:
            element.tail = _strip_shortcodes(element.tail)


def _is_shortcode_widget(text: str) -> bool:
    opening, closing = _SHORTCODE_OPEN.match(text), _SHORTCODE_CLOSE.search(text)
    if not opening or not closing or closing.end() != len(text) or opening.group("name") != closing.group("name"):
        return False
    return len(_WORDS.findall(text[opening.end() : closing.start()])) <= SHORTCODE_WIDGET_MAX_WORDS


def _strip_shortcodes(text: str) -> str:
    return _SHORTCODE_CLOSE.sub("", _SHORTCODE_OPEN.sub("", text))


def _remove_link_runs(body: etree._Element) -> None:
    for block in list(body.iter(*_BLOCKS)):
        runs: list[list[etree._Element]] = []
        run: list[etree._Element] = []
        for child in block:
            if child.tag != "ref" or (run and (run[-1].tail or "").strip()):
                runs.append(run)
                run = []
            if child.tag == "ref":
                run.append(child)
        runs.append(run)
        long_runs = [
            run
            for run in runs
            if len(run) >= MIN_LINK_RUN
            and sum(_word_count(ref) >= HEADLINE_MIN_WORDS for ref in run[1:]) >= MIN_HEADLINES_IN_RUN
        ]
        if not long_runs or not _has_prose_outside(block, long_runs):
            continue  # a block that is only links is a list for trafilatura's rules, not this one
        for run in long_runs:
            # The first link is the one the sentence names ("Rep. [Name]"); the rest is the card.
            tail = run[-1].tail
            for ref in run[1:]:
                block.remove(ref)
            run[0].tail = tail


def _remove_headline_lists(body: etree._Element) -> None:
    """Other articles' headlines laid out as paragraphs ("related", "more in this section",
    "READ MORE: <headline>"), with the label that announces a list of them."""
    blocks = _blocks(body)
    start = 0
    while start < len(blocks):
        end = start
        while end < len(blocks) and blocks[end].tag == "p" and _is_headline(blocks[end]):
            end += 1
        run = blocks[start:end]
        if len(run) >= 2:
            if start > 0 and _is_list_label(blocks[start - 1]):
                run.insert(0, blocks[start - 1])
            for block in run:
                _drop(block)
        elif run and _is_teaser(run[0]):
            _drop(run[0])
        start = max(end, start + 1)


def _remove_calls_to_action(body: etree._Element) -> None:
    """Newsletter, subscription and follow-us prompts: short blocks that ask the reader to act.
    Article prose can use the same words ("the newsletter said"), so a block must also be
    shaped like a prompt: a heading, a block with a link, or one of the last blocks."""
    blocks = [block for block in body.iter("p", "head") if "".join(block.itertext()).strip()]
    last = {id(block) for block in blocks[-CALL_TO_ACTION_TAIL:]}
    for block in blocks:
        text = " ".join(" ".join(block.itertext()).split())
        if len(_WORDS.findall(text)) > CALL_TO_ACTION_MAX_WORDS or not _CALL_TO_ACTION.search(text):
            continue
        if block.tag == "head" or block.find(".//ref") is not None or id(block) in last:
            _drop(block)


def _remove_edge_lines(body: etree._Element) -> None:
    """Furniture lines among the first and the last blocks of the body; inside the article the
    same lines can be its prose (a live blog's timestamps), so only the edges are read."""
    blocks = _blocks(body)
    if len(blocks) < 3:
        return  # a short body: every line may be the article
    edges = []
    for at_end, ordered in ((False, blocks[:EDGE_BLOCKS]), (True, blocks[::-1][:EDGE_BLOCKS])):
        for block in ordered:  # from the edge inwards, while the lines are furniture
            if not _is_edge_line(block, at_end=at_end):
                break
            edges.append(block)
    for block in edges:
        _drop(block)


def _is_edge_line(block: etree._Element, *, at_end: bool) -> bool:
    if block.tag not in ("p", "head"):
        return False  # a table of figures or a list at the edge is content
    text = " ".join(" ".join(block.itertext()).split())
    words = _WORDS.findall(text)
    if not words:
        return False
    if _EDGE_LINE.fullmatch(text.rstrip(" |.")):
        return True
    if len(words) <= COPYRIGHT_LINE_MAX_WORDS and _COPYRIGHT.search(text):
        return True
    items = [item for item in text.split("|") if item.strip()]
    if len(items) >= 3 and all(
        len(_WORDS.findall(item)) <= BAR_ITEM_MAX_WORDS and not item.strip().endswith((".", "!", "?")) for item in items
    ):
        return True
    if _is_tag_line(text):
        return True
    if block.tag != "p" or _ends_like_sentence(text):
        return False  # a heading of dates ("March 2020", "2023 by the numbers") opens a section
    if _is_dateline(text, words):
        return True
    numbers = sum(word.isdigit() for word in words)
    if 2 <= len(words) <= COUNT_LINE_MAX_WORDS and numbers == 1:
        return True
    return at_end and len(words) <= END_LABEL_MAX_WORDS and not numbers


def _ends_like_sentence(text: str) -> bool:
    text = text.rstrip()
    if not text.endswith(_SENTENCE_END):
        return False
    return text.endswith("...") or not (text.endswith(".") and _ABBREVIATION_END.search(text))


def _is_dateline(text: str, words: list[str]) -> bool:
    """A timestamp or a dated byline: a short line (not a sentence) with a date in digits, or
    with a date in words or a time and little else."""
    if len(words) > DATED_LINE_MAX_WORDS:
        return False
    if _NUMERIC_DATE.search(text):
        return True
    if not (_WRITTEN_DATE.search(text) or _CLOCK.search(text)):
        return False
    rest = _CLOCK.sub(" ", _WRITTEN_DATE.sub(" ", text))
    others = [word for word in _WORDS.findall(rest) if not word.isdigit() and not _TIME_ZONE.fullmatch(word)]
    return len(others) <= TIMESTAMP_OTHER_WORDS


def _is_tag_line(text: str) -> bool:
    label, colon, listed = text.partition(":")
    if not colon or not 1 <= len(_WORDS.findall(label)) <= TAG_LABEL_MAX_WORDS or _ends_like_sentence(text):
        return False
    items = [_WORDS.findall(item) for item in _LIST_SEPARATOR.split(listed.strip(" |")) if item.strip()]
    if not items or not all(1 <= len(item) <= TAG_ITEM_MAX_WORDS for item in items):
        return False
    return len(items) >= 2 or len(items[0]) <= TAG_SINGLE_ITEM_MAX_WORDS


def _link_words(block: etree._Element) -> tuple[list[str], int]:
    """The block's words, and how many of them are in links with an address."""
    links = [ref for ref in block.iter("ref") if not any(a.tag == "ref" for a in ref.iterancestors())]
    if not all(link.get("target") and not link.get("target").startswith(("tel:", "mailto:")) for link in links):
        return [], 0  # no address: a footnote or a bookmark; a phone or mail link: a help line
    in_links = sum(len(_WORDS.findall("".join(link.itertext()))) for link in links)
    return _WORDS.findall(" ".join(block.itertext())), in_links


def _is_headline(block: etree._Element) -> bool:
    """A link of a few words, with at most a tag ("[INSIGHT]") or a label ("READ MORE:")."""
    words, in_links = _link_words(block)
    return in_links >= 3 and len(words) - in_links <= 2


def _is_teaser(block: etree._Element) -> bool:
    """One headline behind a label that ends with a colon: "READ MORE: <headline>" (a short link
    behind a label, "Source: <agency>", is a citation)."""
    first_link = next(block.iter("ref"), None)
    link_text = "".join(first_link.itertext()).strip() if first_link is not None else ""
    if len(_WORDS.findall(link_text)) < TEASER_MIN_WORDS:
        return False
    label = " ".join(block.itertext()).strip().split(link_text, 1)[0].strip()
    return label.endswith(":") and 1 <= len(_WORDS.findall(label)) <= 3


def _is_list_label(block: etree._Element) -> bool:
    """A short line with no sentence in it ("DON'T MISS", "Related articles", "À lire aussi")."""
    text = " ".join(block.itertext()).strip()
    return (
        block.tag in ("p", "head")
        and len(_WORDS.findall(text)) <= 4
        and not text.endswith((".", "!", "?"))
        and not block.findall(".//ref")
    )


def _has_prose_outside(block: etree._Element, runs: list[list[etree._Element]]) -> bool:
    in_runs = {id(ref) for run in runs for ref in run}
    if block.text and _WORD.search(block.text):
        return True
    for child in block:
        if child.tail and _WORD.search(child.tail):
            return True
        if (
            isinstance(child.tag, str)
            and id(child) not in in_runs
            and child.tag != "ref"
            and _WORD.search("".join(child.itertext()))
        ):
            return True
    return False


# trafilatura's block elements: a body holds them directly, or inside <div>s when a fallback
# extractor (readability) made it.
_BLOCK_TAGS = frozenset({"p", "head", "list", "quote", "table", "code", "graphic"})


def _blocks(body: etree._Element) -> list[etree._Element]:
    """The body's outermost blocks with text, in reading order, whatever <div>s hold them."""
    blocks: list[etree._Element] = []

    def visit(parent: etree._Element) -> None:
        for child in _elements(parent):
            if child.tag in _BLOCK_TAGS:
                if "".join(child.itertext()).strip():
                    blocks.append(child)
            else:
                visit(child)

    visit(body)
    return blocks


def _elements(parent: etree._Element) -> list[etree._Element]:
    """Children that are elements: comments and processing instructions have no text to judge."""
    return [child for child in parent if isinstance(child.tag, str)]


def _word_count(element: etree._Element) -> int:
    return len(_WORDS.findall("".join(element.itertext())))


def _drop(element: etree._Element) -> None:
    """Remove an element, keeping its tail text in the tree."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = _joined(previous.tail, element.tail)
        else:
            parent.text = _joined(parent.text, element.tail)
    parent.remove(element)


def _joined(first: str | None, second: str) -> str:
    if first and not first[-1].isspace() and not second[0].isspace():
        return f"{first} {second}"
    return (first or "") + second
