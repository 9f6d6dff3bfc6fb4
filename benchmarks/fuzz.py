"""Seeded fuzz of the extraction core: random and mutated pages, counted by outcome; and a
time-fuzz of markup shapes that parsers find hard, by how the time grows with the size.

    .venv/bin/python benchmarks/fuzz.py [--count 10000] [--seed 1]
    .venv/bin/python benchmarks/fuzz.py --time [--sizes 16,64,256,1024] [--seed 1]

Every input must give a Document or an ExtractionError; anything else is a crash, printed
with the seed and index that reproduce it. Inputs: the sample pages (real, several
languages, gzip and not) and pages written here, mutated by flipping, inserting and
deleting bytes and splicing in hostile fragments (BOMs, NUL bytes, charset labels, deep
nesting, unclosed tags, gzip magic), plus purely random bytes.

``--time``: each shape of ``HARD_SHAPES`` (one construct repeated: attributes in one tag, nesting
of each kind of element, unclosed and misnested formatting, tables, foreign content, entities,
comments...) and seeded random mixes of them, spliced before the article of a written page at
each size in KB, are extracted by pagesift (every parser and extractor it
runs). It prints ms per KB at each size and the growth from the smallest to the largest size
against the size's own growth: a shape whose time grows faster than its size (superlinear) is
marked, and the slowest inputs per KB are listed. Every input must end as a document or a
clear error within the page budget.
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

from pagesift.contracts.errors import ExtractionError  # noqa: E402
from pagesift.extraction.steps import Page, extract  # noqa: E402
from tests.support.pages import article_bytes  # noqa: E402

FRAGMENTS = [
    b"<div>" * 300, b"</div>" * 50, b"\x00" * 16, b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b'<meta charset="utf-16">',
    b'<meta charset="base64">', b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">', b"<!--",
    b"<![CDATA[", b"<script>", b"</script>", b"\x1f\x8b\x08\x00", b"&#0;", b"&#x110000;", b"<html lang='\xff'>",
    b"<svg><br><l>", b"<meta property=og:locale " * 50, b"<table><tr><td>" * 40, "\u202e\u0627\u0644".encode(), b"\r",
]


# name -> one unit of the construct; repeated to the wanted size
HARD_SHAPES: dict[str, str] = {
    "distinct attributes, one tag": "<div {}>",  # filled with a{i}=1 attributes
    "duplicate attributes, one tag": "<div " + "a=1 " * 8 + ">",
    "nested div": "<div>",
    "nested i+div": "<i><div>",
    "nested span": "<span>",
    "nested table cells": "<table><tr><td>",
    "nested lists": "<ul><li>",
    "nested blockquote": "<blockquote>",
    "nested svg g": "<svg><g>",
    "nested math": "<math><mi>",
    "unclosed b": "<b>x",
    "misnested b/i": "<b><i>x</b></i>",
    "misnested a/p": "<a href=x><p>y</a>",
    "unclosed p": "<p>x",
    "select options": "<select><option>x",
    "entities": "&amp;&#x41;&eacute;&#128512;",
    "comments": "<!-- x -->",
    "unclosed comment": "<!-- x",
    "long attribute value": '<div title="' + "x" * 1000 + '">',
    "unbalanced quotes": "<div a=\"x>",
    "cdata": "<![CDATA[x]]>",
    "empty elements": "<br><img><hr>",
    "sibling paragraphs": "<p>word word word</p>",
    "links in a row": "<a href=/x>link</a> ",
    "frameset": "<frameset><frame>",
    "template": "<template><div>",
}


def hard_page(shape: str, kilobytes: int, rng: random.Random | None = None) -> bytes:
    """A written page with ``kilobytes`` KB of ``shape`` (or, with ``rng``, a mix) before its article."""
    size = kilobytes * 1024
    if rng is not None:
        units = [HARD_SHAPES[name] for name in rng.sample(sorted(HARD_SHAPES), 4) if "{}" not in HARD_SHAPES[name]]
        filler, length = [], 0
        while length < size:
            unit = rng.choice(units) * rng.randint(1, 50)
            filler.append(unit)
            length += len(unit)
        construct = "".join(filler)[:size]
    elif "{}" in HARD_SHAPES[shape]:
        names = " ".join(f"a{i}=1" for i in range(size // 7))
        construct = HARD_SHAPES[shape].format(names)
    else:
        unit = HARD_SHAPES[shape]
        construct = unit * max(1, size // len(unit))
    return article_bytes().replace(b"<article>", construct.encode() + b"<article>")


def time_fuzz(sizes: list[int], seed: int, mixes: int) -> int:
    """Time every hard shape at every size; report growth and the slowest per KB."""
    rng = random.Random(seed)
    inputs = [(name, None) for name in HARD_SHAPES] + [(f"mix {i + 1}", random.Random(rng.random())) for i in range(mixes)]
    print(f"{'shape':<32}" + "".join(f"{f'{kb} KB':>11}" for kb in sizes) + f"{'growth':>9}  (time at {sizes[-1]} KB / at {sizes[0]} KB; size x{sizes[-1] // sizes[0]})")
    rows, failures = [], 0
    for name, mix_rng in inputs:
        cells, seconds = [], []
        for kb in sizes:
            data = hard_page(name, kb, random.Random(mix_rng.random()) if mix_rng else None) if mix_rng else hard_page(name, kb)
            began = time.perf_counter()
            try:
                extract(Page(data), time_budget_seconds=10)
                outcome = "doc"
            except ExtractionError as error:
                outcome = error.kind
            except BaseException:  # noqa: BLE001 - what this run looks for
                failures += 1
                outcome = "CRASH"
                traceback.print_exc()
            took = time.perf_counter() - began
            seconds.append(took)
            rows.append((1000 * took / kb, name, kb, outcome))
            cells.append(f"{1000 * took / kb:>7.2f}{'' if outcome == 'doc' else '*'}")
        growth = seconds[-1] / max(seconds[0], 1e-6)
        superlinear = growth > 2 * sizes[-1] / sizes[0]
        print(f"{name[:31]:<32}" + "".join(f"{cell:>11}" for cell in cells) + f"{growth:>9.0f}{'  SUPERLINEAR' if superlinear else ''}")
    print("(ms per KB, the written page's own ~20 ms included; * = refused or no document)\n\nslowest inputs per KB")
    for per_kb, name, kb, outcome in sorted(rows, reverse=True)[:8]:
        print(f"  {per_kb:8.2f} ms/KB  {name} at {kb} KB: {outcome}")
    return 1 if failures else 0


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
    parser.add_argument("--time", action="store_true", help="the time-fuzz of hard markup shapes instead")
    parser.add_argument("--sizes", default="16,64,256,1024", help="--time: sizes in KB, comma-separated")
    parser.add_argument("--mixes", type=int, default=6, help="--time: seeded random mixes of shapes")
    args = parser.parse_args()
    if args.time:
        return time_fuzz([int(size) for size in args.sizes.split(",")], args.seed, args.mixes)

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
