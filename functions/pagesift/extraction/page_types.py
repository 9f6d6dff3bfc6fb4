"""What kind of page a page is: ``article``, ``forum``, ``product``, ``collection``, ``listing``,
``documentation`` or ``service``, or None when the model cannot tell.

Cheap signals of the parsed tree, read in one pass over its elements (a few milliseconds a
page): the schema.org types the page declares (JSON-LD ``@type``, microdata ``itemtype``) and
its ``og:type``; how many elements of each telling kind it has (``<article>``, ``<pre>``,
``<code>``, ``<table>``, ``<form>``, ``<button>``, ``<time>``, headings, sections...); price-like
strings; the longest run of siblings that look alike (cards, posts); how much of its text is in
links; generic words of its URL's path; and how much of the page trafilatura kept as its main
content.

A multinomial logistic regression over those signals (``models/page_type.json``), trained by
``benchmarks/train_page_type.py`` on the ``tune`` half of WCXB's development split only, is
read once and evaluated in pure Python in microseconds. When its top probability is under the
model's threshold, the page's type is None. No signal names a site, a host or a dataset.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from pagesift.extraction.metadata.jsonld import json_ld_texts

PAGE_TYPES = ("article", "forum", "product", "collection", "listing", "documentation", "service")

# schema.org types, grouped by the kind of page that declares them
SCHEMA_GROUPS: dict[str, tuple[str, ...]] = {
    "article": ("article", "newsarticle", "blogposting", "reportagenewsarticle", "opinionnewsarticle", "report"),
    "forum": ("discussionforumposting", "qapage", "question", "answer", "comment", "socialmediaposting"),
    "product": ("product", "offer", "aggregateoffer", "productgroup", "individualproduct", "productmodel"),
    "collection": ("itemlist", "collectionpage", "offercatalog", "searchresultspage", "listitem"),
    "documentation": ("techarticle", "apireference", "howto", "softwaresourcecode"),
    "service": ("service", "softwareapplication", "webapplication", "faqpage", "localbusiness", "organization"),
    "review": ("review", "aggregaterating", "rating"),
    "event": ("event", "course", "jobposting", "recipe"),
    "person": ("person", "profilepage"),
}
OG_TYPES = ("article", "product", "website")
COUNTED_TAGS = (
    "article",
    "section",
    "pre",
    "code",
    "table",
    "form",
    "button",
    "input",
    "select",
    "time",
    "h1",
    "h2",
    "h3",
    "li",
    "img",
    "p",
    "blockquote",
    "nav",
    "aside",
    "iframe",
    "dl",
    "svg",
    "a",
    "ul",
    "div",
    "h4",
    "textarea",
    "label",
    "header",
    "footer",
    "main",
    "figure",
    "strong",
)
# Generic words of class names and ids (how templates of every kind name their parts)
CLASS_WORDS = (
    "product",
    "price",
    "cart",
    "post",
    "comment",
    "reply",
    "thread",
    "card",
    "item",
    "grid",
    "sidebar",
    "toc",
    "highlight",
    "pricing",
    "hero",
    "feature",
    "author",
    "filter",
    "pagination",
)
# Generic words of a URL's path (no host, no site's own words)
URL_WORDS: dict[str, tuple[str, ...]] = {
    "article": ("blog", "news", "article", "articles", "post", "posts", "story", "stories"),
    "forum": ("forum", "forums", "thread", "threads", "topic", "topics", "community", "discuss", "questions", "t"),
    "product": ("product", "products", "p", "dp", "item", "shop", "store"),
    "collection": ("category", "categories", "collection", "collections", "c", "tag", "tags", "search", "catalog"),
    "documentation": ("docs", "doc", "documentation", "api", "reference", "guide", "guides", "manual", "learn"),
    "service": ("pricing", "features", "services", "service", "solutions", "solution", "plans", "about", "platform"),
    "listing": ("list", "lists", "best", "reviews", "courses", "jobs", "events", "directory"),
}

FEATURES: tuple[str, ...] = (
    *(f"schema_{group}" for group in SCHEMA_GROUPS),
    *(f"og_{kind}" for kind in OG_TYPES),
    *(f"tags_{tag}_log" for tag in COUNTED_TAGS),
    *(f"tags_{tag}_share" for tag in ("pre", "code", "li", "article", "section", "button", "time", "table")),
    "elements_log",
    "prices_log",
    "prices_per_kilo_words",
    "repeated_siblings_log",
    "repeated_siblings_with_class_log",
    "repeated_groups_log",
    "repeated_cards_with_heading_log",
    "repeated_cards_with_price_log",
    *(f"class_{word}_log" for word in CLASS_WORDS),
    "paragraph_words_share",
    "words_per_paragraph_log",
    "text_words_log",
    "link_text_share",
    "main_words_log",
    "main_share",
    *(f"url_{kind}" for kind in URL_WORDS),
    "url_depth",
    "url_has_number",
)

_TYPE_IN_JSON = re.compile(r'"@type"\s*:\s*(\[[^\]]*\]|"[^"]*")')
_QUOTED = re.compile(r'"([^"]*)"')
# a price: a currency sign or code next to a number (either side)
_PRICE = re.compile(r"[$€£¥₹]\s?\d+(?:[.,]\d+)*|\d+(?:[.,]\d+)*\s?(?:[$€£¥₹]|(?:EUR|USD|GBP|CHF)\b)")
_WORD = re.compile(r"\w+")
MIN_ELEMENTS = 300
_PATH_WORD = re.compile(r"[a-z]+")
_CLASS_WORD_SET = frozenset(CLASS_WORDS)
_MAX_SCRIPT_CHARACTERS = 200_000  # JSON-LD blocks are a few KB; only the start of a huge one is read


def _schema_types(tree: etree._Element) -> set[str]:
    """The schema.org types the page declares, lower-cased, without their namespace."""
    found: set[str] = set()
    # The types are read from the text, not the parse: a block that is not valid JSON still says them.
    for block in json_ld_texts(tree):
        for match in _TYPE_IN_JSON.finditer(block[:_MAX_SCRIPT_CHARACTERS]):
            found.update(name.rsplit("/", 1)[-1].lower() for name in _QUOTED.findall(match.group(1)))
    for element in tree.xpath("//*[@itemtype]"):
        found.update(name.rstrip("/").rsplit("/", 1)[-1].lower() for name in element.get("itemtype", "").split())
    return found


def _og_type(tree: etree._Element) -> str:
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:type":
            return (meta.get("content") or "").strip().lower()
    return ""


_NOT_CARDS = frozenset(("script", "style", "meta", "link", "br", "option", "path", "g", "td", "tr", "span", "p"))
_HEADINGS = ("h2", "h3", "h4", "h5")


def _repeated_siblings(tree: etree._Element) -> list[float]:
    """Siblings of one tag and class under one parent (cards, posts, rows): the longest run
    (any class; with a class), how many runs of five or more, and the longest run of those
    with a heading inside each, and with a price."""
    most, most_with_class, groups, with_heading, with_price = 0, 0, 0, 0, 0
    for parent in tree.iter():
        if len(parent) < 3:
            continue
        kinds: dict[tuple[str, str], list[etree._Element]] = defaultdict(list)
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in _NOT_CARDS:
                kinds[(child.tag, child.get("class") or "")].append(child)
        for (_, css), members in kinds.items():
            count = len(members)
            most = max(most, count)
            if css:
                most_with_class = max(most_with_class, count)
            if count < 5:
                continue
            groups += 1
            sample = members[:3]
            if all(any(True for _ in member.iter(*_HEADINGS)) for member in sample):
                with_heading = max(with_heading, count)
            if all(_PRICE.search(" ".join(member.itertext())[:2000]) for member in sample):
                with_price = max(with_price, count)
    return [math.log1p(value) for value in (most, most_with_class, groups, with_heading, with_price)]


def _elements(tree: etree._Element) -> tuple[Counter[str], Counter[str]]:
    """In one walk: how many elements of each tag, and of elements whose class or id holds
    each of CLASS_WORDS. A page repeats a few class strings on thousands of elements: each
    distinct one is split into words once."""
    tags: Counter[str] = Counter()
    class_words: Counter[str] = Counter()
    words_of: dict[str, frozenset[str]] = {}
    for element in tree.iter(etree.Element):
        tags[element.tag] += 1
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        words = words_of.get(names)
        if words is None:
            words = words_of[names] = _CLASS_WORD_SET.intersection(_PATH_WORD.findall(names.lower()))
        if words:
            class_words.update(words)
    return tags, class_words


def _paragraphs(tree: etree._Element, words: int) -> list[float]:
    paragraph_words, paragraphs = 0, 0
    for paragraph in tree.iter("p"):
        count = len(_WORD.findall(" ".join(paragraph.itertext())))
        if count:
            paragraph_words += count
            paragraphs += 1
    return [min(paragraph_words / words, 1.0) if words else 0.0, math.log1p(paragraph_words / max(paragraphs, 1))]


def _text_words(tree: etree._Element) -> tuple[int, int, str]:
    """Words of the visible text, words inside links, and the text itself (for prices)."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    pieces: list[str] = []
    link_words = 0
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag in ("script", "style", "noscript", "template"):
            if element is not root and element.tail:
                pieces.append(element.tail)
            continue
        if element.text:
            pieces.append(element.text)
            if tag == "a":
                link_words += len(_WORD.findall(element.text))
        if element is not root and element.tail:
            pieces.append(element.tail)
    text = " ".join(pieces)
    return len(_WORD.findall(text)), link_words, text


