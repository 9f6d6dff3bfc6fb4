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
from pagesift_local.cli.files import find_inputs, is_archive, stdin_copied
from pagesift_local.cli.pool import ordered_map, process_pool
from pagesift_local.cli.progress import archive_progress, progress
from pagesift_local.cli.totals import Totals
from pagesift_local.errors import UsageError

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor  # imported by pool.process_pool when it starts one

# An archive's pages go to the workers eight to a call, with at most 256 in flight.
ARCHIVE_WINDOW = 256
ARCHIVE_BATCH = 8

PageTask = tuple[Path, str, str | None, ExtractionOptions]  # a file, its name, its URL, the options
ArchivePageTask = tuple[Page, ExtractionOptions]  # an archive's page, the options


def options_of(args: argparse.Namespace) -> ExtractionOptions:
    """The options a command line gives (no time budget: a command waits for every page)."""
    limits = Limits(max_input_bytes=args.max_input_bytes, max_input_bytes_setting="--max-input-bytes")
    return ExtractionOptions(limits)


def extract_file(
    path: Path, name: str, url: str | None, options: ExtractionOptions
) -> tuple[str, str | None, str | None]:
    """One file → (its name, the document as JSON, None) or (its name, None, why there is none).
    A module-level function so that ``--jobs`` can run it in worker processes."""
    data = path.read_bytes()
    page = Page(data, source=Source(path=name, size=len(data)), url=url)
    try:
        document = extract(page, limits=options.limits)
    except ExtractionError as error:
        return name, None, str(error)
    return name, json.dumps(document.to_dict(), ensure_ascii=False), None


def _extract_task(task: PageTask) -> tuple[str, str | None, str | None]:
    return extract_file(*task)


def _extract_archive_page(task: ArchivePageTask) -> Document | PageFailure:
    page, options = task
    return extract_page(page, options)


def _extract_archive_pages(tasks: list[ArchivePageTask]) -> list[Document | PageFailure]:
    return [_extract_archive_page(task) for task in tasks]


def extract_archive(path: Path, name: str, args: argparse.Namespace, pool: ProcessPoolExecutor | None) -> ArchiveCounts:
    """One document per HTML page of the archive at ``path``, as JSON Lines on stdout (in the
    archive's order), each failure on stderr with its record; its counts last."""
    counts = ArchiveCounts()
    options = options_of(args)
    reader = WarcReader(limits=options.limits)
    size = path.stat().st_size
    with path.open("rb") as file, archive_progress(Path(name), size, file) as advance:

        def tasks() -> Iterator[ArchivePageTask]:
            for item in unique_pages(reader.items(file, Source(path=name, size=size))):
                count(counts, item)
                advance()
                if isinstance(item, Page):
                    if args.url:
                        item.url = args.url
                    yield item, options
                elif isinstance(item, Broken):
                    _report_failure(name, item.record, item.error)

        outcomes: Iterable[Document | PageFailure]
        if pool:
            outcomes = ordered_map(pool, _extract_archive_pages, tasks(), window=ARCHIVE_WINDOW, batch=ARCHIVE_BATCH)
        else:
            outcomes = map(_extract_archive_page, tasks())
        for result in outcomes:
            count(counts, result)
            if isinstance(result, PageFailure):
                _report_failure(name, result.record, result.error)
            else:
                sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    print(f"pagesift: {name}: {json.dumps(counts.to_dict())}", file=sys.stderr)
    return counts


def _report_failure(name: str, record: Record, error: Exception) -> None:
    # A record without an id is named by its offset already.
    where = "" if record.id == f"offset:{record.offset}" else f" (offset {record.offset})"
    print(f"pagesift: {name}#{record.id}{where}: {error}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    with stdin_copied(args.paths) as stdin_copy:
        inputs = find_inputs(args.paths, stdin_copy)
        inputs.require_files(args.paths)
        totals = Totals()
        # Documents and messages name a file as it was given ("-" for standard input).
        labelled = [(path, "-" if path == stdin_copy else str(path)) for path, _name in inputs.files]
        archives = [(path, label) for path, label in labelled if is_archive(path)]
        pages = [(path, label) for path, label in labelled if (path, label) not in archives]
        if archives:
            with process_pool(args.jobs) as pool:
                for path, name in archives:
                    totals.add_archive(extract_archive(path, name, args, pool))
        if pages:
            # One file named alone prints one indented document, unless JSON Lines are asked for.
            pretty = not args.jsonl and len(inputs.files) == 1 and not args.paths[0].is_dir()
            _extract_pages(args, pages, totals, pretty=pretty)
    print(totals.line(inputs), file=sys.stderr)
    return 3 if totals.failures else 0


def _extract_pages(args: argparse.Namespace, pages: list[tuple[Path, str]], totals: Totals, *, pretty: bool) -> None:
    options = options_of(args)
    tasks: list[PageTask] = [(path, name, args.url, options) for path, name in pages]
    jobs = max(1, min(args.jobs, len(tasks)))
    with process_pool(jobs) as pool:
        # In file order whatever finishes first, so that the output is the same for any --jobs.
        results = pool.map(_extract_task, tasks, chunksize=4) if pool else map(_extract_task, tasks)
        for name, document, error in progress(results, "extracting", total=len(tasks)):
            if document is None:
                totals.failures += 1
                print(f"pagesift: {name}: {error}", file=sys.stderr)
                continue
            totals.documents += 1
            if pretty:
                json.dump(json.loads(document), sys.stdout, ensure_ascii=False, indent=2)
                sys.stdout.write("\n")
            else:
                sys.stdout.write(document + "\n")
