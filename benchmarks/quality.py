"""Extraction quality, pagesift beside the other extractors, all measured in one run.

    .venv/bin/python benchmarks/quality.py [--half check] [--jobs N] [--worst 10] [--corpora aeb,web,wcxb]
        [--benchmark DIR] [--corpus DIR] [--wcxb DIR] [--systems pagesift,trafilatura,...] [--limit N] [--json FILE]

Three corpora (benchmarks/corpora.py): the 111 pages of the article-extraction benchmark
(``aeb``), one half of the web-content-extraction corpus (``web``: five research datasets) and
the same half of WCXB's development split (``wcxb``: seven page types); ``check`` unless
``--half tune``. Every option and rule of pagesift is chosen on ``tune`` and confirmed on
``check``: read ``check``'s figures, never its pages.

For ``aeb`` and ``web``, per dataset and system: precision, recall and F1 by the benchmark's
metric (4-token shingles, tokens ``\\w+``, per-page precision and recall averaged over pages, F1
their harmonic mean; tests/support/scoring.py). ``corpus`` pools the pages of the five datasets
(Dragnet is half of them); ``mean`` is the unweighted mean of the six datasets' F1. Then, per
dataset, a paired bootstrap 95 % interval (pages resampled within each dataset) of pagesift's F1
minus plain trafilatura's and minus the best other system's, and the pages where pagesift scores
lowest with what it missed and added.

For ``wcxb``, per page type and overall, by WCXB's own metric (lower-cased ``\\w+`` words as
multisets, F1 per page averaged over pages): F1, precision and recall; the share of the truth's
``with`` snippets found and of its ``without`` snippets kept; the pages lost (recall < 0.3 where
plain trafilatura's is ≥ 0.7); the markdown F1 (block-tagged words) of pagesift's document
markdown and trafilatura's own; title, author and date accuracy; and the same paired bootstrap
intervals (overall: pages resampled within each page type).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# This folder (corpora, systems) and the repository (tests.support.scoring).
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from tests.support.scoring import (  # noqa: E402
    f1,
    markdown_scores,
    page_scores,
    same_field,
    snippets_found,
    uncovered,
    word_scores,
    words,
)

import corpora  # noqa: E402
import systems as extractors  # noqa: E402
from corpora import CorpusPage  # noqa: E402

PRODUCT = "pagesift"
BASELINE = "trafilatura"
POOLED = "corpus"
MEAN = "mean"
ALL = "all"
CORPORA = ("aeb", "web", "wcxb")
# Systems whose title, author and date are measured (the others give none).
WITH_METADATA = ("pagesift", "trafilatura")
FIELDS = ("title", "author", "date")
LOST_RECALL, BASELINE_RECALL = 0.3, 0.7

Scores = dict[str, list[tuple[float, float]]]  # system → per-page (precision, recall), page order


@dataclass(slots=True)
class Measures:
    """One system on one page: (precision, recall) by the page's corpus metric and, on WCXB
    pages, the rest of what is measured there (None where it does not apply)."""

    scores: tuple[float, float]
    f1: float = 0.0  # WCXB: the page's own F1
    expected: bool = True  # False: a WCXB page with nothing expected (no main content)
    with_found: tuple[int, int] = (0, 0)  # (found, of)
    without_kept: tuple[int, int] = (0, 0)
    markdown: float | None = None  # markdown F1
    fields: dict[str, tuple[bool, bool]] = field(default_factory=dict)  # field → (right, the truth has one)


@dataclass(slots=True)
class PageResult:
    measures: dict[str, Measures]
    product_text: str
    seconds: dict[str, float]


def summary(rows: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    precision = sum(p for p, _ in rows) / len(rows)
    recall = sum(r for _, r in rows) / len(rows)
    return precision, recall, f1(precision, recall)


def shingle_f1(rows: Sequence[tuple[float, float]]) -> float:
    return summary(rows)[2]


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


_SYSTEMS: dict[str, extractors.System] = {}


def _wcxb_measures(name: str, page: CorpusPage, output: extractors.Output, raw: bytes) -> Measures:
    notes = page.annotations
    assert notes is not None
    precision, recall, page_f1 = word_scores(output.text, page.truth)
    measures = Measures((precision, recall), page_f1, expected=bool(words(page.truth)))
    measures.with_found = (snippets_found(output.text, list(notes.with_snippets)), len(notes.with_snippets))
    measures.without_kept = (snippets_found(output.text, list(notes.without_snippets)), len(notes.without_snippets))
    if notes.markdown:
        markdown = output.markdown
        if name == BASELINE:
            try:
                markdown = extractors.trafilatura_markdown(raw, page.url)
            except Exception:  # noqa: BLE001 - a crash scores nothing
                markdown = ""
        if markdown is not None:
            measures.markdown = markdown_scores(markdown, notes.markdown)[2]
    if name in WITH_METADATA:
        truth = {"title": notes.title, "author": notes.author, "date": notes.date}
        measures.fields = {
            key: (same_field(getattr(output, key), truth[key], date=key == "date"), bool(words(truth[key] or "")))
            for key in FIELDS
        }
    return measures


def _score_page(task: tuple[CorpusPage, tuple[str, ...]]) -> tuple[str, PageResult]:
    """All systems on one page (in a worker process): measures, pagesift's text, seconds."""
    page, names = task
    if not _SYSTEMS:
        _SYSTEMS.update(extractors.available())
    raw = page.html_bytes()
    result = PageResult({}, "", {})
    for name in names:
        started = time.perf_counter()
        try:
            output = _SYSTEMS[name](raw, page.url)
        except Exception:  # noqa: BLE001 - a system that crashes on a page scores nothing there
            output = extractors.NOTHING
        result.seconds[name] = time.perf_counter() - started
        if page.annotations is not None:
            result.measures[name] = _wcxb_measures(name, page, output, raw)
        else:
            result.measures[name] = Measures(page_scores(output.text, page.truth))
        if name == PRODUCT:
            result.product_text = output.text
    return page.id, result


