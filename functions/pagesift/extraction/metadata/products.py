"""The product a page declares: name, brand, identifiers, price, availability, rating.

Shops state these for search engines in three ways, read in this order:

1. JSON-LD: a schema.org ``Product`` (or ``ProductGroup``, ``IndividualProduct``…) among the
   page's own entities (pagesift.extraction.metadata.jsonld), its ``offers`` an ``Offer``, a
   list of them or an ``AggregateOffer``;
2. microdata, when the JSON-LD declares none: the items of those types that are no other
   item's property, with their ``itemprop``s;
3. Open Graph product tags: ``product:price:amount`` (or ``og:price:amount``), with
   ``product:price:currency``, ``product:availability``, ``product:brand`` and ``og:title``;
   they also price a product the first two leave unpriced.

A page that names several products declares a list of them (a roundup, a grid), not one: no
product. Microdata and meta tags are turned into the shape of JSON-LD, so one reader reads all
three. Values are read defensively: a string where an object belongs, a number where a string
does, ``NaN``, a price written "1.299,00 €" all give a value or None, never an error.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from lxml import etree

from pagesift.contracts.document import Product
from pagesift.extraction.metadata.jsonld import entities, first, term, types

PRODUCT_TYPES = frozenset(("Product", "ProductGroup", "IndividualProduct", "ProductModel", "SomeProducts"))
# schema.org's ItemAvailability terms, by their lower-case form without spaces; Open Graph's
# product:availability ("in stock", "out of stock", "preorder") lands on the same terms.
AVAILABILITY = {
    name.lower(): name
    for name in (
        "BackOrder",
        "Discontinued",
        "InStock",
        "InStoreOnly",
        "LimitedAvailability",
        "MadeToOrder",
        "OnlineOnly",
        "OutOfStock",
        "PreOrder",
        "PreSale",
        "Reserved",
        "SoldOut",
    )
}
GTIN_KEYS = ("gtin", "gtin13", "gtin12", "gtin14", "gtin8")
MAX_TEXT = 500  # longer is no name, brand or SKU but a description or junk
MAX_PRICE = Decimal(10) ** 12
MAX_OFFERS = 100
MAX_ENTITIES = 20  # products read per page: more than one named is already a list of them
MAX_VARIANTS = 50
MAX_MICRODATA_ELEMENTS = 5_000

_SPACES = re.compile(r"\s+")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,100}>")  # markup in a name: "Staubsauger<wbr/>zubehör"
# A price as written: an optional currency sign or code, digits with separators, an optional sign
# or code after. No minus sign: a negative price is no price.
_PRICE = re.compile(r"[^0-9\-]{0,8}?([0-9][0-9.,'\s]*[0-9]|[0-9])[^0-9\-]{0,8}")
_THOUSANDS_COMMAS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_DIGITS = re.compile(r"[0-9]+")
_GTIN = re.compile(r"[0-9]{8,14}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_ITEMS = etree.XPath("//*[@itemscope][@itemtype]")


def page_product(tree: etree._Element, json_ld: list[Any]) -> Product | None:
    """The product the page declares (JSON-LD, else microdata, else Open Graph tags), or None.
    A product its structured data leaves unpriced takes the price of the Open Graph tags, which
    are the page's own."""
    product = _one_product(_declared_products(tree, json_ld))
    tagged = _meta_product(tree)
    from_tags = product_of(tagged) if tagged is not None else None
    if product is None or from_tags is None:
        return product or from_tags
    if product.price is None and from_tags.price is not None:
        return replace(
            product,
            price=from_tags.price,
            currency=from_tags.currency,
            availability=product.availability or from_tags.availability,
        )
    return product


def product_of(entity: dict[str, Any]) -> Product | None:
    """A Product from a schema.org Product entity; None when it has neither a name nor a price."""
    declared_rating = first(entity.get("aggregateRating"))
    rating = declared_rating if isinstance(declared_rating, dict) else {}
    price, currency, availability = _chosen_offer(list(_offers_of(entity)))
    product = Product(
        name=_text(entity.get("name")),
        brand=_brand(entity.get("brand")),
        sku=_text(entity.get("sku")),
        gtin=_gtin(entity),
        price=price,
        currency=currency,
        availability=availability,
        rating=_rating(rating.get("ratingValue")),
        review_count=_count(rating.get("reviewCount")) or _count(rating.get("ratingCount")),
    )
    return product if product.name or product.price else None


def _declared_products(tree: etree._Element, json_ld: list[Any]) -> list[Product]:
    """The products of the page's JSON-LD, else (looked for only then) of its microdata."""
    for entities_of in (lambda: _json_ld_products(json_ld), lambda: _microdata_products(tree)):
        if products := [product for entity in entities_of() if (product := product_of(entity)) is not None]:
            return products
    return []


