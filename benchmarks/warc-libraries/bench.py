#!/usr/bin/env python3
"""Speed: median of N runs, all variants interleaved in one process.
usage: bench.py ARCHIVE... [--runs 3]"""
import json, os, statistics, sys, time
import warcio_brfix  # noqa
from fastwarc.warc import ArchiveIterator as FI
from warcio.archiveiterator import ArchiveIterator as WI
import read_fastwarc, read_warcio
from common import ForwardOnly


def fw_iterate(p):
    return sum(1 for _ in FI(p, auto_decode="none"))

def wi_iterate(p):
    with open(p, "rb") as f:
        return sum(1 for _ in WI(f))

def fw_count(p):
    return sum(1 for _ in FI(p, parse_http=False))

def run_gen(gen):
    n = b = 0
    for t in gen:
        n += 1; b += len(t[-1])
    return n, b

VARIANTS = {
    "fastwarc iterate (path)": fw_iterate,
    "fastwarc raw (path)": lambda p: run_gen(read_fastwarc.iter_html(p, "raw")),
    "fastwarc decode (path)": lambda p: run_gen(read_fastwarc.iter_html(p, "decode")),
    "fastwarc decode (py stream)": lambda p: run_gen(read_fastwarc.iter_html(ForwardOnly(open(p, "rb")), "decode")),
    "warcio iterate": wi_iterate,
    "warcio raw": lambda p: run_gen(read_warcio.iter_html(open(p, "rb"), "raw")),
    "warcio decode": lambda p: run_gen(read_warcio.iter_html(open(p, "rb"), "decode")),
}

def main():
    args = sys.argv[1:]
    runs = 3
    if "--runs" in args:
        i = args.index("--runs"); runs = int(args[i + 1]); del args[i:i + 2]
    for p in args:
        size = os.path.getsize(p)
        nrec = fw_count(p)
        times = {k: [] for k in VARIANTS}; out = {}
        for r in range(runs):
            for k, fn in VARIANTS.items():
                t = time.perf_counter(); res = fn(p); times[k].append(time.perf_counter() - t); out[k] = res
        for k in VARIANTS:
            med = statistics.median(times[k])
            print(json.dumps({"archive": p, "variant": k, "median_s": round(med, 2),
                              "runs_s": [round(x, 2) for x in times[k]], "records": nrec,
                              "records_per_s": round(nrec / med), "file_MB_per_s": round(size / 1e6 / med, 1),
                              "result": out[k]}), flush=True)

if __name__ == "__main__":
    main()