def bootstrap_difference(
    a: Sequence[Any],
    b: Sequence[Any],
    *,
    rounds: int,
    rng: random.Random,
    statistic: Callable[[list], float] = shingle_f1,
) -> tuple[float, float]:
    """Paired bootstrap 95 % interval of statistic(a) − statistic(b) over the same pages."""
    return stratified_bootstrap({"": (a, b)}, rounds=rounds, rng=rng, statistic=statistic)


def stratified_bootstrap(
    groups: dict[str, tuple[Sequence[Any], Sequence[Any]]],
    *,
    rounds: int,
    rng: random.Random,
    statistic: Callable[[list], float] = shingle_f1,
) -> tuple[float, float]:
    """The same for pooled pages, resampled within each group so each keeps its share."""
    differences = []
    for _ in range(rounds):
        a_rows: list[Any] = []
        b_rows: list[Any] = []
        for a, b in groups.values():
            picks = [rng.randrange(len(a)) for _ in range(len(a))]
            a_rows += [a[i] for i in picks]
            b_rows += [b[i] for i in picks]
        differences.append(statistic(a_rows) - statistic(b_rows))
    differences.sort()
    return differences[int(0.025 * rounds)], differences[int(0.975 * rounds) - 1]


# --- the article-extraction benchmark and the web-content-extraction corpus ------------------


def report_shingles(
    pages: list[CorpusPage], results: dict[str, PageResult], names: tuple[str, ...], args: argparse.Namespace
) -> dict:
    datasets: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        datasets[page.dataset].append(page.id)
    per_dataset: dict[str, Scores] = {
        dataset: {name: [results[pid].measures[name].scores for pid in ids] for name in names}
        for dataset, ids in datasets.items()
    }
    web = [dataset for dataset in datasets if dataset != corpora.BENCHMARK]
    pooled: Scores = {name: [row for dataset in web for row in per_dataset[dataset][name]] for name in names}
    f1s = {dataset: {name: shingle_f1(rows) for name, rows in scores.items()}
           for dataset, scores in per_dataset.items()}

    truth = "the article alone (cut at the comments separator)" if corpora.ARTICLE_ONLY else "article and comments"
    print(f"Dragnet's truth: {truth}\n")
    columns = [*datasets, *([POOLED] if web else []), MEAN]
    print("F1" + "".join(f"{column[:11]:>12}" for column in columns))
    counts = [len(datasets[c]) if c in datasets else len(pooled[PRODUCT]) if c == POOLED else "" for c in columns]
    print(f"{'pages':<18}" + "".join(f"{count:>12}" for count in counts))
    for name in names:
        row = [f1s[dataset][name] for dataset in datasets]
        cells = [*row, *([shingle_f1(pooled[name])] if web else []), sum(row) / len(row)]
        print(f"{name:<18}" + "".join(f"{value:>12.3f}" for value in cells))

    print("\nprecision / recall")
    for name in names:
        cells = [summary(per_dataset[d][name])[:2] for d in datasets] + ([summary(pooled[name])[:2]] if web else [])
        print(f"{name:<18}" + "".join(f"{p:>6.3f}/{r:<5.3f}" for p, r in cells))

    rng = random.Random(args.seed)
    print(f"\n{PRODUCT} − other, paired bootstrap 95 % interval ({args.rounds} resamples)")
    groups = {**per_dataset, **({POOLED: pooled} if web else {})}
    intervals = {}
    for dataset, scores in groups.items():
        strata = {d: per_dataset[d] for d in web} if dataset == POOLED else {dataset: scores}
        intervals[dataset] = differences(scores, strata, names, shingle_f1, args.rounds, rng)
        print(f"  {dataset:<16} " + "   ".join(_interval(other, cell) for other, cell in intervals[dataset].items()))

    if args.worst:
        ids = [pid for ids in datasets.values() for pid in ids]
        print_worst(ids, results, names, args, lambda m: f1(*m.scores), pages)
    return {
        "datasets": {d: {n: dict(zip(("precision", "recall", "f1"), summary(s[n]), strict=True)) for n in names}
                     for d, s in groups.items()},
        "differences": intervals,
    }


