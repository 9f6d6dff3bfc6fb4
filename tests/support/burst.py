"""A burst of pages through the embedded stack with duplicated, reordered and failing
deliveries, and the audit of what came out: the proof behind "exactly once out, in order,
nothing lost" (docs/reliability.md). Used by ``benchmarks/reliability.py`` (2,000 pages, by hand) and by
a smaller run in the test suite.

What goes in: pages uploaded once, or several times in quick succession (versions), some then
deleted, some not pages at all. What goes wrong on the way, all seeded: every S3 event is
delivered a second time with some probability (a duplicate) or held back and delivered after
the burst (late, so out of order); S3 reads are throttled; PutEvents entries fail; and a
worker is "killed" now and then, before it starts a change or after it has written a document
but before its event is out (the Lambda runtime dying: nothing of the batch is deleted, the
object lease stays until it expires).

Time is scaled down so that the run takes minutes: the worker's function timeout is a few
seconds (so leases expire quickly) and retries come back after a
visibility timeout kept longer than a lease, as in production (6x the function timeout).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote_plus

from pagesift_local.stack import LocalStack
from pagesift_local.worker import QueueWorker

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(48)


class WorkerKilled(BaseException):
    """The runtime died mid-batch (a BaseException: nothing in the function may catch it)."""


@dataclass
class BurstConfig:
    pages: int = 2000
    seed: int = 1
    versions_rate: float = 0.10  # pages uploaded again (2 or 3 versions)
    delete_rate: float = 0.05  # pages deleted after their last upload
    bad_rate: float = 0.03  # objects that are not pages
    duplicate_rate: float = 0.30  # S3 events delivered twice
    late_rate: float = 0.10  # S3 events delivered again after the burst (stale by then)
    throttle_rate: float = 0.05  # S3 GetObject calls answered SlowDown
    put_events_failure_rate: float = 0.05  # PutEvents entries answered InternalFailure
    kill_rate: float = 0.01  # changes during which the worker dies
    concurrency: int = 2
    function_timeout: int = 4  # leases last about this long past a crash...
    visibility_timeout: int = 10  # ...and retries come back after this (longer, as in production)
    settle_seconds: float = 8.0  # quiet time after which the run is over
    deadline_seconds: float = 900.0


@dataclass
class Expected:
    key: str
    versions: list[str] = field(default_factory=list)  # version ids in upload order
    markers: list[str] = field(default_factory=list)
    deleted: bool = False
    bad: bool = False


@dataclass
class Report:
    config: BurstConfig
    seconds: float = 0.0
    uploads: int = 0
    deletes: int = 0
    duplicates_sent: int = 0
    late_sent: int = 0
    faults: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)
    documents: int = 0
    expected_documents: int = 0
    wrong_documents: list[str] = field(default_factory=list)  # missing, stale or unexpected
    doubled_events: list[str] = field(default_factory=list)  # a (key, version) with two Extracted
    stale_last_events: list[str] = field(default_factory=list)  # last event of a key not its final state
    unaccounted_failures: list[str] = field(default_factory=list)  # bad pages without exactly one failure
    dead_letters: int = 0
    worker: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.wrong_documents or self.doubled_events or self.stale_last_events
                    or self.unaccounted_failures or self.dead_letters or self.documents != self.expected_documents)

    def lines(self) -> list[str]:
        c = self.config
        return [
            f"pages {c.pages}, seed {c.seed}, {self.seconds:.1f} s, {c.concurrency} worker(s)",
            f"uploads {self.uploads} (versions included), deletes {self.deletes}, "
            f"duplicate deliveries {self.duplicates_sent}, late deliveries {self.late_sent}",
            "faults injected: " + ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items())),
            "events: " + ", ".join(f"{k} {v}" for k, v in sorted(self.events.items())),
            f"current documents {self.documents} (expected {self.expected_documents}); wrong {len(self.wrong_documents)}",
            f"doubled events {len(self.doubled_events)}; stale last events {len(self.stale_last_events)}; "
            f"unaccounted failures {len(self.unaccounted_failures)}; dead letters {self.dead_letters}",
            "worker: " + ", ".join(f"{k} {v}" for k, v in sorted(self.worker.items())),
            "RESULT: " + ("nothing lost, nothing doubled, nothing stale" if self.ok else "PROBLEMS (see above)"),
        ] + [f"  - {problem}" for problem in (self.wrong_documents + self.doubled_events + self.stale_last_events + self.unaccounted_failures)[:20]]


def article(marker: str, number: int) -> bytes:
    paragraphs = "".join(
        f"<p>Report {number}, paragraph {i}: the harbour authority published figures on ship traffic, "
        f"and the reference for this version is {marker}.</p>"
        for i in range(5)
    )
    return (f"<html lang='en'><head><meta charset='utf-8'><title>Report {number}</title></head>"
            f"<body><article><h1>Report {number}</h1>{paragraphs}</article></body></html>").encode()


class _Faults:
    def __init__(self, config: BurstConfig, report: Report) -> None:
        self.config, self.report = config, report
        self.rng = random.Random(config.seed * 7919)
        self.lock = threading.Lock()

    def chance(self, rate: float, name: str) -> bool:
        with self.lock:
            hit = self.rng.random() < rate
            if hit:
                self.report.faults[name] += 1
            return hit

    def install(self, module: ModuleType) -> None:
        """Faults in one execution environment (``module`` is its copy of the handler module).

        Throttled reads are answered at botocore's HTTP layer, so that the client's own retry
        policy (pagesift.aws.clients) sees them as it would on AWS."""
        from botocore.awsrequest import AWSResponse

        pipeline = module.handler.pipeline
        s3 = pipeline.pages._s3
        real_put_events = pipeline.publisher._events.put_events
        real_process, real_write = pipeline.process, pipeline.documents.write

        def throttle(request: Any, **_kwargs: Any) -> Any:
            if self.chance(self.config.throttle_rate, "throttled S3 reads"):
                return AWSResponse(request.url, 503, {}, _Raw(_SLOW_DOWN))
            return None

        def put_events(Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 - boto3's name
            failed = [self.chance(self.config.put_events_failure_rate, "failed PutEvents entries") for _ in Entries]
            passed = [entry for entry, fail in zip(Entries, failed, strict=True) if not fail]
            answers = iter(real_put_events(Entries=passed)["Entries"] if passed else [])
            entries = [{"ErrorCode": "InternalFailure", "ErrorMessage": "injected"} if fail else next(answers) for fail in failed]
            return {"FailedEntryCount": sum(failed), "Entries": entries}

        def process(change: Any, *args: Any, **kwargs: Any) -> Any:
            if self.chance(self.config.kill_rate / 2, "workers killed before a change"):
                raise WorkerKilled("killed before the change")
            return real_process(change, *args, **kwargs)

        def write(key: str, document: Any) -> None:
            real_write(key, document)
            if self.chance(self.config.kill_rate / 2, "workers killed after a document write"):
                raise WorkerKilled("killed between the document write and its event")

        # First, so that it answers before the stack's endpoint is called.
        s3.meta.events.register_first("before-send.s3.GetObject", throttle)
        pipeline.publisher._events.put_events = put_events
        pipeline.process = process
        pipeline.documents.write = write


_SLOW_DOWN = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"


class _Raw:
    """The raw HTTP body botocore reads an answer from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_kwargs: Any) -> Any:
        yield self._body


