"""``pagesift backfill s3://bucket/prefix``: every object already under a prefix through the
function, as an S3 Batch Operations job; ``--reextract`` also redoes what an older pagesift or
other options made (the function decides per object, from its record: docs/archives.md).

The command lists the prefix (or, with ``--inventory``, reads an S3 Inventory report of the
bucket: millions of keys without listing them) and writes the job's manifest (a Batch Operations CSV of bucket
and URL-encoded key) to the documents bucket under ``_pagesift/backfill/<job>/``. On AWS it
creates the job (``s3control:CreateJob``, operation LambdaInvoke on the function, schema 2.0,
``userArguments: {"pagesift": "backfill" | "reextract"}``, the role the template gives it,
a report of every task beside the manifest), follows its progress and reads the report. On the
embedded local stack (``--endpoint-url``), where moto runs no Batch Operations job, it plays the
job itself on the same manifest: each task is an invocation of the function's own handler
(loaded as the local worker loads it) with the event Batch Operations sends, retried while it
answers ``TemporaryFailure``, and the report is written where the job would write it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, unquote, urlparse

from botocore.exceptions import ClientError

from .errors import CommandError, UsageError
from .outputs import stack_outputs
from .stack import FunctionConfig
from .worker import LambdaContext, handler_of, load_function_module

BACKFILL_PREFIX = "_pagesift/backfill/"
TEMPORARY_RETRIES = 5  # of a task that answers TemporaryFailure, locally (Batch Operations retries it too)


@dataclass(frozen=True, slots=True)
class Target:
    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> Target:
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise UsageError(f"expected s3://bucket/prefix, got {url!r}")
        return cls(parsed.netloc, parsed.path.lstrip("/"))


@dataclass(frozen=True, slots=True)
class StackNames:
    """What the command needs of the stack, from its outputs."""

    function_arn: str
    function_name: str
    documents_bucket: str
    role_arn: str | None
    watched: str | None = None  # s3://bucket/prefix the stack extracts (older stacks do not say)

    @classmethod
    def of_stack(cls, cloudformation: Any, stack_name: str) -> StackNames:
        required = ("ExtractFunctionArn", "ExtractFunctionName", "DocumentsBucketName")
        outputs = stack_outputs(cloudformation, stack_name, required)
        return cls(
            outputs["ExtractFunctionArn"],
            outputs["ExtractFunctionName"],
            outputs["DocumentsBucketName"],
            outputs.get("BatchOperationsRoleArn"),
            outputs.get("WatchedInput"),
        )


@dataclass(slots=True)
class JobReport:
    """A backfill job's outcome: a row per task, tallied."""

    job_id: str
    tasks: int = 0
    codes: Counter[str] = field(default_factory=Counter)  # Succeeded, PermanentFailure, TemporaryFailure
    outcomes: Counter[str] = field(default_factory=Counter)  # extracted, unchanged, skipped, archive, failed ...
    failures: list[dict[str, str]] = field(default_factory=list)  # the first few, with their reasons
    report: str | None = None  # where the job's report is

    def add(self, key: str, code: str, text: str) -> None:
        self.tasks += 1
        self.codes[code] += 1
        self.outcomes[_outcome_of(code, text)] += 1
        if code != "Succeeded" and len(self.failures) < 20:
            self.failures.append({"key": key, "result": code, "why": text})

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "tasks": self.tasks,
            "results": dict(self.codes),
            "outcomes": dict(self.outcomes),
            "failures": self.failures,
            "report": self.report,
        }

    def render(self) -> str:
        lines = [f"backfill job {self.job_id}: {self.tasks} objects", ""]
        width = max([len(name) for name in self.outcomes] + [10])
        lines += [
            f"  {name.ljust(width)}  {count:>8}"
            for name, count in sorted(self.outcomes.items(), key=lambda item: -item[1])
        ]
        lines += ["", "  " + ", ".join(f"{code}: {count}" for code, count in sorted(self.codes.items()))]
        lines += [f"  {failure['key']}: {failure['result']}: {failure['why'][:160]}" for failure in self.failures]
        if self.report:
            lines.append(f"  report: {self.report}")
        return "\n".join(lines)


def _outcome_of(code: str, text: str) -> str:
    """The outcome a task's result string names (pagesift.delivery.batch_results)."""
    if code == "PermanentFailure":
        return "failed"
    if code == "TemporaryFailure":
        return "not done (retry the job)"
    head = text.split(":", 1)[0].strip()
    return {"archive": "archive: run started"}.get(head, head)


def list_keys(s3: Any, target: Target) -> Iterator[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=target.bucket, Prefix=target.prefix):
        for item in page.get("Contents", []):
            if not item["Key"].endswith("/"):  # "folders" made by consoles
                yield item["Key"]


