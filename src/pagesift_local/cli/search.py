"""``pagesift search``: the documents of a local index (``pagesift index``) that match a query,
best first, each with its best passage and the headings above it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from pagesift.extraction.page_types import PAGE_TYPES
from pagesift_index.sqlite import Filters, Hit, IndexUnusable, SqliteSink
from pagesift_local.errors import CommandError, UsageError


def run(args: argparse.Namespace) -> int:
    if not args.query.strip():
        raise UsageError("the query is empty: give the words to find")
    if args.page_type is not None and args.page_type not in PAGE_TYPES:
        raise UsageError(f"--page-type {args.page_type!r} is not one of {', '.join(PAGE_TYPES)}")
    try:
        sink = SqliteSink.open_existing(args.db)
    except IndexUnusable as error:
        raise CommandError(str(error)) from error
    filters = Filters(language=args.language, host=args.host, since=args.since, page_type=args.page_type)
    try:
        hits = sink.search(args.query, filters=filters, limit=args.limit)
    finally:
        sink.close()
    out = sys.stdout
    for rank, hit in enumerate(hits, start=1):
        if args.json:
            out.write(json.dumps({"rank": rank, **hit.to_dict()}, ensure_ascii=False) + "\n")
        else:
            _print_hit(rank, hit, out)
    if not hits:
        print(f"pagesift search: nothing in {args.db} matches {args.query!r}", file=sys.stderr)
    return 0


def _print_hit(rank: int, hit: Hit, out: TextIO) -> None:
    kind = f"  [{hit.page_type}]" if hit.page_type else ""
    out.write(f"{rank}. {hit.title or '(no title)'}{kind}\n")
    out.write(f"   {hit.url or '(no url)'}\n")
    where = " › ".join(hit.heading_path)
    passage = " ".join(hit.snippet.split())
    out.write(f"   {where + ': ' if where else ''}{passage}\n\n")