# The function timeout the burst's is scaled down from (the template's default).
PRODUCTION_FUNCTION_TIMEOUT = 60


@contextmanager
def scaled_backoff(factor: float) -> Iterator[None]:
    """botocore's retry backoff scaled like the rest of the burst's time: a throttled read waits
    up to 15 s over its attempts, which fits a 60 s invocation but not a 4 s one."""
    from botocore.retries import standard

    real = standard.ExponentialBackoff.delay_amount
    standard.ExponentialBackoff.delay_amount = lambda self, context: real(self, context) * factor
    try:
        yield
    finally:
        standard.ExponentialBackoff.delay_amount = real


def run_burst(template: Path, config: BurstConfig | None = None, *, stack_name: str = "pagesift-burst") -> Report:
    config = config or BurstConfig()
    with scaled_backoff(config.function_timeout / PRODUCTION_FUNCTION_TIMEOUT):
        return _run_burst(template, config, stack_name)


def _run_burst(template: Path, config: BurstConfig, stack_name: str) -> Report:
    report = Report(config)
    rng = random.Random(config.seed)
    started = time.monotonic()
    with LocalStack(template, stack_name=stack_name) as stack:
        info = stack.info()
        s3, sqs = stack.client("s3"), stack.client("sqs")
        tap_url = _tap_s3_events(stack, info["input_bucket"])
        faults = _Faults(config, report)
        worker = QueueWorker(stack, concurrency=config.concurrency, batching_window_seconds=1,
                             visibility_timeout=config.visibility_timeout, function_timeout=config.function_timeout,
                             on_load=faults.install)
        index_events: list[dict[str, Any]] = []
        held_back: list[str] = []
        stop = threading.Event()
        threads = [
            threading.Thread(target=_drain, args=(sqs, info["index_queue_url"], lambda b: index_events.append(json.loads(b)), stop), daemon=True),
            threading.Thread(target=_drain, args=(sqs, tap_url, lambda e: _redeliver(e, rng, config, report, sqs, info, held_back), stop), daemon=True),
        ]
        with worker:
            for thread in threads:
                thread.start()
            expected = _upload(s3, info["input_bucket"], config, rng, report)
            time.sleep(2)  # let the tap catch the last S3 events before the late ones go out
            for body in held_back:
                sqs.send_message(QueueUrl=info["extract_queue_url"], MessageBody=body)
                report.late_sent += 1
            _wait_until_quiet(sqs, info["extract_queue_url"], index_events, config, started)
            stop.set()
            for thread in threads:
                thread.join(5)
        report.worker = dict(vars(worker.stats))
        report.seconds = time.monotonic() - started
        _audit(report, expected, index_events, s3, sqs, info)
    return report