def differences(
    scores: dict[str, list],
    strata: dict[str, dict[str, list]],
    names: tuple[str, ...],
    statistic: Callable[[list], float],
    rounds: int,
    rng: random.Random,
) -> dict[str, dict[str, float]]:
    """pagesift minus plain trafilatura and minus the best other system: the difference of
    ``statistic`` and its paired bootstrap interval, resampled within each stratum."""
    others = [name for name in names if not name.startswith(PRODUCT)]
    best = max(others, key=lambda name: statistic(scores[name]))
    cells = {}
    for other in dict.fromkeys([BASELINE, best]):
        groups = {key: (rows[PRODUCT], rows[other]) for key, rows in strata.items()}
        low, high = stratified_bootstrap(groups, rounds=rounds, rng=rng, statistic=statistic)
        cells[other] = {"difference": statistic(scores[PRODUCT]) - statistic(scores[other]), "low": low, "high": high}
    return cells


def _interval(other: str, cell: dict[str, float]) -> str:
    return f"− {other}: {cell['difference']:+.3f} [{cell['low']:+.3f}, {cell['high']:+.3f}]"


def print_worst(
    ids: list[str],
    results: dict[str, PageResult],
    names: tuple[str, ...],
    args: argparse.Namespace,
    score: Callable[[Measures], float],
    pages: list[CorpusPage],
) -> None:
    by_id = {page.id: page for page in pages}
    others = [name for name in names if not name.startswith(PRODUCT)]
    print(f"\nthe {args.worst} pages where {PRODUCT} scores lowest ({args.half} half: "
          f"{'read the figures, not the pages' if args.half == 'check' else 'study them'})")
    for pid in sorted(ids, key=lambda pid: score(results[pid].measures[PRODUCT]))[: args.worst]:
        measures, text = results[pid].measures, results[pid].product_text
        precision, recall = measures[PRODUCT].scores
        best_other = max(others, key=lambda name: score(measures[name]))
        kind = f" ({by_id[pid].page_type})" if by_id[pid].page_type else ""
        print(f"- {pid}{kind} F1 {score(measures[PRODUCT]):.3f} (P {precision:.3f} R {recall:.3f}); "
              f"best other: {best_other} {score(measures[best_other]):.3f}")
        print(f"    missed: {' … '.join(uncovered(by_id[pid].truth, text))!r}")
        print(f"    added:  {' … '.join(uncovered(text, by_id[pid].truth))!r}")


# --- WCXB: page types -------------------------------------------------------------------------


def _table(title: str, columns: list[str], rows: dict[str, list[float | None]], fmt: str = ".3f") -> None:
    print(f"\n{title}")
    print(f"{'':<20}" + "".join(f"{column[:13]:>14}" for column in columns))
    for label, cells in rows.items():
        print(f"{label:<20}" + "".join(f"{'—':>14}" if cell is None else f"{cell:>14{fmt}}" for cell in cells))


def _share(pairs: list[tuple[int, int]]) -> float | None:
    total = sum(of for _, of in pairs)
    return sum(found for found, _ in pairs) / total if total else None