def _inventory_manifest(s3: Any, where: Target) -> dict[str, Any]:
    """The manifest.json of an S3 Inventory report; CommandError when it is not there or not one."""
    url = f"s3://{where.bucket}/{where.prefix}"
    try:
        manifest = json.loads(s3.get_object(Bucket=where.bucket, Key=where.prefix)["Body"].read())
    except ClientError as error:
        if error.response["Error"].get("Code") not in ("NoSuchKey", "404"):
            raise
        raise CommandError(
            f"no inventory manifest at {url}: give the manifest.json of an S3 Inventory report"
        ) from error
    except ValueError as error:
        raise CommandError(f"{url} is not an inventory manifest (not JSON: {error})") from error
    if not isinstance(manifest, dict) or "files" not in manifest or "fileSchema" not in manifest:
        raise CommandError(f"{url} is not an S3 Inventory manifest (no files or fileSchema)")
    return manifest


def inventory_keys(s3: Any, manifest_url: str, target: Target) -> Iterator[str]:
    """The keys under the target's prefix that an S3 Inventory report lists (its manifest.json:
    CSV files, gzip, whose schema names the Bucket and Key columns; keys URL-encoded)."""
    manifest = _inventory_manifest(s3, Target.parse(manifest_url))
    if manifest.get("fileFormat", "CSV").upper() != "CSV":
        raise CommandError(f"only CSV inventory reports are read, not {manifest.get('fileFormat')}")
    columns = [name.strip() for name in manifest["fileSchema"].split(",")]
    bucket_at, key_at = columns.index("Bucket"), columns.index("Key")
    data_bucket = manifest["destinationBucket"].rsplit(":", 1)[-1]
    for file in manifest["files"]:
        body = s3.get_object(Bucket=data_bucket, Key=file["key"])["Body"].read()
        for row in csv.reader(io.StringIO(gzip.decompress(body).decode("utf-8"))):
            key = unquote(row[key_at])
            if row[bucket_at] == target.bucket and key.startswith(target.prefix) and not key.endswith("/"):
                yield key


def write_manifest(
    s3: Any, names: StackNames, target: Target, job_id: str, inventory: str | None = None
) -> tuple[str, str, list[str]]:
    """The job's manifest (Batch Operations CSV: bucket, URL-encoded key): its key, ETag and keys."""
    keys = list(inventory_keys(s3, inventory, target) if inventory else list_keys(s3, target))
    body = "".join(f"{target.bucket},{quote(key, safe='')}\n" for key in keys).encode("utf-8")
    key = f"{BACKFILL_PREFIX}{job_id}/manifest.csv"
    etag = s3.put_object(Bucket=names.documents_bucket, Key=key, Body=body, ContentType="text/csv")["ETag"].strip('"')
    return key, etag, keys


def run_on_aws(
    session: Any,
    names: StackNames,
    target: Target,
    purpose: str,
    *,
    wait: bool,
    progress: Callable[[int, int], None],
    inventory: str | None = None,
) -> JobReport:
    if not names.role_arn:
        raise CommandError("the stack has no BatchOperationsRoleArn output (deploy this version of the template)")
    s3, s3control, sts = session.client("s3"), session.client("s3control"), session.client("sts")
    job_token = uuid.uuid4().hex
    manifest_key, etag, keys = write_manifest(s3, names, target, job_token, inventory)
    if not keys:
        return JobReport(job_token)
    account = sts.get_caller_identity()["Account"]
    job = s3control.create_job(
        AccountId=account,
        ConfirmationRequired=False,
        ClientRequestToken=job_token,
        Description=f"pagesift {purpose} s3://{target.bucket}/{target.prefix}"[:256],
        Priority=10,
        RoleArn=names.role_arn,
        Operation={
            "LambdaInvoke": {
                "FunctionArn": names.function_arn,
                "InvocationSchemaVersion": "2.0",
                "UserArguments": {"pagesift": purpose},
            }
        },
        Manifest={
            "Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
            "Location": {"ObjectArn": f"arn:aws:s3:::{names.documents_bucket}/{manifest_key}", "ETag": etag},
        },
        Report={
            "Bucket": f"arn:aws:s3:::{names.documents_bucket}",
            "Prefix": f"{BACKFILL_PREFIX}{job_token}/report",
            "Format": "Report_CSV_20180820",
            "Enabled": True,
            "ReportScope": "AllTasks",
        },
    )
    report = JobReport(job["JobId"], report=f"s3://{names.documents_bucket}/{BACKFILL_PREFIX}{job_token}/report/")
    if not wait:
        return report
    while True:
        described = s3control.describe_job(AccountId=account, JobId=job["JobId"])["Job"]
        summary = described.get("ProgressSummary", {})
        progress(int(summary.get("NumberOfTasksSucceeded", 0)) + int(summary.get("NumberOfTasksFailed", 0)), len(keys))
        if described["Status"] in ("Complete", "Failed", "Cancelled"):
            break
        time.sleep(5)
    for key in list_keys(s3, Target(names.documents_bucket, f"{BACKFILL_PREFIX}{job_token}/report")):
        if key.endswith(".csv"):
            body = s3.get_object(Bucket=names.documents_bucket, Key=key)["Body"].read().decode("utf-8")
            for row in csv.reader(io.StringIO(body)):
                if len(row) >= 7:
                    report.add(*report_row(row))
    if described["Status"] != "Complete":
        report.failures.append(
            {"key": "(job)", "result": described["Status"], "why": json.dumps(described.get("FailureReasons", []))}
        )
    return report


