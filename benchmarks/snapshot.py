"""Every document and event the handler makes for the sample and regression pages, as one
JSON file, to tell whether a change of code changed any output (a refactoring must not).

    .venv/bin/python benchmarks/snapshot.py OUT.json [--root DIR] [--wcxb N]
    .venv/bin/python benchmarks/snapshot.py --compare BEFORE.json AFTER.json   (also for paths.py files)

Each page of samples/pages and tests/fixtures/pages (and a gzip copy of each plain one) is
uploaded to a versioned bucket on moto under a deep key with a space, and the handler of
``--root`` (default: this checkout; another clone or worktree for "before") is invoked with
an S3 notification for the upload, then for its deletion; ``--wcxb N`` adds the first N pages
of ../shared/datasets/wcxb-dev (stored gzip, as the corpus keeps them). What varies from run to run
(extraction timestamp and duration, version ids, LastModified, event ids) is left out.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# change_id hashes the object's version id, which moto draws at random on every put.
VARYING = {"timestamp", "duration_ms", "version_id", "last_modified", "change_id"}
REGION = "us-east-1"


def stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<varies>" if k in VARYING else stable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


WCXB = ROOT.parent / "shared" / "datasets" / "wcxb-dev" / "html"


def pages(wcxb: int = 0) -> list[tuple[str, bytes]]:
    """The same inputs whichever checkout runs: this one's sample and regression pages, and the
    first ``wcxb`` pages of the WCXB development corpus."""
    found = [(f"wcxb-{path.name}", path.read_bytes()) for path in sorted(WCXB.glob("*.html.gz"))[:wcxb]]
    for folder in (ROOT / "samples" / "pages", ROOT / "tests" / "fixtures" / "pages"):
        for path in sorted(folder.iterdir()):
            if path.suffix == ".json":
                continue
            data = path.read_bytes()
            found.append((path.name, data))
            if not data.startswith(b"\x1f\x8b") and path.suffix != ".png":
                found.append((path.name + ".gz", gzip.compress(data, mtime=0)))
    return found


class Context:
    function_name = "pagesift-snapshot"
    function_version = "$LATEST"
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:pagesift-snapshot"
    memory_limit_in_mb = 512
    aws_request_id = "snapshot"
    log_group_name = "snapshot"
    log_stream_name = "snapshot"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def moto_account() -> tuple[Any, Any, str]:
    """Inside mock_aws: the buckets, table and bus the handler's environment names, and a queue
    that captures every event put on the bus. Returns the S3 and SQS clients and the queue."""
    import boto3

    s3 = boto3.client("s3", region_name=REGION)
    for bucket in ("input", "documents"):
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket="input", VersioningConfiguration={"Status": "Enabled"})
    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName="state", AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    events = boto3.client("events", region_name=REGION)
    events.create_event_bus(Name="bus")
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="captured")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventBusName="bus", EventPattern=json.dumps({"source": ["pagesift"]}))
    events.put_targets(Rule="all", EventBusName="bus", Targets=[{"Id": "q", "Arn": arn}])
    return s3, sqs, queue


def load_handler(root: Path) -> Any:
    """The handler module of the checkout ``root``, as its own copy."""
    spec = importlib.util.spec_from_file_location(f"_handler_of_{abs(hash(str(root)))}", root / "functions" / "extract" / "app.py")
    assert spec is not None and spec.loader is not None
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    return app


def snapshot(root: Path, wcxb: int = 0) -> dict[str, Any]:
    # The handler module of that checkout, and its package: the layout moved once
    # (functions/extract/pagesift before, functions/pagesift after).
    sys.path[:0] = [str(root / "functions"), str(root / "functions" / "extract")]
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION, AWS_REGION=REGION,
        DOCUMENTS_BUCKET="documents", DOCUMENTS_PREFIX="documents/", EVENT_BUS_NAME="bus", STATE_TABLE="state",
        POWERTOOLS_SERVICE_NAME="pagesift", POWERTOOLS_METRICS_NAMESPACE="Pagesift", LOG_LEVEL="ERROR",
        POWERTOOLS_METRICS_DISABLED="true",
    )
    from moto import mock_aws

    result: dict[str, Any] = {}
    with mock_aws():
        s3, sqs, queue = moto_account()
        app = load_handler(root)

        def captured() -> list[dict[str, Any]]:
            got = []
            while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
                for message in messages:
                    event = json.loads(message["Body"])
                    got.append({k: stable(event[k]) for k in ("source", "detail-type", "resources", "detail")})
                    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            return got

        for sequence, (name, data) in enumerate(pages(wcxb)):
            key = f"deep/pre fix/{name}"
            stored = s3.put_object(Bucket="input", Key=key, Body=data, Metadata={"url": f"https://example.org/{name}"})

            def notification(event_name: str, version: str | None, sequencer: int) -> dict[str, Any]:
                obj = {"key": key.replace(" ", "+"), "size": len(data), "eTag": stored["ETag"].strip('"'),
                       "versionId": version, "sequencer": f"{sequencer:016X}"}
                return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": event_name,
                                     "eventTime": "2021-01-01T00:00:00Z", "s3": {"bucket": {"name": "input"}, "object": obj}}]}

            put = app.lambda_handler(notification("ObjectCreated:Put", stored["VersionId"], 2 * sequence + 1), Context())
            documents = {
                item["Key"]: stable(json.loads(s3.get_object(Bucket="documents", Key=item["Key"])["Body"].read()))
                for item in s3.list_objects_v2(Bucket="documents").get("Contents", [])
            }
            put_events = captured()
            marker = s3.delete_object(Bucket="input", Key=key).get("VersionId")
            deleted = app.lambda_handler(notification("ObjectRemoved:DeleteMarkerCreated", marker, 2 * sequence + 2), Context())
            result[name] = {
                "documents": documents,
                "events_put": put_events,
                "events_delete": captured(),
                "left": [item["Key"] for item in s3.list_objects_v2(Bucket="documents").get("Contents", [])],
                "status": [o.get("status") for o in put.get("outcomes", []) + deleted.get("outcomes", [])],
            }
    return result


def compare(before: Path, after: Path) -> int:
    old, new = json.loads(before.read_text()), json.loads(after.read_text())
    changed = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
    print(f"{len(old)} entries before, {len(new)} after; {len(changed)} differ")
    for name in changed:
        print(f"  {name}")
    return 1 if changed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose handler runs")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--wcxb", type=int, default=0, metavar="N", help="also the first N pages of wcxb-dev")
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    if args.out is None:
        parser.error("give OUT.json, or --compare BEFORE AFTER")
    result = snapshot(args.root.resolve(), args.wcxb)
    args.out.write_text(json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"{len(result)} pages -> {args.out}")


if __name__ == "__main__":
    main()
