"""Extraction quality, pagesift beside the other extractors, all measured in one run.

    .venv/bin/python benchmarks/quality.py [--half check] [--jobs N] [--worst 10]
        [--benchmark DIR] [--corpus DIR] [--systems pagesift,trafilatura,...] [--json FILE]

Two corpora (benchmarks/corpora.py): the 111 pages of the article-extraction benchmark
(``aeb``) and one half of the web-content-extraction corpus (five research datasets; ``check``
unless ``--half tune``). Every option and rule of pagesift is chosen on ``tune`` and confirmed
on ``check``: read ``check``'s figures, never its pages.

For each dataset and each system: precision, recall and F1 by the benchmark's metric (4-token
shingles, tokens ``\\w+``, per-page precision and recall averaged over pages, F1 their harmonic
mean; tests/support/scoring.py). ``corpus`` pools the pages of the five datasets (Dragnet is
half of them); ``mean`` is the unweighted mean of the six datasets' F1. Then, per dataset, a
paired bootstrap 95 % interval (pages resampled within each dataset) of pagesift's F1 minus
plain trafilatura's and minus the best other system's, and the pages where pagesift scores
lowest with what it missed and added.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

import corpora  # noqa: E402
import systems as extractors  # noqa: E402
from corpora import CorpusPage  # noqa: E402

from tests.support.scoring import f1, page_scores, uncovered  # noqa: E402

PRODUCT = "pagesift"
BASELINE = "trafilatura"
POOLED = "corpus"
MEAN = "mean"

Scores = dict[str, list[tuple[float, float]]]  # system → per-page (precision, recall), page order


def summary(rows: list[tuple[float, float]]) -> tuple[float, float, float]:
    precision = sum(p for p, _ in rows) / len(rows)
    recall = sum(r for _, r in rows) / len(rows)
    return precision, recall, f1(precision, recall)


_SYSTEMS: dict[str, extractors.System] = {}


def _score_page(task: tuple[CorpusPage, tuple[str, ...]]) -> tuple[str, dict[str, tuple[float, float]], str, dict[str, float]]:
    """All systems on one page (in a worker process): scores, pagesift's text, seconds."""
    page, names = task
    if not _SYSTEMS:
        _SYSTEMS.update(extractors.available())
    raw = page.html_bytes()
    scores, seconds, product_text = {}, {}, ""
    for name in names:
        started = time.perf_counter()
        try:
            text = _SYSTEMS[name](raw, page.url)
        except Exception:  # noqa: BLE001 - a system that crashes on a page scores nothing there
            text = ""
        seconds[name] = time.perf_counter() - started
        scores[name] = page_scores(text, page.truth)
        if name == PRODUCT:
            product_text = text
    return page.id, scores, product_text, seconds


def bootstrap_difference(a: list[tuple[float, float]], b: list[tuple[float, float]], *, rounds: int, rng: random.Random) -> tuple[float, float]:
    """Paired bootstrap 95 % interval of F1(a) − F1(b) over the same pages."""
    n = len(a)
    differences = []
    for _ in range(rounds):
        picks = [rng.randrange(n) for _ in range(n)]
        differences.append(summary([a[i] for i in picks])[2] - summary([b[i] for i in picks])[2])
    differences.sort()
    return differences[int(0.025 * rounds)], differences[int(0.975 * rounds) - 1]


