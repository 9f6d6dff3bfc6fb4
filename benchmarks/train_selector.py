"""Train the accurate profile's selector (functions/pagesift/extraction/models/selector.json).

    .venv/bin/python benchmarks/train_selector.py [--jobs N] [--benchmark DIR] [--corpus DIR] [--dry-run]

Trained on development pages only: the ``tune`` half of the web-content-extraction corpus and
the 111 pages of the article-extraction benchmark; ``check`` is never read here. For each page
the core runs as in production (decode, parse, trafilatura, resiliparse and readability-lxml on
the same page, cleanup, rendering), except that readability-lxml runs on every page, confirmed
by the referee or not; the target is how much readability-lxml's text beats trafilatura's in F1
against the page's truth, the signals are pagesift.extraction.selection.features. The sweep of the
referee's agreement threshold (pages that skip readability-lxml, and what it costs) is printed. The model is
gradient-boosted regression trees (depth 2, squared loss), fitted here in plain Python so the
repository needs no machine-learning library; the margin over which the alternative is kept
is chosen by 5-fold cross-validation on the same pages, maximising the mean F1 of the datasets
(each dataset weighs the same, so Dragnet's 660 pages do not decide alone). The folds' figures
are printed: they are the honest estimate on these pages; ``quality.py --half check`` confirms.
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

sys.path[:0] = [str(Path(__file__).resolve().parent)]

import corpora  # noqa: E402
import systems  # noqa: E402, F401 - puts functions/ and the repository on sys.path

from pagesift.extraction import steps as extraction  # noqa: E402
from pagesift.contracts.errors import ExtractionError  # noqa: E402
from pagesift.extraction import selection  # noqa: E402
from pagesift.extraction.selection import FEATURES, Selector, features  # noqa: E402
from tests.support.scoring import f1, page_scores  # noqa: E402

MODEL = Path(extraction.__file__).parent / "models" / "selector.json"
TREES, DEPTH, RATE, SUBSAMPLE, MIN_LEAF, SEED = 100, 2, 0.05, 0.8, 10, 0
MARGINS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12)
AGREEMENTS = (0.7, 0.8, 0.85, 0.9, 0.95, 0.99)


def candidates(page: corpora.CorpusPage) -> tuple[str, str, str | None, str | None, str]:
    """The page's two renderings as the accurate profile makes them (None: that one has none),
    and the referee's text."""
    try:
        decoded = extraction.decode(extraction.Page(page.html_bytes(), url=page.url))
        tree = extraction.parse(decoded)
        found = extraction.extract_main(tree, extraction.Page(b"", url=page.url))
        if found is None:
            return page.id, page.dataset, None, None, ""
        extraction.clean(found)
        extraction.second_opinion(found, tree, decoded.html, always=True)
    except ExtractionError:
        return page.id, page.dataset, None, None, ""
    primary, alternative = found.primary, found.alternative_text
    return page.id, page.dataset, primary and primary.text, alternative and alternative.text, found.referee


# -- gradient-boosted regression trees, in plain Python ---------------------------------------


def _best_split(rows: list[list[float]], targets: list[float], index: list[int]) -> tuple[int, float, list[int], list[int]] | None:
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


