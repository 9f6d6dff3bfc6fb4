"""The product a page declares: JSON-LD in its many shapes, microdata, Open Graph product tags,
and the document that carries it."""

from __future__ import annotations

import json
import time

import pytest
from tests.support.pages import ARTICLE_PARAGRAPHS
from tests.support.schemas import validate_document, validate_event

from pagesift.contracts.document import Product, Source
from pagesift.contracts.events import extracted_event
from pagesift.extraction.metadata.jsonld import read_json_ld
from pagesift.extraction.metadata.products import page_product, price_string
from pagesift.extraction.steps import Page, decode, extract, parse

DESCRIPTION = " ".join(ARTICLE_PARAGRAPHS[:2])


def _tree(html: str):
    return parse(decode(Page(html.encode("utf-8"))))


def _head(*blocks: object, extra: str = "") -> str:
    scripts = "".join(
        f'<script type="application/ld+json">{block if isinstance(block, str) else json.dumps(block)}</script>'
        for block in blocks
    )
    return f"<html><head><title>A page</title>{scripts}{extra}</head><body><p>{DESCRIPTION}</p></body></html>"


def _product(*blocks: object, extra: str = "") -> Product | None:
    tree = _tree(_head(*blocks, extra=extra))
    return page_product(tree, read_json_ld(tree))


SHOE = {
    "@context": "https://schema.org",
    "@type": "Product",
    "name": "Trail Runner 3",
    "brand": {"@type": "Brand", "name": "Northway"},
    "sku": "TR3-42",
    "gtin13": "4006381333931",
    "aggregateRating": {"@type": "AggregateRating", "ratingValue": "4.6", "reviewCount": "128"},
    "offers": {
        "@type": "Offer",
        "price": "89.00",
        "priceCurrency": "EUR",
        "availability": "https://schema.org/InStock",
    },
}


def test_a_product_and_its_offer():
    assert _product(SHOE) == Product(
        name="Trail Runner 3",
        brand="Northway",
        sku="TR3-42",
        gtin="4006381333931",
        price="89.00",
        currency="EUR",
        availability="InStock",
        rating=4.6,
        review_count=128,
    )


def test_a_product_in_a_graph_beside_the_site_and_its_breadcrumbs():
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Northway Shop"},
            {"@type": "BreadcrumbList", "itemListElement": [{"@type": "ListItem", "position": 1, "name": "Shoes"}]},
            {"@type": ["Product", "Thing"], "name": "Trail Runner 3", "offers": {"price": 89, "priceCurrency": "eur"}},
        ],
    }
    product = _product(graph)
    assert product is not None
    assert (product.name, product.price, product.currency) == ("Trail Runner 3", "89", "EUR")


def test_a_product_in_a_top_level_list_and_as_a_page_s_main_entity():
    assert _product([{"@type": "Organization", "name": "Northway"}, SHOE]).name == "Trail Runner 3"
    page = {"@type": "ItemPage", "mainEntity": SHOE}
    assert _product(page).name == "Trail Runner 3"


def test_a_product_group_takes_the_lowest_price_of_its_variants():
    group = {
        "@type": "ProductGroup",
        "name": "Trail Runner 3",
        "brand": "Northway",
        "hasVariant": [
            {"@type": "Product", "name": "Trail Runner 3, 42", "offers": {"price": "95.00", "priceCurrency": "EUR"}},
            {"@type": "Product", "name": "Trail Runner 3, 43", "offers": {"price": "89.50", "priceCurrency": "EUR"}},
        ],
    }
    product = _product(group)
    assert (product.name, product.brand, product.price, product.currency) == (
        "Trail Runner 3",
        "Northway",
        "89.50",
        "EUR",
    )


def test_an_aggregate_offer_gives_its_low_price():
    offers = {"@type": "AggregateOffer", "lowPrice": 74.5, "highPrice": 120, "priceCurrency": "USD", "offerCount": 4}
    product = _product({**SHOE, "offers": offers})
    assert (product.price, product.currency) == ("74.5", "USD")


