"""Regression pages written for the project (tests/fixtures/pages): the article and nothing of
the page around it, with the right title, date and language, in the shapes our users' pages
take (tickers, cookie and report dialogs, related lists, share bars, newsletter prompts,
comments, legacy encodings with and without declaration, right-to-left text, gzip).

Optional keys of an expectation: "body" (the article's paragraphs as a reader sees them,
headline excluded: the text must match them with F1 >= 0.95 on the benchmark's metric),
"in_order" (phrases the text must hold in that order), "author", "markdown" (pieces the
document's markdown must hold, as written), and "content_type" and "content_language" (the
storage's hints, passed to the extractor)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tests.support.scoring import page_scores, uncovered
from pagesift.extraction.steps import Page, extract

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
EXPECTATIONS = {k: v for k, v in json.loads((PAGES / "expectations.json").read_text(encoding="utf-8")).items() if not k.startswith("_")}
# Known gaps, none today; strict, so that a fix shows: boilerplate phrases that leak into the
# text, (page, phrase) -> why ...
KNOWN_GAPS: dict[tuple[str, str], str] = {}
# ... and other checks the extractor does not pass, (page, check) -> why: reported as xfail,
# strictly (the page's other checks still fail it, and so does the check passing).
KNOWN_FAILURES: dict[tuple[str, str], str] = {
    ("ar-utf8-rtl.html", "author"): "trafilatura reads 'الرباط - نادية العلوي' as the dateline city alone",
}
MIN_BODY_F1 = 0.95


def body_f1(predicted: str, expected: str) -> float:
    """F1 of ``predicted`` against ``expected`` on the benchmark's metric (benchmarks/quality.py)."""
    precision, recall = page_scores(predicted, expected)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_regression_page(name: str, gzipped: bool) -> None:
    expected = EXPECTATIONS[name]
    data = (PAGES / name).read_bytes()
    page = Page(
        gzip.compress(data) if gzipped else data,
        content_type=expected.get("content_type"),
        content_language=expected.get("content_language"),
    )
    document = extract(page)
    text = document.text
    problems = [  # (check, what is wrong)
        (key, f"{key}: got {got!r}, expected {want!r}")
        for key, got, want in [
            ("title", document.title, expected["title"]),
            ("date", document.date, expected["date"]),
            ("language", document.language, expected["language"]),
            ("author", document.author, expected.get("author", document.author)),
        ]
        if got != want
    ]
    problems += [("must", f"missing: {phrase!r}") for phrase in expected["must"] if phrase not in text]
    for phrase in expected["must_not"]:
        if (phrase in text) != ((name, phrase) in KNOWN_GAPS):
            problems.append(("must_not", f"boilerplate in the text: {phrase!r}" if phrase in text else f"known gap closed, remove from KNOWN_GAPS: {phrase!r}"))
    position = 0
    for phrase in expected.get("in_order", []):
        found = text.find(phrase, position)
        if found < 0:
            problems.append(("in_order", f"not in order (or missing) after character {position}: {phrase!r}"))
        else:
            position = found + len(phrase)
    missing = [piece for piece in expected.get("markdown", []) if piece not in document.markdown]
    problems += [("markdown", f"not in the markdown: {piece!r}") for piece in missing]
    if "body" in expected:
        body = "\n\n".join(expected["body"])
        if (f1 := body_f1(text, body)) < MIN_BODY_F1:
            problems.append(("body", f"body F1 {f1:.3f} < {MIN_BODY_F1}; missed {uncovered(body, text, phrases=10)}; added {uncovered(text, body, phrases=10)}"))
    # Known failures are expected failures, strictly: any other problem fails, and so does a fix.
    known = {check: reason for (page_name, check), reason in KNOWN_FAILURES.items() if page_name == name}
    unexpected = [message for check, message in problems if check not in known]
    unexpected += [f"known failure fixed, remove from KNOWN_FAILURES: {check}" for check in known if check not in {c for c, _ in problems}]
    assert unexpected == [], "\n".join(unexpected)
    if known:
        pytest.xfail("; ".join(f"{message} ({known[check]})" for check, message in problems))