def _one_product(products: list[Product]) -> Product | None:
    """The page's product among those it declares: the one it names (its related products are
    often declared nameless), or the first when it names none. A page naming several declares
    a list of products (a roundup, a grid, a listing), not one: None."""
    if len({product.name for product in products if product.name}) > 1:
        return None
    return next((product for product in products if product.name), products[0] if products else None)


def _json_ld_products(json_ld: list[Any]) -> list[dict[str, Any]]:
    """The Product entities among the page's own; only the ProductGroups when there are some
    (their variants may be listed beside them)."""
    found = [entity for entity in islice(entities(json_ld), MAX_ENTITIES) if types(entity) & PRODUCT_TYPES]
    return [entity for entity in found if "ProductGroup" in types(entity)] or found


# --- offers ---


def _offers_of(entity: dict[str, Any]) -> Iterator[tuple[str | None, str | None, str | None]]:
    """(price, currency, availability) of each offer of a product, and of its variants' offers
    when it is a ProductGroup without offers of its own."""
    yield from _offers(entity.get("offers"))
    variants = entity.get("hasVariant")
    if "offers" not in entity and isinstance(variants, list):
        for variant in variants[:MAX_VARIANTS]:
            if isinstance(variant, dict):
                yield from _offers(variant.get("offers"))


def _offers(value: Any, *, nested: bool = True) -> Iterator[tuple[str | None, str | None, str | None]]:
    """(price, currency, availability) of an Offer, of each of a list of them, and of an
    AggregateOffer: its ``lowPrice``, else the offers it lists (one level down, no further)."""
    for offer in value[:MAX_OFFERS] if isinstance(value, list) else [value]:
        if not isinstance(offer, dict):
            continue
        price, currency = _price_of(offer)
        if price is None and nested and "offers" in offer:
            yield from _offers(offer["offers"], nested=False)
            continue
        yield price, currency, _availability(offer.get("availability"))


def _price_of(offer: dict[str, Any]) -> tuple[str | None, str | None]:
    price = price_string(offer.get("lowPrice")) or price_string(offer.get("price"))
    currency = _currency(offer.get("priceCurrency"))
    specification = first(offer.get("priceSpecification"))
    if price is None and isinstance(specification, dict):  # the price in a UnitPriceSpecification
        price = price_string(specification.get("price"))
        currency = currency or _currency(specification.get("priceCurrency"))
    return price, currency


def _chosen_offer(
    offers: list[tuple[str | None, str | None, str | None]],
) -> tuple[str | None, str | None, str | None]:
    """The offer the product's price is: the lowest (an AggregateOffer's ``lowPrice`` is, too)
    among those in the currency of the first priced one; else the first offer."""
    priced = [offer for offer in offers if offer[0] is not None]
    if not priced:
        return offers[0] if offers else (None, None, None)
    currency = priced[0][1]
    return min((offer for offer in priced if offer[1] == currency), key=lambda offer: Decimal(offer[0] or 0))


# --- values ---