def _url_signals(url: str | None) -> list[float]:
    path = urlsplit(url).path.lower() if url else ""
    words = set(_PATH_WORD.findall(path))
    segments = [segment for segment in path.split("/") if segment]
    return [
        *(1.0 if words.intersection(kind_words) else 0.0 for kind_words in URL_WORDS.values()),
        float(min(len(segments), 6)),
        1.0 if re.search(r"\d", path) else 0.0,
    ]


def features(tree: etree._Element, url: str | None = None, main_words: int = 0) -> list[float]:
    """The page's signals, in ``FEATURES`` order: of its tree, its address and the number of
    words trafilatura kept as its main content."""
    schema = _schema_types(tree)
    og = _og_type(tree)
    counts, class_words = _elements(tree)
    elements = counts.total()
    words, link_words, text = _text_words(tree)
    prices = len(_PRICE.findall(text))
    # shares of the elements, out of at least a small page's worth: on a stub, one table is no signal
    per_element = max(elements, MIN_ELEMENTS)
    return [
        *(1.0 if schema.intersection(names) else 0.0 for names in SCHEMA_GROUPS.values()),
        *(1.0 if og == kind else 0.0 for kind in OG_TYPES),
        *(math.log1p(counts[tag]) for tag in COUNTED_TAGS),
        *(
            100 * counts[tag] / per_element
            for tag in ("pre", "code", "li", "article", "section", "button", "time", "table")
        ),
        math.log1p(elements),
        math.log1p(prices),
        min(1000 * prices / max(words, 1), 50.0),
        *_repeated_siblings(tree),
        *(math.log1p(class_words[word]) for word in CLASS_WORDS),
        *_paragraphs(tree, words),
        math.log1p(words),
        link_words / words if words else 0.0,
        math.log1p(main_words),
        min(main_words / words, 1.0) if words else 0.0,
        *_url_signals(url),
    ]


