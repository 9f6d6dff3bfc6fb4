"""Train the page-type model (functions/pagesift/extraction/models/page_type.json).

    .venv/bin/python benchmarks/train_page_type.py [--jobs N] [--wcxb DIR] [--dry-run]
    .venv/bin/python benchmarks/train_page_type.py --measure check   # the shipped model, once, on check

Trained on the ``tune`` half of WCXB's development split only; ``check`` is read only by
``--measure check``. For each page the core runs as in production (decode, parse, trafilatura's
main content) and pagesift.extraction.page_types.features reads the signals. The model is a
multinomial logistic regression (standardised signals, L2 penalty, full-batch gradient descent
from zero: deterministic), fitted here in plain Python so the repository needs no
machine-learning library. 5-fold cross-validation on ``tune`` (folds by domain, so that no site
is on both sides) prints the accuracy per type, and chooses the threshold under which the page's
type is None: the highest at which the share of pages typed right, cross-validated, is at its
best. So a page is None only where the model is so unsure that telling its type would not have
been right more often (an indexer that filters on the type loses no page it would have had).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import re
import sys
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

import corpora  # noqa: E402
import systems  # noqa: E402, F401 - puts functions/ and the repository on sys.path
from pagesift.contracts.errors import ExtractionError  # noqa: E402
from pagesift.extraction import page_types  # noqa: E402
from pagesift.extraction import steps as extraction  # noqa: E402
from pagesift.extraction.page_types import FEATURES, PAGE_TYPES, PageTypeModel  # noqa: E402

MODEL = Path(extraction.__file__).parent / "models" / "page_type.json"
FOLDS, ITERATIONS, RATE, PENALTY = 5, 400, 0.5, 0.05
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(0, 19))
_WORD = re.compile(r"\w+")


def signals(page: corpora.CorpusPage) -> tuple[str, list[float]]:
    """The page's signals as production computes them."""
    extraction.page_type = _untold  # the model being trained is not read here
    try:
        decoded = extraction.decode(extraction.Page(page.html_bytes(), url=page.url))
        tree = extraction.parse(decoded)
        if tree is None:
            return page.id, [0.0] * len(FEATURES)
        found = extraction.extract_main(tree, extraction.Page(b"", url=page.url))
    except ExtractionError:
        return page.id, [0.0] * len(FEATURES)
    return page.id, page_types.features(tree, page.url, extraction.main_words(found))


def _untold(*_: object) -> None:
    return None


def fit(rows: list[list[float]], labels: list[int]) -> tuple[list[float], list[float], list[list[float]]]:
    """Means, scales and weights (bias first) of a multinomial logistic regression."""
    n, width, classes = len(rows), len(rows[0]), len(PAGE_TYPES)
    means = [sum(row[j] for row in rows) / n for j in range(width)]
    scales = [math.sqrt(sum((row[j] - means[j]) ** 2 for row in rows) / n) or 1.0 for j in range(width)]
    xs = [[1.0, *((row[j] - means[j]) / scales[j] for j in range(width))] for row in rows]
    weights = [[0.0] * (width + 1) for _ in range(classes)]
    for _ in range(ITERATIONS):
        gradient = [[0.0] * (width + 1) for _ in range(classes)]
        for x, label in zip(xs, labels, strict=True):
            probabilities = _softmax([sum(map(float.__mul__, row, x)) for row in weights])
            for k in range(classes):
                error = probabilities[k] - (1.0 if k == label else 0.0)
                if error:
                    g = gradient[k]
                    for j, value in enumerate(x):
                        g[j] += error * value
        for k in range(classes):
            row, g = weights[k], gradient[k]
            for j in range(width + 1):
                row[j] -= RATE * (g[j] / n + (PENALTY * row[j] if j else 0.0))
    return means, scales, weights


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return [value / total for value in exps]


def model_of(means: list[float], scales: list[float], weights: list[list[float]], threshold: float) -> PageTypeModel:
    return PageTypeModel("", PAGE_TYPES, tuple(means), tuple(scales), tuple(tuple(row) for row in weights), threshold)


def folds_of(pages: list[corpora.CorpusPage], domains: dict[str, str]) -> list[int]:
    """Each page's fold: by a hash of its domain, so that a site is in one fold only."""
    return [int(hashlib.sha256(domains[p.id].encode()).hexdigest(), 16) % FOLDS for p in pages]


