"""The arguments of every ``pagesift`` command, and ``main``, which runs the one asked for."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib
import logging
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from pagesift import __version__
from pagesift.extraction.limits import DEFAULT_MAX_INPUT_BYTES
from pagesift_local.cli.errors import explain

# The repository's template: src/pagesift_local/cli/parser.py -> the repository's root.
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[3] / "template.yaml"
DEBUG_HELP = "a failing command shows its traceback; the local stack's notes go to stderr"
DEFAULT_INDEX = "pagesift-index.sqlite3"
MAX_NUMBER = 2**31 - 1
STACK_HELP = "the stack's name (default: pagesift, or pagesift-local with --endpoint-url)"
CONNECT_STACK_HELP = "also check that this stack watches the bucket and prefix (its ExistingInputBucketName)"


def _parameter(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected Name=Value, got {text!r}")
    return name, value


def _debug_option() -> argparse.ArgumentParser:
    """``--debug`` after the command too (``pagesift redrive --debug``), as people type it."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return parent


def _date(text: str) -> str:
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _positive(text: str) -> int:
    """A whole number from 1 to 2**31 - 1 (what SQLite, SQS and the worker threads all take)."""
    if not text.isdigit() or not 1 <= int(text) <= MAX_NUMBER:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_NUMBER:,}, got {text!r}")
    return int(text)


def _stack_options(stack_help: str = STACK_HELP) -> argparse.ArgumentParser:
    """How a command reaches its stack: a deployed one by name and region, or the embedded one."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--stack", help=stack_help)
    parent.add_argument("--endpoint-url", help="the embedded local stack's endpoint (what `pagesift local up` prints)")
    parent.add_argument("--region", help="the stack's (and bucket's) region (default: the AWS configuration's)")
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pagesift", description="Raw web pages in, clean structured documents out.")
    parser.add_argument("--version", action="version", version=f"pagesift {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_extract(commands)
    _add_local(commands)
    _add_backfill(commands)
    _add_redrive(commands)
    _add_connect(commands)
    _add_index(commands)
    _add_search(commands)
    return parser


def _add_extract(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    extract = commands.add_parser(
        "extract",
        parents=[_debug_option()],
        help="documents from local pages and web archives, on stdout (a folder's pages are found by content)",
    )
    extract.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files, folders, or - for standard input")
    extract.add_argument(
        "--jsonl", action="store_true", help="JSON Lines whatever the count (one file alone is printed indented)"
    )
    extract.add_argument("--url", help="the pages' address (else the canonical URL found in the page)")
    extract.add_argument("--max-input-bytes", type=_positive, default=DEFAULT_MAX_INPUT_BYTES)
    extract.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: the number of CPUs)"
    )
    extract.set_defaults(module="extract")


def _add_local(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    local = commands.add_parser(
        "local", parents=[_debug_option()], help="the embedded local stack (moto server provisioned from template.yaml)"
    )
    local_commands = local.add_subparsers(dest="local_command", required=True)
    for name, helptext in (
        ("run", "upload files, wait for their documents and events, print them, stop"),
        ("up", "start the stack and keep it running"),
    ):
        sub = local_commands.add_parser(name, parents=[_debug_option()], help=helptext)
        sub.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
        sub.add_argument(
            "--parameter", action="append", type=_parameter, metavar="NAME=VALUE", help="template parameter override"
        )
        sub.add_argument(
            "--concurrency", type=_positive, default=1, help="worker threads (Lambda execution environments)"
        )
        sub.add_argument(
            "--archive-concurrency",
            type=_positive,
            default=4,
            help="worker threads on the archive queue (ranges of web archives run in parallel)",
        )
    run = local_commands.choices["run"]
    run.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    run.add_argument("--json", action="store_true", help="one JSON object per file: document and event")
    run.add_argument("--url", help="set as the objects' x-amz-meta-url")
    run.add_argument("--prefix", default="", help="key prefix for the uploads")
    run.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for all outcomes")
    run.add_argument("--log-file", help="where the function's logs and metrics go (default: discarded)")
    run.add_argument(
        "--index", metavar="PATH", help="also apply the events to a local search index at PATH (`pagesift search`)"
    )
    run.set_defaults(module="local_run")
    local_commands.choices["up"].set_defaults(module="local_up")


def _add_backfill(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backfill = commands.add_parser(
        "backfill",
        parents=[_debug_option(), _stack_options()],
        help="run every object under an S3 prefix through the function (an S3 Batch Operations job)",
    )
    backfill.add_argument("target", metavar="s3://BUCKET/PREFIX")
    backfill.add_argument(
        "--reextract",
        action="store_true",
        help="also redo objects an older pagesift or other options made (events only for documents that change)",
    )
    backfill.add_argument(
        "--inventory",
        metavar="s3://BUCKET/…/manifest.json",
        help="the keys from an S3 Inventory report (CSV) of the bucket instead of listing the prefix",
    )
    backfill.add_argument("--concurrency", type=_positive, default=4, help="local only: tasks run at once")
    backfill.add_argument("--no-wait", action="store_true", help="AWS only: create the job and return")
    backfill.add_argument("--json", action="store_true", help="the final table as one JSON object")
    backfill.add_argument("--log-file", help="local only: where the function's logs go (default: discarded)")
    backfill.set_defaults(module="backfill")


def _add_redrive(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    redrive = commands.add_parser(
        "redrive",
        parents=[_debug_option(), _stack_options()],
        help="show what is in ExtractDLQ and why; --move puts it back on ExtractQueue",
    )
    redrive.add_argument(
        "--move", action="store_true", help="move every message back to ExtractQueue (once the cause is fixed)"
    )
    redrive.add_argument("--json", action="store_true", help="one JSON object per message")
    redrive.add_argument("--limit", type=_positive, default=100, help="most messages shown")
    redrive.set_defaults(module="redrive")


def _s3_location(text: str) -> tuple[str, str]:
    """``s3://bucket[/prefix]`` as (bucket, prefix)."""
    bucket, _, prefix = text.removeprefix("s3://").partition("/")
    if not text.startswith("s3://") or not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
        raise argparse.ArgumentTypeError(f"expected s3://bucket or s3://bucket/prefix, got {text!r}")
    return bucket, prefix


