"""Web archives through `pagesift extract`, against the same pages as loose files, in one run:
the WARC path's own overhead (aim: at most 10 %) and its peak memory as
the archive grows (aim: flat). Never run in the tests.

    .venv/bin/python benchmarks/archives.py [--pages 20000] [--jobs 1] [--repeat 1] [--work DIR]
    .venv/bin/python benchmarks/archives.py --flow [--pages 2000] [--range-pages 500] [--concurrency 2]
    .venv/bin/python benchmarks/archives.py --flow --pages 600 --range-pages 100 --kill 3 2>/dev/null
    .venv/bin/python benchmarks/archives.py --all [--pages 20000 --jobs 2 --flow-pages 2000 --kill-pages 600]

``--all`` runs the three in one run, one after the other: the archive against loose files on
``--pages``, the whole flow in both modes on ``--flow-pages``, and the kill run (``--kill``,
default 3 with ``--all``) on ``--kill-pages`` in ranges of a sixth of them.

The archive is written from the article-extraction benchmark's pages (cycled, each with a URL
of its own) with the record mix of a real crawl (tests/support/warcs.py: warcinfo,
request/response pairs, metadata, revisits, non-HTML, chunked, gzip, deflate and br bodies,
redirects; no faults, so that both sides extract the same pages). Every run is a fresh
`pagesift extract` process; its peak RSS is the process's own (VmHWM), and with ``--jobs`` over 1 the largest worker's.
Reading alone (the reader over the archive, no extraction) is timed beside FastWARC's own
iteration of the same archive, to show what the framing costs. ``--repeat N`` runs N pairs in
alternating order (loose files first, then the archive first, ...) and prints each pair's ratio
and their median: on a shared machine the speed drifts between two runs of several minutes.

``--flow``: the whole flow on the embedded local stack (moto server), in both output modes, on
an archive of ``--pages`` pages cut into ranges of ``--range-pages`` (so that it fans out), with
``--concurrency`` workers on the archive queue: from the upload to ``Archive Extracted``, the
exact counts of every event, and the time per page split into extraction (the documents' own
``extraction.duration_ms``) and the rest (AWS calls on the moto server, which is far slower
than AWS, and the worker's polling).

``--flow --kill N``: the same, with the first N range invocations killed at a random moment
(an exception no handler code catches, raised asynchronously in the worker's thread, as a crashed
runtime; ``--seed`` picks the moments); the killed batches come back after a visibility timeout of
``--visibility-timeout`` seconds. It prints what the kills cost: the documents under the
archive's prefix (in shards mode, the documents across its shards), the distinct documents
announced, and the events announced more than once (the documented window: at most the ten of
the PutEvents call a worker died in, per kill). Its times include the waits for the visibility
timeout, so its split per page says nothing of speed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "datasets" / "article-extraction-benchmark"
sys.path[:0] = [str(ROOT / "functions"), str(ROOT), str(ROOT / "src")]


def corpus_pages() -> list[bytes]:
    return [gzip.decompress(path.read_bytes()) for path in sorted((CORPUS / "html").glob("*.html.gz"))]


def write_inputs(work: Path, pages: int) -> tuple[Path, Path]:
    """The archive and the folder of the same pages as files (kept between runs)."""
    from tests.support.warcs import realistic_archive

    archive, folder = work / f"pages-{pages}.warc.gz", work / f"pages-{pages}"
    if archive.exists() and folder.exists():
        return archive, folder
    html = corpus_pages()
    chosen = [(f"https://bench.example/{n}/article", html[n % len(html)]) for n in range(pages)]
    written = realistic_archive(chosen, faults=False)
    archive.write_bytes(written.data)
    folder.mkdir(parents=True, exist_ok=True)
    for n, entry in enumerate(written.pages):
        (folder / f"{n:06d}.html").write_bytes(entry.html or b"")
    return archive, folder


def run_extract(path: Path, jobs: int) -> dict[str, float]:
    """One `pagesift extract` process: seconds, peak RSS, documents."""
    code = (
        "import resource, runpy, sys; sys.argv = ['pagesift', 'extract', sys.argv[1], '--jobs', sys.argv[2]];"
        "from pagesift_local.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child of this (large)
        # process would report this process's size as its own.
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        "print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "functions" / "extract"), str(ROOT / "functions"), str(ROOT / "src")])}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, str(path), str(jobs)], capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    documents = sum(1 for line in done.stdout.splitlines() if line.startswith("{"))
    own, workers = (int(value) for value in done.stderr.strip().splitlines()[-1].split())
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(own / 1024, 1), "worker_peak_rss_mb": round(workers / 1024, 1),
            "documents": documents}


def read_only(archive: Path) -> dict[str, float]:
    """The reader alone, and FastWARC's own iteration of the same archive."""
    from fastwarc.warc import ArchiveIterator

    from pagesift.contracts.document import Source
    from pagesift.extraction.steps import Page
    from pagesift.archives.warc import WarcReader

    started = time.perf_counter()
    with archive.open("rb") as file:
        pages = sum(isinstance(item, Page) for item in WarcReader().items(file, Source(path=str(archive))))
    ours = time.perf_counter() - started
    started = time.perf_counter()
    with archive.open("rb") as file:
        records = sum(len(record.reader.read()) >= 0 for record in ArchiveIterator(file, auto_decode="transfer"))
    theirs = time.perf_counter() - started
    return {"pages": pages, "reader_seconds": round(ours, 2), "fastwarc_seconds": round(theirs, 2), "fastwarc_records": records}


