"""Train the selector (functions/pagesift/extraction/models/selector.json).

    .venv/bin/python benchmarks/train_selector.py [--jobs N] [--benchmark DIR] [--corpus DIR] [--wcxb DIR]
        [--renderings FILE] [--dry-run]

Trained on development pages only: the 111 pages of the article-extraction benchmark and the
``tune`` halves of the web-content-extraction corpus (five research datasets) and of WCXB's
development split (seven page types); ``check`` is never read here. For each page the core runs
as in production (decode, parse, trafilatura, the page-type model, resiliparse, readability-lxml,
cleanup, rendering), except that the alternatives are made on every page, confirmed by the
referee or not. For each alternative (readability-lxml's body, resiliparse's text) the target is
how much its F1 against the page's truth beats trafilatura's (each corpus's own metric); the
signals are pagesift.extraction.selection.signals_of. Each gain model is gradient-boosted
regression trees (depth 2, squared loss), fitted here in plain Python so the repository needs no
machine-learning library; the benchmark's pages count six times, so that its 111 pages weigh
about as much as each of the other two corpora. The margins over which each alternative is kept
are chosen by 5-fold cross-validation (whole sites in one fold) on the same pages, maximising the
mean of the three corpora's F1. The folds' figures are printed: they are the honest estimate on
these pages; ``quality.py --half check`` confirms.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import random
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

# This folder (corpora, systems) and the repository (tests.support.scoring).
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from tests.support.scoring import f1, page_scores, word_scores  # noqa: E402

import corpora  # noqa: E402
import systems  # noqa: E402, F401 - puts functions/ and the repository on sys.path
from pagesift.contracts.errors import ExtractionError  # noqa: E402
from pagesift.extraction import selection  # noqa: E402
from pagesift.extraction import steps as extraction  # noqa: E402
from pagesift.extraction.selection import ALTERNATIVES, FEATURES, GainModel, signals_of  # noqa: E402

MODEL = Path(extraction.__file__).parent / "models" / "selector.json"
TREES, DEPTH, RATE, SUBSAMPLE, MIN_LEAF, SEED = 60, 2, 0.05, 0.8, 10, 0
MARGINS = (0.0, 0.02, 0.05, 0.1)
TIE = 0.0005
BENCHMARK_WEIGHT = 6
PRIMARY = extraction.TRAFILATURA
CANDIDATES = (PRIMARY, *ALTERNATIVES)


@dataclasses.dataclass(slots=True)
class Rendering:
    """One page as the extraction sees it: every candidate's text (None: it has none)."""

    id: str
    dataset: str
    texts: dict[str, str | None]
    referee: str
    page: dict[str, float]
    agreement: float


def render_page(page: corpora.CorpusPage) -> Rendering:
    texts: dict[str, str | None] = dict.fromkeys(CANDIDATES)
    empty = Rendering(page.id, page.dataset, texts, "", {}, 0.0)
    try:
        decoded = extraction.decode(extraction.Page(page.html_bytes(), url=page.url))
        tree = extraction.parse(decoded)
        found = extraction.extract_main(tree, extraction.Page(b"", url=page.url))
        if found is None:
            return empty
        extraction.clean(found)
        extraction.second_opinion(found, tree, decoded.html, always=True)
    except ExtractionError:
        return empty
    texts[PRIMARY] = found.primary.text if found.primary else None
    for name, (_, rendered) in found.alternatives.items():
        texts[name] = rendered.text
    primary = texts[PRIMARY] or ""
    agreement = selection.agreement(primary, found.referee) if primary else 0.0
    return Rendering(page.id, page.dataset, texts, found.referee, found.page_type_probabilities, agreement)


def scores_of(page: corpora.CorpusPage, text: str | None) -> tuple[float, float]:
    """(precision, recall) of ``text`` by the page's corpus metric."""
    if page.dataset == corpora.WCXB:
        precision, recall, _ = word_scores(text or "", page.truth)
        return precision, recall
    return page_scores(text or "", page.truth)


def corpus_of(dataset: str) -> str:
    return dataset if dataset in (corpora.BENCHMARK, corpora.WCXB) else "web"


def site_of(page: corpora.CorpusPage) -> str:
    """What keeps a site's pages in one fold: its host where the page says it, else the page."""
    return (urlsplit(page.url).hostname if page.url else None) or page.id


# -- gradient-boosted regression trees, in plain Python ---------------------------------------