def _add_connect(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    connect = commands.add_parser(
        "connect",
        parents=[_debug_option(), _stack_options(CONNECT_STACK_HELP)],
        help="turn on an existing bucket's EventBridge notifications (keeping its others) for a stack to watch it",
    )
    connect.add_argument("target", type=_s3_location, metavar="s3://BUCKET[/PREFIX]")
    connect.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    connect.set_defaults(module="connect")


def _add_index(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    index = commands.add_parser(
        "index",
        parents=[_debug_option(), _stack_options()],
        help="apply the stack's IndexQueue to a local SQLite full-text index (the reference indexer)",
    )
    index.add_argument("--db", default=DEFAULT_INDEX, help=f"the index file (default: {DEFAULT_INDEX})")
    mode = index.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="drain the queue, then exit (the default)")
    mode.add_argument("--follow", action="store_true", help="keep polling until Ctrl-C or SIGTERM")
    index.add_argument(
        "--wait-seconds",
        type=int,
        choices=range(0, 21),
        metavar="0-20",
        help="long-poll wait of each receive (default: 20 with --follow; else 5, and an empty receive ends the run)",
    )
    index.set_defaults(module="index")


def _add_search(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    search = commands.add_parser(
        "search", parents=[_debug_option()], help="search a local index made by `pagesift index`"
    )
    search.add_argument("query", help='words that must all appear; "quoted words" as a phrase')
    search.add_argument("--db", default=DEFAULT_INDEX, help=f"the index file (default: {DEFAULT_INDEX})")
    search.add_argument("--limit", type=_positive, default=10, help="most documents shown (default: 10)")
    search.add_argument("--language", help="only documents in this language (en also takes en-GB)")
    search.add_argument("--host", help="only documents of this host name")
    search.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="only documents dated that day or later")
    search.add_argument("--page-type", help="only documents of this page type (article, forum, product, …)")
    search.add_argument("--json", action="store_true", help="one JSON object per result")
    search.set_defaults(module="search")


def main(argv: list[str] | None = None) -> int:
    """Run the command asked for. Exit codes: 0 done; 1 it could not do its job (one line on
    stderr says why and what to do); 2 usage; 3 done, but some pages have no document."""
    args = build_parser().parse_args(argv)
    # The command's module is imported once the command is known: local run, local up, redrive,
    # backfill, connect and index import boto3 (about 145 ms), which `pagesift extract` (about 0.39 s in all on
    # one page) never needs.
    command = importlib.import_module(f"pagesift_local.cli.{args.module}")
    with _debug_log(args.debug):
        try:
            code: int = command.run(args)
        except KeyboardInterrupt:
            print("pagesift: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as command-line tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 141
        except Exception as error:
            if args.debug:
                raise
            message, code = explain(error) or (f"unexpected {type(error).__name__}: {error} (--debug shows where)", 1)
            name = " ".join(filter(None, (args.command, getattr(args, "local_command", None))))
            print(f"pagesift {name}: {message}", file=sys.stderr)
    return code


@contextlib.contextmanager
def _debug_log(debug: bool) -> Iterator[None]:
    """With --debug, the command line's and the local stack's own notes (the local stack's known
    gaps among them) go to stderr while the command runs; the SDK's stay quiet."""
    if not debug:
        yield
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("pagesift: %(name)s: %(message)s"))
    logger = logging.getLogger("pagesift_local")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:  # main may run again in this process (tests, scripts): leave the logger as it was
        logger.removeHandler(handler)
        logger.setLevel(level)
