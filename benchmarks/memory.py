"""Peak memory of the extraction core on the largest inputs it accepts, beside a typical page,
each in a fresh process, measured in one run: the memory bound on the largest accepted
inputs, which docs/benchmarks.md claims for a 512 MB function.

    .venv/bin/python benchmarks/memory.py

Each case builds its page in the child process, then extracts it once; the child reports
``ru_maxrss`` after its imports and at the end, the outcome (words, or the error kind) and the
time. Ratios are against the typical page's peak in the same run. Never run in the tests.
"""

from __future__ import annotations

import gzip
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTION_MEMORY_MB = 512  # the template's FunctionMemorySize


def build(case: str) -> bytes:
    """The page of one case (written here, from the tests' article)."""
    from pagesift.extraction.limits import DEFAULT_MAX_INPUT_BYTES, MAX_HTML_ELEMENTS, MAX_MARKUP_CHARACTERS
    from tests.support.pages import article_html

    page = article_html()
    if case == "typical page":
        return page.encode()
    if case == "input at the size limit, mostly script state":
        room = DEFAULT_MAX_INPUT_BYTES - len(page) - 100
        return page.replace("<body>", '<body><script>window.__STATE__ = "' + "x" * room + '";</script>').encode()
    if case == "markup at the limit, text-dense":
        paragraph = "<p>The harbour authority said the cranes would double the night's containers. </p>"
        count = (MAX_MARKUP_CHARACTERS - len(page)) // len(paragraph) - 10
        return page.replace("</article>", paragraph * count + "</article>").encode()
    if case == "elements at the limit":
        return page.replace("</article>", "<span>x</span>" * (MAX_HTML_ELEMENTS - 200) + "</article>").encode()
    if case == "gzip expanding past the limit (refused)":
        return gzip.compress(page.encode() + b" " * (DEFAULT_MAX_INPUT_BYTES + 1), compresslevel=9)
    raise ValueError(case)


CASES = (
    "typical page",
    "input at the size limit, mostly script state",
    "markup at the limit, text-dense",
    "elements at the limit",
    "gzip expanding past the limit (refused)",
)


def child(case: str) -> None:
    sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]
    from pagesift.contracts.errors import ExtractionError
    from pagesift.extraction.steps import Page, extract

    after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data = build(case)
    started = time.perf_counter()
    try:
        outcome = f"{extract(Page(data), time_budget_seconds=60).stats.words} words"
    except ExtractionError as error:
        outcome = str(error.kind)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"bytes": len(data), "after_import_mb": after_import, "peak_mb": peak, "seconds": seconds, "outcome": outcome}))


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    results = {}
    for case in CASES:
        done = subprocess.run([sys.executable, __file__, "--child", case], capture_output=True, text=True, check=True)
        results[case] = json.loads(done.stdout.strip().splitlines()[-1])
    base = results["typical page"]["peak_mb"]
    print(f"{'case':<46} {'MB in':>7} {'after import':>12} {'peak MB':>8} {'x typical':>9} {'s':>6}  outcome")
    for case, r in results.items():
        print(f"{case:<46} {r['bytes'] / 1e6:>7.1f} {r['after_import_mb']:>12.0f} {r['peak_mb']:>8.0f} {r['peak_mb'] / base:>8.2f}x {r['seconds']:>6.2f}  {r['outcome']}")
    worst = max(r["peak_mb"] for r in results.values())
    print(f"\nlargest peak {worst:.0f} MB of the function's {FUNCTION_MEMORY_MB} MB "
          f"(the handler adds about 35 MB of its own: benchmarks/speed.py, 'pagesift in the handler')")


if __name__ == "__main__":
    main()