def test_an_aggregate_offer_without_a_low_price_gives_its_offers_lowest():
    offers = {
        "@type": "AggregateOffer",
        "offers": [{"price": "30", "priceCurrency": "USD"}, {"price": "25", "priceCurrency": "USD"}],
    }
    assert _product({**SHOE, "offers": offers}).price == "25"


def test_a_list_of_offers_gives_the_lowest_in_the_first_priced_one_s_currency():
    offers = [
        {"@type": "Offer", "availability": "http://schema.org/OutOfStock"},
        {"@type": "Offer", "price": "19.99", "priceCurrency": "GBP", "availability": "http://schema.org/InStock"},
        {"@type": "Offer", "price": "9.99", "priceCurrency": "USD"},
        {"@type": "Offer", "price": "17.50", "priceCurrency": "GBP", "availability": "schema:PreOrder"},
    ]
    product = _product({**SHOE, "offers": offers})
    assert (product.price, product.currency, product.availability) == ("17.50", "GBP", "PreOrder")


def test_a_price_in_a_price_specification():
    offers = {
        "@type": "Offer",
        "priceSpecification": {"@type": "UnitPriceSpecification", "price": 12, "priceCurrency": "CHF"},
    }
    product = _product({**SHOE, "offers": offers})
    assert (product.price, product.currency) == ("12", "CHF")


@pytest.mark.parametrize(
    ("brand", "expected"),
    [
        ("Northway", "Northway"),
        ({"@type": "Brand", "name": "Northway"}, "Northway"),
        ([{"@type": "Brand", "name": "Northway"}, "Other"], "Northway"),
        ({"@type": "Brand"}, None),
        (42, "42"),
        ({"name": {"@value": "Northway"}}, None),
    ],
)
def test_a_brand_as_a_string_an_object_or_a_list(brand, expected):
    assert _product({**SHOE, "brand": brand}).brand == expected


@pytest.mark.parametrize(
    ("availability", "expected"),
    [
        ("https://schema.org/InStock", "InStock"),
        ("http://schema.org/OutOfStock", "OutOfStock"),
        ("https://schema.org/OutOfStock/", "OutOfStock"),
        ("schema:BackOrder", "BackOrder"),
        ("InStock", "InStock"),
        ("in stock", "InStock"),
        ("out_of_stock", "OutOfStock"),
        ("https://schema.org/Available", None),
        (["https://schema.org/LimitedAvailability"], "LimitedAvailability"),
        ({"@id": "https://schema.org/InStock"}, None),
    ],
)
def test_availability_is_the_schema_org_term(availability, expected):
    offers = {"@type": "Offer", "price": "1", "priceCurrency": "EUR", "availability": availability}
    assert _product({**SHOE, "offers": offers}).availability == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("19.99", "19.99"),
        (19.99, "19.99"),
        (20.0, "20"),
        (20, "20"),
        ("19,99", "19.99"),
        ("1,299.00", "1299.00"),
        ("1.299,00 €", "1299.00"),
        ("$1,299", "1299"),
        ("1 299,50", "1299.50"),
        ("19.99 EUR", "19.99"),
        ("0", "0"),
        ("0.00", "0.00"),
        ("1.234.567", "1234567"),
        ("-5", None),
        (-5, None),
        ("free", None),
        ("", None),
        (float("nan"), None),
        (float("inf"), None),
        ("NaN", None),
        (True, None),
        (None, None),
        ({"value": 5}, None),
        ("1e400", None),
        (10**20, None),
        ("19.99.99,5", None),
    ],
)
def test_prices_as_shops_write_them(written, expected):
    assert price_string(written) == expected


def test_a_product_without_offers_keeps_its_name():
    product = _product({"@type": "Product", "name": "Trail Runner 3", "brand": "Northway"})
    assert product == Product(name="Trail Runner 3", brand="Northway")


def test_no_product_declared_gives_none():
    assert _product({"@type": "NewsArticle", "headline": "Night buses", "dateModified": "2021-11-26"}) is None
    assert _product() is None


def test_a_product_with_neither_a_name_nor_a_price_is_none():
    assert _product({"@type": "Product", "brand": "Northway", "offers": {"availability": "InStock"}}) is None


