"""Per page, which extraction to keep: trafilatura's (the primary) or readability-lxml's.

Neither extractor wins everywhere: on the development pages trafilatura is ahead on news,
readability-lxml on much of the wider web, and each one's failures are pages where the other
is right. What tells them apart is visible in the two outputs themselves: how much of one the
other contains, how long each is, and how much of each is made of short lines (menus, link
lists, captions). A small gradient-boosted model over those signals predicts how much F1 the
alternative would gain over the primary; the alternative is kept only when the predicted gain
is over a margin, so that on pages where the two roughly agree nothing changes.

The model (``models/selector.json``) is trained by ``benchmarks/train_selector.py`` on the
``tune`` half of the development corpus and the 111 benchmark pages only, never on ``check``;
it is plain data (trees of thresholds), read once, and evaluated in pure Python in microseconds.
No signal names a site, a URL or a dataset.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_TOKEN = re.compile(r"\w+")
SHORT_LINE_TOKENS = 6  # a line of fewer tokens is a menu entry, a caption or a label, not prose
# a line that ends like a sentence, in the scripts of the pages pagesift reads (Latin, Arabic, CJK)
_SENTENCE_ENDS = (".", "!", "?", "…", "\"", "”", "»", "؟", "。", "！", "？", ":")
SHINGLE = 4  # the metric's shingle size: overlap is measured the way quality is

FEATURES = (
    "primary_tokens_log",
    "primary_lines_log",
    "primary_tokens_per_line",
    "primary_short_lines",
    "primary_short_line_tokens",
    "primary_sentence_lines",
    "alternative_tokens_log",
    "alternative_lines_log",
    "alternative_tokens_per_line",
    "alternative_short_lines",
    "alternative_short_line_tokens",
    "alternative_sentence_lines",
    "alternative_in_primary",
    "primary_in_alternative",
    "length_ratio_log",
)


def _shape(text: str) -> tuple[list[float], set[int]]:
    lines_with_words = [line.strip() for line in text.splitlines() if _TOKEN.search(line)]
    counts = [len(_TOKEN.findall(line)) for line in lines_with_words]
    sentences = sum(1 for line in lines_with_words if line.endswith(_SENTENCE_ENDS))
    tokens = _TOKEN.findall(text)
    total, lines = len(tokens), len(counts)
    short = [count for count in counts if count < SHORT_LINE_TOKENS]
    shape = [
        math.log1p(total),
        math.log1p(lines),
        total / lines if lines else 0.0,
        len(short) / lines if lines else 0.0,
        sum(short) / total if total else 0.0,
        sentences / lines if lines else 0.0,
    ]
    shingles = {hash(tuple(tokens[i : i + SHINGLE])) for i in range(len(tokens) - SHINGLE + 1)}
    return shape, shingles


def features(primary: str, alternative: str) -> list[float]:
    """The selector's signals for one page, in ``FEATURES`` order, from the two plain texts."""
    primary_shape, primary_shingles = _shape(primary)
    alternative_shape, alternative_shingles = _shape(alternative)
    common = len(primary_shingles & alternative_shingles)
    return [
        *primary_shape,
        *alternative_shape,
        common / len(alternative_shingles) if alternative_shingles else 0.0,
        common / len(primary_shingles) if primary_shingles else 0.0,
        math.log((len(alternative_shingles) + 1) / (len(primary_shingles) + 1)),
    ]


@dataclass(frozen=True, slots=True)
class Selector:
    """Gradient-boosted regression trees: each node is [feature, threshold, left, right] and
    each leaf a value; the prediction is ``base`` plus ``rate`` times the sum of the leaves."""

    version: str
    base: float
    rate: float
    margin: float
    trees: tuple[tuple, ...]

    def predicted_gain(self, signals: list[float]) -> float:
        total = 0.0
        for tree in self.trees:
            node = tree
            while isinstance(node, list):
                feature, threshold, left, right = node
                node = left if signals[feature] <= threshold else right
            total += node
        return self.base + self.rate * total

    def prefers_alternative(self, primary: str, alternative: str) -> bool:
        if not alternative.strip():
            return False
        if not primary.strip():
            return True
        return self.predicted_gain(features(primary, alternative)) > self.margin

    @classmethod
    def from_dict(cls, data: dict) -> Selector:
        if tuple(data["features"]) != FEATURES:
            raise ValueError("the selector model was trained on other features: retrain it (benchmarks/train_selector.py)")
        return cls(data["version"], data["base"], data["rate"], data["margin"], tuple(data["trees"]))


@cache
def default_selector() -> Selector:
    model = resources.files("pagesift.core").joinpath("models/selector.json").read_text(encoding="utf-8")
    return Selector.from_dict(json.loads(model))