def report_wcxb(
    pages: list[CorpusPage], results: dict[str, PageResult], names: tuple[str, ...], args: argparse.Namespace
) -> dict:
    by_type: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        by_type[str(page.page_type)].append(page.id)
    groups = {**dict(sorted(by_type.items(), key=lambda item: -len(item[1]))), ALL: [page.id for page in pages]}
    columns = list(groups)
    m = {key: {name: [results[pid].measures[name] for pid in ids] for name in names} for key, ids in groups.items()}
    figures: dict[str, Any] = {"pages": {key: len(ids) for key, ids in groups.items()}}

    print(f"\nWCXB development split, {args.half} half: word-level F1 per page, averaged over pages")
    print(f"{'pages':<20}" + "".join(f"{len(groups[key]):>14}" for key in columns))
    f1_rows = {name: [mean([x.f1 for x in m[key][name]]) for key in columns] for name in names}
    _table("F1", columns, f1_rows)
    precision_rows = {name: [mean([x.scores[0] for x in m[key][name]]) for key in columns] for name in names}
    recall_rows = {name: [mean([x.scores[1] for x in m[key][name]]) for key in columns] for name in names}
    _table("precision", columns, precision_rows)
    _table("recall", columns, recall_rows)
    with_rows = {name: [_share([x.with_found for x in m[key][name]]) for key in columns] for name in names}
    without_rows = {name: [_share([x.without_kept for x in m[key][name]]) for key in columns] for name in names}
    _table("`with` snippets found (share of all snippets)", columns, with_rows)
    _table("`without` snippets kept (share of all snippets; lower is better)", columns, without_rows)
    lost_rows = {
        name: [float(_lost(m[key][name], m[key][BASELINE])) for key in columns] for name in names if name != BASELINE
    }
    title = f"pages lost (recall < {LOST_RECALL} where {BASELINE}'s is ≥ {BASELINE_RECALL}; not counting empty truths)"
    _table(title, columns, lost_rows, ".0f")
    figures.update(f1=f1_rows, precision=precision_rows, recall=recall_rows, with_found=with_rows,
                   without_kept=without_rows, pages_lost=lost_rows)

    figures["markdown"] = _report_markdown(columns, m, names)
    figures["metadata"] = _report_metadata(columns, m, names, pages)

    rng = random.Random(args.seed)
    page_f1s = {key: {name: [x.f1 for x in m[key][name]] for name in names} for key in columns}
    print(f"\n{PRODUCT} − other, word F1, paired bootstrap 95 % interval ({args.rounds} resamples; "
          f"{ALL}: within each page type)")
    intervals = {}
    for key in columns:
        strata = {t: page_f1s[t] for t in by_type} if key == ALL else {key: page_f1s[key]}
        intervals[key] = differences(page_f1s[key], strata, names, mean, args.rounds, rng)
        print(f"  {key:<16} " + "   ".join(_interval(other, cell) for other, cell in intervals[key].items()))
    figures["differences"] = intervals

    if args.worst:
        print_worst(groups[ALL], results, names, args, lambda x: x.f1, pages)
    # Each page's F1 per system, for comparing runs page by page.
    figures["page_f1"] = {
        page.id: {"page_type": page.page_type, **{name: results[page.id].measures[name].f1 for name in names}}
        for page in pages
    }
    return figures


def _lost(rows: list[Measures], baseline: list[Measures]) -> int:
    pairs = zip(rows, baseline, strict=True)
    return sum(1 for x, b in pairs if x.expected and x.scores[1] < LOST_RECALL and b.scores[1] >= BASELINE_RECALL)


def _report_markdown(columns: list[str], m: dict[str, dict[str, list[Measures]]], names: tuple[str, ...]) -> dict:
    measured = [name for name in names if any(x.markdown is not None for x in m[ALL][name])]
    skipped = sum(1 for x in m[ALL][measured[0]] if x.markdown is None) if measured else 0
    rows = {
        (f"{name} (own)" if name == BASELINE else name): [
            mean([x.markdown for x in m[key][name] if x.markdown is not None]) for key in columns
        ]
        for name in measured
    }
    _table(f"markdown F1 (block-tagged words; {skipped} page(s) without markdown truth skipped)", columns, rows)
    return {"skipped": skipped, "f1": rows}


