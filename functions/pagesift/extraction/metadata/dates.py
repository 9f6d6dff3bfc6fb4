"""The publication date as people write it in a byline, for pages with no machine-readable one;
and the date the page says it was last modified.

Structured data comes first (JSON-LD ``datePublished``, ``article:published_time``,
``<time datetime>``: htmldate's fast path). When a page has none, the date is looked for in
the byline: the text just around the article's headline, never the whole page, where menus,
tickers and footers mention other years ("Budget 2026", "© 2026"). Forms people write in
French, Spanish, Arabic and English are read: ``25 - 11 - 2021``, ``25/11/2021``,
``25 novembre 2021``, ``25 de noviembre de 2021``, ``٢٥ نوفمبر ٢٠٢١``, ``Nov. 25, 2021``,
``2021-11-25``. No date is better than a wrong one: nothing found gives None.

The modification date is read from machine-readable data only (JSON-LD ``dateModified``,
``article:modified_time`` and the like): an "Updated …" written in the byline is not read, as
telling it from the publication date beside it would be guesswork.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import date
from typing import Any

from htmldate.core import examine_header, examine_time_elements
from htmldate.extractors import extract_url_date, json_search, try_date_expr
from htmldate.utils import Extractor
from htmldate.validators import get_max_date, get_min_date
from lxml import etree

from pagesift.extraction.metadata.jsonld import entities, first

# Month names and common abbreviations, lower-case, accents as written and without.
_MONTHS: dict[str, int] = {}
for number, names in enumerate(
    [
        ("january", "jan", "janvier", "janv", "enero", "ene", "يناير", "جانفي", "كانون الثاني", "كانون ثاني", "ينار"),
        (
            "february",
            "feb",
            "février",
            "fevrier",
            "févr",
            "fevr",
            "fév",
            "febrero",
            "feb",
            "فبراير",
            "فيفري",
            "شباط",
            "فبراير",
        ),
        ("march", "mar", "mars", "marzo", "مارس", "آذار", "اذار"),
        ("april", "apr", "avril", "avr", "abril", "abr", "أبريل", "ابريل", "أفريل", "افريل", "نيسان", "أبريل"),
        ("may", "mai", "mayo", "مايو", "ماي", "أيار", "ايار"),
        ("june", "jun", "juin", "junio", "يونيو", "جوان", "حزيران", "يونيه", "يونيو"),
        ("july", "jul", "juillet", "juil", "julio", "يوليو", "جويلية", "تموز", "يوليوز", "يوليه"),
        ("august", "aug", "août", "aout", "agosto", "ago", "أغسطس", "اغسطس", "أوت", "اوت", "آب", "غشت"),
        ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "سبتمبر", "أيلول", "ايلول", "شتنبر"),
        ("october", "oct", "octobre", "octubre", "أكتوبر", "اكتوبر", "تشرين الأول", "تشرين الاول", "أكتوبر"),
        ("november", "nov", "novembre", "noviembre", "نوفمبر", "تشرين الثاني", "نونبر"),
        (
            "december",
            "dec",
            "décembre",
            "decembre",
            "déc",
            "dic",
            "diciembre",
            "ديسمبر",
            "كانون الأول",
            "كانون الاول",
            "دجنبر",
        ),
    ],
    start=1,
):
    for name in names:
        _MONTHS[name] = number
# German, Italian and Portuguese too: cheap, and pages in them land in the same buckets.
for number, names in {
    1: ("januar", "jänner", "gennaio", "janeiro"),
    2: ("februar", "febbraio", "fevereiro", "fev"),
    3: ("märz", "maerz", "mär", "março", "marco"),
    4: ("aprile",),
    5: ("maggio", "maio"),
    6: ("juni", "giugno", "junho"),
    7: ("juli", "luglio", "julho"),
    8: (),
    9: ("settembre", "setembro", "set"),
    10: ("oktober", "okt", "ottobre", "outubro", "out"),
    11: ("novembro",),
    12: ("dezember", "dez", "dicembre", "dezembro"),
}.items():
    for name in names:
        _MONTHS[name] = number

_MONTH = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?\d)(?:er|º|°|st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PATTERNS = [
    # 2021-11-25, 2021/11/25
    re.compile(r"(?<!\d)" + _YEAR + r"\s*[-/.]\s*(?P<month>[01]?\d)\s*[-/.]\s*(?P<day>[0-3]?\d)(?!\d)"),
    # 25 - 11 - 2021, 25/11/2021, 25.11.2021 (day first: the order of fr, es and ar pages)
    re.compile(r"(?<!\d)(?P<first>[0-3]?\d)\s*[-/.]\s*(?P<second>[0-3]?\d)\s*[-/.]\s*" + _YEAR + r"(?!\d)"),
    # 25 novembre 2021, 25 de noviembre de 2021, 25 November 2021, ٢٥ نوفمبر ٢٠٢١
    re.compile(
        r"(?<!\d)"
        + _DAY
        + r"\.?\s+(?:de\s+)?(?P<month_name>"
        + _MONTH
        + r")\.?,?\s+(?:de\s+|del\s+)?"
        + _YEAR
        + r"(?!\d)",
        re.IGNORECASE,
    ),
    # Nov. 25, 2021, November 25 2021
    re.compile(r"(?<![\w])(?P<month_name>" + _MONTH + r")\.?\s+" + _DAY + r",?\s+" + _YEAR + r"(?!\d)", re.IGNORECASE),
]
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Applied to a window of a few KB only, so the unbounded patterns cannot cost much.
_TAGS = re.compile(r"<(script|style|svg)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)
_HEADLINE = re.compile(r"<h1\b", re.IGNORECASE)
_WORDS = re.compile(r"\w+")
# How much text around the headline counts as the byline: a few lines above and below it.
_BEFORE, _AFTER = 300, 600
_PARAGRAPH = re.compile(r"<p\b[^>]{0,1024}>.{0,4000}?</p\s*>", re.IGNORECASE | re.DOTALL)
LEDE_MIN_WORDS = 20  # a paragraph this long is the article's prose, not a byline
EARLIEST = date(1995, 1, 1)  # news on the web: nothing earlier is a publication date


def structured_date(tree: Any, url: str | None = None) -> str | None:
    """The publication date from machine-readable data only: a date in the URL, meta tags
    (``article:published_time``, ``datePublished``...), JSON-LD, ``<time datetime>``.

    These are htmldate's own extractors (pinned with it), without its free-text searches:
    even its "fast" mode reads footers and loose patterns anywhere on the page.
    """
    options = Extractor(False, get_max_date(None), get_min_date(None), True, "%Y-%m-%d")
    if url is None:
        canonical = tree.find('.//link[@rel="canonical"]')
        url = canonical.get("href") if canonical is not None else None
    return (
        extract_url_date(url, options)
        or examine_header(tree, options)
        or json_search(tree, options)
        or examine_time_elements(tree, options)
    )


# Meta tags that say when the page was last modified: Open Graph's and Dublin Core's, and the
# names CMSs use. (htmldate knows more, among them release dates, which are no modification.)
MODIFIED_META = frozenset(
    (
        "article:modified_time",
        "og:updated_time",
        "og:modified_time",
        "og:article:modified_time",
        "modified_time",
        "updated_time",
        "datemodified",
        "dcterms.modified",
        "dc.modified",
        "last-modified",
        "lastmod",
    )
)
_DATE_MODIFIED_ELEMENTS = etree.XPath("//*[@itemprop='dateModified'][not(self::meta)]")


def modified_date(tree: Any, json_ld: list[Any]) -> str | None:
    """When the page says it was last modified, as YYYY-MM-DD (the form of the publication
    date): JSON-LD ``dateModified`` of the page's own entities, else a meta tag (MODIFIED_META,
    ``<meta itemprop="dateModified">``), else an element marked ``itemprop="dateModified"``.
    None when it says nothing, or nothing that reads as a date between 1995 and today."""
    for entity in entities(json_ld):
        if found := _iso_date(first(entity.get("dateModified"))):
            return found
    for meta in tree.iter("meta"):
        name = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv") or ""
        if name.lower() in MODIFIED_META and (found := _iso_date(meta.get("content"))):
            return found
    for element in _DATE_MODIFIED_ELEMENTS(tree):
        if found := _iso_date(element.get("datetime") or element.get("content") or element.text):
            return found
    return None


def _iso_date(value: Any) -> str | None:
    """A date as pages write it in metadata (ISO 8601, RFC 822, "5 March 2024"…) → YYYY-MM-DD,
    by htmldate's parser, as the publication date is read."""
    if not isinstance(value, str):
        return None
    return try_date_expr(value[:100], "%Y-%m-%d", False, get_min_date(None), get_max_date(None))