@dataclass(frozen=True, slots=True)
class PageTypeModel:
    """Multinomial logistic regression: per type, a bias and a weight per (standardised) signal."""

    version: str
    types: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[tuple[float, ...], ...]  # one row per type: bias first, then one per feature
    threshold: float

    def probabilities(self, signals: list[float]) -> dict[str, float]:
        scaled = [(value - mean) / scale for value, mean, scale in zip(signals, self.means, self.scales, strict=True)]
        scores = [row[0] + sum(w * x for w, x in zip(row[1:], scaled, strict=True)) for row in self.weights]
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return {kind: value / total for kind, value in zip(self.types, exps, strict=True)}

    def predict(self, signals: list[float]) -> str | None:
        """The most likely type, or None when its probability is under the threshold."""
        return self.label(self.probabilities(signals))

    def label(self, probabilities: dict[str, float]) -> str | None:
        """The most likely type of these probabilities, or None when it is under the threshold."""
        kind = max(probabilities, key=probabilities.__getitem__)
        return kind if probabilities[kind] >= self.threshold else None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageTypeModel:
        if tuple(data["features"]) != FEATURES:
            raise ValueError(
                "the page-type model was trained on other features: retrain it (benchmarks/train_page_type.py)"
            )
        if tuple(data["types"]) != PAGE_TYPES:
            raise ValueError(f"the page-type model must predict {', '.join(PAGE_TYPES)}")
        weights = tuple(tuple(row) for row in data["weights"])
        if len(weights) != len(PAGE_TYPES) or any(len(row) != len(FEATURES) + 1 for row in weights):
            raise ValueError("the page-type model's weights do not match its types and features")
        return cls(
            data["version"],
            tuple(data["types"]),
            tuple(data["means"]),
            tuple(data["scales"]),
            weights,
            float(data["threshold"]),
        )


@cache
def default_model() -> PageTypeModel:
    model = resources.files("pagesift.extraction").joinpath("models/page_type.json").read_text(encoding="utf-8")
    return PageTypeModel.from_dict(json.loads(model))


def page_type(tree: etree._Element, url: str | None = None, main_words: int = 0) -> str | None:
    """The page's type, one of PAGE_TYPES, or None when the model cannot tell."""
    return default_model().predict(features(tree, url, main_words))


def page_type_probabilities(tree: etree._Element, url: str | None = None, main_words: int = 0) -> dict[str, float]:
    """How likely the page is of each of PAGE_TYPES."""
    return default_model().probabilities(features(tree, url, main_words))
