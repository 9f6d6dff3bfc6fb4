"""Web archives through `pagesift extract`, against the same pages as loose files, in one run
(issue 12, item 7): the WARC path's own overhead (aim: at most 10 %) and its peak memory as
the archive grows (aim: flat). Never run in the tests.

    .venv/bin/python benchmarks/archives.py [--pages 20000] [--jobs 1] [--work DIR]

The archive is written from the article-extraction benchmark's pages (cycled, each with a URL
of its own) with the record mix of a real crawl (tests/support/warcs.py: warcinfo,
request/response pairs, metadata, revisits, non-HTML, chunked, gzip, deflate and br bodies,
redirects; no faults, so that both sides extract the same pages). Every run is a fresh
`pagesift extract` process; its peak RSS is the process's (``--jobs 1``: no worker processes).
Reading alone (the reader over the archive, no extraction) is timed beside FastWARC's own
iteration of the same archive, to show what the framing costs.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "datasets" / "article-extraction-benchmark"
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]


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
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "functions" / "extract"), str(ROOT / "functions"), str(ROOT / "src")])}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, str(path), str(jobs)], capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    documents = sum(1 for line in done.stdout.splitlines() if line.startswith("{"))
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(int(done.stderr.strip().splitlines()[-1]) / 1024, 1), "documents": documents}


def read_only(archive: Path) -> dict[str, float]:
    """The reader alone, and FastWARC's own iteration of the same archive."""
    from fastwarc.warc import ArchiveIterator

    from pagesift.core.document import Source
    from pagesift.core.extraction import Page
    from pagesift.core.warc import WarcReader

    started = time.perf_counter()
    with archive.open("rb") as file:
        pages = sum(isinstance(item, Page) for item in WarcReader().items(file, Source(path=str(archive))))
    ours = time.perf_counter() - started
    started = time.perf_counter()
    with archive.open("rb") as file:
        records = sum(len(record.reader.read()) >= 0 for record in ArchiveIterator(file, auto_decode="transfer"))
    theirs = time.perf_counter() - started
    return {"pages": pages, "reader_seconds": round(ours, 2), "fastwarc_seconds": round(theirs, 2), "fastwarc_records": records}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pagesift-archives"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    small, _ = write_inputs(args.work, max(args.pages // 10, 50))
    archive, folder = write_inputs(args.work, args.pages)
    print(f"archive: {archive} ({archive.stat().st_size / 1e6:.1f} MB), {args.pages} pages; folder {folder}")
    reading = read_only(archive)
    print(json.dumps({"reading": reading, "framing_ratio": round(reading["reader_seconds"] / reading["fastwarc_seconds"], 2)}))
    loose = run_extract(folder, args.jobs)
    warc = run_extract(archive, args.jobs)
    tenth = run_extract(small, args.jobs)
    print(json.dumps({"loose_files": loose, "archive": warc, "archive_tenth": tenth}))
    print(f"archive / loose files: time {warc['seconds'] / loose['seconds']:.3f}, peak RSS {warc['peak_rss_mb'] / loose['peak_rss_mb']:.3f}; "
          f"peak RSS, archive of {args.pages} pages / of {max(args.pages // 10, 50)}: {warc['peak_rss_mb'] / tenth['peak_rss_mb']:.3f}; "
          f"documents {warc['documents']} / {loose['documents']}")


if __name__ == "__main__":
    main()
