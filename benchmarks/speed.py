"""Speed and memory of the extraction core beside plain trafilatura, as ratios measured in one run.

    .venv/bin/python benchmarks/speed.py [--dataset DIR] [--wcxb DIR] [--wcxb-half check|tune|none]
                                         [--repeat 3] [--processes 5] [--first-page ID] [--warmup 5]
                                         [--json PATH] [--half check|tune|none] [--corpus DIR]

pagesift's core (``pagesift.extraction.steps.extract(Page(raw_bytes, url=...))``) is measured
against plain trafilatura (``bare_extraction(html, url=..., with_metadata=True)``, the
baseline) on the judged pages: the 111 pages of the article-extraction benchmark (``--dataset``)
and WCXB's ``check`` half (``--wcxb``, ``--wcxb-half``; pages of every type, not only news):

1. throughput, in this process: pages/s and ms per page (p50, p95, max) on each set and on both
   pooled, each page's time being the median of ``--repeat`` passes, after one untimed pass over
   ``--warmup`` pages. trafilatura is given the HTML already decoded to a string (gunzipped,
   then decoded the way trafilatura itself does); pagesift is given the stored bytes, gzip and
   all, since its decoding is part of what it costs. The slowest pages for pagesift are named,
   and every page over 1 s.
2. peak RSS (``ru_maxrss``) of a fresh process per system that imports it and extracts every
   judged page once; the handler process (``import extract.app``, then the same extractions) is
   shown too.
3. first page in a fresh process: the first extraction (``--first-page``, a page without a
   machine-readable date, so that every date fallback runs) against the median of the other
   pages in the same process; median of ``--processes`` processes.
4. import time, measured inside fresh processes around the import statement only:
   ``import extract.app`` (the handler, ``functions/extract/app.py``) against its dependencies
   alone (``DEPENDENCIES``: trafilatura, boto3 and the Powertools modules it imports, with the
   Powertools objects and boto3 clients its composition root builds), with ``import
   trafilatura`` and ``import pagesift.extraction.steps`` beside them; median of ``--processes``.

With ``--half check`` (or ``tune``), the same throughput measure over that half of the
web-content-extraction corpus too (one pass per page, ``--corpus-repeat``), shown beside the
judged pages and not part of any target.

It ends with the targets (throughput, slowest page and peak RSS on the judged pages pooled)
and PASS/MISS for each. A MISS is reported, never an exit status. Only the ratios carry over
from one machine to another; the absolute figures do not. It takes about six minutes on 2
cores; never run in the tests.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

# Only the standard library is imported at the top: the same file runs as the child processes
# (``--child``), and each of those must hold the one system it measures and nothing else.
ROOT = Path(__file__).resolve().parents[1]
# The functions' folder is the task root of every artifact (functions/Makefile): extract.app is
# the handler module, pagesift the shared package.
FUNCTIONS_DIR = ROOT / "functions"
sys.path.insert(0, str(FUNCTIONS_DIR))

DEFAULT_DATASET = ROOT.parent / "shared" / "datasets" / "article-extraction-benchmark"
DEFAULT_WCXB = ROOT.parent / "shared" / "datasets" / "wcxb-dev"
# thespacereview.com, of ordinary size and warm time: no date in its URL, meta tags, JSON-LD or
# <time> (so the byline search of pagesift and htmldate's extensive search of trafilatura both
# run), and no declared language (so pagesift's language detection loads its profiles). The
# worst first page a cold process can get; a page declaring its language (sciencealert.com's
# 14cc2a0ca59c...) costs no more first than later.
DEFAULT_FIRST_PAGE = "c00962aabe7bdd1fca78f5360ea7fa93cd7674863b05157e00827506a7aa58c4"
SYSTEMS = ("pagesift", "trafilatura")
# What the handler needs to import (config from the environment, clients built at import
# time), with dummy credentials and no instance metadata so that nothing goes to the network.
# LAMBDA_TASK_ROOT and AWS_LAMBDA_FUNCTION_NAME say "in Lambda", as the runtime does: the X-Ray
# SDK then takes Lambda's sampling decisions instead of building its own X-Ray clients at
# import (about 140 ms that a deployed function never pays).
HANDLER_ENV = {
    "LAMBDA_TASK_ROOT": str(FUNCTIONS_DIR),
    "AWS_LAMBDA_FUNCTION_NAME": "pagesift-extract",
    "DOCUMENTS_BUCKET": "docs",
    "EVENT_BUS_NAME": "bus",
    "STATE_TABLE": "state",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "pagesift",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}
TARGETS = {
    "throughput": 0.7,  # pages/s at least this many times trafilatura's, on the judged pages pooled
    "max_page_ms": 1000.0,  # no page over 1 s
    "first_page": 1.5,  # first page in a process at most this many times the median page
    "handler_import": 1.2,  # import extract.app at most this many times its dependencies alone
    "peak_rss_mb": 256.0,
}


@dataclass(frozen=True)
class BenchPage:
    id: str
    url: str | None
    raw: bytes  # the file as stored: gzip-compressed HTML


# A page to read later: (id, URL, the gzip-compressed file). The RSS children get lists of these
# and read one page at a time, so that what they hold is the extraction's, not the data set's.
PageRef = tuple[str, str | None, str]


def benchmark_listing(dataset: Path) -> list[PageRef]:
    """The benchmark's pages in a fixed order (by id), as quality.py reads them."""
    truth = json.loads((dataset / "ground-truth.json").read_text())
    html = dataset / "html"
    return [(page_id, item.get("url"), str(html / f"{page_id}.html.gz")) for page_id, item in sorted(truth.items())]