def _report_metadata(columns: list[str], m: dict[str, dict[str, list[Measures]]], names: tuple[str, ...],
                     pages: list[CorpusPage]) -> dict:
    measured = [name for name in names if name in WITH_METADATA]
    given = {key: sum(1 for x in m[ALL][measured[0]] if x.fields[key][1]) for key in FIELDS} if measured else {}

    def accuracy(name: str, key: str, column: str, where: Callable[[bool], bool]) -> float | None:
        rights = [float(x.fields[key][0]) for x in m[column][name] if where(x.fields[key][1])]
        return mean(rights) if rights else None

    everywhere, where_given, where_none = {}, {}, {}
    for key in FIELDS:
        for name in measured:
            everywhere[f"{name} {key}"] = [accuracy(name, key, column, lambda _: True) for column in columns]
            where_given[f"{name} {key}"] = [accuracy(name, key, column, bool) for column in columns]
            where_none[f"{name} {key}"] = [accuracy(name, key, column, lambda has: not has) for column in columns]
    counts = ", ".join(f"{count} {key}s" for key, count in given.items())
    _table(f"metadata right (normalised; none is right where the truth has none; the truth has {counts})",
           columns, everywhere)
    _table("metadata right where the truth has one", columns, where_given)
    _table("metadata right where the truth has none (none given)", columns, where_none)
    return {"truth_has": given, "accuracy": everywhere, "where_truth_has_one": where_given,
            "where_truth_has_none": where_none}


# --- the run ------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=corpora.HALVES, default="check")
    parser.add_argument("--corpora", default=",".join(CORPORA), help=f"comma-separated, of {', '.join(CORPORA)}")
    parser.add_argument("--benchmark", type=Path, default=corpora.DEFAULT_BENCHMARK)
    parser.add_argument("--corpus", type=Path, default=corpora.DEFAULT_CORPUS)
    parser.add_argument("--wcxb", type=Path, default=corpora.DEFAULT_WCXB)
    parser.add_argument("--systems", help="comma-separated; default: every available system")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int, help="at most N pages of each dataset (and of each WCXB page type)")
    parser.add_argument("--worst", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()

    available = extractors.available()
    args.names = tuple(args.systems.split(",")) if args.systems else tuple(available)
    unknown = [name for name in args.names if name not in available]
    if unknown:
        parser.error(f"unknown system(s) {', '.join(unknown)}; available: {', '.join(available)}")
    if PRODUCT not in args.names or BASELINE not in args.names:
        parser.error(f"--systems must include {PRODUCT} and {BASELINE}")
    args.chosen = args.corpora.split(",")
    if not args.chosen or set(args.chosen) - set(CORPORA):
        parser.error(f"--corpora takes some of {', '.join(CORPORA)}")
    try:
        args.pages = load_pages(args)
    except corpora.MissingCorpus as missing:
        parser.error(str(missing))
    return args


def load_pages(args: argparse.Namespace) -> list[CorpusPage]:
    pages: list[CorpusPage] = []
    if "aeb" in args.chosen:
        pages += corpora.benchmark_pages(args.benchmark)
    if "web" in args.chosen:
        pages += corpora.corpus_pages(args.half, args.corpus)
    if "wcxb" in args.chosen:
        pages += corpora.wcxb_pages(args.half, args.wcxb)
    if args.limit is not None:
        seen: dict[tuple[str, str | None], int] = defaultdict(int)
        kept = []
        for page in pages:
            seen[page.dataset, page.page_type] += 1
            if seen[page.dataset, page.page_type] <= args.limit:
                kept.append(page)
        pages = kept
    return pages


def run(pages: list[CorpusPage], names: tuple[str, ...], jobs: int) -> dict[str, PageResult]:
    results: dict[str, PageResult] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for page_id, result in pool.map(_score_page, [(page, names) for page in pages], chunksize=4):
            results[page_id] = result
    return results


def main() -> None:
    args = parse_args()
    pages, names = args.pages, args.names
    started = time.perf_counter()
    results = run(pages, names, args.jobs)
    elapsed = time.perf_counter() - started

    wcxb = [page for page in pages if page.dataset == corpora.WCXB]
    others = [page for page in pages if page.dataset != corpora.WCXB]
    limit = f", at most {args.limit} per dataset or type" if args.limit else ""
    print(f"{len(pages)} pages ({args.corpora}; the {args.half} half{limit}); "
          f"{len(names)} systems, {args.jobs} job(s), {elapsed:.0f} s")
    figures: dict[str, Any] = {"half": args.half, "systems": list(names), "jobs": args.jobs, "seconds": elapsed}
    if others:
        figures["shingles"] = report_shingles(others, results, names, args)
    if wcxb:
        figures["wcxb"] = report_wcxb(wcxb, results, names, args)

    print("\nseconds per page (mean, in this run's workers)")
    for name in names:
        total = sum(result.seconds[name] for result in results.values())
        print(f"  {name:<18} {1000 * total / len(results):7.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
