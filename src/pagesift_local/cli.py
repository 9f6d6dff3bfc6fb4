"""The ``pagesift`` command line: extract local files, or run the embedded local stack.

    pagesift extract PATH... [--url URL]        (HTML pages, or web archives: .warc, .warc.gz)
    pagesift local run PATH... [--json] [--log-file FILE]
    pagesift local up
    pagesift redrive [--stack NAME] [--endpoint-url URL] [--move] [--json]
    pagesift backfill s3://BUCKET/PREFIX [--reextract] [--stack NAME] [--endpoint-url URL] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from pagesift.extraction.decoding import GZIP_MAGIC
from pagesift.contracts.events import DetailType
from pagesift.extraction.limits import DEFAULT_MAX_INPUT_BYTES
from pagesift.extraction.profiles import DEFAULT_PROFILE, PROFILES

PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".gz", ".warc")
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def find_pages(paths: list[Path], suffixes: tuple[str, ...] | None = PAGE_SUFFIXES) -> list[tuple[Path, str]]:
    """Files to process with the name each goes by: a folder's files by their relative path,
    those with one of ``suffixes`` (every file but hidden ones when ``suffixes`` is None)."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                if suffixes is None or file.name.lower().endswith(suffixes):
                    found.append((file, file.relative_to(path).as_posix()))
        elif path.is_file():
            found.append((path, path.name))
        else:
            raise SystemExit(f"pagesift: no such file or folder: {path}")
    return found


def progress(items: Any, description: str, *, total: int | None = None) -> Iterator[Any]:
    """A progress bar on a terminal (stderr), nothing when output goes to a file or a pipe."""
    total = len(items) if total is None else total
    if sys.stderr.isatty() and total > 1:
        from tqdm import tqdm

        yield from tqdm(items, desc=description, unit="page", file=sys.stderr, total=total)
    else:
        yield from items


# ---------------------------------------------------------------------------------------------
# pagesift extract


def extract_file(path: Path, url: str | None, max_input_bytes: int, profile: str) -> tuple[Path, str | None, str | None]:
    """One file → (path, the document as JSON, None) or (path, None, why there is none). A
    module-level function so that ``--jobs`` can run it in worker processes."""
    from pagesift.contracts.document import Source
    from pagesift.contracts.errors import ExtractionError
    from pagesift.extraction.steps import Page, extract
    from pagesift.extraction.limits import Limits

    limits = Limits(max_input_bytes=max_input_bytes, max_input_bytes_setting="--max-input-bytes")
    data = path.read_bytes()
    page = Page(data, source=Source(path=str(path), size=len(data)), url=url)
    try:
        document = extract(page, limits=limits, profile=profile)
    except ExtractionError as error:
        return path, None, str(error)
    return path, json.dumps(document.to_dict(), ensure_ascii=False), None


def _extract_task(task: tuple[Path, str | None, int, str]) -> tuple[Path, str | None, str | None]:
    return extract_file(*task)


def is_archive(path: Path) -> bool:
    """A web archive, by content whatever its name, or by its name (.warc, .warc.gz): one so
    named that is not has its first record reported corrupt."""
    from pagesift.archives.warc import named_like_archive, sniff

    with path.open("rb") as file:
        return sniff(file.read(512)) is not None or named_like_archive(path.name)


def _extract_archive_page(task: tuple[Any, int, str]) -> Any:
    from pagesift.archives.records import extract_page
    from pagesift.extraction.limits import Limits
    from pagesift.extraction.options import ExtractionOptions

    page, max_input_bytes, profile = task
    return extract_page(page, ExtractionOptions(Limits(max_input_bytes=max_input_bytes, max_input_bytes_setting="--max-input-bytes"), profile))


def _extract_archive_pages(tasks: list[tuple[Any, int, str]]) -> list[Any]:
    return [_extract_archive_page(task) for task in tasks]


