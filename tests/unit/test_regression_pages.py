"""Regression pages written for the project (tests/fixtures/pages): the article and nothing of
the page around it, with the right title, date and language, in the shapes our users' pages
take (tickers, cookie and report dialogs, related lists, share bars, newsletter prompts,
comments, legacy encodings with and without declaration, gzip)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pagesift.extraction import Page, extract

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
EXPECTATIONS = {k: v for k, v in json.loads((PAGES / "expectations.json").read_text(encoding="utf-8")).items() if not k.startswith("_")}
# Known gaps, each to be closed by the extraction-quality work (issue 4); strict, so a fix shows.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_regression_page(name: str, gzipped: bool) -> None:
    expected = EXPECTATIONS[name]
    data = (PAGES / name).read_bytes()
    document = extract(Page(gzip.compress(data) if gzipped else data))
    assert document.title == expected["title"]
    assert document.date == expected["date"]
    assert document.language == expected["language"]
    for phrase in expected["must"]:
        assert phrase in document.text, f"missing: {phrase!r}"
    leaked = [phrase for phrase in expected["must_not"] if phrase in document.text and (name, phrase) not in KNOWN_GAPS]
    assert leaked == [], f"boilerplate in the text: {leaked}"