def wcxb_listing(half: str, wcxb: Path) -> list[PageRef]:
    """One half of WCXB's development split, with ids as benchmarks/corpora.py names them. Read
    here rather than with corpora.wcxb_pages, which holds every page's truth at once (about 60 MB
    of Python objects that would sit in this process's peak RSS, and so in its children's): only
    each page's URL is kept, never its truth."""
    splits, truth = wcxb / "splits.json", wcxb / "truth.jsonl.gz"
    if not splits.is_file() or not truth.is_file():
        raise SystemExit(
            f"no WCXB development split at {wcxb} (expected splits.json, truth.jsonl.gz and html/): "
            "give its folder with --wcxb DIR"
        )
    urls: dict[str, str | None] = {}
    with gzip.open(truth, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            urls[row["id"]] = row.get("url")
    names = json.loads(splits.read_text())[half]
    return [(f"wcxb/{name}", urls[name], str(wcxb / "html" / f"{name}.html.gz")) for name in names]


def read_page(ref: PageRef) -> BenchPage:
    page_id, url, file = ref
    return BenchPage(page_id, url, Path(file).read_bytes())


def load_pages(dataset: Path) -> list[BenchPage]:
    return [read_page(ref) for ref in benchmark_listing(dataset)]


def make_system(name: str) -> tuple[Callable[[BenchPage], Any], Callable[[Any, str | None], str | None]]:
    """Import one system and return ``(prepare, run)``: ``prepare`` turns a page into that
    system's input (outside any timing), ``run`` extracts it and returns None for a document,
    else why there is none.

    The imports are here rather than at the top so that a child process imports only the
    system it measures. "pagesift+app" is pagesift in the handler's process: it imports the
    handler module first, for the memory the function really holds.
    """
    if name in ("pagesift", "pagesift+app"):
        if name == "pagesift+app":
            os.environ.update(HANDLER_ENV)
            import extract.app  # noqa: F401

        from pagesift.contracts.errors import ExtractionError
        from pagesift.extraction.steps import Page, extract

        def run_pagesift(data: bytes, url: str | None) -> str | None:
            try:
                extract(Page(data, url=url))
            except ExtractionError as error:
                return error.kind
            return None

        return (lambda page: page.raw), run_pagesift

    if name == "trafilatura":
        import trafilatura
        from trafilatura.utils import decode_file

        def run_trafilatura(html: str, url: str | None) -> str | None:
            result = trafilatura.bare_extraction(html, url=url, with_metadata=True)
            return None if result is not None and result.text else "no text"

        return (lambda page: decode_file(gzip.decompress(page.raw))), run_trafilatura

    raise ValueError(f"unknown system {name!r}")


def timed(run: Callable[[Any, str | None], str | None], data: Any, url: str | None) -> tuple[float, str | None]:
    """One extraction: (milliseconds, failure or None)."""
    started = time.perf_counter()
    failure = run(data, url)
    return (time.perf_counter() - started) * 1000, failure


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: a value that was measured, no interpolation."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def ms_stats(per_page_ms: list[float]) -> dict[str, float]:
    return {
        "pages_per_s": len(per_page_ms) / (sum(per_page_ms) / 1000),
        "p50_ms": percentile(per_page_ms, 0.50),
        "p95_ms": percentile(per_page_ms, 0.95),
        "max_ms": max(per_page_ms),
    }


# --- 1. throughput, in this process -------------------------------------------------------------


def measure_throughput(pages: list[BenchPage], *, repeat: int, warmup: list[BenchPage]) -> dict[str, Any]:
    """Per page, the median of ``repeat`` timings, for each system.

    The systems take turns pass by pass rather than one finishing before the other starts,
    so that a slow spell of the machine does not land on one of them only.
    """
    systems = {name: make_system(name) for name in SYSTEMS}
    inputs = {name: [prepare(page) for page in pages] for name, (prepare, _) in systems.items()}
    for prepare, run in systems.values():
        for page in warmup:
            run(prepare(page), page.url)

    times: dict[str, list[list[float]]] = {name: [[] for _ in pages] for name in SYSTEMS}
    failures: dict[str, dict[str, str]] = {name: {} for name in SYSTEMS}
    for _ in range(repeat):
        for name, (_, run) in systems.items():
            for index, page in enumerate(pages):
                ms, failure = timed(run, inputs[name][index], page.url)
                times[name][index].append(ms)
                if failure:
                    failures[name][page.id] = failure

    results: dict[str, Any] = {}
    for name in SYSTEMS:
        medians = [statistics.median(runs) for runs in times[name]]
        results[name] = {
            **ms_stats(medians),
            "worst_single_run_ms": max(max(runs) for runs in times[name]),
            "failures": failures[name],
            "per_page_ms": dict(zip((page.id for page in pages), medians, strict=True)),
        }
    return results


def corpus_bench_pages(half: str, corpus: Path) -> list[BenchPage]:
    """One half of the web-content-extraction corpus, each page stored gzip-compressed like the
    benchmark's, so that every page is given to the systems the same way."""
    sys.path[:0] = [str(ROOT / "benchmarks")]
    import corpora

    return [BenchPage(page.id, page.url, gzip.compress(page.html_bytes(), 6)) for page in corpora.corpus_pages(half, corpus)]


def pooled(*results: dict[str, Any]) -> dict[str, Any]:
    """Each system's figures over every page of the given throughput results, and its pages over 1 s."""
    figures: dict[str, Any] = {}
    for name in SYSTEMS:
        per_page = {page_id: ms for r in results for page_id, ms in r[name]["per_page_ms"].items()}
        over = {page_id: ms for page_id, ms in per_page.items() if ms > TARGETS["max_page_ms"]}
        figures[name] = {**ms_stats(list(per_page.values())), "over_max_page_ms": over, "per_page_ms": per_page}
    return figures


def print_pooled(figures: dict[str, Any], sets: dict[str, list[BenchPage]], slowest: int = 10) -> float:
    """The judged pages pooled: each system's figures, the ratio, the slowest pages and any over 1 s."""
    counts = " + ".join(f"{len(pages)} {name}" for name, pages in sets.items())
    print(f"\nJudged pages pooled ({counts} = {sum(map(len, sets.values()))} pages)")
    print(f"{'system':<13} {'pages/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'over 1 s':>8}")
    for name in SYSTEMS:
        r = figures[name]
        print(
            f"{name:<13} {r['pages_per_s']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['max_ms']:>8.1f}"
            f" {len(r['over_max_page_ms']):>8}"
        )
    ratio = figures["pagesift"]["pages_per_s"] / figures["trafilatura"]["pages_per_s"]
    print(f"pooled throughput ratio pagesift / trafilatura: {ratio:.2f}x")

    where = {page.id: (set_name, page) for set_name, pages in sets.items() for page in pages}
    ours, theirs = figures["pagesift"]["per_page_ms"], figures["trafilatura"]["per_page_ms"]
    over = figures["pagesift"]["over_max_page_ms"]
    listed = ", ".join(f"{page_id[:12]} ({ms:.0f} ms)" for page_id, ms in sorted(over.items(), key=lambda item: -item[1]))
    print(f"pages over {TARGETS['max_page_ms'] / 1000:g} s for pagesift: {len(over)}{': ' + listed if over else ''}")
    print(f"the {slowest} slowest pages for pagesift (ms; trafilatura beside; KB gunzipped):")
    for page_id in sorted(ours, key=ours.get, reverse=True)[:slowest]:
        set_name, page = where[page_id]
        size_kb = len(gzip.decompress(page.raw)) / 1024
        print(
            f"  {set_name:<10} {page_id[:12]:<12} {ours[page_id]:>7.1f} ms  (trafilatura {theirs[page_id]:>6.1f})"
            f"  {size_kb:>5.0f} KB  {page.url}"
        )
    return ratio


def print_throughput(
    results: dict[str, Any], pages: list[BenchPage], repeat: int, title: str, slowest: int = 5
) -> float:
    print(f"\n{title} (per page: median of {repeat} passes, after a warm-up pass)")
    print(f"{'system':<13} {'pages/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'worst run':>9} {'no document':>11}")
    for name in SYSTEMS:
        r = results[name]
        print(
            f"{name:<13} {r['pages_per_s']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['max_ms']:>8.1f}"
            f" {r['worst_single_run_ms']:>9.1f} {len(r['failures']):>11}"
        )
    ratio = results["pagesift"]["pages_per_s"] / results["trafilatura"]["pages_per_s"]
    print(f"throughput ratio pagesift / trafilatura: {ratio:.2f}x")
    for name in SYSTEMS:
        for page_id, failure in sorted(results[name]["failures"].items()):
            print(f"  {name} gave no document for {page_id[:12]}: {failure}")

    if not slowest:
        return ratio
    by_id = {page.id: page for page in pages}
    ours, theirs = results["pagesift"]["per_page_ms"], results["trafilatura"]["per_page_ms"]
    print(f"the {slowest} slowest pages for pagesift (ms; trafilatura beside; KB gunzipped):")
    for page_id in sorted(ours, key=ours.get, reverse=True)[:slowest]:
        page = by_id[page_id]
        size_kb = len(gzip.decompress(page.raw)) / 1024
        print(f"  {page_id[:12]} {ours[page_id]:>7.1f} ms  (trafilatura {theirs[page_id]:>6.1f})  {size_kb:>5.0f} KB  {page.url}")
    return ratio


# --- child processes ------------------------------------------------------------------------------


def run_child(args: list[str], *, code: bool = False, stdin: str | None = None) -> dict[str, Any]:
    """Run a fresh interpreter (this script with ``--child ...``, or ``-c code``) in the
    handler's directory and environment, with ``stdin`` as its input, and return the JSON it
    prints last."""
    command = [sys.executable, "-c", *args] if code else [sys.executable, str(Path(__file__).resolve()), *args]
    env = {**os.environ, **HANDLER_ENV, "PYTHONPATH": str(FUNCTIONS_DIR)}
    done = subprocess.run(command, cwd=FUNCTIONS_DIR, env=env, input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child {args[:3]} failed with exit status {done.returncode}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_rss(system: str, listing: list[PageRef]) -> dict[str, Any]:
    """In a fresh process: import the system, extract every page once, report ru_maxrss (KB on
    Linux) after the import and at the end. Pages are read and prepared one at a time, so the
    pages are not all held at once."""
    prepare, run = make_system(system)
    after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for ref in listing:
        page = read_page(ref)
        run(prepare(page), page.url)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"after_import_mb": after_import, "peak_mb": peak, "vm_hwm_mb": vm_hwm_mb()}


def vm_hwm_mb() -> float | None:
    """The kernel's high-water mark of this process's own memory (Linux only): a check on
    ru_maxrss, which a child started from a big parent inherits (see measure_rss)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    kb = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return int(kb) / 1024 if kb else None


def child_first_page(system: str, dataset: Path, first_page: str) -> dict[str, Any]:
    """In a fresh process: import the system, prepare every input, then time the first
    extraction, then each other page once, then the first page again (warm): what the first
    page costs beyond its own warm time is the cost of a cold process."""
    pages = load_pages(dataset)
    prepare, run = make_system(system)
    inputs = {page.id: prepare(page) for page in pages}
    first = next(page for page in pages if page.id == first_page)
    first_ms, _ = timed(run, inputs[first.id], first.url)
    others = [timed(run, inputs[page.id], page.url)[0] for page in pages if page.id != first.id]
    warm_ms, _ = timed(run, inputs[first.id], first.url)
    return {"first_ms": first_ms, "median_ms": statistics.median(others), "first_warm_ms": warm_ms}


# A bare interpreter: the import is timed alone, with nothing of this script loaded before it.
IMPORT_CODE = """\
import json, time
started = time.perf_counter()
{statements}
print(json.dumps({{"ms": (time.perf_counter() - started) * 1000}}))
"""
# The handler's own dependencies alone (the baseline for the handler's import): what
# functions/extract/app.py and pagesift.aws import of trafilatura, boto3 and Powertools, and the
# objects of theirs its composition root builds at import (Powertools' Logger, Tracer, Metrics
# and three boto3 clients): their cost is the same in any handler.
DEPENDENCIES = """\
import trafilatura
import boto3
from botocore.config import Config
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
Logger(), Tracer(), Metrics()
config = Config(retries={"mode": "standard", "total_max_attempts": 5})
s3, dynamodb, events = (boto3.client(name, config=config) for name in ("s3", "dynamodb", "events"))"""
# What is timed in each fresh process: label -> statements
IMPORTS = {
    "handler": ("import extract.app (the handler)", "import extract.app"),
    "dependencies": ("its dependencies alone", DEPENDENCIES),
    "trafilatura": ("import trafilatura", "import trafilatura"),
    "core": ("import pagesift.extraction.steps", "import pagesift.extraction.steps"),
}


# --- 2, 3, 4: fresh processes ---------------------------------------------------------------------


def measure_rss(listing: list[PageRef]) -> dict[str, Any]:
    """Peak RSS of one fresh process per system over the pages of ``listing``. Call it while
    this process is still small: on Linux a child's ru_maxrss starts at its parent's peak (it is
    carried across the exec), so children started after the throughput passes would all report
    this process's size."""
    pages = json.dumps(listing)
    return {name: run_child(["--child", "rss", "--system", name], stdin=pages) for name in (*SYSTEMS, "pagesift+app")}


def print_rss(rss: dict[str, Any]) -> float:
    print("\n2. Peak RSS, one fresh process per system extracting every judged page once (MB)")
    print(f"{'system':<36} {'after import':>12} {'peak':>8} {'VmHWM':>8}")
    labels = {"pagesift": "pagesift", "trafilatura": "trafilatura", "pagesift+app": "pagesift in the handler (import extract.app)"}
    for name, label in labels.items():
        hwm = rss[name]["vm_hwm_mb"]
        print(f"{label:<36} {rss[name]['after_import_mb']:>12.1f} {rss[name]['peak_mb']:>8.1f} {hwm or float('nan'):>8.1f}")
    ratio = rss["pagesift"]["peak_mb"] / rss["trafilatura"]["peak_mb"]
    print(f"peak RSS ratio pagesift / trafilatura: {ratio:.2f}x")
    return ratio


def measure_first_page(dataset: Path, first_page: str, processes: int) -> dict[str, Any]:
    """For each system, ``processes`` fresh processes; the medians of their figures."""
    results = {}
    for name in SYSTEMS:
        runs = [
            run_child(["--child", "first", "--system", name, "--dataset", str(dataset), "--first-page", first_page])
            for _ in range(processes)
        ]
        results[name] = {
            "ratio": statistics.median(run["first_ms"] / run["median_ms"] for run in runs),
            "first_ms": statistics.median(run["first_ms"] for run in runs),
            "median_ms": statistics.median(run["median_ms"] for run in runs),
            "first_warm_ms": statistics.median(run["first_warm_ms"] for run in runs),
            "runs": runs,
        }
    return results


def print_first_page(results: dict[str, Any], first_page: str, processes: int) -> None:
    print(f"\n3. First page in a fresh process ({first_page[:12]}), median of {processes} processes")
    print(f"{'system':<12} {'first ms':>9} {'same, warm':>10} {'median page':>11} {'first/median':>12}")
    for name in SYSTEMS:
        r = results[name]
        print(f"{name:<12} {r['first_ms']:>9.1f} {r['first_warm_ms']:>10.1f} {r['median_ms']:>11.1f} {r['ratio']:>11.2f}x")


def measure_imports(processes: int) -> dict[str, Any]:
    """Median import time of each module in fresh processes, after one untimed process that
    leaves the bytecode caches written (a first import after an edit compiles)."""
    results = {}
    for name, (_label, statements) in IMPORTS.items():
        code = IMPORT_CODE.format(statements=statements)
        run_child([code], code=True)
        times = [run_child([code], code=True)["ms"] for _ in range(processes)]
        results[name] = {"median_ms": statistics.median(times), "runs_ms": times}
    return results


def print_imports(results: dict[str, Any], processes: int) -> float:
    print(f"\n4. Import time in a fresh process (ms, median of {processes})")
    for name, (label, _statements) in IMPORTS.items():
        runs = ", ".join(f"{ms:.0f}" for ms in results[name]["runs_ms"])
        print(f"{label:<32} {results[name]['median_ms']:>7.1f}   ({runs})")
    ratio = results["handler"]["median_ms"] / results["dependencies"]["median_ms"]
    print(f"import ratio handler / its dependencies alone: {ratio:.2f}x "
          f"(handler / trafilatura alone: {results['handler']['median_ms'] / results['trafilatura']['median_ms']:.2f}x)")
    return ratio


# --- summary ---------------------------------------------------------------------------------------


def targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue with what was measured; ``passed`` is reported, never enforced."""
    t = TARGETS
    judged = figures["judged"]
    ratio = judged["pagesift"]["pages_per_s"] / judged["trafilatura"]["pages_per_s"]
    slowest = judged["pagesift"]["max_ms"]
    where = figures["judged_sets"]
    return [
        {"target": f"core throughput >= {t['throughput']}x trafilatura-with-metadata ({where})",
         "measured": f"{ratio:.2f}x", "passed": ratio >= t["throughput"]},
        {"target": f"no page over {t['max_page_ms'] / 1000:g} s (pagesift max, {where})",
         "measured": f"{slowest:.0f} ms", "passed": slowest <= t["max_page_ms"]},
        {"target": f"first page <= {t['first_page']}x median page (pagesift)",
         "measured": f"{figures['first_page']['pagesift']['ratio']:.2f}x", "passed": figures["first_page"]["pagesift"]["ratio"] <= t["first_page"]},
        {"target": f"handler import <= {t['handler_import']}x its dependencies alone",
         "measured": f"{figures['ratios']['import']:.2f}x", "passed": figures["ratios"]["import"] <= t["handler_import"]},
        {"target": f"peak RSS <= {t['peak_rss_mb']:.0f} MB (pagesift, {where})",
         "measured": f"{figures['rss']['pagesift']['peak_mb']:.0f} MB", "passed": figures["rss"]["pagesift"]["peak_mb"] <= t["peak_rss_mb"]},
    ]


def print_targets(rows: list[dict[str, Any]]) -> None:
    print("\nTargets")
    width = max(len(row["target"]) for row in rows)
    for row in rows:
        print(f"{row['target']:<{width}}  {row['measured']:>9}  {'PASS' if row['passed'] else 'MISS'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_WCXB, help="WCXB's development split (splits.json, html/)")
    parser.add_argument(
        "--wcxb-half",
        choices=["check", "tune", "none"],
        default="check",
        help="WCXB half judged beside the benchmark pages",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the pages (median per page)")
    parser.add_argument("--processes", type=int, default=5, help="fresh processes for the first-page and import figures")
    parser.add_argument("--first-page", default=DEFAULT_FIRST_PAGE, help="id of the page extracted first in a fresh process")
    parser.add_argument("--warmup", type=int, default=5, help="pages extracted untimed before the throughput passes")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument(
        "--half",
        choices=["check", "tune", "none"],
        default="none",
        help="web-content-extraction half also measured (not judged)",
    )
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "datasets" / "web-content-extraction")
    parser.add_argument("--corpus-repeat", type=int, default=1, help="timed passes over the corpus pages")
    parser.add_argument("--child", choices=["rss", "first"], help=argparse.SUPPRESS)
    parser.add_argument("--system", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "rss":  # the pages come on stdin
        print(json.dumps(child_rss(args.system, [tuple(ref) for ref in json.load(sys.stdin)])))
        return
    if not (args.dataset / "ground-truth.json").is_file():
        parser.error(
            f"no article-extraction benchmark at {args.dataset} (expected ground-truth.json and html/): "
            "give its folder with --dataset DIR"
        )

    if args.child == "first":
        print(json.dumps(child_first_page(args.system, args.dataset, args.first_page)))
        return

    started = time.monotonic()
    pages = load_pages(args.dataset)
    if not any(page.id == args.first_page for page in pages):
        parser.error(f"--first-page {args.first_page} is not a page of {args.dataset}")
    # The first page is among the warm-up pages: it is the one that runs the date fallbacks,
    # whose one-off set-up must not land in a timed pass.
    warmup = [page for page in pages if page.id == args.first_page] + [page for page in pages if page.id != args.first_page][: max(0, args.warmup - 1)]
    header = {
        "python": platform.python_version(),
        "trafilatura": version("trafilatura"),
        "cpus": os.cpu_count(),
        "pages": len(pages),
        "dataset": str(args.dataset),
    }
    print(f"Python {header['python']}, trafilatura {header['trafilatura']}, {header['cpus']} CPUs; {len(pages)} pages from {args.dataset}")

    wcxb_refs = [] if args.wcxb_half == "none" else wcxb_listing(args.wcxb_half, args.wcxb)
    figures: dict[str, Any] = {"header": header, "ratios": {}}
    # Measured first, printed second: see measure_rss.
    figures["rss"] = measure_rss(benchmark_listing(args.dataset) + wcxb_refs)
    wcxb_pages = [read_page(ref) for ref in wcxb_refs]
    sets = {"benchmark": pages, **({f"wcxb-{args.wcxb_half}": wcxb_pages} if wcxb_pages else {})}
    figures["judged_sets"] = " + ".join(f"{len(set_pages)} {name}" for name, set_pages in sets.items()) + " pages"
    print(f"judged pages: {figures['judged_sets']}")
    figures["throughput"] = measure_throughput(pages, repeat=args.repeat, warmup=warmup)
    figures["ratios"]["throughput"] = print_throughput(
        figures["throughput"], pages, args.repeat, f"1a. Throughput on the {len(pages)} benchmark pages", slowest=0
    )
    sys.stdout.flush()
    judged = [figures["throughput"]]
    if wcxb_pages:
        figures["wcxb_throughput"] = measure_throughput(wcxb_pages, repeat=args.repeat, warmup=[])
        figures["ratios"]["wcxb_throughput"] = print_throughput(
            figures["wcxb_throughput"], wcxb_pages, args.repeat,
            f"1b. Throughput on WCXB's {args.wcxb_half} half, {len(wcxb_pages)} pages", slowest=0,
        )
        judged.append(figures["wcxb_throughput"])
    figures["judged"] = pooled(*judged)
    figures["ratios"]["judged_throughput"] = print_pooled(figures["judged"], sets)
    sys.stdout.flush()
    if args.half != "none":
        corpus_pages = corpus_bench_pages(args.half, args.corpus)
        figures["corpus_throughput"] = measure_throughput(corpus_pages, repeat=args.corpus_repeat, warmup=[])
        figures["ratios"]["corpus_throughput"] = print_throughput(
            figures["corpus_throughput"], corpus_pages, args.corpus_repeat,
            f"1c. Throughput on the web-content-extraction corpus's {args.half} half, {len(corpus_pages)} pages"
            " (not judged)",
        )
    figures["ratios"]["peak_rss"] = print_rss(figures["rss"])
    sys.stdout.flush()
    figures["first_page"] = measure_first_page(args.dataset, args.first_page, args.processes)
    print_first_page(figures["first_page"], args.first_page, args.processes)
    figures["ratios"]["first_page"] = figures["first_page"]["pagesift"]["ratio"]
    sys.stdout.flush()
    figures["imports"] = measure_imports(args.processes)
    figures["ratios"]["import"] = print_imports(figures["imports"], args.processes)

    figures["targets"] = targets(figures)
    print_targets(figures["targets"])
    figures["wall_seconds"] = time.monotonic() - started
    print(f"\n(wall time {figures['wall_seconds']:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