def fit(rows: list[list[float]], targets: list[float], *, version: str, margin: float = 0.0) -> Selector:
    rng = random.Random(SEED)
    base = sum(targets) / len(targets)
    predictions = [base] * len(rows)
    trees = []
    for _ in range(TREES):
        residuals = [t - p for t, p in zip(targets, predictions, strict=True)]
        sample = rng.sample(range(len(rows)), int(SUBSAMPLE * len(rows)))
        tree = _tree(rows, residuals, sample, DEPTH)
        trees.append(tree)
        single = Selector(version, 0.0, RATE, margin, (tree,))
        predictions = [p + single.predicted_gain(row) for p, row in zip(predictions, rows, strict=True)]
    return Selector(version, base, RATE, margin, tuple(trees))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--benchmark", type=Path, default=corpora.DEFAULT_BENCHMARK)
    parser.add_argument("--corpus", type=Path, default=corpora.DEFAULT_CORPUS)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--dry-run", action="store_true", help="print the cross-validation, write nothing")
    parser.add_argument("--renderings", type=Path, help="reuse the pages' renderings saved in this file (made if absent): "
                        "for trying features and settings; delete it after changing the core")
    args = parser.parse_args()
    try:
        pages = corpora.benchmark_pages(args.benchmark) + corpora.corpus_pages("tune", args.corpus)
    except corpora.MissingCorpus as missing:
        parser.error(str(missing))
    truth = {page.id: page.truth for page in pages}

    started = time.perf_counter()
    if args.renderings and args.renderings.is_file():
        outputs = [tuple(row) for row in json.loads(args.renderings.read_text())]
    else:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            outputs = list(pool.map(candidates, pages, chunksize=4))
        if args.renderings:
            args.renderings.write_text(json.dumps(outputs))
    print(f"{len(pages)} development pages rendered both ways in {time.perf_counter() - started:.0f} s")

    # Pages with both renderings train the model; on the others the rule is fixed (keep the one there is).
    both = [(pid, dataset, a, b, referee) for pid, dataset, a, b, referee in outputs if a is not None and b is not None]
    rows = [features(a, b, referee) for _, _, a, b, referee in both]
    scores = {pid: (page_scores(a or "", truth[pid]), page_scores(b or "", truth[pid])) for pid, _, a, b, _ in outputs}
    targets = [f1(*scores[pid][1]) - f1(*scores[pid][0]) for pid, *_ in both]
    # how far the referee agrees with trafilatura, per page (the gate before readability-lxml)
    agreement = {pid: selection.agreement(a, referee) for pid, _, a, _, referee in outputs if a is not None}
    datasets = {pid: dataset for pid, dataset, *_ in outputs}
    version = time.strftime("%Y%m%d")

    order = list(range(len(both)))
    random.Random(SEED).shuffle(order)
    folds = [order[i::5] for i in range(5)]
    predicted = [0.0] * len(both)
    for k, fold in enumerate(folds):
        held = set(fold)
        train = [i for i in order if i not in held]
        model = fit([rows[i] for i in train], [targets[i] for i in train], version=version)
        for i in fold:
            predicted[i] = model.predicted_gain(rows[i])
        print(f"  fold {k + 1}/5 fitted")

    def table(margin: float | None, rule: str = "model", threshold: float | None = selection.AGREEMENT) -> dict[str, float]:
        picks = {pid: scores[pid][1] if (a is None and b is not None) else scores[pid][0] for pid, _, a, b, _ in outputs}
        for i, (pid, *_) in enumerate(both):
            if rule == "model" and threshold is not None and agreement[pid] >= threshold:
                keep_alternative = False  # the referee confirms trafilatura: readability-lxml does not run
            elif rule == "alternative":
                keep_alternative = True
            elif rule == "oracle":
                keep_alternative = targets[i] > 0
            else:
                keep_alternative = predicted[i] > margin if margin is not None else False
            picks[pid] = scores[pid][1] if keep_alternative else scores[pid][0]
        groups = defaultdict(list)
        for pid, pr in picks.items():
            groups[datasets[pid]].append(pr)
        return {d: f1(sum(p for p, _ in v) / len(v), sum(r for _, r in v) / len(v)) for d, v in sorted(groups.items())}

    names = sorted(set(datasets.values()))
    print("\ncross-validated F1 on the development pages (5 folds)")
    print(f"{'':22}" + "".join(f"{name[:11]:>12}" for name in names) + f"{'mean':>8}")
    rows_out = {"trafilatura only": table(None), "readability only": table(None, "alternative"), "best of two (oracle)": table(None, "oracle")}
    for margin in MARGINS:
        rows_out[f"margin {margin:.2f}"] = table(margin)
    for label, values in rows_out.items():
        print(f"{label:22}" + "".join(f"{values[n]:>12.3f}" for n in names) + f"{sum(values.values()) / len(values):>8.3f}")
    for label in ("readability only", "best of two (oracle)"):
        del rows_out[label]  # shown, not candidates for the margin
    best = max(MARGINS, key=lambda m: sum(rows_out[f"margin {m:.2f}"].values()))
    print(f"\nchosen margin {best:.2f} (with the referee's agreement at {selection.AGREEMENT})")
    print("\nthe referee's agreement threshold, at that margin: pages that skip readability-lxml, mean F1")
    for threshold in (None, *AGREEMENTS):
        values = table(best, threshold=threshold)
        skipped = sum(1 for value in agreement.values() if threshold is not None and value >= threshold)
        label = "never skip" if threshold is None else f"agreement {threshold:.2f}"
        print(f"{label:22}{skipped / len(outputs):>6.0%} skip" + "".join(f"{values[n]:>12.3f}" for n in names) + f"{sum(values.values()) / len(values):>8.3f}")

    model = fit(rows, targets, version=version, margin=best)
    # the version names the model's content too: two models trained on one day never share it
    digest = hashlib.sha256(json.dumps([list(FEATURES), model.base, model.margin, model.trees]).encode()).hexdigest()
    model = dataclasses.replace(model, version=f"{version}-{digest[:8]}")
    if args.dry_run:
        return
    MODEL.parent.mkdir(exist_ok=True)
    MODEL.write_text(
        json.dumps(
            {
                "version": model.version,
                "features": list(FEATURES),
                "base": round(model.base, 6),
                "rate": model.rate,
                "margin": model.margin,
                "trained_on": f"{len(both)} development pages (corpus tune half + article-extraction benchmark)",
                "trees": model.trees,
            },
            separators=(",", ":"),
        )
        + "\n"
    )
    print(f"wrote {MODEL.relative_to(corpora.ROOT)}")


if __name__ == "__main__":
    main()