def byline_date(
    page_html: str, *, title: str | None = None, today: date | None = None, month_first: bool = False
) -> str | None:
    """ISO date written in the byline around the page's headline, or None."""
    body_start = page_html.lower().find("<body")
    body = page_html[body_start:] if body_start >= 0 else page_html
    for anchor in _headline_positions(body, title):
        # The byline between the headline and the first paragraph of prose first; then the few
        # lines above the headline (a kicker's date, but also a top bar's day of the visit, so
        # second); then the first paragraphs, where dates are more often events than bylines.
        for region in _regions(body, anchor):
            if found := parse_written_date(region, today=today, month_first=month_first):
                return found
    return None


def parse_written_date(text: str, *, today: date | None = None, month_first: bool = False) -> str | None:
    """The first plausible date written in ``text``, as YYYY-MM-DD."""
    today = today or date.today()
    text = text.translate(_ARABIC_DIGITS)
    found: list[tuple[int, date]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            parsed = _to_date(match.groupdict(), month_first)
            if parsed and EARLIEST <= parsed <= today:
                found.append((match.start(), parsed))
    if not found:
        return None
    return min(found)[1].isoformat()  # the first written: a byline's date precedes "updated" ones


def _to_date(groups: dict[str, str | None], month_first: bool) -> date | None:
    year = int(groups["year"] or 0)
    if month_name := groups.get("month_name"):
        month = _MONTHS.get(month_name.lower().rstrip("."))
        day = int(groups["day"] or 0)
    elif first_number := groups.get("first"):
        first, second = int(first_number), int(groups["second"] or 0)
        if first > 12 or not month_first:
            day, month = first, second
        else:
            month, day = first, second
        if month > 12 and day <= 12:  # 11/25/2021 on an English page
            day, month = month, day
    else:
        month, day = int(groups["month"] or 0), int(groups["day"] or 0)
    if not month:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _headline_positions(body: str, title: str | None) -> list[int]:
    """Where the article's headline may be, most likely first: the <h1>s sharing words with
    the title (pages put their logo in an <h1> too, or repeat the headline in a sticky bar),
    else the first <h1>, else where the title is written."""
    candidates = [match.start() for match in _HEADLINE.finditer(body)][:20]
    title_words = set(_WORDS.findall(title.lower())) if title else set()

    def overlap(position: int) -> int:
        end = body.find("</h1", position)
        heading = _TAGS.sub(" ", body[position : end if end > 0 else position + 2000][:4000])
        return len(title_words & set(_WORDS.findall(html_lib.unescape(heading).lower())))

    matching = [p for p in candidates if title_words and overlap(p)]
    if matching:
        return matching
    if candidates:
        return candidates[:1]
    if title and (position := body.find(html_lib.escape(title[:60], quote=False))) >= 0:
        return [position]
    return []


def _regions(body: str, anchor: int) -> tuple[str, str, str]:
    """Plain text around the headline: from it to the first paragraph of prose, a few lines
    before it, and the text after the byline."""
    head = _plain(body[max(0, anchor - 4 * _BEFORE) : anchor])[-_BEFORE:]
    tail_html = body[anchor : anchor + 8 * _AFTER]
    lede = next(
        (
            m.start()
            for m in _PARAGRAPH.finditer(tail_html)
            if len(_WORDS.findall(_plain(m.group(0)))) >= LEDE_MIN_WORDS
        ),
        len(tail_html),
    )
    byline = _plain(tail_html[:lede])[:_AFTER]
    return byline, head, _plain(tail_html[lede:])[: max(0, _AFTER - len(byline))]


def _plain(fragment: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(_TAGS.sub(" ", fragment)))
