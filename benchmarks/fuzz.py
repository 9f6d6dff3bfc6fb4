"""Seeded fuzz of the extraction core: random and mutated pages, counted by outcome.

    .venv/bin/python benchmarks/fuzz.py [--count 10000] [--seed 1]

Every input must give a Document or an ExtractionError; anything else is a crash, printed
with the seed and index that reproduce it. Inputs: the sample pages (real, several
languages, gzip and not) and pages written here, mutated by flipping, inserting and
deleting bytes and splicing in hostile fragments (BOMs, NUL bytes, charset labels, deep
nesting, unclosed tags, gzip magic), plus purely random bytes.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

from pagesift.core.errors import ExtractionError  # noqa: E402
from pagesift.core.extraction import Page, extract  # noqa: E402
from tests.pages import article_bytes  # noqa: E402

FRAGMENTS = [
    b"<div>" * 300, b"</div>" * 50, b"\x00" * 16, b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b'<meta charset="utf-16">',
    b'<meta charset="base64">', b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">', b"<!--",
    b"<![CDATA[", b"<script>", b"</script>", b"\x1f\x8b\x08\x00", b"&#0;", b"&#x110000;", b"<html lang='\xff'>",
    b"<svg><br><l>", b"<meta property=og:locale " * 50, b"<table><tr><td>" * 40, "\u202e\u0627\u0644".encode(), b"\r",
]


def corpus() -> list[bytes]:
    pages = [p.read_bytes() for p in sorted((ROOT / "samples" / "pages").iterdir()) if p.is_file()]
    pages += [article_bytes(), article_bytes("windows-1252", charset="windows-1252"), gzip.compress(article_bytes()),
              article_bytes("utf-16", charset=None)]
    return pages


def mutate(page: bytes, rng: random.Random) -> bytes:
    data = bytearray(gzip.decompress(page) if page[:2] == b"\x1f\x8b" and rng.random() < 0.7 else page)
    for _ in range(rng.randint(1, 25)):
        position = rng.randrange(len(data) + 1)
        roll = rng.random()
        if roll < 0.35 and data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif roll < 0.6:
            data[position:position] = rng.choice(FRAGMENTS)
        elif roll < 0.85:
            del data[position : position + rng.randint(1, 2000)]
        else:
            data[position:position] = rng.randbytes(rng.randint(1, 200))
    return gzip.compress(bytes(data)) if rng.random() < 0.1 else bytes(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    pages = corpus()
    counts: Counter[str] = Counter()
    crashes = 0
    slowest = (0.0, -1)
    started = time.monotonic()
    for index in range(args.count):
        data = rng.randbytes(rng.randint(0, 4096)) if rng.random() < 0.1 else mutate(rng.choice(pages), rng)
        content_type = rng.choice([None, "text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1", "text/html; charset=utf-16le"])
        began = time.monotonic()
        try:
            extract(Page(data, content_type=content_type), time_budget_seconds=10)
            counts["document"] += 1
        except ExtractionError as error:
            counts[f"ExtractionError {error.kind}"] += 1
        except BaseException:  # noqa: BLE001 - what this run looks for
            crashes += 1
            counts["CRASH"] += 1
            print(f"CRASH at seed {args.seed} index {index}:", file=sys.stderr)
            traceback.print_exc()
        slowest = max(slowest, (time.monotonic() - began, index))
    elapsed = time.monotonic() - started
    print(f"{args.count} inputs, seed {args.seed}, {elapsed:.0f} s ({args.count / elapsed:.0f}/s); slowest input {slowest[1]}: {slowest[0]:.2f} s")
    for outcome, number in counts.most_common():
        print(f"  {number:>6}  {outcome}")
    print("RESULT: " + ("no crash" if not crashes else f"{crashes} CRASHES"))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
