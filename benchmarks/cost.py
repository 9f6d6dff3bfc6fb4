"""Cost per million pages from the AWS requests the handler makes, counted, and the extraction
time measured, for a choice of memory sizes; beside a baseline checkout measured in the same run.

    .venv/bin/python benchmarks/speed.py --half none --json /tmp/speed.json
    git worktree add /tmp/before <commit>          # the baseline: any earlier checkout
    .venv/bin/python benchmarks/cost.py --speed /tmp/speed.json [--before /tmp/before] [--batch-size 10]
    .venv/bin/python benchmarks/cost.py --speed /tmp/speed.json --archives [--archive-pages 2000] [--range-pages 500]

The requests are counted, not assumed: each checkout's handler (this one, and ``--before``)
runs on moto in a fresh process over a batch of ``--batch-size`` pages (the sample and
regression pages that make documents), then the same batch again (duplicates, which cost
something too, are shown apart), with every request counted per attempt by botocore's
endpoint (as AWS bills them), and the bytes the handler logs counted too. Per page: S3 GETs
and PUTs, DynamoDB writes (PutItem, UpdateItem, DeleteItem: on-demand write units; the items
stay under 1 KB, tests/handlers/test_calls_per_page.py), PutEvents calls and entries (EventBridge
bills entries, 64 KB each), log bytes.

Lambda gives a function CPU in proportion to its memory (a whole vCPU at 1,769 MB); the
extraction is one thread of CPU-bound Python, so its time per page is the time measured by
speed.py on one full core, divided by the memory's share of a vCPU (capped at one). The AWS
calls wait on the network, which does not speed up with memory: each request counted costs
the latency assumed for it in ``LATENCY_MS`` (this machine has no AWS to measure against;
moto's timings are not AWS's). Billed duration is the sum of both.

Prices are us-east-1 list prices, stated below; change them here if yours differ. Besides
the counted requests, each page costs about 1.2 SQS requests (the EventBridge target's send,
then receive and delete in batches) and Lambda's own START/END/REPORT lines (about 350 bytes
an invocation). The S3 -> EventBridge notifications are AWS service events on the default
bus: no charge. Storage is not included.

``--archives``: the cost per million pages of web archives, in both output modes. An archive
of ``--archive-pages`` pages (the sample pages cycled, with a crawl's record mix) runs through
the archive work on moto with the function's own adapters: the upload's change, its plan, then
every range task taken from the queue, with every request counted (S3 ranged GETs, HEADs,
PUTs, lists; DynamoDB reads and writes; SQS sends, receives and deletes as the event source
mapping makes them, one message a task; PutEvents entries), and priced as above (DynamoDB reads
at on-demand read units). Lambda is billed per task invocation.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# us-east-1 list prices (USD)
LAMBDA_GB_SECOND = {"arm64": 0.0000133334, "x86_64": 0.0000166667}
LAMBDA_PER_MILLION_REQUESTS = 0.20
S3_PER_1000_GET = 0.0004  # GET and HEAD
S3_PER_1000_PUT = 0.005  # PUT, COPY, POST, LIST (DELETE is free)
EVENTBRIDGE_PER_MILLION_EVENTS = 1.00
DYNAMODB_PER_MILLION_WRITES = 0.625  # on-demand write request units (items under 1 KB)
SQS_PER_MILLION_REQUESTS = 0.40
DYNAMODB_PER_MILLION_READS = 0.125  # on-demand read request units
LOGS_PER_GB = 0.50

MB_PER_VCPU = 1769
SQS_REQUESTS_PER_PAGE = 1.2
LAMBDA_LOG_BYTES_PER_INVOCATION = 350
# Assumed time of one request from Lambda in the same region, ms (small objects and items).
LATENCY_MS = {"s3_get": 20.0, "s3_put": 30.0, "s3_other": 15.0, "dynamodb_write": 6.0, "put_events": 20.0}


def measure(root: Path, batch_size: int) -> dict[str, float]:
    """The requests per page of ``root``'s handler, counted in a fresh process (see --child)."""
    answer = subprocess.run([sys.executable, __file__, "--child", str(root), "--batch-size", str(batch_size)],
                            capture_output=True, text=True, check=True)
    return json.loads(answer.stdout.splitlines()[-1])