def extract_archive(path: Path, args: argparse.Namespace, pool: Any) -> tuple[int, int]:
    """One document per HTML page of the archive at ``path``, as JSON Lines on stdout (in the
    archive's order), each failure on stderr with its record; the counts last. Returns
    (documents, failures)."""
    from pagesift.archives.records import ArchiveCounts, PageFailure, count, unique_pages
    from pagesift.contracts.document import Source
    from pagesift.extraction.steps import Page
    from pagesift.extraction.limits import Limits
    from pagesift.archives.warc import Broken, WarcReader

    counts = ArchiveCounts()
    reader = WarcReader(limits=Limits(max_input_bytes=args.max_input_bytes, max_input_bytes_setting="--max-input-bytes"))
    size = path.stat().st_size
    with path.open("rb") as file, _archive_progress(path, size, file) as bar:
        def tasks() -> Iterator[tuple[Any, int, str]]:
            for item in unique_pages(reader.items(file, Source(path=str(path), size=size))):
                count(counts, item)
                bar()
                if isinstance(item, Page):
                    if args.url:
                        item.url = args.url
                    yield item, args.max_input_bytes, args.profile
                elif isinstance(item, Broken):
                    _report_failure(path, item.record, item.error)

        outcomes = _ordered_map(pool, _extract_archive_pages, tasks(), window=256, batch=8) if pool else map(_extract_archive_page, tasks())
        for result in outcomes:
            count(counts, result)
            if isinstance(result, PageFailure):
                _report_failure(path, result.record, result.error)
            else:
                sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    failures = sum(counts.failures.values())
    print(f"pagesift: {path}: {json.dumps(counts.to_dict())}", file=sys.stderr)
    return counts.documents, failures


def _ordered_map(pool: Any, function: Any, items: Iterator[Any], *, window: int, batch: int) -> Iterator[Any]:
    """``function`` over ``items`` in the pool, in order, ``batch`` items to a call (``function``
    takes and returns a list), with at most ``window`` items in flight: the executor's own map
    would take the whole archive's pages into memory first. The window is wide enough that one
    slow page at its head does not leave a worker idle, and batches spare the per-call cost."""
    from collections import deque
    from itertools import islice

    in_flight: deque[Any] = deque()
    while chunk := list(islice(items, batch)):
        in_flight.append(pool.submit(function, chunk))
        if len(in_flight) * batch >= window:
            yield from in_flight.popleft().result()
    while in_flight:
        yield from in_flight.popleft().result()


def _report_failure(path: Path, record: Any, error: Exception) -> None:
    print(f"pagesift: {path}#{record.id} (offset {record.offset}): {error}", file=sys.stderr)


@contextlib.contextmanager
def _archive_progress(path: Path, size: int, file: Any) -> Iterator[Any]:
    """A progress bar in bytes of the archive read, on a terminal (stderr) only."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    from tqdm import tqdm

    with tqdm(total=size, desc=path.name, unit="B", unit_scale=True, file=sys.stderr) as bar:
        def advance() -> None:
            bar.update(file.tell() - bar.n)

        yield advance


def command_extract(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        print(f"pagesift: --jobs must be at least 1, not {args.jobs}", file=sys.stderr)
        return 2
    found = find_pages(args.paths, PAGE_SUFFIXES + (".warc.gz",))
    archives = [path for path, _name in found if is_archive(path)]
    if archives:
        pages = [(path, name) for path, name in found if path not in archives]
        documents = failures = 0
        with _pool(args.jobs) as pool:
            for path in archives:
                done, failed = extract_archive(path, args, pool)
                documents, failures = documents + done, failures + failed
        if pages:
            code = _extract_pages(args, pages)
            return 1 if failures or code else 0
        return 1 if failures else 0
    return _extract_pages(args, found)


def _extract_pages(args: argparse.Namespace, pages: list[tuple[Path, str]]) -> int:
    single = len(args.paths) == 1 and len(pages) == 1 and args.paths[0].is_file()
    tasks = [(path, args.url, args.max_input_bytes, args.profile) for path, _name in pages]
    jobs = max(1, min(args.jobs, len(tasks)))
    failures = 0
    with _pool(jobs) as pool:
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


@contextlib.contextmanager
def _pool(jobs: int) -> Iterator[Any]:
    """Worker processes for ``--jobs`` over 1 (extraction is CPU-bound: threads would share one
    core), none for 1."""
    if jobs == 1:
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield pool


# ---------------------------------------------------------------------------------------------
# pagesift local run / up


def _start_stack(args: argparse.Namespace):  # noqa: ANN202 - imports kept lazy: moto is slow to import
    from .stack import LocalStack
    from .worker import QueueWorker

    stack = LocalStack(args.template, parameters=dict(args.parameter or [])).start()
    workers = [QueueWorker(stack, concurrency=args.concurrency).start()]
    if stack.archive_source is not None:  # the archive queue's steps, several at once as Lambda runs them
        workers.append(QueueWorker(stack, concurrency=args.archive_concurrency, source=stack.archive_source).start())
    return stack, _Workers(workers)


class _Workers:
    """The stack's pollers, stopped together."""

    def __init__(self, workers: list[Any]) -> None:
        self.workers = workers

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