def _tap_s3_events(stack: LocalStack, bucket: str) -> str:
    """A second subscriber to the input bucket's events, to deliver copies of them again."""
    sqs, events = stack.client("sqs"), stack.client("events")
    url = sqs.create_queue(QueueName="burst-tap")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {"source": ["aws.s3"], "detail-type": ["Object Created", "Object Deleted"], "detail": {"bucket": {"name": [bucket]}}}
    events.put_rule(Name="burst-tap", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="burst-tap", Targets=[{"Id": "tap", "Arn": arn}])
    return url


def _redeliver(body: str, rng: random.Random, config: BurstConfig, report: Report, sqs: Any, info: dict[str, str], held_back: list[str]) -> None:
    roll = rng.random()
    if roll < config.duplicate_rate:
        sqs.send_message(QueueUrl=info["extract_queue_url"], MessageBody=body)
        report.duplicates_sent += 1
    elif roll < config.duplicate_rate + config.late_rate:
        held_back.append(body)


def _drain(sqs: Any, url: str, sink: Any, stop: threading.Event) -> None:
    while not stop.is_set():
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        for message in messages:
            sink(message["Body"])
        if messages:
            sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])


def _upload(s3: Any, bucket: str, config: BurstConfig, rng: random.Random, report: Report) -> dict[str, Expected]:
    expected: dict[str, Expected] = {}
    for number in range(config.pages):
        key = f"burst/{number % 37:02d}/page {number}+ü.html"
        item = expected[key] = Expected(key)
        roll = rng.random()
        if roll < config.bad_rate:
            item.bad = True
            body = rng.choice([PNG, bytes(rng.randrange(256) for _ in range(2048)), b""])
            item.versions.append(s3.put_object(Bucket=bucket, Key=key, Body=body)["VersionId"])
            report.uploads += 1
            continue
        versions = 1 + (rng.random() < config.versions_rate) * rng.choice([1, 2])
        for version in range(1, versions + 1):
            marker = f"m{number}v{version}x"
            item.markers.append(marker)
            item.versions.append(s3.put_object(Bucket=bucket, Key=key, Body=article(marker, number), ContentType="text/html")["VersionId"])
            report.uploads += 1
        if rng.random() < config.delete_rate:
            s3.delete_object(Bucket=bucket, Key=key)
            item.deleted = True
            report.deletes += 1
    return expected


