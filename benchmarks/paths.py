"""The handler's paths beside snapshot.py's pages: what each answers, emits, writes, logs and
counts, and the AWS calls it makes (per operation, every attempt), to tell whether a change of
code changed any of it.

    .venv/bin/python benchmarks/paths.py OUT.json [--root DIR]
    .venv/bin/python benchmarks/snapshot.py --compare BEFORE.json AFTER.json

Seventeen paths through the handler of ``--root`` (default: this checkout) on moto: a put, a
duplicate, the same bytes again, a stale and a superseded event, a metadata change, a
recursive trigger, an unsupported event, an object over the size limit, an SQS batch of good
and malformed messages, a Batch Operations job, a rollback, too little time left, S3 failing
with 500s (and how many GetObject calls that made), the retry after it, and deletions. What
varies from run to run (ids, timestamps, durations, stack traces) is left out.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

_parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
_parser.add_argument("out", type=Path)
_parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1], help="the checkout whose handler runs")
_args = _parser.parse_args()
root, out = _args.root.resolve(), _args.out
REGION = "us-east-1"
sys.path[:0] = [str(root / "functions"), str(root / "functions" / "extract")]
os.environ.update(
    AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION, AWS_REGION=REGION,
    DOCUMENTS_BUCKET="documents", DOCUMENTS_PREFIX="documents/", EVENT_BUS_NAME="bus", STATE_TABLE="state",
    POWERTOOLS_SERVICE_NAME="pagesift", POWERTOOLS_METRICS_NAMESPACE="Pagesift", LOG_LEVEL="INFO",
    MAX_INPUT_BYTES="200000", INPUT_BUCKET="input",
)
from moto import mock_aws
from snapshot import load_handler, moto_account  # benchmarks/ is this script's folder

# change_id hashes the object's version id, which moto draws at random on every put.
VARY = {"timestamp", "duration_ms", "version_id", "last_modified", "event_id", "xray_trace_id", "location",
        "function_request_id", "exception", "stack_trace", "ExtractionMs", "lease_expires", "change_id"}


def stable(v):
    if isinstance(v, dict):
        return {k: "<v>" if k in VARY else stable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [stable(x) for x in v]
    if isinstance(v, str):
        v = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", v)
        v = re.sub(r"version [^ ]+ is no longer current \(current: [^)]+\)", "version X no longer current", v)
    return v


class Context:
    function_name = "fn"
    function_version = "$LATEST"
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:fn"
    memory_limit_in_mb = 512
    aws_request_id = "req"
    log_group_name = "lg"
    log_stream_name = "ls"

    def __init__(self, ms=60_000):
        self.ms = ms

    def get_remaining_time_in_millis(self):
        return self.ms


PAGE = ("<html lang='en'><head><title>Harbour news</title></head><body><article><h1>Harbour news</h1>"
        + "".join(f"<p>The harbour authority published figures on ship traffic, paragraph {i}, with much detail.</p>" for i in range(6))
        + "</article></body></html>").encode()

@contextlib.contextmanager
def counting_aws_calls():
    """The AWS calls the handler makes meanwhile, by service and operation (retries included:
    each attempt is a call, as AWS bills it)."""
    from botocore.endpoint import Endpoint

    calls: Counter = Counter()
    attempt = Endpoint._do_get_response  # called once per attempt, moto's answers included

    def counted(self, request, operation_model, context):
        calls[f"{operation_model.service_model.service_name} {operation_model.name}"] += 1
        return attempt(self, request, operation_model, context)

    Endpoint._do_get_response = counted
    try:
        yield calls
    finally:
        Endpoint._do_get_response = attempt


with mock_aws():
    s3, sqs, q = moto_account()
    app = load_handler(root)
    # The pipeline and logger are the handler module's own, or (each function's root a build()) its handler's.
    pipeline = getattr(app, "pipeline", None) or app.handler.pipeline
    logger = getattr(app, "logger", None) or app.handler.logger
    in_s3 = pipeline.pages._s3

    def captured():
        got = []
        while msgs := sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10).get("Messages", []):
            for m in msgs:
                e = json.loads(m["Body"])
                got.append({k: stable(e[k]) for k in ("detail-type", "resources", "detail")})
                sqs.delete_message(QueueUrl=q, ReceiptHandle=m["ReceiptHandle"])
        return got

    def invoke(name, event, ms=60_000):
        buf = io.StringIO()
        for h in logger.handlers if hasattr(logger, "handlers") else logger._logger.handlers:
            h.setStream(buf)
        with contextlib.redirect_stdout(buf), counting_aws_calls() as aws_calls:
            try:
                answer = app.lambda_handler(event, Context(ms))
            except Exception as exc:
                answer = {"raised": type(exc).__name__, "text": str(exc)[:300]}
        logs, metrics = [], []
        for line in buf.getvalue().splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                logs.append({"raw": line[:200]})
                continue
            if "_aws" in rec:
                metrics.append({k: v for k, v in rec.items() if k not in ("_aws", "ExtractionMs")})
            else:
                logs.append({"level": rec.get("level"), "message": rec.get("message"),
                             "keys": sorted(k for k in rec if k not in VARY), "status": rec.get("status"),
                             "reason": stable(rec.get("reason")), "error": stable(rec.get("error"))})
        docs = sorted(i["Key"] for i in s3.list_objects_v2(Bucket="documents").get("Contents", []))
        result[name] = {"answer": stable(answer), "events": captured(), "logs": logs, "metrics": metrics, "documents": docs,
                        "aws_calls": dict(sorted(aws_calls.items()))}

    def note(key, event_name, version, etag, seq, bucket="input"):
        return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": event_name,
                             "eventTime": "2021-01-01T00:00:00Z",
                             "s3": {"bucket": {"name": bucket}, "object": {"key": key, "size": 10, "eTag": etag,
                                                                           "versionId": version, "sequencer": seq}}}]}

    def sqs_event(*bodies):
        return {"Records": [{"messageId": f"m{i}", "receiptHandle": "r", "body": b, "attributes": {}, "messageAttributes": {},
                             "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:1:q",
                             "awsRegion": REGION} for i, b in enumerate(bodies)]}

    result = {}
    a1 = s3.put_object(Bucket="input", Key="a.html", Body=PAGE)
    invoke("01 put", note("a.html", "ObjectCreated:Put", a1["VersionId"], a1["ETag"].strip('"'), "0A"))
    invoke("02 duplicate", note("a.html", "ObjectCreated:Put", a1["VersionId"], a1["ETag"].strip('"'), "0A"))
    a2 = s3.put_object(Bucket="input", Key="a.html", Body=PAGE)
    invoke("03 same bytes", note("a.html", "ObjectCreated:Put", a2["VersionId"], a2["ETag"].strip('"'), "0B"))
    invoke("04 stale", note("a.html", "ObjectCreated:Put", a1["VersionId"], a1["ETag"].strip('"'), "09"))
    a3 = s3.put_object(Bucket="input", Key="a.html", Body=PAGE.replace(b"Harbour news</title>", b"Harbour news today</title>"))
    invoke("05 old version, newer sequencer (superseded)", note("a.html", "ObjectCreated:Put", a2["VersionId"], a2["ETag"].strip('"'), "0C"))
    invoke("06 metadata change", note("a.html", "ObjectCreated:Put", a3["VersionId"], a3["ETag"].strip('"'), "0D"))
    invoke("07 recursive", note("x.html", "ObjectCreated:Put", "v", "e", "01", bucket="documents"))
    invoke("08 unsupported", {"hello": "world"})
    big = s3.put_object(Bucket="input", Key="big.html", Body=b"<p>" + b"x" * 300_000)
    invoke("09 too large", note("big.html", "ObjectCreated:Put", big["VersionId"], big["ETag"].strip('"'), "01"))
    png = s3.put_object(Bucket="input", Key="p.png", Body=b"\x89PNG\r\n\x1a\n" + bytes(100))
    b1 = s3.put_object(Bucket="input", Key="b c.html", Body=PAGE.replace(b"ship", b"boat"))
    eb = {"version": "0", "id": "x", "detail-type": "Object Created", "source": "aws.s3", "account": "1", "time": "2021-01-01T00:00:00Z",
          "region": REGION, "resources": [], "detail": {"bucket": {"name": "input"}, "object": {"key": "b+c.html", "size": 5,
          "etag": b1["ETag"].strip('"'), "version-id": b1["VersionId"], "sequencer": "01"}, "reason": "PutObject"}}
    invoke("10 sqs mixed", sqs_event(json.dumps(eb), "not json", json.dumps({"source": "aws.ec2", "detail-type": "x"}),
                                     json.dumps(note("p.png", "ObjectCreated:Put", png["VersionId"], png["ETag"].strip('"'), "01"))))
    job = {"invocationSchemaVersion": "2.0", "invocationId": "inv", "job": {"id": "j"}, "tasks": [
        {"taskId": "t1", "s3Bucket": "input", "s3Key": "a.html", "s3VersionId": None},
        {"taskId": "t2", "s3Bucket": "input", "s3Key": "missing.html", "s3VersionId": None},
        {"taskId": "t3", "s3Bucket": "input"},
        {"taskId": "t4", "s3Bucket": "input", "s3Key": "p.png", "s3VersionId": None},
    ]}
    invoke("11 batch job", job)
    # deletion while an older version stays current: delete a3's version
    s3.delete_object(Bucket="input", Key="a.html", VersionId=a3["VersionId"])
    invoke("12 delete current version (rollback)", note("a.html", "ObjectRemoved:Delete", a3["VersionId"], None, "0E"))
    # out of time
    c1 = s3.put_object(Bucket="input", Key="c.html", Body=PAGE.replace(b"ship", b"cargo"))
    invoke("13 out of time", sqs_event(json.dumps(note("c.html", "ObjectCreated:Put", c1["VersionId"], c1["ETag"].strip('"'), "01"))), ms=400)

    # transient: S3 GetObject always 500
    from botocore.awsrequest import AWSResponse

    class Raw:
        def stream(self, **_):
            yield b"<Error><Code>InternalError</Code><Message>boom</Message></Error>"
    calls = {"n": 0}

    def boom(request, **_):
        calls["n"] += 1
        return AWSResponse(request.url, 500, {}, Raw())
    import time as _t

    real_sleep = _t.sleep
    _t.sleep = lambda s: None  # no waiting on backoff
    in_s3.meta.events.register_first("before-send.s3.GetObject", boom)
    invoke("14 s3 500 via sqs", sqs_event(json.dumps(note("c.html", "ObjectCreated:Put", c1["VersionId"], c1["ETag"].strip('"'), "02"))))
    result["14 s3 500 via sqs"]["get_object_attempts"] = calls["n"]
    in_s3.meta.events.unregister("before-send.s3.GetObject", boom)
    _t.sleep = real_sleep
    invoke("15 after transient", sqs_event(json.dumps(note("c.html", "ObjectCreated:Put", c1["VersionId"], c1["ETag"].strip('"'), "02"))))
    s3.delete_object(Bucket="input", Key="c.html")
    invoke("16 delete", note("c.html", "ObjectRemoved:DeleteMarkerCreated", "m", None, "03"))
    invoke("17 direct eventbridge deleted of never-extracted", {**eb, "detail-type": "Object Deleted", "detail": {**eb["detail"], "object": {"key": "nothing.html", "sequencer": "05"}, "reason": "DeleteObject"}})

out.write_text(json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
print(f"{len(result)} paths -> {out}")