def flow(args: argparse.Namespace) -> None:
    from pagesift_local.cli.function_logs import function_logs_to

    archive, _folder = write_inputs(args.work, args.pages)
    data = archive.read_bytes()
    out = sys.stdout
    with function_logs_to(None):  # the function logs to stdout, as in Lambda: not here
        for mode in ("documents", "shards"):
            out.write(json.dumps(flow_mode(args, data, mode)) + "\n")
            out.flush()


class Killed(BaseException):
    """A worker's runtime dying: no ``except Exception`` in the function catches it."""


def range_killer(kills: int, seed: int, most_seconds: float) -> tuple[Callable[[ModuleType], None], list[dict[str, Any]]]:
    """An ``on_load`` for the archive workers that kills the first ``kills`` range invocations
    at a random moment of their first ``most_seconds``, and the record of each kill."""
    import ctypes
    import random
    import threading

    from pagesift.archives.tasks import TASK_MARK

    chooser, lock, done = random.Random(seed), threading.Lock(), []

    def wrap(module: ModuleType) -> None:
        handler = module.lambda_handler

        def killing_handler(event: dict[str, Any], context: Any) -> Any:
            bodies = [json.loads(record["body"]) for record in event.get("Records", [])]
            task = next((body for body in bodies if isinstance(body, dict) and TASK_MARK in body), None)
            timer = None
            with lock:
                if task is not None and task.get("action") == "range" and len(done) < kills:
                    delay = chooser.uniform(0.5, most_seconds)
                    done.append({"range": task["index"], "after_seconds": round(delay, 2), "killed": False})
                    victim, entry = threading.get_ident(), done[-1]

                    def kill() -> None:
                        entry["killed"] = True
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(victim), ctypes.py_object(Killed))

                    timer = threading.Timer(delay, kill)
                    timer.start()
            try:
                return handler(event, context)
            finally:
                if timer is not None:
                    timer.cancel()  # finished first: nothing to kill

        module.lambda_handler = killing_handler

    return wrap, done


def flow_mode(args: argparse.Namespace, data: bytes, mode: str) -> dict[str, object]:
    from collections import Counter

    from pagesift_local.cli.local_events import wait_for_events
    from pagesift_local.stack import LocalStack
    from pagesift_local.worker import QueueWorker

    parameters = {"ArchiveRangePages": str(args.range_pages), "OutputMode": mode}
    on_load, kills = range_killer(args.kill, args.seed, args.kill_within) if args.kill else (None, [])
    with LocalStack(ROOT / "template.yaml", parameters=parameters) as stack, \
            QueueWorker(stack, batching_window_seconds=0), \
            QueueWorker(stack, concurrency=args.concurrency, batching_window_seconds=0, source=stack.archive_source,
                        visibility_timeout=args.visibility_timeout if args.kill else None, on_load=on_load):
        s3, info = stack.client("s3"), stack.info()
        started = time.perf_counter()
        s3.put_object(Bucket=info["input_bucket"], Key="bench/archive.warc.gz", Body=data)
        events = wait_for_events(stack, set(), 3600, {"bench/archive.warc.gz"})["bench/archive.warc.gz"]
        seconds = time.perf_counter() - started
        if args.kill:  # anything a killed range repeats after the summary is counted too
            events += wait_for_events(stack, set(), 10, {"bench/archive.warc.gz"}).get("bench/archive.warc.gz", [])
        documents = stored_documents(s3, info["documents_bucket"], "bench/archive.warc.gz", mode)
        kinds = Counter(e["detail-type"] for e in events)
        [summary] = [e["detail"] for e in events if e["detail-type"] == "Archive Extracted"]
    durations = [document["extraction"]["duration_ms"] for document in documents]
    pages = summary["pages"]
    per_page = seconds * args.concurrency / pages * 1000
    extraction = sum(durations) / max(len(durations), 1)
    announced = Counter((e["detail-type"], e["detail"].get("document", {}).get("id") or e["detail"].get("shard", {}).get("key")
                         or e["detail"].get("source", {}).get("record", {}).get("id")) for e in events)
    killing = {} if not args.kill else {"kills": kills, "stored_documents": len(documents),
                                        "distinct_stored_documents": len({document["id"] for document in documents}),
                                        "distinct_announced": len(announced),
                                        "announced_more_than_once": sum(count - 1 for count in announced.values()),
                                        "archive_extracted_events": kinds["Archive Extracted"]}
    return ({"mode": mode, "pages": pages, "documents": summary["documents"], "ranges": summary["ranges"],
                      "events": dict(kinds), "failures": summary["failures"], "skipped": summary["skipped"],
                      "seconds": round(seconds, 1), "worker_ms_per_page": round(per_page, 1),
                      "extraction_ms_per_page": round(extraction, 1), "aws_and_polling_ms_per_page": round(per_page - extraction, 1),
                      "moto_share": round(1 - extraction / per_page, 3), **killing})


