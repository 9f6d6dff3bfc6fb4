"""The page's type: the shipped model, the signals it reads, and the field on the document and
its event."""

import json

import pytest
from tests.support.pages import ARTICLE_PARAGRAPHS, article_bytes
from tests.support.schemas import validate_document, validate_event

from pagesift.contracts.document import Source
from pagesift.contracts.events import extracted_event
from pagesift.extraction import page_types
from pagesift.extraction.page_types import FEATURES, PAGE_TYPES, PageTypeModel, default_model, features
from pagesift.extraction.steps import Page, decode, extract, parse

PROSE = " ".join(ARTICLE_PARAGRAPHS)


def _tree(html: str):
    return parse(decode(Page(html.encode("utf-8"))))


def _document(html: str, url: str | None = None):
    return extract(Page(html.encode("utf-8"), source=Source(bucket="in", key="page.html"), url=url))


PRODUCT = """<!doctype html><html lang="en"><head><title>Trail Runner 3 shoe</title>
<meta property="og:type" content="product">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product", "name": "Trail Runner 3",
"offers": {"@type": "Offer", "price": "89.00", "priceCurrency": "EUR"}}</script></head>
<body><header><nav><ul><li><a href="/">Home</a></li><li><a href="/shoes">Shoes</a></li><li><a href="/bags">Bags</a>
</li><li><a href="/cart">Cart</a></li></ul></nav></header><main><div class="product">
<div class="gallery"><img src="/1.jpg" alt="side"><img src="/2.jpg" alt="sole"><img src="/3.jpg" alt="top">
<img src="/4.jpg" alt="heel"></div>
<h1>Trail Runner 3</h1><p class="price">€89.00</p>
<form class="product-form"><select name="size"><option>41</option><option>42</option></select>
<input type="number" name="quantity" value="1"><button type="submit">Add</button></form>
<div class="product-description"><p>A light trail shoe with a grippy outsole, a cushioned midsole and a breathable
upper that dries quickly after river crossings and muddy descents on long mountain runs.</p>
<table><tr><th>Weight</th><td>280 g</td></tr><tr><th>Drop</th><td>6 mm</td></tr></table></div></div>
</main><footer><a href="/shipping">Shipping</a> <a href="/returns">Returns</a> <a href="/contact">Contact</a>
</footer></body></html>"""

POST = """<article class="post" id="post-{n}"><div class="author">member{n}</div>
<time datetime="2024-03-0{d}">March {d}, 2024</time><div class="post-body"><p>Reply number {n}: I had the same
problem with the boiler pressure dropping overnight, and bleeding the radiators then topping up the system fixed
it for a week, but it came back, so in the end the engineer replaced the expansion vessel.</p></div>
<div class="reply"><a href="#reply">Reply</a> <a href="#quote">Quote</a></div></article>"""

FORUM = (
    """<!doctype html><html lang="en"><head><title>Boiler pressure keeps dropping - Heating forum</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "DiscussionForumPosting",
"headline": "Boiler pressure keeps dropping"}</script></head><body><main><h1>Boiler pressure keeps dropping</h1>
<div class="thread">"""
    + "".join(POST.format(n=n, d=1 + n % 9) for n in range(12))
    + """</div><form class="reply-form"><textarea name="message"></textarea><button>Post reply</button></form>
</main></body></html>"""
)

DOCS = """<!doctype html><html lang="en"><head><title>Configuration reference</title>
<script type="application/ld+json">{"@type": "TechArticle", "headline": "Configuration reference"}</script></head>
<body><aside class="sidebar"><ul class="toc"><li><a href="#install">Install</a></li><li><a href="#config">Configure</a>
</li><li><a href="#api">API</a></li></ul></aside><main><h1>Configuration reference</h1>
<h2 id="install">Install</h2><p>Install the package with pip and check that the command line tool runs.</p>
<pre><code>pip install example-tool
example-tool --version</code></pre>
<h2 id="config">Configure</h2><p>The settings live in a TOML file; every key has a default.</p>
<pre><code class="language-toml">[server]
port = 8080
workers = 4</code></pre>
<p>Call <code>load_config()</code> with the file's path, or set <code>EXAMPLE_CONFIG</code>.</p>
<h2 id="api">API</h2><table><tr><th>name</th><th>type</th></tr><tr><td><code>port</code></td><td>int</td></tr>
<tr><td><code>workers</code></td><td>int</td></tr></table>
<pre><code class="language-python">from example import load_config
config = load_config("example.toml")
print(config.port)</code></pre></main></body></html>"""


def test_the_shipped_model_loads_with_the_seven_types_and_the_features_the_code_computes():
    model = default_model()
    assert (
        model.types
        == PAGE_TYPES
        == (
            "article",
            "forum",
            "product",
            "collection",
            "listing",
            "documentation",
            "service",
        )
    )
    assert len(model.means) == len(model.scales) == len(FEATURES)
    assert all(len(row) == len(FEATURES) + 1 for row in model.weights)
    assert 0 <= model.threshold < 1
    assert len(features(_tree("<html><body><p>x</p></body></html>"))) == len(FEATURES)


def test_a_model_trained_on_other_features_or_types_is_refused():
    data = json.loads((page_types.resources.files("pagesift.extraction") / "models/page_type.json").read_text())
    with pytest.raises(ValueError, match="retrain"):
        PageTypeModel.from_dict({**data, "features": ["other"]})
    with pytest.raises(ValueError, match="must predict"):
        PageTypeModel.from_dict({**data, "types": ["article"]})


def test_probabilities_sum_to_one_and_a_low_top_probability_is_no_type():
    model = default_model()
    signals = features(_tree(PRODUCT))
    assert sum(model.probabilities(signals).values()) == pytest.approx(1.0)
    unsure = PageTypeModel("t", model.types, model.means, model.scales, model.weights, threshold=1.0)
    assert unsure.predict(signals) is None


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        (PRODUCT, "https://shop.example/products/trail-runner-3", "product"),
        (FORUM, "https://forum.example/threads/boiler-pressure.123/", "forum"),
        (DOCS, "https://docs.example/reference/configuration", "documentation"),
        (article_bytes().decode("utf-8"), "https://news.example/2024/03/harbour-record", "article"),
    ],
    ids=["product", "forum", "documentation", "article"],
)
def test_hand_made_pages_get_their_type(html, url, expected):
    document = _document(html, url)
    assert document.page_type == expected
    validate_document(document.to_dict())


def test_a_page_of_nothing_gets_a_type_or_none_and_never_crashes():
    for html in ("<html></html>", "<p>x</p>", "<html><body><div></div></body></html>", "<svg><br><l>"):
        tree = _tree(html)
        if tree is not None:
            assert page_types.page_type(tree) in (*PAGE_TYPES, None)


def test_page_type_comes_after_language_in_the_document_and_is_in_its_event():
    document = _document(PRODUCT, "https://shop.example/products/trail-runner-3")
    keys = list(document.to_dict())
    assert keys.index("page_type") == keys.index("language") + 1
    event = extracted_event(document, "docs", "page.html.json", changed=True, change="0" * 32)
    assert event.detail["page_type"] == document.page_type
    validate_event({"detail-type": event.detail_type.value, "detail": event.detail, "source": "pagesift"})
