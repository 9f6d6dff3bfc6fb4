"""``pagesift local run``: upload files to the embedded stack, wait for their documents and
events, print them (a table, or JSON Lines with ``--json``), and stop the stack. With
``--index PATH`` the events also go into a local search index (``pagesift_index``), each
deleted from IndexQueue once committed, before the stack stops."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pagesift_index.aws import QueueConsumer, S3DocumentReader
from pagesift_index.consumer import Indexer
from pagesift_index.sqlite import IndexUnusable, SqliteSink
from pagesift_local.cli.files import Inputs, find_inputs, is_archive
from pagesift_local.cli.function_logs import function_logs_to
from pagesift_local.cli.local_events import archive_rows, page_row, upload, wait_for_events
from pagesift_local.cli.local_stack import running_stack
from pagesift_local.cli.table import print_table
from pagesift_local.cli.totals import Totals
from pagesift_local.errors import CommandError
from pagesift_local.stack import LocalStack

INDEX_DRAIN_SECONDS = 2  # the events are in: a short wait finds any that came after them


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every page has its document, 3 when some failed (each row says why), 1 when
    some had no outcome in time or an event could not be indexed (``--index``)."""
    inputs = find_inputs(args.paths)  # the same files as `pagesift extract` takes
    inputs.require_files(args.paths)
    pages = inputs.files
    out = sys.stdout
    with function_logs_to(args.log_file), running_stack(args) as stack, _indexing(stack, args.index) as consumer:
        keys, archives = _upload_all(stack, pages, args)
        handle = consumer.handle if consumer else None
        events = wait_for_events(stack, set(keys) - archives, args.timeout, archives, handle)
        rows = _rows(stack, keys, archives, events)
        if consumer:  # what came after the awaited events
            consumer.run(follow=False, wait_seconds=INDEX_DRAIN_SECONDS)
    index_failed = consumer is not None and consumer.tally.failed > 0
    if args.json:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        print_table(rows, out)
    print(_totals(rows, inputs), file=sys.stderr)
    if consumer:
        print(f"pagesift: index {args.index}: {consumer.tally.summary()}", file=sys.stderr)
    missing = sorted({row["file"] for row in rows if row["event"] is None})
    if missing:
        print(f"pagesift: no outcome within {args.timeout:.0f} s for: {', '.join(missing)}", file=sys.stderr)
        return 1
    if index_failed:
        return 1
    return 3 if any(row["document"] is None for row in rows if "archive" not in row) else 0


def _totals(rows: list[dict[str, Any]], inputs: Inputs) -> str:
    """One line counting every page, archives' included, as `pagesift extract` says it."""
    pages = [row for row in rows if "archive" not in row]
    totals = Totals(
        documents=sum(1 for row in pages if row["document"] is not None),
        failures=sum(1 for row in pages if row["document"] is None and row["event"] is not None),
        archives=sum(1 for row in rows if "archive" in row),
        archive_pages=sum(1 for row in pages if "record" in row),
        waiting=sum(1 for row in pages if row["event"] is None),
    )
    return totals.line(inputs)


@contextlib.contextmanager
def _indexing(stack: LocalStack, path: str | None) -> Iterator[QueueConsumer | None]:
    """The reference indexer on the stack's IndexQueue, into the index at ``path`` (none: None)."""
    if path is None:
        yield None
        return
    try:
        sink = SqliteSink.open(path)
    except IndexUnusable as error:
        raise CommandError(str(error)) from error
    try:
        reader = S3DocumentReader(stack.client("s3"))
        yield QueueConsumer(stack.client("sqs"), stack.info()["index_queue_url"], Indexer(sink, reader))
    finally:
        sink.close()


def _upload_all(
    stack: LocalStack, pages: list[tuple[Path, str]], args: argparse.Namespace
) -> tuple[dict[str, Path], set[str]]:
    """Upload every file under ``--prefix``: the file of each key, and the keys of archives."""
    keys: dict[str, Path] = {}
    archives: set[str] = set()
    for number, (path, name) in enumerate(pages, start=1):
        key = f"{args.prefix}{name}"
        if key in keys:  # two files with one name (from two folders): keep both
            key = f"{args.prefix}{number}/{name}"
        archive = stack.archive_source is not None and is_archive(path)
        upload(stack, path, key, args.url, archive=archive)
        keys[key] = path
        if archive:
            archives.add(key)
    return keys, archives


def _rows(stack: LocalStack, keys: dict[str, Path], archives: set[str], events: dict[str, Any]) -> list[dict[str, Any]]:
    """A row per page (and per page of an archive, then the archive's own), in upload order."""
    s3 = stack.client("s3")
    rows: list[dict[str, Any]] = []
    for key, path in keys.items():
        if key in archives:
            rows.extend(archive_rows(s3, str(path), key, events.get(key) or []))
        else:
            rows.append(page_row(s3, str(path), key, events.get(key)))
    return rows
