"""WCXB's word-level metric, its markdown measure, snippets and metadata (tests/support/scoring.py),
on hand-made strings."""

from __future__ import annotations

import pytest
from tests.support.scoring import (
    markdown_scores,
    markdown_words,
    same_field,
    snippets_found,
    word_scores,
    words,
)


def test_words_are_lower_cased_word_characters() -> None:
    assert words("Hello, World! It's 2026—naïve_x") == ["hello", "world", "it", "s", "2026", "naïve_x"]


def test_word_scores_count_words_as_multisets() -> None:
    # truth: the ×2, cat, sat (4 words); extraction: the ×3, cat, ran (5 words); overlap: the ×2, cat.
    precision, recall, f1 = word_scores("The the THE cat ran", "the cat sat the")
    assert precision == pytest.approx(3 / 5)
    assert recall == pytest.approx(3 / 4)
    assert f1 == pytest.approx(2 * 0.6 * 0.75 / 1.35)


def test_word_order_and_punctuation_do_not_matter() -> None:
    assert word_scores("sat. Cat the", "The cat sat") == (1.0, 1.0, 1.0)


def test_nothing_expected_scores_one_only_for_nothing_extracted() -> None:
    assert word_scores("", "") == (1.0, 1.0, 1.0)
    assert word_scores("  ...  ", "") == (1.0, 1.0, 1.0)
    assert word_scores("Cookie settings", "") == (0.0, 0.0, 0.0)


def test_an_empty_extraction_of_something_scores_zero() -> None:
    assert word_scores("", "the cat") == (0.0, 0.0, 0.0)


MARKDOWN = """# A Title

Some text here.

| Name | Value |
|---|:---:|
| a | 1 |

- one
* two
+ three
1. four
2) five

> quoted words

```python
# not a heading
x = 1
```
~~~
| not a row
~~~
-notalist
"""


def test_markdown_words_are_tagged_by_block() -> None:
    assert markdown_words(MARKDOWN) == [
        "h:a", "h:title",
        "p:some", "p:text", "p:here",
        "td:name", "td:value", "td:a", "td:1",
        "li:one", "li:two", "li:three", "li:1", "li:four", "li:2", "li:five",
        "q:quoted", "q:words",
        "code:not", "code:a", "code:heading", "code:x", "code:1",
        "code:not", "code:a", "code:row",
        "p:notalist",
    ]  # fmt: skip


def test_a_flattened_table_costs_its_words() -> None:
    truth = "| Name | Value |\n|---|---|\n| a | b |"
    assert markdown_scores(truth, truth) == (1.0, 1.0, 1.0)
    assert markdown_scores("Name Value a b", truth) == (0.0, 0.0, 0.0)
    # Half the words in the right kind of block: a heading read as a paragraph.
    precision, recall, _ = markdown_scores("Intro\n\nBody text", "# Intro\n\nBody text")
    assert (precision, recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))


def test_snippets_are_found_as_whole_words_ignoring_case_and_punctuation() -> None:
    text = "Fall isn't just pumpkin spice season—it's also\na time. Home page"
    assert snippets_found(text, ["pumpkin spice season-it's ALSO a time", "Home", "Login", "spice seas"]) == 2
    assert snippets_found(text, []) == 0
    assert snippets_found(text, ["..."]) == 0


def test_metadata_fields_match_after_normalising() -> None:
    assert same_field("Top Trends:  What Experts Eat", "top trends - what experts eat")
    assert not same_field("Top Trends", "Top Trends | Site")
    assert same_field(None, None)
    assert not same_field("Andrew King", None)
    assert same_field("2025-09-04T10:00:00+00:00", "2025-09-04", date=True)
    assert not same_field("2025-09-05", "2025-09-04", date=True)
