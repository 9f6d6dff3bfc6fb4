"""Reliability under a burst: 2,000 pages through the embedded stack with duplicated, reordered
and fault-injected deliveries, then an audit of what came out.

    .venv/bin/python benchmarks/reliability.py [--pages 2000] [--seed 1] [--log-file FILE]

Prints what was injected (duplicates, late deliveries, throttled reads, failed PutEvents
entries, workers killed mid-batch) and what came out: current documents against the
expected ones, doubled events, keys whose last event is not their final state, bad pages
without exactly one failure event, and dead letters. The run is seeded: the same seed
injects the same faults (timing between the worker threads still varies).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT / "src"), str(ROOT)]

from tests.support.burst import BurstConfig, run_burst  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = BurstConfig()
    parser.add_argument("--pages", type=int, default=defaults.pages)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
    parser.add_argument("--log-file", default="/dev/null", help="the function's and the worker's logs")
    args = parser.parse_args()

    out = sys.stdout
    with open(args.log_file, "a", encoding="utf-8") as logs:
        # The function writes its logs and metrics to stdout, as in Lambda: keep them out of the report.
        sys.stdout = logs
        logging.basicConfig(stream=logs, level=logging.WARNING, force=True)
        started = time.monotonic()
        try:
            report = run_burst(ROOT / "template.yaml", BurstConfig(pages=args.pages, seed=args.seed, concurrency=args.concurrency))
        finally:
            sys.stdout = out
    print("\n".join(report.lines()))
    print(f"(wall time {time.monotonic() - started:.0f} s)")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
