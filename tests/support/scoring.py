"""The metric of the article-extraction benchmark, as its README defines it: 4-token shingles
(tokens are ``\\w+``, case kept) counted as multisets; per-page precision and recall from
tp/fp/fn normalised by their sum. Used by benchmarks/quality.py and the regression pages."""

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


