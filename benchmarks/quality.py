"""Extraction quality on the article-extraction benchmark, beside plain trafilatura, in one run.

    .venv/bin/python benchmarks/quality.py [--dataset DIR] [--worst 10]

DIR defaults to ../shared/datasets/article-extraction-benchmark beside the clone.

The metric is the one the dataset's README defines: 4-token shingles (tokens are ``\\w+``,
case kept) counted as multisets, per-page precision and recall from tp/fp/fn normalised by
their sum, averaged over pages; F1 is the harmonic mean of the two averages; accuracy is the
share of pages whose token sequence matches the truth exactly.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

import trafilatura  # noqa: E402

from pagesift.core.errors import ExtractionError  # noqa: E402
from pagesift.core.extraction import Page, extract  # noqa: E402
from tests.support.scoring import page_scores, tokens, uncovered  # noqa: E402

# Where the development datasets usually are: shared/ beside the repository's clone.
DEFAULT_DATASET = ROOT.parent / "shared" / "datasets" / "article-extraction-benchmark"


def summary(scores: list[tuple[float, float]], exact: list[bool]) -> dict[str, float]:
    precision = sum(p for p, _ in scores) / len(scores)
    recall = sum(r for _, r in scores) / len(scores)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "accuracy": sum(exact) / len(exact)}


def pagesift_text(raw: bytes, url: str | None) -> str:
    try:
        return extract(Page(raw, url=url)).text
    except ExtractionError:
        return ""


def trafilatura_text(raw: bytes, url: str | None) -> str:
    result = trafilatura.bare_extraction(gzip.decompress(raw), url=url, with_metadata=True)
    return result.text if result is not None else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--worst", type=int, default=10)
    args = parser.parse_args()
    if not (args.dataset / "ground-truth.json").is_file():
        parser.error(
            f"no article-extraction benchmark at {args.dataset} (expected ground-truth.json and html/): "
            "give its folder with --dataset DIR"
        )

    truth = json.loads((args.dataset / "ground-truth.json").read_text())
    systems = {"pagesift": pagesift_text, "trafilatura": trafilatura_text}
    results: dict[str, list[tuple[str, float, float, bool, str]]] = {name: [] for name in systems}
    for page_id, item in sorted(truth.items()):
        raw = (args.dataset / "html" / f"{page_id}.html.gz").read_bytes()
        expected = item["articleBody"]
        for name, run in systems.items():
            predicted = run(raw, item.get("url"))
            precision, recall = page_scores(predicted, expected)
            results[name].append((page_id, precision, recall, tokens(predicted) == tokens(expected), predicted))

    print(f"{len(truth)} pages from {args.dataset}")
    print(f"{'system':<12} {'precision':>9} {'recall':>7} {'F1':>6} {'accuracy':>8}")
    for name, rows in results.items():
        s = summary([(p, r) for _, p, r, _, _ in rows], [e for *_, e, _ in rows])
        print(f"{name:<12} {s['precision']:>9.3f} {s['recall']:>7.3f} {s['f1']:>6.3f} {s['accuracy']:>8.3f}")

    def f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    worst = sorted(results["pagesift"], key=lambda row: f1(row[1], row[2]))[: args.worst]
    print(f"\nthe {args.worst} pages where pagesift loses most against the ground truth:")
    for page_id, precision, recall, _, predicted in worst:
        expected = truth[page_id]["articleBody"]
        print(f"- {page_id[:12]} F1 {f1(precision, recall):.3f} (P {precision:.3f} R {recall:.3f}) {truth[page_id].get('url', '')}")
        print(f"    missed: {' … '.join(uncovered(expected, predicted))!r}")
        print(f"    added:  {' … '.join(uncovered(predicted, expected))!r}")


if __name__ == "__main__":
    main()