def _text(value: Any) -> str | None:
    """A short text: a string (entities decoded, tags and runs of spaces out) or a whole
    number, or the first of a list of them."""
    value = first(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        return None
    cleaned = html.unescape(value[: 4 * MAX_TEXT])
    if _ENTITY.search(cleaned):  # escaped twice ("&amp;#8217;"), as some shop plugins do
        cleaned = html.unescape(cleaned)
    cleaned = _SPACES.sub(" ", _TAG.sub("", cleaned)).strip()
    return cleaned if 0 < len(cleaned) <= MAX_TEXT else None


def _brand(value: Any) -> str | None:
    value = first(value)
    return _text(value.get("name")) if isinstance(value, dict) else _text(value)


def _gtin(entity: dict[str, Any]) -> str | None:
    for key in GTIN_KEYS:
        written = _text(entity.get(key))
        digits = written.replace(" ", "").replace("-", "") if written else ""
        if _GTIN.fullmatch(digits):
            return digits
    return None


def price_string(value: Any) -> str | None:
    """A price as a plain decimal string ("19.99", "1299.00", "0"), from a number or from a
    string as shops write it ("19.99", "19,99", "1,299.00", "1.299,00", "$19.99", "19.99 EUR");
    None for anything else, negative, not finite or absurdly large."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    written: str | None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        written = str(int(value)) if value.is_integer() and abs(value) < MAX_PRICE else repr(value)
    elif isinstance(value, int):
        written = str(value)
    else:
        written = _plain_number(value)
    try:
        amount = Decimal(written) if written else None
    except InvalidOperation:
        return None
    if amount is None or not amount.is_finite() or not 0 <= amount < MAX_PRICE:
        return None
    return format(amount, "f")


def _plain_number(written: str) -> str | None:
    """A written price as digits with '.' for its decimal point: "1.299,00 €" → "1299.00"."""
    match = _PRICE.fullmatch(written.strip()[:64])
    if match is None:
        return None
    number = re.sub(r"[\s']", "", match.group(1))
    thousands, point = _separators(number)
    whole, _, fraction = number.partition(point) if point else (number, "", "")
    if thousands and thousands in whole:
        if not re.fullmatch(rf"[0-9]{{1,3}}(?:{re.escape(thousands)}[0-9]{{3}})+", whole):
            return None
        whole = whole.replace(thousands, "")
    if not _DIGITS.fullmatch(whole) or (fraction and not _DIGITS.fullmatch(fraction)):
        return None
    return f"{whole}.{fraction}" if fraction else whole


def _separators(number: str) -> tuple[str, str]:
    """The thousands separator and the decimal point of a written number ('' for none). The
    last separator is the point when both kinds appear; a comma alone is one unless it
    separates groups of three digits ("1,299"); dots alone are thousands only when several."""
    if "," in number and "." in number:
        return (".", ",") if number.rfind(",") > number.rfind(".") else (",", ".")
    if "," in number:
        return (",", "") if _THOUSANDS_COMMAS.fullmatch(number) else ("", ",")
    return (".", "") if number.count(".") > 1 else ("", ".")


def _currency(value: Any) -> str | None:
    code = _text(value)
    code = code.upper() if code else None
    return code if code and _CURRENCY.fullmatch(code) else None


def _availability(value: Any) -> str | None:
    written = _text(value)
    return AVAILABILITY.get(_SPACES.sub("", term(written)).replace("_", "").lower()) if written else None


def _rating(value: Any) -> float | None:
    written = price_string(first(value))
    rating = float(written) if written else None
    return rating if rating is not None and rating <= 100 else None


def _count(value: Any) -> int | None:
    written = price_string(first(value))
    return int(Decimal(written)) if written and Decimal(written) == Decimal(written).to_integral_value() else None


# --- microdata and meta tags, as JSON-LD ---


def _microdata_products(tree: etree._Element) -> list[dict[str, Any]]:
    """The page's own microdata Product items, as JSON-LD entities: those that are no other
    item's property, or its ``mainEntity`` (as jsonld.entities reads JSON-LD)."""
    found = []
    for element in _ITEMS(tree):
        own = set((element.get("itemprop") or "").split()) <= {"mainEntity", "mainEntityOfPage"}
        if own and {term(name) for name in element.get("itemtype", "").split()} & PRODUCT_TYPES:
            found.append(_microdata_item(element, depth=0))
            if len(found) >= MAX_ENTITIES:
                break
    return found


def _microdata_item(item: etree._Element, depth: int) -> dict[str, Any]:
    """A microdata item as a JSON-LD entity: its properties, nested items included (three deep)."""
    entity: dict[str, Any] = {"@type": [term(name) for name in item.get("itemtype", "").split()]}
    for element in _properties_of(item):
        if element.get("itemscope") is not None and element.get("itemtype") is not None:
            value: Any = _microdata_item(element, depth + 1) if depth < 3 else None
        else:
            value = _microdata_value(element)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # an empty wrapper, such as a <div itemprop="brand"> around the brand's tag
        for name in (element.get("itemprop") or "").split():
            entity.setdefault(name, value)  # the first value of a property is the page's
    return entity


def _properties_of(item: etree._Element) -> Iterator[etree._Element]:
    """The elements carrying the item's own properties: those with ``itemprop`` below it, not
    inside a nested item."""
    stack = list(reversed(item))
    seen = 0
    while stack and seen < MAX_MICRODATA_ELEMENTS:
        element = stack.pop()
        seen += 1
        if not isinstance(element.tag, str):
            continue
        if element.get("itemprop") is not None:
            yield element
        if element.get("itemscope") is None:
            stack.extend(reversed(element))


def _microdata_value(element: etree._Element) -> str:
    for attribute in ("content", "datetime", "value", "href", "src"):
        if (value := element.get(attribute)) is not None:
            return value
    return " ".join(element.itertext())[: 4 * MAX_TEXT]


_META_OFFER = {
    "product:price:amount": "price",
    "og:price:amount": "price",
    "product:price:currency": "priceCurrency",
    "og:price:currency": "priceCurrency",
    "product:availability": "availability",
    "og:availability": "availability",
}
_META_PRODUCT = {"og:title": "name", "product:brand": "brand", "product:retailer_item_id": "sku"}


def _meta_product(tree: etree._Element) -> dict[str, Any] | None:
    """The Open Graph product tags as a JSON-LD entity, when the page has a price in them."""
    offer: dict[str, str] = {}
    entity: dict[str, Any] = {"@type": "Product"}
    for meta in tree.iter("meta"):
        key, content = (meta.get("property") or meta.get("name") or "").lower(), meta.get("content")
        if content is None:
            continue
        if key in _META_OFFER:
            offer.setdefault(_META_OFFER[key], content)
        elif key in _META_PRODUCT:
            entity.setdefault(_META_PRODUCT[key], content)
    if "price" not in offer:
        return None
    entity["offers"] = offer
    return entity