def report(title: str, truth: list[str], predicted: list[str | None]) -> None:
    print(f"\n{title}")
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p or "null"] += 1
    columns = [*PAGE_TYPES, "null"]
    print(f"{'truth \\ predicted':<16}" + "".join(f"{c[:7]:>8}" for c in columns) + f"{'pages':>7}{'accuracy':>10}")
    for kind in PAGE_TYPES:
        row = confusion[kind]
        total = sum(row.values())
        print(
            f"{kind:<16}"
            + "".join(f"{row[c]:>8}" for c in columns)
            + f"{total:>7}{(row[kind] / total if total else 0):>10.3f}"
        )
    right = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    told = sum(1 for p in predicted if p is not None)
    print(
        f"overall accuracy {right / len(truth):.3f} ({right}/{len(truth)}); null on {len(truth) - told} pages; "
        f"accuracy where told {right / told if told else 0:.3f}"
    )


def _cache_key(half: str) -> str:
    return hashlib.sha256(json.dumps([half, FEATURES, Path(page_types.__file__).read_text()]).encode()).hexdigest()


def _cached(path: Path | None, half: str) -> dict[str, list[float]] | None:
    if path is None or not path.is_file():
        return None
    data = json.loads(path.read_text())
    return data["signals"] if data.get("key") == _cache_key(half) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--wcxb", type=Path, default=corpora.DEFAULT_WCXB)
    parser.add_argument("--cache", type=Path, help="keep the pages' signals in this file (per half and features)")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, do not write the model")
    parser.add_argument("--measure", choices=("check",), help="measure the shipped model on check, train nothing")
    args = parser.parse_args()
    half = args.measure or "tune"
    pages = corpora.wcxb_pages(half, args.wcxb)
    with gzip.open(args.wcxb / "truth.jsonl.gz", "rt", encoding="utf-8") as lines:
        domains = {f"{corpora.WCXB}/{row['id']}": row.get("domain") or row["id"] for row in map(json.loads, lines)}
    computed = _cached(args.cache, half)
    if computed is None:
        with ProcessPoolExecutor(args.jobs) as pool:
            computed = dict(pool.map(signals, pages, chunksize=8))
        if args.cache:
            args.cache.write_text(json.dumps({"key": _cache_key(half), "signals": computed}))
    rows = [computed[p.id] for p in pages]
    truth = [p.page_type or "" for p in pages]
    if args.measure:
        model = page_types.default_model()
        report(f"{half}: {len(pages)} pages, model {model.version}", truth, [model.predict(r) for r in rows])
        return
    labels = [PAGE_TYPES.index(t) for t in truth]
    folds = folds_of(pages, domains)
    held: list[dict[str, float]] = [{} for _ in pages]
    for fold in range(FOLDS):
        train = [i for i in range(len(pages)) if folds[i] != fold]
        means, scales, weights = fit([rows[i] for i in train], [labels[i] for i in train])
        model = model_of(means, scales, weights, 0.0)
        for i in range(len(pages)):
            if folds[i] == fold:
                held[i] = model.probabilities(rows[i])
    best = [max(h, key=h.__getitem__) for h in held]
    report(f"tune, {FOLDS}-fold cross-validated (folds by domain), no threshold", truth, list(best))
    print("\nthreshold  null pages  accuracy where told  overall accuracy")
    threshold, most_right = 0.0, -1
    for candidate in THRESHOLDS:
        kept = [i for i in range(len(pages)) if held[i][best[i]] >= candidate]
        right = sum(1 for i in kept if best[i] == truth[i])
        precision = right / len(kept) if kept else 0.0
        print(f"{candidate:>9.2f}  {len(pages) - len(kept):>10}  {precision:>19.3f}  {right / len(pages):>16.3f}")
        if right >= most_right:  # the thresholds rise: of equals, the highest
            threshold, most_right = candidate, right
    chosen = [b if held[i][b] >= threshold else None for i, b in enumerate(best)]
    report(f"tune, {FOLDS}-fold cross-validated, threshold {threshold}", truth, chosen)
    means, scales, weights = fit(rows, labels)
    data = {
        "features": list(FEATURES),
        "types": list(PAGE_TYPES),
        "means": [round(v, 6) for v in means],
        "scales": [round(v, 6) for v in scales],
        "weights": [[round(v, 6) for v in row] for row in weights],
        "threshold": threshold,
    }
    data = {"version": hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12], **data}
    PageTypeModel.from_dict(data)
    if args.dry_run:
        return
    MODEL.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {MODEL} ({MODEL.stat().st_size:,} bytes), version {data['version']}")


if __name__ == "__main__":
    main()
