"""``pagesift extract``: documents from local HTML files and web archives, on stdout.

Pages are extracted in worker processes (``--jobs``); the output is in file order, and in an
archive's record order, whatever finishes first, so that it is the same for any ``--jobs``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pagesift.archives.records import ArchiveCounts, PageFailure, count, extract_page, unique_pages
from pagesift.archives.warc import Broken, WarcReader
from pagesift.contracts.document import Document, Record, Source
from pagesift.contracts.errors import ExtractionError
from pagesift.extraction.limits import Limits
from pagesift.extraction.options import ExtractionOptions
from pagesift.extraction.steps import Page, extract
from pagesift_local.cli.files import PAGE_SUFFIXES, find_pages, is_archive
from pagesift_local.cli.pool import ordered_map, process_pool
from pagesift_local.cli.progress import archive_progress, progress

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor  # imported by pool.process_pool when it starts one

# An archive's pages go to the workers eight to a call, with at most 256 in flight.
ARCHIVE_WINDOW = 256
ARCHIVE_BATCH = 8

PageTask = tuple[Path, str | None, ExtractionOptions]  # a file, its URL, the options
ArchivePageTask = tuple[Page, ExtractionOptions]  # an archive's page, the options


def options_of(args: argparse.Namespace) -> ExtractionOptions:
    """The options a command line gives (no time budget: a command waits for every page)."""
    limits = Limits(max_input_bytes=args.max_input_bytes, max_input_bytes_setting="--max-input-bytes")
    return ExtractionOptions(limits)


def extract_file(path: Path, url: str | None, options: ExtractionOptions) -> tuple[Path, str | None, str | None]:
    """One file → (path, the document as JSON, None) or (path, None, why there is none). A
    module-level function so that ``--jobs`` can run it in worker processes."""
    data = path.read_bytes()
    page = Page(data, source=Source(path=str(path), size=len(data)), url=url)
    try:
        document = extract(page, limits=options.limits)
    except ExtractionError as error:
        return path, None, str(error)
    return path, json.dumps(document.to_dict(), ensure_ascii=False), None


def _extract_task(task: PageTask) -> tuple[Path, str | None, str | None]:
    return extract_file(*task)


def _extract_archive_page(task: ArchivePageTask) -> Document | PageFailure:
    page, options = task
    return extract_page(page, options)


def _extract_archive_pages(tasks: list[ArchivePageTask]) -> list[Document | PageFailure]:
    return [_extract_archive_page(task) for task in tasks]


def extract_archive(path: Path, args: argparse.Namespace, pool: ProcessPoolExecutor | None) -> tuple[int, int]:
    """One document per HTML page of the archive at ``path``, as JSON Lines on stdout (in the
    archive's order), each failure on stderr with its record; the counts last. Returns
    (documents, failures)."""
    counts = ArchiveCounts()
    options = options_of(args)
    reader = WarcReader(limits=options.limits)
    size = path.stat().st_size
    with path.open("rb") as file, archive_progress(path, size, file) as advance:

        def tasks() -> Iterator[ArchivePageTask]:
            for item in unique_pages(reader.items(file, Source(path=str(path), size=size))):
                count(counts, item)
                advance()
                if isinstance(item, Page):
                    if args.url:
                        item.url = args.url
                    yield item, options
                elif isinstance(item, Broken):
                    _report_failure(path, item.record, item.error)

        outcomes: Iterable[Document | PageFailure]
        if pool:
            outcomes = ordered_map(pool, _extract_archive_pages, tasks(), window=ARCHIVE_WINDOW, batch=ARCHIVE_BATCH)
        else:
            outcomes = map(_extract_archive_page, tasks())
        for result in outcomes:
            count(counts, result)
            if isinstance(result, PageFailure):
                _report_failure(path, result.record, result.error)
            else:
                sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    failures = sum(counts.failures.values())
    print(f"pagesift: {path}: {json.dumps(counts.to_dict())}", file=sys.stderr)
    return counts.documents, failures


def _report_failure(path: Path, record: Record, error: Exception) -> None:
    print(f"pagesift: {path}#{record.id} (offset {record.offset}): {error}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        print(f"pagesift: --jobs must be at least 1, not {args.jobs}", file=sys.stderr)
        return 2
    found = find_pages(args.paths, PAGE_SUFFIXES + (".warc.gz",))
    archives = [path for path, _name in found if is_archive(path)]
    if not archives:
        return _extract_pages(args, found)
    pages = [(path, name) for path, name in found if path not in archives]
    failures = 0
    with process_pool(args.jobs) as pool:
        for path in archives:
            _done, failed = extract_archive(path, args, pool)
            failures += failed
    code = _extract_pages(args, pages) if pages else 0
    return 1 if failures or code else 0


def _extract_pages(args: argparse.Namespace, pages: list[tuple[Path, str]]) -> int:
    single = len(args.paths) == 1 and len(pages) == 1 and args.paths[0].is_file()
    options = options_of(args)
    tasks: list[PageTask] = [(path, args.url, options) for path, _name in pages]
    jobs = max(1, min(args.jobs, len(tasks)))
    failures = 0
    with process_pool(jobs) as pool:
        # In file order whatever finishes first, so that the output is the same for any --jobs.
        results = pool.map(_extract_task, tasks, chunksize=4) if pool else map(_extract_task, tasks)
        for path, document, error in progress(results, "extracting", total=len(tasks)):
            if error is not None:
                failures += 1
                print(f"pagesift: {path}: {error}", file=sys.stderr)
            elif single:
                json.dump(json.loads(document), sys.stdout, ensure_ascii=False, indent=2)
                sys.stdout.write("\n")
            else:
                sys.stdout.write(document + "\n")
    if len(pages) > 1:
        print(f"pagesift: {len(pages) - failures} documents, {failures} failures", file=sys.stderr)
    return 1 if failures else 0