def test_several_named_products_are_a_list_not_one_product():
    roundup = [{"@type": "Product", "name": f"Fridge {n}", "offers": {"price": n * 100}} for n in range(1, 4)]
    assert _product(*roundup) is None
    assert _product({"@graph": roundup}) is None


def test_the_named_product_beside_nameless_ones():
    assert _product({"@type": "Product", "offers": {"price": "5"}}, SHOE).name == "Trail Runner 3"


def test_products_a_page_only_mentions_are_not_its_own():
    review = {"@type": "Review", "itemReviewed": SHOE, "reviewRating": {"ratingValue": 4}}
    listing = {"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "item": SHOE}]}
    assert _product(review, listing) is None


MICRODATA = (
    """<html><head><title>Trail Runner 3</title></head><body>
<nav itemscope itemtype="https://schema.org/BreadcrumbList"><span itemprop="name">Shoes</span></nav>
<div itemscope itemtype="https://schema.org/WebPage"><div itemscope itemtype="https://schema.org/Product">
<h1 itemprop="name">  Trail Runner 3 </h1>
<div itemprop="brand" itemscope itemtype="https://schema.org/Brand"><meta itemprop="name" content="Northway"></div>
<meta itemprop="sku" content="TR3-42">
<div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
<span itemprop="price" content="89.00">89,00 €</span><meta itemprop="priceCurrency" content="EUR">
<link itemprop="availability" href="https://schema.org/InStock"></div>
<div itemprop="isRelatedTo" itemscope itemtype="https://schema.org/Product"><span itemprop="name">Sock</span></div>
</div></div><p>"""
    + DESCRIPTION
    + """</p></body></html>"""
)


def test_microdata_when_there_is_no_json_ld():
    tree = _tree(MICRODATA)
    assert page_product(tree, read_json_ld(tree)) == Product(
        name="Trail Runner 3", brand="Northway", sku="TR3-42", price="89.00", currency="EUR", availability="InStock"
    )


def test_a_grid_of_microdata_products_is_no_product():
    cards = "".join(
        f'<div itemscope itemtype="https://schema.org/Product"><span itemprop="name">Set {n}</span>'
        f'<div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><meta itemprop="price" content="{n}">'
        "</div></div>"
        for n in range(1, 5)
    )
    tree = _tree(f"<html><body>{cards}<p>{DESCRIPTION}</p></body></html>")
    assert page_product(tree, read_json_ld(tree)) is None


def test_a_product_group_listed_beside_its_variants():
    group = {"@type": "ProductGroup", "name": "Trail Runner 3", "offers": {"price": "89"}}
    variants = [{"@type": "Product", "name": f"Trail Runner 3, {size}", "offers": {"price": "95"}} for size in (42, 43)]
    product = _product({"@graph": [group, *variants]})
    assert (product.name, product.price) == ("Trail Runner 3", "89")


OPEN_GRAPH = """<meta property="og:type" content="product"><meta property="og:title" content="Trail Runner 3">
<meta property="product:price:amount" content="89,00"><meta property="product:price:currency" content="EUR">
<meta property="product:availability" content="in stock"><meta property="product:brand" content="Northway">"""


def test_open_graph_product_tags_when_there_is_nothing_else():
    assert _product(extra=OPEN_GRAPH) == Product(
        name="Trail Runner 3", brand="Northway", price="89.00", currency="EUR", availability="InStock"
    )


def test_open_graph_tags_price_a_product_its_json_ld_leaves_unpriced():
    product = _product({"@type": "Product", "name": "Trail Runner 3 (JSON-LD)"}, extra=OPEN_GRAPH)
    assert (product.name, product.price, product.currency, product.availability) == (
        "Trail Runner 3 (JSON-LD)",
        "89.00",
        "EUR",
        "InStock",
    )


def test_texts_are_decoded_and_cleaned():
    product = _product({**SHOE, "name": "L&amp;#8217;atelier <b>Ring</b>\n  gold", "sku": "  "})
    assert (product.name, product.sku) == ("L\u2019atelier Ring gold", None)


# --- hostile JSON-LD: never an error, never slow ---


@pytest.mark.parametrize(
    "block",
    [
        "{not json",
        '"a string"',
        "42",
        "null",
        "[]",
        "[" * 100_000 + "]" * 100_000,
        '{"@type": "Product", "name": ' + "[" * 50_000 + "]" * 50_000 + "}",
        {"@type": 5, "name": "x"},
        {"@type": "Product", "name": {"@value": "x"}, "offers": "19.99", "brand": 5, "aggregateRating": "4.5"},
        {"@type": "Product", "name": "x", "offers": [None, 1, "a", [], {"price": {"amount": 3}}]},
        {"@type": "Product", "name": "x", "aggregateRating": {"ratingValue": "NaN", "reviewCount": 1e300}},
        '{"@type": "Product", "name": "x", "offers": {"price": NaN, "priceCurrency": "EUR"}}',
        '{"@type": "Product", "name": "x", "offers": {"price": Infinity}}',
    ],
)
def test_hostile_json_ld_never_raises(block):
    product = _product(block)
    assert product is None or product.price is None


def test_nesting_that_parses_is_walked_to_a_bound():
    nested: dict = {"@type": "Product", "name": "deep", "offers": {"price": "1"}}
    for _ in range(500):
        nested = {"@type": "WebPage", "mainEntity": nested}
    assert _product(nested) is None  # too deep to be the page's own: left out, quickly


def test_a_megabyte_of_json_ld_is_read_quickly():
    many = {"@graph": [{"@type": "Thing", "name": f"thing {n}"} for n in range(25_000)] + [SHOE]}
    block = json.dumps(many)
    assert len(block) > 1_000_000
    started = time.perf_counter()
    product = _product(block)
    assert time.perf_counter() - started < 2
    assert product is None or product.name == "Trail Runner 3"


# --- on the document ---


PRODUCT_PAGE = (
    """<!doctype html><html lang="en"><head><title>Trail Runner 3 | Northway</title>
<meta property="og:type" content="product">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
{"@type": "WebPage", "name": "Trail Runner 3", "datePublished": "2024-02-01",
 "dateModified": "2024-03-05T09:12:00+01:00"},
{"@type": "Product", "name": "Trail Runner 3", "brand": {"@type": "Brand", "name": "Northway"},
 "offers": {"@type": "AggregateOffer", "lowPrice": "89.00", "highPrice": "99.00", "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock"}}]}</script></head>
<body><header><nav><a href="/">Home</a> <a href="/shoes">Shoes</a></nav></header>
<main><h1>Trail Runner 3</h1><p class="price">from €89.00</p>
<div class="description"><p>"""
    + "</p><p>".join(ARTICLE_PARAGRAPHS)
    + """</p></div></main>
<footer><a href="/shipping">Shipping</a></footer></body></html>"""
)


def test_the_document_carries_the_product_and_validates():
    document = extract(Page(PRODUCT_PAGE.encode("utf-8"), source=Source(bucket="in", key="shoe.html")))
    assert document.product == Product(
        name="Trail Runner 3", brand="Northway", price="89.00", currency="EUR", availability="InStock"
    )
    assert document.date_modified == "2024-03-05"
    data = document.to_dict()
    assert data["product"]["price"] == "89.00" and data["product"]["rating"] is None
    assert list(data).index("product") == list(data).index("page_type") + 1
    validate_document(data)
    event = extracted_event(document, "documents", "documents/shoe.html.json", changed=True, change="c" * 32)
    assert event.detail["date_modified"] == "2024-03-05"
    validate_event({"detail-type": event.detail_type.value, "detail": event.detail, "source": "pagesift"})


def test_a_document_without_a_product_validates_with_null():
    html = PRODUCT_PAGE.replace('"@type": "Product"', '"@type": "Thing"').replace("product", "article")
    document = extract(Page(html.encode("utf-8"), source=Source(bucket="in", key="shoe.html")))
    assert document.product is None
    data = document.to_dict()
    assert data["product"] is None
    validate_document(data)
