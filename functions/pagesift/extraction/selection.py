"""Per page, which extraction to keep: trafilatura's (the primary), readability-lxml's body or
resiliparse's text.

No extractor wins everywhere: trafilatura is ahead on news and on most of the wider web,
readability-lxml on some older pages, and resiliparse keeps the whole of many listings, category
grids and service pages of which the other two keep one block. Each one's failures are pages
where another is right, and what tells them apart is visible in the outputs themselves: how
much of one the other contains, how long each is, how much of each is made of short lines
(menus, link lists, captions); and what kind of page it is (the page-type model's
probabilities). One small gradient-boosted model per alternative predicts how much F1 it would
gain over trafilatura's; the alternative with the highest predicted gain is kept when that
gain is over the alternative's margin, so that on pages where they roughly agree nothing changes.

Before any of that, ``confirms``: where resiliparse (the referee) and trafilatura agree (each
holds nearly all of the other), the page is settled and readability-lxml need not run at all.

The model (``models/selector.json``) is trained by ``benchmarks/train_selector.py`` on
development pages only (the ``tune`` halves and the 111 benchmark pages), never on ``check``;
it is plain data (trees of thresholds), read once, and evaluated in pure Python in microseconds.
No signal names a site, a URL or a dataset.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from pagesift.extraction.page_types import PAGE_TYPES

_TOKEN = re.compile(r"\w+")
SHORT_LINE_TOKENS = 6  # a line of fewer tokens is a menu entry, a caption or a label, not prose
# a line that ends like a sentence, in the scripts of the pages pagesift reads (Latin, Arabic, CJK)
_SENTENCE_ENDS = (".", "!", "?", "…", '"', "”", "»", "؟", "。", "！", "？", ":")
SHINGLE = 4  # the metric's shingle size: overlap is measured the way quality is
# The share of each text's shingles the other must hold for the referee to confirm trafilatura,
# chosen on the development pages (benchmarks/train_selector.py prints the sweep): 0.9 lets
# readability-lxml skip about half of them for about -0.001 F1.
AGREEMENT = 0.9

READABILITY, RESILIPARSE = "readability-lxml", "resiliparse"
ALTERNATIVES = (READABILITY, RESILIPARSE)  # in order of preference where trafilatura kept nothing

TEXT_FEATURES = (
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
    "referee_tokens_log",
    "referee_lines_log",
    "referee_tokens_per_line",
    "referee_short_lines",
    "referee_short_line_tokens",
    "referee_sentence_lines",
    "referee_in_primary",
    "primary_in_referee",
    "referee_in_alternative",
    "alternative_in_referee",
)
FEATURES = TEXT_FEATURES + tuple(f"page_{kind}" for kind in PAGE_TYPES)


# A page's primary and referee texts are shaped for the confirmation and again for each
# alternative: the last few shapes are kept.
@lru_cache(maxsize=8)
def _shape(text: str) -> tuple[tuple[float, ...], frozenset[tuple[str, ...]]]:
    lines = [(line.strip(), words) for line in text.splitlines() if (words := _TOKEN.findall(line))]
    counts = [len(words) for _, words in lines]
    sentences = sum(1 for line, _ in lines if line.endswith(_SENTENCE_ENDS))
    tokens = [token for _, words in lines for token in words]  # a token never spans lines
    total = len(tokens)
    short = [count for count in counts if count < SHORT_LINE_TOKENS]
    shape = (
        math.log1p(total),
        math.log1p(len(lines)),
        total / len(lines) if lines else 0.0,
        len(short) / len(lines) if lines else 0.0,
        sum(short) / total if total else 0.0,
        sentences / len(lines) if lines else 0.0,
    )
    shingles = frozenset(zip(*(tokens[i:] for i in range(SHINGLE)), strict=False))
    return shape, shingles


def _share(part: frozenset[tuple[str, ...]], whole: frozenset[tuple[str, ...]]) -> float:
    """How much of ``part`` ``whole`` holds (0 when ``part`` is empty)."""
    return len(part & whole) / len(part) if part else 0.0


def agreement(primary: str, referee: str) -> float:
    """How far the two texts agree: the smaller share of either's shingles the other holds."""
    _, primary_shingles = _shape(primary)
    _, referee_shingles = _shape(referee)
    return min(_share(primary_shingles, referee_shingles), _share(referee_shingles, primary_shingles))