def _wait_until_quiet(sqs: Any, queue_url: str, index_events: list[dict[str, Any]], config: BurstConfig, started: float) -> None:
    quiet_since, seen = time.monotonic(), -1
    while time.monotonic() - started < config.deadline_seconds:
        attributes = sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        pending = int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
        if pending or len(index_events) != seen:
            quiet_since, seen = time.monotonic(), len(index_events)
        elif time.monotonic() - quiet_since > config.settle_seconds:
            return
        time.sleep(0.5)


def _audit(report: Report, expected: dict[str, Expected], index_events: list[dict[str, Any]], s3: Any, sqs: Any, info: dict[str, str]) -> None:
    per_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    extracted = Counter()
    for event in index_events:
        report.events[event["detail-type"]] += 1
        source = event["detail"]["source"]
        per_key[source["key"]].append(event)
        if event["detail-type"] == "Document Extracted":
            extracted[(source["key"], source["version_id"])] += 1
    report.doubled_events = [f"two Document Extracted for {k!r} version {v}" for (k, v), n in extracted.items() if n > 1]

    documents = {}
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=info["documents_bucket"]):
        for item in page.get("Contents", []):
            documents[item["Key"]] = item
    report.documents = len(documents)
    live = {k: e for k, e in expected.items() if not e.deleted and not e.bad}
    report.expected_documents = len(live)
    from pagesift.contracts.document import document_key

    for key, item in expected.items():
        doc_key = document_key(key)
        events = sorted(per_key.get(key, []), key=lambda e: e["detail"]["source"].get("sequencer") or "")
        if key in live:
            if doc_key not in documents:
                report.wrong_documents.append(f"missing document for {key!r}")
                continue
            document = json.loads(s3.get_object(Bucket=info["documents_bucket"], Key=doc_key)["Body"].read())
            if item.markers[-1] not in document["text"] or document["source"]["version_id"] != item.versions[-1]:
                report.wrong_documents.append(f"stale document for {key!r}: not version {len(item.versions)}")
            last = [e for e in events if e["detail-type"] in ("Document Extracted", "Document Deleted")]
            if not last or last[-1]["detail-type"] != "Document Extracted" or last[-1]["detail"]["source"]["version_id"] != item.versions[-1]:
                report.stale_last_events.append(f"last event for {key!r} is not the Extracted of its current version")
        elif item.bad:
            failures = [e for e in events if e["detail-type"] == "Document Extraction Failed"]
            if len(failures) != 1 or doc_key in documents:
                report.unaccounted_failures.append(f"{key!r}: {len(failures)} failure events, document {'present' if doc_key in documents else 'absent'}")
        else:  # deleted
            if doc_key in documents:
                report.wrong_documents.append(f"document of deleted {key!r} still there")
            last = [e for e in events if e["detail-type"] in ("Document Extracted", "Document Deleted")]
            if last and last[-1]["detail-type"] != "Document Deleted":
                report.stale_last_events.append(f"last event for deleted {key!r} is {last[-1]['detail-type']}")
    unknown = set(documents) - {document_key(k) for k in live}
    report.wrong_documents += [f"unexpected document {k!r}" for k in sorted(unknown)]
    attributes = sqs.get_queue_attributes(QueueUrl=info["extract_dlq_url"], AttributeNames=["ApproximateNumberOfMessages"])
    report.dead_letters = int(attributes["Attributes"]["ApproximateNumberOfMessages"])
    if report.dead_letters:
        for message in sqs.receive_message(QueueUrl=info["extract_dlq_url"], MaxNumberOfMessages=10).get("Messages", []):
            detail = json.loads(message["Body"]).get("detail", {})
            report.unaccounted_failures.append(f"dead letter: {unquote_plus(detail.get('object', {}).get('key', '?'))}")
