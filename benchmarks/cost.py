"""Cost per million pages implied by the measured extraction time, for a choice of memory sizes.

    .venv/bin/python benchmarks/speed.py --json /tmp/speed.json
    .venv/bin/python benchmarks/cost.py --speed /tmp/speed.json [--io-ms 60] [--batch-size 10]

Lambda gives a function CPU in proportion to its memory (a whole vCPU at 1,769 MB); the
extraction is one thread of CPU-bound Python, so its time per page is the time measured by
speed.py on one full core, divided by the memory's share of a vCPU (capped at one). The AWS
calls of a page (S3 read and write, PutEvents, DynamoDB writes) wait on the network, which
does not speed up with memory: ``--io-ms`` per page, an assumption (this machine has no AWS
to measure it against; moto's timings are not AWS's). Billed duration is the sum of both.

Prices are us-east-1 list prices, stated below; change them here if yours differ. Per page the
pipeline makes: 1 S3 GET (page), 1 S3 PUT (document), 1 PutEvents entry, 4 DynamoDB writes
(lease, state commit, idempotency in progress and completed), about 1.2 SQS requests (the
EventBridge target's send, then receive and delete in batches), and about 1.5 KB of logs.
The S3 -> EventBridge notifications are AWS service events on the default bus: no charge.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# us-east-1 list prices (USD)
LAMBDA_GB_SECOND = {"arm64": 0.0000133334, "x86_64": 0.0000166667}
LAMBDA_PER_MILLION_REQUESTS = 0.20
S3_PER_1000_GET = 0.0004
S3_PER_1000_PUT = 0.005
EVENTBRIDGE_PER_MILLION_EVENTS = 1.00
DYNAMODB_PER_MILLION_WRITES = 0.625  # on-demand write request units (items under 1 KB)
SQS_PER_MILLION_REQUESTS = 0.40
LOGS_PER_GB = 0.50

MB_PER_VCPU = 1769
DYNAMODB_WRITES_PER_PAGE = 4
SQS_REQUESTS_PER_PAGE = 1.2
LOG_KB_PER_PAGE = 1.5


def lambda_ms_per_page(cpu_ms: float, io_ms: float, memory_mb: int) -> float:
    """Billed milliseconds of one page: CPU time scaled by the memory's share of a vCPU, plus waits."""
    return cpu_ms / min(1.0, memory_mb / MB_PER_VCPU) + io_ms


def costs_per_million(cpu_ms: float, io_ms: float, memory_mb: int, architecture: str, batch_size: int) -> dict[str, float]:
    pages = 1_000_000
    gb_seconds = pages * lambda_ms_per_page(cpu_ms, io_ms, memory_mb) / 1000 * memory_mb / 1024
    return {
        "lambda compute": gb_seconds * LAMBDA_GB_SECOND[architecture],
        "lambda requests": pages / batch_size / 1e6 * LAMBDA_PER_MILLION_REQUESTS,
        "s3 requests": pages / 1000 * (S3_PER_1000_GET + S3_PER_1000_PUT),
        "eventbridge": pages / 1e6 * EVENTBRIDGE_PER_MILLION_EVENTS,
        "dynamodb": pages * DYNAMODB_WRITES_PER_PAGE / 1e6 * DYNAMODB_PER_MILLION_WRITES,
        "sqs": pages * SQS_REQUESTS_PER_PAGE / 1e6 * SQS_PER_MILLION_REQUESTS,
        "logs": pages * LOG_KB_PER_PAGE / 1024 / 1024 * LOGS_PER_GB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speed", type=Path, required=True, help="the JSON written by speed.py --json")
    parser.add_argument("--io-ms", type=float, default=60.0, help="AWS call time per page, ms (assumed)")
    parser.add_argument("--batch-size", type=int, default=10, help="SQS messages per invocation")
    parser.add_argument("--memory", type=int, nargs="+", default=[256, 512, 1024, 1769])
    args = parser.parse_args()

    speed = json.loads(args.speed.read_text())
    cpu_ms = 1000 / speed["throughput"]["pagesift"]["pages_per_s"]  # mean over the benchmark pages
    peak_mb = speed["rss"]["pagesift+app"]["peak_mb"]
    print(f"extraction: {cpu_ms:.1f} ms per page on one full core (mean of {speed['header']['pages']} pages); "
          f"handler peak RSS {peak_mb:.0f} MB; AWS calls assumed {args.io_ms:g} ms per page")
    print(f"{'memory':>7} {'arch':>7} {'ms/page':>8} {'lambda $':>9} {'other $':>8} {'total $ per million pages':>26}")
    for memory in args.memory:
        for architecture in ("arm64", "x86_64"):
            costs = costs_per_million(cpu_ms, args.io_ms, memory, architecture, args.batch_size)
            compute = costs["lambda compute"]
            other = sum(costs.values()) - compute
            fits = "" if memory >= peak_mb * 1.5 else "  (under 1.5x the peak RSS)"
            print(f"{memory:>6}M {architecture:>7} {lambda_ms_per_page(cpu_ms, args.io_ms, memory):>8.0f} "
                  f"{compute:>9.2f} {other:>8.2f} {sum(costs.values()):>26.2f}{fits}")
    print("\nother, per million pages: " + ", ".join(
        f"{name} ${value:.2f}" for name, value in costs_per_million(cpu_ms, args.io_ms, 512, "arm64", args.batch_size).items()
        if name != "lambda compute"))


if __name__ == "__main__":
    main()
