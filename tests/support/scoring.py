"""The metric of the article-extraction benchmark, as its README defines it: 4-token shingles
(tokens are ``\\w+``, case kept) counted as multisets; per-page precision and recall from
tp/fp/fn normalised by their sum. Used by benchmarks/quality.py and the regression pages.

Below it, WCXB's: lower-cased words as multisets, its markdown measure (words tagged by their
block), its snippets and its metadata check (benchmarks/quality.py's ``wcxb`` corpus)."""

from __future__ import annotations

import re
from collections import Counter

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(toks: list[str], size: int = 4) -> Counter:
    return Counter(tuple(toks[i : i + size]) for i in range(len(toks) - size + 1))


def f1(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def page_scores(predicted: str, expected: str) -> tuple[float, float]:
    pred, true = shingles(tokens(predicted)), shingles(tokens(expected))
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    if total == 0:
        return 1.0, 1.0
    tp, fp, fn = tp / total, fp / total, fn / total
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def uncovered(text: str, other: str, *, phrases: int = 3, width: int = 70) -> list[str]:
    """The longest runs of ``text``'s tokens that no 4-token shingle of ``other`` covers: what
    one side has and the other lacks, as readable phrases."""
    toks = tokens(text)
    present = set(shingles(tokens(other)))
    covered = [False] * len(toks)
    for i in range(len(toks) - 3):
        if tuple(toks[i : i + 4]) in present:
            covered[i : i + 4] = [True] * 4
    runs, start = [], None
    for i, is_covered in enumerate([*covered, True]):
        if not is_covered and start is None:
            start = i
        elif is_covered and start is not None:
            runs.append(toks[start:i])
            start = None
    runs.sort(key=len, reverse=True)
    return [(" ".join(run))[:width] + f" ({len(run)} words)" for run in runs[:phrases]]


# WCXB, the Web Content eXtraction Benchmark (Murrough Foley, 2026, CC-BY-4.0), scores otherwise:
# lower-cased ``\w+`` words as multisets, F1 per page, averaged over pages; a page with nothing
# expected scores 1 for an empty extraction and 0 for anything else.


def words(text: str) -> list[str]:
    """The lower-cased ``\\w+`` words of ``text``: what WCXB's metric counts."""
    return _TOKEN.findall((text or "").lower())


def bag_scores(predicted: Counter, expected: Counter) -> tuple[float, float, float]:
    """Precision, recall and F1 of two multisets: the overlap over each side's size."""
    if not expected:
        return (1.0, 1.0, 1.0) if not predicted else (0.0, 0.0, 0.0)
    if not predicted:
        return 0.0, 0.0, 0.0
    overlap = sum((predicted & expected).values())
    precision, recall = overlap / sum(predicted.values()), overlap / sum(expected.values())
    return precision, recall, f1(precision, recall)


def word_scores(predicted: str, expected: str) -> tuple[float, float, float]:
    """WCXB's word-level precision, recall and F1 of one page."""
    return bag_scores(Counter(words(predicted)), Counter(words(expected)))


_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")


def markdown_words(markdown: str) -> list[str]:
    """Each word of ``markdown`` tagged with the kind of block it stands in (``kind:word``):
    ``code`` inside a fence, ``h`` on a line starting with ``#``, ``td`` on a table row (table
    rules skipped), ``li`` on a list item, ``q`` in a quote, ``p`` anywhere else."""
    tagged: list[str] = []
    fenced = False
    for line in (markdown or "").splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        stripped = line.lstrip()
        if not stripped:
            continue
        if fenced:
            kind = "code"
        elif stripped.startswith("#"):
            kind = "h"
        elif _TABLE_RULE.match(stripped):
            continue
        elif stripped.startswith("|"):
            kind = "td"
        elif _LIST_ITEM.match(stripped):
            kind = "li"
        elif stripped.startswith(">"):
            kind = "q"
        else:
            kind = "p"
        tagged += [f"{kind}:{word}" for word in words(line)]
    return tagged


def markdown_scores(predicted: str, expected: str) -> tuple[float, float, float]:
    """The word-level precision, recall and F1 of block-tagged words (``markdown_words``)."""
    return bag_scores(Counter(markdown_words(predicted)), Counter(markdown_words(expected)))


def _phrase(text: str) -> str:
    return " " + " ".join(words(text)) + " "


def snippets_found(text: str, snippets: list[str]) -> int:
    """How many ``snippets`` occur in ``text``, as whole words after lower-casing, with
    punctuation and spacing ignored (an em dash for a hyphen, a line break for a space)."""
    haystack = _phrase(text)
    return sum(1 for snippet in snippets if words(snippet) and _phrase(snippet) in haystack)


def same_field(predicted: str | None, expected: str | None, *, date: bool = False) -> bool:
    """Whether a title, author or date (``date=True``: its first ten characters) is the
    truth's after normalising case, punctuation and spaces; two missing values agree."""
    if date:
        predicted, expected = (predicted or "")[:10], (expected or "")[:10]
    return words(predicted or "") == words(expected or "")