def report_row(row: list[str]) -> tuple[str, str, str]:
    """A completion report's row → (key, result code, result string). The report's declared
    schema is Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage, but
    the reports AWS writes (and its examples) hold the HTTP status before the error code
    (``…,failed,200,PermanentFailure,…``; ``…,succeeded,200,,…``): the code is whichever of the
    two is not a number, else the task's status says it."""
    code = next((value for value in row[4:6] if value and not value.isdigit()), "")
    if not code:
        code = "Succeeded" if row[3].lower() == "succeeded" else "PermanentFailure"
    return unquote(row[1]), code, row[6]


def run_locally(
    session: Any,
    endpoint_url: str,
    names: StackNames,
    target: Target,
    purpose: str,
    *,
    concurrency: int,
    template_dir: Any,
    progress: Callable[[int, int], None],
    inventory: str | None = None,
) -> JobReport:
    """The job, played on the embedded stack: the same manifest, the same events, the function's
    own handler (one task an invocation, as Batch Operations invokes it), the same report."""
    s3, lam = session.client("s3"), session.client("lambda")
    job_id = uuid.uuid4().hex
    manifest_key, _etag, _keys = write_manifest(s3, names, target, job_id, inventory)
    rows = [
        line.split(",", 1)
        for line in s3.get_object(Bucket=names.documents_bucket, Key=manifest_key)["Body"].read().decode().splitlines()
    ]
    fn = lam.get_function_configuration(FunctionName=names.function_name)
    stack = SimpleNamespace(
        function=FunctionConfig(
            code_dir=template_dir / "functions",
            handler=fn["Handler"],
            environment={k: str(v) for k, v in fn.get("Environment", {}).get("Variables", {}).items()},
            timeout=int(fn["Timeout"]),
            memory_size=int(fn["MemorySize"]),
        ),
        endpoint_url=endpoint_url,
        region=session.region_name,
        outputs={"ExtractFunctionName": names.function_name},
    )
    # The namespace stands in for a LocalStack: the loaders read only its function, endpoint, region and outputs.
    handlers = [handler_of(stack, load_function_module(stack)) for _ in range(max(1, concurrency))]  # type: ignore[arg-type]
    report = JobReport(job_id, report=f"s3://{names.documents_bucket}/{BACKFILL_PREFIX}{job_id}/report/report.csv")
    done = 0

    def task(number: int, bucket: str, encoded_key: str) -> tuple[str, str, str]:
        handler = handlers[number % len(handlers)]
        event = {
            "invocationSchemaVersion": "2.0",
            "invocationId": uuid.uuid4().hex,
            "job": {"id": job_id, "userArguments": {"pagesift": purpose}},
            "tasks": [{"taskId": f"task-{number}", "s3Bucket": bucket, "s3Key": encoded_key, "s3VersionId": None}],
        }
        for attempt in range(TEMPORARY_RETRIES):
            context = LambdaContext(
                function_name=names.function_name,
                memory_limit_in_mb=stack.function.memory_size,
                invoked_function_arn=names.function_arn,
                timeout_seconds=stack.function.timeout,
                aws_request_id=uuid.uuid4().hex,
                _deadline=time.monotonic() + stack.function.timeout,
            )
            result = handler(event, context)["results"][0]
            if result["resultCode"] != "TemporaryFailure":
                break
            time.sleep(min(2**attempt * 0.2, 5))
        return unquote(encoded_key), result["resultCode"], result["resultString"]

    lines = []
    with ThreadPoolExecutor(max_workers=len(handlers)) as pool:
        futures = [pool.submit(task, number, bucket, key) for number, (bucket, key) in enumerate(rows)]
        for future in futures:
            key, code, text = future.result()
            report.add(key, code, text)
            # As AWS writes its rows (report_row): the HTTP status, then the error code of a failure.
            lines.append(
                [
                    target.bucket,
                    quote(key, safe=""),
                    "",
                    "succeeded" if code == "Succeeded" else "failed",
                    "200",
                    "" if code == "Succeeded" else code,
                    text,
                ]
            )
            done += 1
            progress(done, len(rows))
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    s3.put_object(
        Bucket=names.documents_bucket, Key=f"{BACKFILL_PREFIX}{job_id}/report/report.csv", Body=out.getvalue().encode()
    )
    return report