def confirms(primary: str, referee: str, threshold: float = AGREEMENT) -> bool:
    """Whether the referee confirms the primary: each holds ``threshold`` of the other."""
    return agreement(primary, referee) >= threshold


def features(primary: str, alternative: str, referee: str) -> list[float]:
    """The signals of three plain texts, in ``TEXT_FEATURES`` order."""
    primary_shape, primary_shingles = _shape(primary)
    alternative_shape, alternative_shingles = _shape(alternative)
    referee_shape, referee_shingles = _shape(referee)
    return [
        *primary_shape,
        *alternative_shape,
        _share(alternative_shingles, primary_shingles),
        _share(primary_shingles, alternative_shingles),
        math.log((len(alternative_shingles) + 1) / (len(primary_shingles) + 1)),
        *referee_shape,
        _share(referee_shingles, primary_shingles),
        _share(primary_shingles, referee_shingles),
        _share(referee_shingles, alternative_shingles),
        _share(alternative_shingles, referee_shingles),
    ]


# A node as the model's JSON holds it: [feature, threshold, left, right], or a leaf's value.
type TreeNode = list[Any] | float


@dataclass(frozen=True, slots=True)
class GainModel:
    """Gradient-boosted regression trees predicting how much F1 one alternative gains over
    trafilatura's body: each node is [feature, threshold, left, right] and each leaf a value; the
    prediction is ``base`` plus ``rate`` times the sum of the leaves. The alternative is kept only
    when its predicted gain is over ``margin``."""

    base: float
    rate: float
    margin: float
    trees: tuple[TreeNode, ...]

    def predicted_gain(self, signals: list[float]) -> float:
        total = 0.0
        for tree in self.trees:
            node: TreeNode = tree
            while isinstance(node, list):
                feature, threshold, left, right = node
                node = left if signals[feature] <= threshold else right
            total += node
        return self.base + self.rate * total

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GainModel:
        return cls(data["base"], data["rate"], data["margin"], tuple(data["trees"]))


@dataclass(frozen=True, slots=True)
class Selector:
    """One gain model per alternative (readability-lxml's body, resiliparse's text): the
    alternative kept is the one with the highest predicted gain over its margin, if any."""

    version: str
    models: dict[str, GainModel]

    def choose(self, primary: str, alternatives: dict[str, str], referee: str, page: dict[str, float]) -> str | None:
        """The alternative to keep instead of ``primary`` (a name of ``alternatives``), or None.
        ``page`` is the page-type model's probabilities (pagesift.extraction.page_types)."""
        offered = [name for name in ALTERNATIVES if alternatives.get(name, "").strip()]
        if not primary.strip():
            return offered[0] if offered else None
        signals = signals_of(primary, alternatives.get(READABILITY, ""), referee, page)
        best, best_gain = None, 0.0
        for name in offered:
            model = self.models[name]
            gain = model.predicted_gain(signals)
            if gain > model.margin and (best is None or gain > best_gain):
                best, best_gain = name, gain
        return best

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Selector:
        if tuple(data["features"]) != FEATURES:
            raise ValueError(
                "the selector model was trained on other features: retrain it (benchmarks/train_selector.py)"
            )
        if set(data["models"]) != set(ALTERNATIVES):
            raise ValueError(f"the selector model must hold one gain model for each of {', '.join(ALTERNATIVES)}")
        return cls(data["version"], {name: GainModel.from_dict(model) for name, model in data["models"].items()})


def signals_of(primary: str, readability: str, referee: str, page: dict[str, float]) -> list[float]:
    """The selector's signals, in ``FEATURES`` order: the three texts' shapes and overlaps, and
    the page-type probabilities."""
    return [*features(primary, readability, referee), *(page.get(kind, 0.0) for kind in PAGE_TYPES)]


@cache
def default_selector() -> Selector:
    model = resources.files("pagesift.extraction").joinpath("models/selector.json").read_text(encoding="utf-8")
    return Selector.from_dict(json.loads(model))
