"""The ``pagesift`` command line: extract local files, or run the embedded local stack.

    pagesift extract PATH... [--url URL]        (HTML pages, or web archives: .warc, .warc.gz)
    pagesift local run PATH... [--json] [--log-file FILE] [--index PATH]
    pagesift local up
    pagesift redrive [--stack NAME] [--endpoint-url URL] [--move] [--json]
    pagesift backfill s3://BUCKET/PREFIX [--reextract] [--stack NAME] [--endpoint-url URL] [--json]
    pagesift connect s3://BUCKET[/PREFIX] [--stack NAME] [--endpoint-url URL] [--region REGION] [--dry-run]
    pagesift index [--stack NAME] [--endpoint-url URL] [--region R] [--db PATH] [--once | --follow]
    pagesift search QUERY [--db PATH] [--limit N] [--language xx] [--host H] [--since DATE] [--page-type T] [--json]

``parser`` holds the arguments of every command; each command runs in a module of its own
(``extract``, ``local_run``, ``local_up``, ``redrive``, ``backfill``, ``connect``, ``index``,
``search``), imported only when it is the one asked for. ``index`` and ``search`` are the
reference indexer's (``pagesift_index``, docs/indexing.md).
"""

from pagesift_local.cli.parser import main

__all__ = ["main"]