def _best_split(
    rows: list[list[float]], targets: list[float], index: list[int]
) -> tuple[int, float, list[int], list[int]] | None:
    best, best_score = None, None
    total, n = sum(targets[i] for i in index), len(index)
    for feature in range(len(rows[0])):
        ordered = sorted(index, key=lambda i: rows[i][feature])
        left_sum = 0.0
        for position in range(n - 1):
            left_sum += targets[ordered[position]]
            here, after = rows[ordered[position]][feature], rows[ordered[position + 1]][feature]
            left_n = position + 1
            if here == after or left_n < MIN_LEAF or n - left_n < MIN_LEAF:
                continue
            # Squared error falls by sum²/n on each side: maximise it.
            score = left_sum * left_sum / left_n + (total - left_sum) ** 2 / (n - left_n)
            if best_score is None or score > best_score:
                best_score, best = score, (feature, (here + after) / 2, left_n, ordered)
    if best is None:
        return None
    feature, threshold, left_n, ordered = best
    return feature, threshold, ordered[:left_n], ordered[left_n:]


def _tree(rows: list[list[float]], targets: list[float], index: list[int], depth: int):
    split = _best_split(rows, targets, index) if depth and len(index) >= 2 * MIN_LEAF else None
    if split is None:
        return sum(targets[i] for i in index) / len(index)
    feature, threshold, left, right = split
    return [feature, threshold, _tree(rows, targets, left, depth - 1), _tree(rows, targets, right, depth - 1)]


def fit(rows: list[list[float]], targets: list[float], *, margin: float = 0.0) -> GainModel:
    rng = random.Random(SEED)
    base = sum(targets) / len(targets)
    predictions = [base] * len(rows)
    trees = []
    for _ in range(TREES):
        residuals = [t - p for t, p in zip(targets, predictions, strict=True)]
        sample = rng.sample(range(len(rows)), int(SUBSAMPLE * len(rows)))
        tree = _tree(rows, residuals, sample, DEPTH)
        trees.append(tree)
        single = GainModel(0.0, RATE, margin, (tree,))
        predictions = [p + single.predicted_gain(row) for p, row in zip(predictions, rows, strict=True)]
    return GainModel(base, RATE, margin, tuple(trees))