def stratified_bootstrap(
    groups: dict[str, tuple[list[tuple[float, float]], list[tuple[float, float]]]], *, rounds: int, rng: random.Random
) -> tuple[float, float]:
    """The same for pooled pages, resampled within each dataset so each keeps its share."""
    differences = []
    for _ in range(rounds):
        a_rows, b_rows = [], []
        for a, b in groups.values():
            picks = [rng.randrange(len(a)) for _ in range(len(a))]
            a_rows += [a[i] for i in picks]
            b_rows += [b[i] for i in picks]
        differences.append(summary(a_rows)[2] - summary(b_rows)[2])
    differences.sort()
    return differences[int(0.025 * rounds)], differences[int(0.975 * rounds) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=corpora.HALVES, default="check")
    parser.add_argument("--benchmark", type=Path, default=corpora.DEFAULT_BENCHMARK)
    parser.add_argument("--corpus", type=Path, default=corpora.DEFAULT_CORPUS)
    parser.add_argument("--systems", help="comma-separated; default: every available system")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--worst", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    available = extractors.available()
    names = tuple(args.systems.split(",")) if args.systems else tuple(available)
    unknown = [name for name in names if name not in available]
    if unknown:
        parser.error(f"unknown system(s) {', '.join(unknown)}; available: {', '.join(available)}")
    if PRODUCT not in names or BASELINE not in names:
        parser.error(f"--systems must include {PRODUCT} and {BASELINE}")

    try:
        pages = corpora.benchmark_pages(args.benchmark) + corpora.corpus_pages(args.half, args.corpus)
    except corpora.MissingCorpus as missing:
        parser.error(str(missing))
    by_id = {page.id: page for page in pages}

    started = time.perf_counter()
    results: dict[str, tuple[dict[str, tuple[float, float]], str, dict[str, float]]] = {}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for page_id, scores, text, seconds in pool.map(_score_page, [(page, names) for page in pages], chunksize=4):
            results[page_id] = (scores, text, seconds)
    elapsed = time.perf_counter() - started

    datasets: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        datasets[page.dataset].append(page.id)
    per_dataset: dict[str, Scores] = {
        dataset: {name: [results[pid][0][name] for pid in ids] for name in names} for dataset, ids in datasets.items()
    }
    pooled: Scores = {name: [row for dataset, scores in per_dataset.items() if dataset != corpora.BENCHMARK for row in scores[name]] for name in names}
    f1s = {dataset: {name: summary(rows)[2] for name, rows in scores.items()} for dataset, scores in per_dataset.items()}

    print(f"{len(pages)} pages: the article-extraction benchmark ({len(datasets[corpora.BENCHMARK])}) and the corpus's {args.half} half; "
          f"{len(names)} systems, {args.jobs} job(s), {elapsed:.0f} s")
    print(f"Dragnet's truth: {'the article alone (cut at the comments separator)' if corpora.ARTICLE_ONLY else 'article and comments'}\n")
    columns = [*datasets, POOLED, MEAN]
    print("F1" + "".join(f"{column[:11]:>12}" for column in columns))
    print(f"{'pages':<18}" + "".join(f"{len(datasets[c]) if c in datasets else len(pooled[PRODUCT]) if c == POOLED else '':>12}" for c in columns))
    for name in names:
        row = [f1s[dataset][name] for dataset in datasets]
        cells = [*row, summary(pooled[name])[2], sum(row) / len(row)]
        print(f"{name:<18}" + "".join(f"{value:>12.3f}" for value in cells))

    print("\nprecision / recall")
    for name in names:
        cells = [summary(per_dataset[d][name])[:2] for d in datasets] + [summary(pooled[name])[:2]]
        print(f"{name:<18}" + "".join(f"{p:>6.3f}/{r:<5.3f}" for p, r in cells))

    rng = random.Random(args.seed)
    others = [name for name in names if not name.startswith(PRODUCT)]
    print(f"\n{PRODUCT} − other, paired bootstrap 95 % interval ({args.rounds} resamples)")
    for dataset in [*datasets, POOLED]:
        scores = per_dataset[dataset] if dataset != POOLED else pooled
        best = max(others, key=lambda name: summary(scores[name])[2])
        cells = []
        for other in dict.fromkeys([BASELINE, best]):
            difference = summary(scores[PRODUCT])[2] - summary(scores[other])[2]
            if dataset == POOLED:
                groups = {d: (per_dataset[d][PRODUCT], per_dataset[d][other]) for d in datasets if d != corpora.BENCHMARK}
                low, high = stratified_bootstrap(groups, rounds=args.rounds, rng=rng)
            else:
                low, high = bootstrap_difference(scores[PRODUCT], scores[other], rounds=args.rounds, rng=rng)
            cells.append(f"− {other}: {difference:+.3f} [{low:+.3f}, {high:+.3f}]")
        print(f"  {dataset:<16} " + "   ".join(cells))

    print("\nseconds per page (mean, in this run's workers)")
    for name in names:
        total = sum(results[pid][2][name] for pid in results)
        print(f"  {name:<18} {1000 * total / len(results):7.1f} ms")

    if args.worst:
        print(f"\nthe {args.worst} pages where {PRODUCT} scores lowest ({args.half} half: "
              f"{'read the figures, not the pages' if args.half == 'check' else 'study them'})")
        worst = sorted(results, key=lambda pid: f1(*results[pid][0][PRODUCT]))[: args.worst]
        for pid in worst:
            (precision, recall), text = results[pid][0][PRODUCT], results[pid][1]
            best_other = max(others, key=lambda name: f1(*results[pid][0][name]))
            print(f"- {pid} F1 {f1(precision, recall):.3f} (P {precision:.3f} R {recall:.3f}); best other: {best_other} {f1(*results[pid][0][best_other]):.3f}")
            print(f"    missed: {' … '.join(uncovered(by_id[pid].truth, text))!r}")
            print(f"    added:  {' … '.join(uncovered(text, by_id[pid].truth))!r}")


if __name__ == "__main__":
    main()