def child(root: Path, batch_size: int) -> None:
    """Run ``root``'s handler on moto over one batch of pages, then the same batch again."""
    import contextlib
    import io
    import os
    from collections import Counter

    sys.path[:0] = [str(root / "functions"), str(root / "functions" / "extract"), str(HERE)]
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1",
        DOCUMENTS_BUCKET="documents", DOCUMENTS_PREFIX="documents/", EVENT_BUS_NAME="bus", STATE_TABLE="state",
        POWERTOOLS_SERVICE_NAME="pagesift", POWERTOOLS_METRICS_NAMESPACE="Pagesift", LOG_LEVEL="INFO", INPUT_BUCKET="input",
    )
    from botocore.endpoint import Endpoint
    from moto import mock_aws
    from snapshot import Context, load_handler, moto_account, pages

    calls: Counter = Counter()
    attempt = Endpoint._do_get_response

    def counted(self, request, operation_model, context):
        calls[operation_model.name] += 1
        return attempt(self, request, operation_model, context)

    entries = 0
    with mock_aws():
        s3, _sqs, _queue = moto_account()
        app = load_handler(root)
        html = [(name, data) for name, data in pages() if not name.endswith((".png", ".gz")) and b"<p" in data.lower()]
        bodies = []
        for i in range(batch_size):
            name, data = html[i % len(html)]
            key = f"crawl/2026/12/{i:03d} {name}"
            stored = s3.put_object(Bucket="input", Key=key, Body=data, ContentType="text/html")
            bodies.append(json.dumps({
                "version": "0", "id": f"e-{i}", "detail-type": "Object Created", "source": "aws.s3", "account": "123456789012",
                "time": "2026-12-03T00:00:00Z", "region": "us-east-1", "resources": ["arn:aws:s3:::input"],
                "detail": {"version": "0", "bucket": {"name": "input"}, "reason": "PutObject", "object": {
                    "key": key.replace(" ", "+"), "size": len(data), "etag": stored["ETag"].strip('"'),
                    "version-id": stored["VersionId"], "sequencer": f"{i + 1:018X}"}}}))
        event = {"Records": [{"messageId": f"m{i}", "receiptHandle": "r", "body": body, "attributes": {"ApproximateReceiveCount": "1"},
                              "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                              "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1"}
                             for i, body in enumerate(bodies)]}
        # the handler built by the composition root (app.handler), or, in a checkout from before
        # the composition roots, the module itself
        owner = getattr(app, "handler", app)
        put_events = owner.pipeline.publisher._events.put_events

        def counting_entries(**kwargs):
            nonlocal entries
            entries += len(kwargs["Entries"])
            return put_events(**kwargs)

        owner.pipeline.publisher._events.put_events = counting_entries
        figures = {}
        for run in ("pages", "duplicates"):
            calls.clear()
            entries = 0
            logged = io.StringIO()
            for handler in getattr(owner.logger, "handlers", None) or owner.logger._logger.handlers:
                handler.setStream(logged)
            Endpoint._do_get_response = counted
            try:
                with contextlib.redirect_stdout(logged):
                    answer = app.lambda_handler(event, Context())
            finally:
                Endpoint._do_get_response = attempt
            assert answer == {"batchItemFailures": []}, answer
            n = float(batch_size)
            figures[run] = {
                "s3_get": (calls["GetObject"] + calls["HeadObject"]) / n,
                "s3_put": calls["PutObject"] / n,
                "s3_other": sum(v for k, v in calls.items() if k in ("DeleteObject", "ListObjectsV2")) / n,
                "dynamodb_write": sum(calls[k] for k in ("PutItem", "UpdateItem", "DeleteItem")) / n,
                "put_events": calls["PutEvents"] / n,
                "event_entries": entries / n,
                "log_bytes": len(logged.getvalue().encode("utf-8")) / n,
                "calls": dict(calls),
            }
    print(json.dumps(figures))


def archive_child(pages: int, range_pages: int) -> None:
    """Count the requests of an archive's run in both modes, on moto (see --archives)."""
    import os
    from collections import Counter

    sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    import boto3
    from botocore.endpoint import Endpoint
    from moto import mock_aws

    from pagesift.aws.dynamodb import DynamoDBRunStore, DynamoDBStateStore
    from pagesift.aws.eventbridge import EventBridgePublisher
    from pagesift.aws.s3 import S3ArchiveSource, S3DocumentStore, S3PageSource
    from pagesift.aws.sqs import SqsWorkQueue
    from pagesift.archives.handover import ArchiveHandover
    from pagesift.archives.runs import ArchiveWork
    from pagesift.archives.tasks import ArchiveTask, OutputMode
    from pagesift.delivery.pipeline import Pipeline
    from pagesift.delivery.triggers import ChangeKind, ObjectChange
    from tests.support.warcs import realistic_archive, repository_pages

    html = [page for _url, page in repository_pages()]
    archive = realistic_archive([(f"https://cost.example/{n}", html[n % len(html)]) for n in range(pages)], faults=False)
    calls: Counter = Counter()
    attempt = Endpoint._do_get_response

    def counted(self, request, operation_model, context):
        calls[operation_model.name] += 1
        return attempt(self, request, operation_model, context)

    figures = {}
    for mode in ("documents", "shards"):
        with mock_aws():
            s3, db, sqs, events = (boto3.client(name, region_name="us-east-1") for name in ("s3", "dynamodb", "sqs", "events"))
            for bucket in ("input", "documents"):
                s3.create_bucket(Bucket=bucket)
            s3.put_bucket_versioning(Bucket="input", VersioningConfiguration={"Status": "Enabled"})
            db.create_table(TableName="state", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
            queue = sqs.create_queue(QueueName="archive")["QueueUrl"]
            events.create_event_bus(Name="bus")
            documents = S3DocumentStore(s3, bucket="documents", prefix="documents/")
            publisher = EventBridgePublisher(events, bus_name="bus")
            work = ArchiveWork(archives=S3ArchiveSource(s3), documents=documents, publisher=publisher,
                               runs=DynamoDBRunStore(db, "state"), queue=SqsWorkQueue(sqs, queue), range_pages=range_pages)
            pipeline = Pipeline(pages=S3PageSource(s3), documents=documents, publisher=publisher, state=DynamoDBStateStore(db, "state"),
                                archives=ArchiveHandover(SqsWorkQueue(sqs, queue), mode=OutputMode(mode)))
            stored = s3.put_object(Bucket="input", Key="crawl/part-00001.warc.gz", Body=archive.data)
            entries = 0
            put_events = events.put_events

            def counting(**kwargs):
                nonlocal entries
                entries += len(kwargs["Entries"])
                return put_events(**kwargs)

            events.put_events = counting
            calls.clear()
            Endpoint._do_get_response = counted
            tasks = 0
            try:
                pipeline.process(ObjectChange("input", "crawl/part-00001.warc.gz", ChangeKind.CREATED, version_id=stored["VersionId"],
                                              etag=stored["ETag"].strip('"'), size=len(archive.data), sequencer="01"))
                while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1).get("Messages", []):
                    tasks += 1
                    work.run(ArchiveTask.from_message(messages[0]["Body"]))
                    sqs.delete_message(QueueUrl=queue, ReceiptHandle=messages[0]["ReceiptHandle"])
            finally:
                Endpoint._do_get_response = attempt
            n = float(len(archive.pages))
            sqs_calls = sum(v for k, v in calls.items() if k in ("SendMessageBatch", "SendMessage", "ReceiveMessage", "DeleteMessage"))
            figures[mode] = {
                "pages": n, "tasks": tasks,
                "s3_get": (calls["GetObject"] + calls["HeadObject"]) / n,
                "s3_put": (calls["PutObject"] + calls["ListObjectsV2"]) / n,
                "dynamodb_write": sum(calls[k] for k in ("PutItem", "UpdateItem", "DeleteItem")) / n,
                "dynamodb_read": (calls["GetItem"] + calls["BatchGetItem"]) / n,
                "sqs": sqs_calls / n,
                "put_events": calls["PutEvents"] / n,
                "event_entries": entries / n,
                "calls": dict(calls),
            }
    print(json.dumps(figures))


def archive_costs_per_million(cpu_ms: float, figures: dict[str, float], memory_mb: int, architecture: str) -> dict[str, float]:
    pages = 1_000_000
    io = (figures["s3_get"] * LATENCY_MS["s3_get"] + figures["s3_put"] * LATENCY_MS["s3_put"]
          + (figures["dynamodb_write"] + figures["dynamodb_read"]) * LATENCY_MS["dynamodb_write"] + figures["put_events"] * LATENCY_MS["put_events"])
    gb_seconds = pages * lambda_ms_per_page(cpu_ms, io, memory_mb) / 1000 * memory_mb / 1024
    return {
        "lambda compute": gb_seconds * LAMBDA_GB_SECOND[architecture],
        "lambda requests": pages * figures["tasks"] / figures["pages"] / 1e6 * LAMBDA_PER_MILLION_REQUESTS,
        "s3 requests": pages / 1000 * (figures["s3_get"] * S3_PER_1000_GET + figures["s3_put"] * S3_PER_1000_PUT),
        "eventbridge": pages * figures["event_entries"] / 1e6 * EVENTBRIDGE_PER_MILLION_EVENTS,
        "dynamodb": pages * (figures["dynamodb_write"] * DYNAMODB_PER_MILLION_WRITES + figures["dynamodb_read"] * DYNAMODB_PER_MILLION_READS) / 1e6,
        "sqs": pages * figures["sqs"] / 1e6 * SQS_PER_MILLION_REQUESTS,
        "logs": pages * figures["tasks"] / figures["pages"] * (LAMBDA_LOG_BYTES_PER_INVOCATION + 600) / 1024**3 * LOGS_PER_GB,
    }


def lambda_ms_per_page(cpu_ms: float, io_ms: float, memory_mb: int) -> float:
    """Billed milliseconds of one page: CPU time scaled by the memory's share of a vCPU, plus waits."""
    return cpu_ms / min(1.0, memory_mb / MB_PER_VCPU) + io_ms


def io_ms(requests: dict[str, float]) -> float:
    return sum(requests[name] * LATENCY_MS[name] for name in LATENCY_MS)


def costs_per_million(cpu_ms: float, requests: dict[str, float], memory_mb: int, architecture: str, batch_size: int) -> dict[str, float]:
    pages = 1_000_000
    gb_seconds = pages * lambda_ms_per_page(cpu_ms, io_ms(requests), memory_mb) / 1000 * memory_mb / 1024
    log_bytes = requests["log_bytes"] + LAMBDA_LOG_BYTES_PER_INVOCATION / batch_size
    return {
        "lambda compute": gb_seconds * LAMBDA_GB_SECOND[architecture],
        "lambda requests": pages / batch_size / 1e6 * LAMBDA_PER_MILLION_REQUESTS,
        "s3 requests": pages / 1000 * (requests["s3_get"] * S3_PER_1000_GET + (requests["s3_put"]) * S3_PER_1000_PUT),
        "eventbridge": pages * requests["event_entries"] / 1e6 * EVENTBRIDGE_PER_MILLION_EVENTS,
        "dynamodb": pages * requests["dynamodb_write"] / 1e6 * DYNAMODB_PER_MILLION_WRITES,
        "sqs": pages * SQS_REQUESTS_PER_PAGE / 1e6 * SQS_PER_MILLION_REQUESTS,
        "logs": pages * log_bytes / 1024**3 * LOGS_PER_GB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--speed", type=Path, help="the JSON written by speed.py --json")
    parser.add_argument("--before", type=Path, help="a baseline checkout, measured in the same run")
    parser.add_argument("--batch-size", type=int, default=10, help="SQS messages per invocation")
    parser.add_argument("--memory", type=int, nargs="+", default=[512, 1024, 1769])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--archives", action="store_true", help="web archives instead: cost per million archive pages, both modes")
    parser.add_argument("--archive-pages", type=int, default=2000)
    parser.add_argument("--range-pages", type=int, default=500)
    parser.add_argument("--archive-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.batch_size)
        return
    if args.archive_child:
        archive_child(args.archive_pages, args.range_pages)
        return
    if args.speed is None:
        parser.error("--speed is required")
    if args.archives:
        archives_main(args)
        return

    speed = json.loads(args.speed.read_text())
    cpu_ms = 1000 / speed["throughput"]["pagesift"]["pages_per_s"]  # mean over the benchmark pages
    peak_mb = speed["rss"]["pagesift+app"]["peak_mb"]
    measured = {"this checkout": measure(ROOT, args.batch_size)}
    if args.before:
        measured = {"baseline": measure(args.before.resolve(), args.batch_size), **measured}
    print(f"extraction: {cpu_ms:.1f} ms per page on one full core (mean of {speed['header']['pages']} pages, speed.py); "
          f"handler peak RSS {peak_mb:.0f} MB; a batch of {args.batch_size} pages per invocation")
    print("\nrequests per page, counted on moto (then the same batch again, as duplicates):")
    print(f"{'':>14} {'S3 GET':>7} {'S3 PUT':>7} {'DDB wr':>7} {'PutEv':>6} {'entries':>8} {'log B':>6} {'AWS ms':>7} | duplicates: DDB wr, S3 GET, entries")
    for label, figures in measured.items():
        page, again = figures["pages"], figures["duplicates"]
        print(f"{label:>14} {page['s3_get']:>7.2f} {page['s3_put']:>7.2f} {page['dynamodb_write']:>7.2f} {page['put_events']:>6.2f} "
              f"{page['event_entries']:>8.2f} {page['log_bytes']:>6.0f} {io_ms(page):>7.1f} | "
              f"{again['dynamodb_write']:.2f}, {again['s3_get']:.2f}, {again['event_entries']:.2f}")
    print(f"(AWS ms: the requests at the latencies assumed, {LATENCY_MS})")
    print(f"\n{'memory':>7} {'arch':>7} " + " ".join(f"{label:>26}" for label in measured) + ("   ratio" if len(measured) > 1 else ""))
    for memory in args.memory:
        for architecture in ("arm64", "x86_64"):
            totals = []
            for figures in measured.values():
                costs = costs_per_million(cpu_ms, figures["pages"], memory, architecture, args.batch_size)
                totals.append(sum(costs.values()))
            fits = "" if memory >= peak_mb * 1.5 else "  (under 1.5x the peak RSS)"
            ratio = f"   {totals[-1] / totals[0]:.3f}" if len(totals) > 1 else ""
            print(f"{memory:>6}M {architecture:>7} " + " ".join(f"{'$' + format(t, '.2f'):>26}" for t in totals) + ratio + fits)
    for label, figures in measured.items():
        costs = costs_per_million(cpu_ms, figures["pages"], 512, "arm64", args.batch_size)
        print(f"\n{label}, 512 MB arm64, per million pages: " + ", ".join(f"{name} ${value:.2f}" for name, value in costs.items()))


def archives_main(args: argparse.Namespace) -> None:
    speed = json.loads(args.speed.read_text())
    cpu_ms = 1000 / speed["throughput"]["pagesift"]["pages_per_s"]
    answer = subprocess.run([sys.executable, __file__, "--archive-child", "--archive-pages", str(args.archive_pages),
                             "--range-pages", str(args.range_pages)], capture_output=True, text=True, check=True)
    figures = json.loads(answer.stdout.splitlines()[-1])
    print(f"web archives: {args.archive_pages} pages, ranges of {args.range_pages}; extraction {cpu_ms:.1f} ms per page on one core")
    print(f"{'mode':>10} {'tasks':>6} {'S3 GET':>7} {'S3 PUT':>7} {'DDB wr':>7} {'DDB rd':>7} {'SQS':>6} {'entries':>8}  (per page)")
    for mode, f in figures.items():
        print(f"{mode:>10} {f['tasks']:>6} {f['s3_get']:>7.3f} {f['s3_put']:>7.3f} {f['dynamodb_write']:>7.3f} {f['dynamodb_read']:>7.3f} "
              f"{f['sqs']:>6.3f} {f['event_entries']:>8.3f}")
    print(f"\n{'memory':>7} {'arch':>7} {'documents':>11} {'shards':>11}   shards/documents  (per million pages)")
    for memory in args.memory:
        for architecture in ("arm64", "x86_64"):
            totals = [sum(archive_costs_per_million(cpu_ms, figures[mode], memory, architecture).values()) for mode in ("documents", "shards")]
            print(f"{memory:>6}M {architecture:>7} {'$' + format(totals[0], '.2f'):>11} {'$' + format(totals[1], '.2f'):>11}   {totals[1] / totals[0]:.3f}")
    for mode in ("documents", "shards"):
        costs = archive_costs_per_million(cpu_ms, figures[mode], 512, "arm64")
        print(f"\n{mode}, 512 MB arm64, per million archive pages: " + ", ".join(f"{name} ${value:.2f}" for name, value in costs.items()))


if __name__ == "__main__":
    main()