def weighted(index: list[int], datasets: list[str]) -> list[int]:
    """``index`` with the benchmark's pages repeated BENCHMARK_WEIGHT times."""
    return [i for i in index for _ in range(BENCHMARK_WEIGHT if datasets[i] == corpora.BENCHMARK else 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmark", type=Path, default=corpora.DEFAULT_BENCHMARK)
    parser.add_argument("--corpus", type=Path, default=corpora.DEFAULT_CORPUS)
    parser.add_argument("--wcxb", type=Path, default=corpora.DEFAULT_WCXB)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--dry-run", action="store_true", help="print the cross-validation, write nothing")
    parser.add_argument(
        "--renderings",
        type=Path,
        help="reuse the pages' renderings saved in this file (made if absent): "
        "for trying features and settings; delete it after changing the core",
    )
    args = parser.parse_args()
    try:
        pages = (
            corpora.benchmark_pages(args.benchmark)
            + corpora.corpus_pages("tune", args.corpus)
            + corpora.wcxb_pages("tune", args.wcxb)
        )
    except corpora.MissingCorpus as missing:
        parser.error(str(missing))

    started = time.perf_counter()
    if args.renderings and args.renderings.is_file():
        renderings = [Rendering(**row) for row in json.loads(args.renderings.read_text())]
    else:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            renderings = list(pool.map(render_page, pages, chunksize=4))
        if args.renderings:
            args.renderings.write_text(json.dumps([dataclasses.asdict(r) for r in renderings]))
    print(f"{len(pages)} development pages rendered every way in {time.perf_counter() - started:.0f} s")

    datasets = [page.dataset for page in pages]
    scores = [
        {name: scores_of(page, r.texts[name]) for name in CANDIDATES} for page, r in zip(pages, renderings, strict=True)
    ]
    rows = [signals_of(r.texts[PRIMARY] or "", r.texts[ALTERNATIVES[0]] or "", r.referee, r.page) for r in renderings]
    targets = {name: [f1(*s[name]) - f1(*s[PRIMARY]) for s in scores] for name in ALTERNATIVES}

    sites = sorted({site_of(page) for page in pages})
    random.Random(SEED).shuffle(sites)
    fold_of = {site: k % 5 for k, site in enumerate(sites)}
    predicted = {name: [0.0] * len(pages) for name in ALTERNATIVES}
    for k in range(5):
        train = weighted([i for i, page in enumerate(pages) if fold_of[site_of(page)] != k], datasets)
        held = [i for i, page in enumerate(pages) if fold_of[site_of(page)] == k]
        for name in ALTERNATIVES:
            model = fit([rows[i] for i in train], [targets[name][i] for i in train])
            for i in held:
                predicted[name][i] = model.predicted_gain(rows[i])
        print(f"  fold {k + 1}/5 fitted")

    def choice(i: int, margins: dict[str, float] | None) -> str:
        texts = renderings[i].texts
        if not texts[PRIMARY]:
            return next((name for name in ALTERNATIVES if texts[name]), PRIMARY)
        if margins is None or renderings[i].agreement >= selection.AGREEMENT:
            return PRIMARY
        offered = [name for name in ALTERNATIVES if texts[name] and predicted[name][i] > margins[name]]
        return max(offered, key=lambda name: predicted[name][i], default=PRIMARY)

    def table(pick) -> dict[str, float]:
        groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for i in range(len(pages)):
            groups[datasets[i]].append(scores[i][pick(i)])
        figures = {}
        for dataset, values in groups.items():
            if dataset == corpora.WCXB:  # WCXB's metric: F1 per page, averaged
                figures[dataset] = sum(f1(*v) for v in values) / len(values)
            else:  # the benchmark's: precision and recall averaged, then their F1
                figures[dataset] = f1(sum(p for p, _ in values) / len(values), sum(r for _, r in values) / len(values))
        return figures

    def summary(figures: dict[str, float]) -> dict[str, float]:
        web = [v for d, v in figures.items() if corpus_of(d) == "web"]
        return {
            corpora.BENCHMARK: figures[corpora.BENCHMARK],
            "web": sum(web) / len(web),
            corpora.WCXB: figures[corpora.WCXB],
        }

    print("\ncross-validated F1 on the development pages (5 folds, whole sites in a fold)")
    print(f"{'':34}{'aeb':>8}{'web':>8}{'wcxb':>8}{'mean':>8}")
    results = {
        name + " only": summary(table(lambda i, n=name: n if renderings[i].texts[n] else PRIMARY))
        for name in CANDIDATES
    }
    results["best of all (oracle)"] = summary(table(lambda i: max(CANDIDATES, key=lambda n: f1(*scores[i][n]))))
    grid = [dict(zip(ALTERNATIVES, m, strict=True)) for m in ((a, b) for a in MARGINS for b in MARGINS)]
    for margins in grid:
        results["margins " + " ".join(f"{v:.2f}" for v in margins.values())] = summary(
            table(lambda i, m=margins: choice(i, m))
        )
    for label, values in results.items():
        print(f"{label:34}" + "".join(f"{v:>8.3f}" for v in values.values()) + f"{sum(values.values()) / 3:>8.3f}")

    def mean_of(margins: dict[str, float]) -> float:
        return sum(results["margins " + " ".join(f"{v:.2f}" for v in margins.values())].values()) / 3

    # Margins within TIE of the best mean are as good on these pages: the highest of them is
    # kept, so that a prediction barely over nothing does not change a page.
    top = max(mean_of(margins) for margins in grid)
    best = max((m for m in grid if mean_of(m) >= top - TIE), key=lambda m: sum(m.values()))
    print("\nchosen margins: " + ", ".join(f"{name} {margin:.2f}" for name, margin in best.items()))

    everything = weighted(list(range(len(pages))), datasets)
    models = {
        name: fit([rows[i] for i in everything], [targets[name][i] for i in everything], margin=best[name])
        for name in ALTERNATIVES
    }
    if args.dry_run:
        return
    encoded = {
        name: {"base": round(m.base, 6), "rate": m.rate, "margin": m.margin, "trees": m.trees}
        for name, m in models.items()
    }
    # the version names the model's content too: two models trained on one day never share it
    digest = hashlib.sha256(json.dumps([list(FEATURES), encoded], sort_keys=True).encode()).hexdigest()
    MODEL.write_text(
        json.dumps(
            {
                "version": f"{time.strftime('%Y%m%d')}-{digest[:8]}",
                "features": list(FEATURES),
                "trained_on": f"{len(pages)} development pages (benchmark, corpus tune half, WCXB tune half)",
                "models": encoded,
            },
            separators=(",", ":"),
        )
        + "\n"
    )
    print(f"wrote {MODEL.relative_to(corpora.ROOT)}")


if __name__ == "__main__":
    main()