def stored_documents(s3: Any, bucket: str, archive_key: str, mode: str) -> list[dict[str, Any]]:
    """The documents the archive has in the documents bucket: one object each in documents
    mode, one line each across the shards in shards mode (its run manifests are not documents)."""
    from pagesift.contracts.document import DEFAULT_DOCUMENTS_PREFIX, archive_prefix

    prefix = archive_prefix(archive_key, os.environ.get("DOCUMENTS_PREFIX", DEFAULT_DOCUMENTS_PREFIX))
    documents: list[dict[str, Any]] = []
    for listing in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in listing.get("Contents", []):
            key = entry["Key"]
            if key.startswith(f"{prefix}_runs/"):
                continue
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            if mode == "shards" and key.startswith(f"{prefix}shards/"):
                documents += [json.loads(line) for line in gzip.decompress(body).splitlines()]
            elif mode == "documents" and key.endswith(".json"):
                documents.append(json.loads(body))
    return documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pagesift-archives"))
    parser.add_argument("--flow", action="store_true", help="the whole flow on the embedded stack, both output modes")
    parser.add_argument("--range-pages", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--kill", type=int, default=0, help="with --flow: kill the first N range invocations")
    parser.add_argument("--kill-within", type=float, default=20.0, help="seconds into a range within which it is killed")
    parser.add_argument("--visibility-timeout", type=int, default=60, help="with --kill: when a killed batch comes back")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs (archive and loose files) in alternating order: the median ratio")
    parser.add_argument("--all", action="store_true", help="the archive against loose files, the flow and the kill run, in one run")
    parser.add_argument("--flow-pages", type=int, default=2_000, help="with --all: the flow's archive")
    parser.add_argument("--kill-pages", type=int, default=600, help="with --all: the kill run's archive")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.flow:
        flow(args)
        return
    against_loose_files(args)
    if args.all:
        flow(argparse.Namespace(**{**vars(args), "pages": args.flow_pages, "kill": 0}))
        kill_pages = args.kill_pages
        flow(argparse.Namespace(**{**vars(args), "pages": kill_pages, "range_pages": max(kill_pages // 6, 1), "kill": args.kill or 3}))


def against_loose_files(args: argparse.Namespace) -> None:
    small, _ = write_inputs(args.work, max(args.pages // 10, 50))
    archive, folder = write_inputs(args.work, args.pages)
    print(f"archive: {archive} ({archive.stat().st_size / 1e6:.1f} MB), {args.pages} pages; folder {folder}")
    reading = read_only(archive)
    print(json.dumps({"reading": reading, "framing_ratio": round(reading["reader_seconds"] / reading["fastwarc_seconds"], 2)}))
    # Pairs in alternating order (loose first, then archive first, ...): a shared machine's speed
    # drifts over minutes, and a ratio of neighbours taken both ways cancels most of the drift.
    ratios = []
    for n in range(args.repeat):
        pair = [("loose_files", folder), ("archive", archive)]
        runs = {name: run_extract(path, args.jobs) for name, path in (pair if n % 2 == 0 else pair[::-1])}
        loose, warc = runs["loose_files"], runs["archive"]
        ratios.append(warc["seconds"] / loose["seconds"])
        print(json.dumps({"pair": n + 1, **runs, "time_ratio": round(ratios[-1], 3)}))
    tenth = run_extract(small, args.jobs)
    print(json.dumps({"archive_tenth": tenth}))
    print(f"archive / loose files: time {statistics.median(ratios):.3f} (median of {len(ratios)}: {', '.join(f'{r:.3f}' for r in ratios)}), "
          f"peak RSS {warc['peak_rss_mb'] / loose['peak_rss_mb']:.3f}; "
          f"peak RSS, archive of {args.pages} pages / of {max(args.pages // 10, 50)}: {warc['peak_rss_mb'] / tenth['peak_rss_mb']:.3f}; "
          f"documents {warc['documents']} / {loose['documents']}")


if __name__ == "__main__":
    main()