def upload(stack: Any, path: Path, key: str, url: str | None, *, archive: bool = False) -> None:
    data = path.read_bytes()
    extra: dict[str, Any] = {"ContentType": "application/warc" if archive else "text/html"}
    if data.startswith(GZIP_MAGIC) and not archive:
        extra["ContentEncoding"] = "gzip"
    if url:
        extra["Metadata"] = {"url": url}
    stack.client("s3").put_object(Bucket=stack.info()["input_bucket"], Key=key, Body=data, **extra)


def wait_for_events(stack: Any, keys: set[str], timeout: float, archives: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    """Read IndexQueue, as an indexer subscribed to DocumentsBus would, until every page key has
    its ``Document Extracted`` or ``Document Extraction Failed`` event, and every archive key
    its ``Archive Extracted`` and the page events it counts (or time runs out). A page key maps
    to its event; an archive key to every event of it, in the order received."""
    sqs = stack.client("sqs")
    queue_url = stack.info()["index_queue_url"]
    found: dict[str, Any] = {key: [] for key in archives}
    deadline = time.monotonic() + timeout
    while not _all_in(found, keys, archives) and time.monotonic() < deadline:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in response.get("Messages", []):
            event = json.loads(message["Body"])
            key = (event.get("detail", {}).get("source") or {}).get("key")
            if key in archives:
                found[key].append(event)
            elif key in keys and event.get("detail-type") in (DetailType.EXTRACTED, DetailType.FAILED):
                found[key] = event
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return found


def _all_in(found: dict[str, Any], keys: set[str], archives: set[str]) -> bool:
    if not keys <= {key for key in found if key not in archives}:
        return False
    for key in archives:
        events = found[key]
        summary = next((e for e in events if e["detail-type"] == DetailType.ARCHIVE_EXTRACTED), None)
        if summary is None:
            return False
        kinds = [e["detail-type"] for e in events]
        documents = kinds.count(DetailType.EXTRACTED) + sum(e["detail"]["shard"]["documents"] for e in events
                                                               if e["detail-type"] == DetailType.SHARD_EXTRACTED)
        if documents < summary["detail"]["documents"] or kinds.count(DetailType.FAILED) < sum(summary["detail"]["failures"].values()):
            return False
    return True


def command_local_run(args: argparse.Namespace) -> int:
    # Everything in a folder is uploaded, as a crawler's drop would be: what is not a page
    # must come back as a failure event, and the demo shows that it does.
    pages = find_pages(args.paths, suffixes=None)
    out = sys.stdout
    prefix = args.prefix
    with _function_logs_to(args.log_file):
        stack, worker = _start_stack(args)
        try:
            keys: dict[str, tuple[Path, str]] = {}
            archives: set[str] = set()
            for number, (path, name) in enumerate(pages, start=1):
                key = f"{prefix}{name}"
                if key in keys:  # two files with one name (from two folders): keep both
                    key = f"{prefix}{number}/{name}"
                archive = stack.archive_source is not None and is_archive(path)
                upload(stack, path, key, args.url, archive=archive)
                keys[key] = (path, name)
                if archive:
                    archives.add(key)
            events = wait_for_events(stack, set(keys) - archives, args.timeout, archives)
            rows = []
            s3 = stack.client("s3")
            for key, (path, _name) in keys.items():
                if key in archives:
                    rows.extend(_archive_rows(s3, str(path), key, events.get(key) or []))
                    continue
                event = events.get(key)
                document = None
                if event and event["detail-type"] == DetailType.EXTRACTED:
                    pointer = event["detail"]["document"]
                    body = s3.get_object(Bucket=pointer["bucket"], Key=pointer["key"])["Body"].read()
                    document = json.loads(body)
                rows.append({"file": str(path), "key": key, "document": document, "event": event})
        finally:
            worker.stop()
            stack.stop()
    if args.json:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        _print_table(rows, out)
    missing = sorted({row["file"] for row in rows if row["event"] is None})
    if missing:
        print(f"pagesift: no outcome within {args.timeout:.0f} s for: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


def _archive_rows(s3: Any, file: str, key: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An archive's rows: one per page (its document, from the documents bucket or its shard,
    and its event), then its ``Archive Extracted`` (``archive``: its counts)."""
    import gzip as gzip_module

    rows: list[dict[str, Any]] = []
    for event in events:
        kind, detail = event["detail-type"], event["detail"]
        if kind == DetailType.EXTRACTED:
            body = s3.get_object(Bucket=detail["document"]["bucket"], Key=detail["document"]["key"])["Body"].read()
            rows.append({"file": file, "key": key, "record": detail["source"]["record"]["id"], "document": json.loads(body), "event": event})
        elif kind == DetailType.FAILED:
            record = (detail["source"].get("record") or {}).get("id")
            rows.append({"file": file, "key": key, "record": record, "document": None, "event": event})
        elif kind == DetailType.SHARD_EXTRACTED:
            body = s3.get_object(Bucket=detail["shard"]["bucket"], Key=detail["shard"]["key"])["Body"].read()
            for line in gzip_module.decompress(body).splitlines():
                document = json.loads(line)
                rows.append({"file": file, "key": key, "record": document["source"]["record"]["id"], "document": document,
                             "event": event, "shard": detail["shard"]["key"]})
    summary = next((e for e in events if e["detail-type"] == DetailType.ARCHIVE_EXTRACTED), None)
    rows.append({"file": file, "key": key, "archive": summary["detail"] if summary else None, "document": None, "event": summary})
    return rows


def _print_table(rows: list[dict[str, Any]], out: IO[str]) -> None:
    header = ("file", "title", "language", "words", "document key", "event id / failure")
    table = [header]
    for row in rows:
        event, document = row["event"], row["document"]
        if "archive" in row:
            counts = row["archive"]
            outcome = (f"Archive Extracted: {counts['documents']} documents of {counts['pages']} pages, "
                       f"{sum(counts['failures'].values())} failures, {counts['ranges']} ranges") if counts else "no Archive Extracted (timed out)"
            event = event or {}
        if event is None:
            outcome = "no event (timed out)"
        elif "archive" in row:
            pass
        elif document is None:
            error = event["detail"]["error"]
            outcome = f"FAILED {error['type']}: {error['message']}"
        else:
            outcome = event["id"]
        table.append(
            (
                row["key"] + (f"#{row['record']}" if row.get("record") else ""),  # unique, unlike the base name
                _clip((document or {}).get("title") or "-", 48),
                (document or {}).get("language") or "-",
                str((document or {}).get("stats", {}).get("words", "-")),
                (event or {}).get("detail", {}).get("document", {}).get("key") or row.get("shard") or "-" if document else "-",
                outcome,
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(header) - 1)]
    for line in table:
        out.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)) + "  " + line[-1] + "\n")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class _function_logs_to:  # noqa: N801 - used as a context manager
    """Point stdout, where the function writes its logs and metrics, at a file (Lambda's log
    stream); the command's own output keeps the real stdout."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.saved = sys.stdout
        self.stream = open(self.path or os.devnull, "a", encoding="utf-8")  # noqa: SIM115
        sys.stdout = self.stream

    def __exit__(self, *exc: object) -> None:
        sys.stdout = self.saved
        self.stream.close()


def command_local_up(args: argparse.Namespace) -> int:
    out = sys.stdout
    sys.stdout = sys.stderr  # the function's logs go to stderr; stdout carries the one JSON line
    stack, worker = _start_stack(args)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    out.write(json.dumps(stack.info()) + "\n")
    out.flush()
    print("pagesift: local stack running; Ctrl-C to stop", file=sys.stderr)
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        worker.stop()
        stack.stop()
    return 0


# ---------------------------------------------------------------------------------------------
# pagesift redrive


def command_redrive(args: argparse.Namespace) -> int:
    import boto3

    from . import redrive
    from .stack import local_queue_url

    local = args.endpoint_url is not None
    session = boto3.session.Session(region_name=args.region or ("us-east-1" if local else None))
    options: dict[str, Any] = {"endpoint_url": args.endpoint_url} if local else {}
    if local:  # the embedded stack takes any credentials; a machine may have none configured
        options.update(aws_access_key_id="local", aws_secret_access_key="local")
    cloudformation, sqs, dynamodb = (session.client(name, **options) for name in ("cloudformation", "sqs", "dynamodb"))
    stack_name = args.stack or ("pagesift-local" if local else "pagesift")
    queues = redrive.StackQueues.of_stack(cloudformation, stack_name)
    if local:
        queues = redrive.StackQueues(local_queue_url(sqs, queues.dlq_url), local_queue_url(sqs, queues.queue_url), queues.state_table)
    letters = redrive.inspect(sqs, dynamodb, queues, limit=args.limit)
    print(redrive.as_json(letters) if args.json else redrive.render(letters))
    if args.move and (letters or redrive.waiting(sqs, queues)):
        moved = redrive.move(sqs, queues, local=local)
        print(f"moved {moved} message(s) back to ExtractQueue", file=sys.stderr)
    return 0


# ---------------------------------------------------------------------------------------------
# pagesift backfill


def command_backfill(args: argparse.Namespace) -> int:
    import boto3

    from . import backfill

    local = args.endpoint_url is not None
    session = boto3.session.Session(region_name=args.region or ("us-east-1" if local else None),
                                    **({"aws_access_key_id": "local", "aws_secret_access_key": "local"} if local else {}))
    if local:  # every client of the command (and of the function played in it) talks to the embedded stack
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url
    target = backfill.Target.parse(args.target)
    purpose = "reextract" if args.reextract else "backfill"
    names = backfill.StackNames.of_stack(session.client("cloudformation"), args.stack or ("pagesift-local" if local else "pagesift"))
    with _task_progress() as progress:
        if local:
            with _function_logs_to(args.log_file):
                report = backfill.run_locally(session, args.endpoint_url, names, target, purpose, concurrency=args.concurrency,
                                              template_dir=DEFAULT_TEMPLATE.parent, progress=progress, inventory=args.inventory)
        else:
            report = backfill.run_on_aws(session, names, target, purpose, wait=not args.no_wait, progress=progress,
                                         inventory=args.inventory)
    print(json.dumps(report.to_dict()) if args.json else report.render())
    return 1 if report.codes.get("PermanentFailure") or report.codes.get("TemporaryFailure") else 0


@contextlib.contextmanager
def _task_progress() -> Iterator[Any]:
    """A progress bar of a job's tasks on a terminal (stderr), nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from tqdm import tqdm

    with tqdm(desc="backfill", unit="object", file=sys.stderr) as bar:
        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield advance


# ---------------------------------------------------------------------------------------------


def _parameter(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected Name=Value, got {text!r}")
    return name, value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pagesift", description="Raw web pages in, clean structured documents out.")
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser("extract", help="extract documents from local HTML files (.html, .htm, .gz)")
    extract.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    extract.add_argument("--url", help="the pages' address (else the canonical URL found in the page)")
    extract.add_argument("--max-input-bytes", type=int, default=DEFAULT_MAX_INPUT_BYTES)
    extract.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: the number of CPUs)")
    extract.add_argument("--profile", choices=PROFILES, default=DEFAULT_PROFILE, help="accurate (default): two extractors, the better kept per page; fast: trafilatura alone")
    extract.set_defaults(run=command_extract)

    local = commands.add_parser("local", help="the embedded local stack (moto server provisioned from template.yaml)")
    local_commands = local.add_subparsers(dest="local_command", required=True)
    for name, helptext in (("run", "upload files, wait for their documents and events, print them, stop"), ("up", "start the stack and keep it running")):
        sub = local_commands.add_parser(name, help=helptext)
        sub.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
        sub.add_argument("--parameter", action="append", type=_parameter, metavar="NAME=VALUE", help="template parameter override")
        sub.add_argument("--concurrency", type=int, default=1, help="worker threads (Lambda execution environments)")
        sub.add_argument("--archive-concurrency", type=int, default=4,
                         help="worker threads on the archive queue (ranges of web archives run in parallel)")
    run = local_commands.choices["run"]
    run.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    run.add_argument("--json", action="store_true", help="one JSON object per file: document and event")
    run.add_argument("--url", help="set as the objects' x-amz-meta-url")
    run.add_argument("--prefix", default="", help="key prefix for the uploads")
    run.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for all outcomes")
    run.add_argument("--log-file", help="where the function's logs and metrics go (default: discarded)")
    run.set_defaults(run=command_local_run)
    local_commands.choices["up"].set_defaults(run=command_local_up)

    backfill = commands.add_parser("backfill", help="run every object under an S3 prefix through the function (an S3 Batch Operations job)")
    backfill.add_argument("target", metavar="s3://BUCKET/PREFIX")
    backfill.add_argument("--reextract", action="store_true",
                          help="also redo objects an older pagesift or other options made (events only for documents that change)")
    backfill.add_argument("--inventory", metavar="s3://BUCKET/…/manifest.json",
                          help="the keys from an S3 Inventory report (CSV) of the bucket instead of listing the prefix")
    backfill.add_argument("--stack", help="the stack's name (default: pagesift, or pagesift-local with --endpoint-url)")
    backfill.add_argument("--endpoint-url", help="the embedded local stack's endpoint (`pagesift local up`): the job is played locally")
    backfill.add_argument("--region", help="the stack's region (default: the AWS configuration's)")
    backfill.add_argument("--concurrency", type=int, default=4, help="local only: tasks run at once")
    backfill.add_argument("--no-wait", action="store_true", help="AWS only: create the job and return")
    backfill.add_argument("--json", action="store_true", help="the final table as one JSON object")
    backfill.add_argument("--log-file", help="local only: where the function's logs go (default: discarded)")
    backfill.set_defaults(run=command_backfill)

    redrive = commands.add_parser("redrive", help="show what is in ExtractDLQ and why; --move puts it back on ExtractQueue")
    redrive.add_argument("--stack", help="the stack's name (default: pagesift, or pagesift-local with --endpoint-url)")
    redrive.add_argument("--endpoint-url", help="the embedded local stack's endpoint (what `pagesift local up` prints)")
    redrive.add_argument("--region", help="the stack's region (default: the AWS configuration's)")
    redrive.add_argument("--move", action="store_true", help="move every message back to ExtractQueue (once the cause is fixed)")
    redrive.add_argument("--json", action="store_true", help="one JSON object per message")
    redrive.add_argument("--limit", type=int, default=100, help="most messages shown")
    redrive.set_defaults(run=command_redrive)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
