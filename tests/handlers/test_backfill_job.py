"""``pagesift backfill`` on AWS, without AWS: moto has no S3 Batch Operations jobs, so S3 is
moto's and ``s3control`` and ``sts`` are botocore stubs, which check every request against the
service's own model (a CreateJob the real API would refuse fails here too); the job's
completion report is written in the format AWS writes it."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from pagesift_local import backfill
from pagesift_local.errors import CommandError

REGION = "us-east-1"
ACCOUNT = "123456789012"
NAMES = backfill.StackNames(function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:pagesift-extract",
                            function_name="pagesift-extract", documents_bucket="docs", role_arn=f"arn:aws:iam::{ACCOUNT}:role/batch")
KEYS = ["crawl/2024/a page+1.html", "crawl/2024/ünï/b.warc.gz", "crawl/2024/deep/er/c.html"]
TOKEN = uuid.UUID(int=7).hex


class Session:
    """What ``run_on_aws`` asks of a boto3 session: its clients."""

    def __init__(self, clients: dict[str, Any]) -> None:
        self.clients = clients
        self.region_name = REGION

    def client(self, name: str) -> Any:
        return self.clients[name]


def report_csv() -> bytes:
    # Rows as AWS writes them: HTTP status, then the error code of a failure.
    return (
        'input,crawl/2024/a%20page%2B1.html,,succeeded,200,,"extracted: documents/crawl/2024/a page+1.html.json"\n'
        "input,crawl/2024/%C3%BCn%C3%AF/b.warc.gz,,succeeded,200,,archive: run started\n"
        'input,crawl/2024/deep/er/c.html,,failed,200,PermanentFailure,"Lambda returned function error: Task timed out"\n'
    ).encode()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(backfill.uuid, "uuid4", lambda: uuid.UUID(int=7))
    monkeypatch.setattr(backfill.time, "sleep", lambda seconds: None)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in ("input", "docs"):
            s3.create_bucket(Bucket=bucket)
        for key in KEYS + ["crawl/2024/folder/", "elsewhere/d.html"]:
            s3.put_object(Bucket="input", Key=key, Body=b"<html></html>")
        s3control, sts = boto3.client("s3control", region_name=REGION), boto3.client("sts", region_name=REGION)
        with Stubber(s3control) as control, Stubber(sts) as identity:
            yield s3, control, identity, Session({"s3": s3, "s3control": s3control, "sts": sts})


def expect_job(control: Stubber, identity: Stubber, purpose: str) -> None:
    identity.add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/me", "UserId": "me"})
    control.add_response("create_job", {"JobId": "job-1"}, {
        "AccountId": ACCOUNT, "ConfirmationRequired": False, "ClientRequestToken": TOKEN,
        "Description": f"pagesift {purpose} s3://input/crawl/2024/", "Priority": 10, "RoleArn": NAMES.role_arn,
        "Operation": {"LambdaInvoke": {"FunctionArn": NAMES.function_arn, "InvocationSchemaVersion": "2.0",
                                       "UserArguments": {"pagesift": purpose}}},
        "Manifest": {"Spec": {"Format": "S3BatchOperations_CSV_20180820", "Fields": ["Bucket", "Key"]},
                     "Location": {"ObjectArn": f"arn:aws:s3:::docs/_pagesift/backfill/{TOKEN}/manifest.csv", "ETag": ANY}},
        "Report": {"Bucket": "arn:aws:s3:::docs", "Prefix": f"_pagesift/backfill/{TOKEN}/report", "Format": "Report_CSV_20180820",
                   "Enabled": True, "ReportScope": "AllTasks"},
    })


def job_status(status: str, succeeded: int, failed: int) -> dict[str, Any]:
    return {"Job": {"JobId": "job-1", "Status": status,
                    "ProgressSummary": {"TotalNumberOfTasks": 3, "NumberOfTasksSucceeded": succeeded, "NumberOfTasksFailed": failed}}}


def test_a_backfill_on_aws_creates_a_valid_job_on_its_manifest_follows_it_and_reads_its_report(aws: Any) -> None:
    s3, control, identity, session = aws
    expect_job(control, identity, "reextract")
    control.add_response("describe_job", job_status("Preparing", 0, 0), {"AccountId": ACCOUNT, "JobId": "job-1"})
    control.add_response("describe_job", job_status("Active", 1, 0), {"AccountId": ACCOUNT, "JobId": "job-1"})

    seen: list[tuple[int, int]] = []

    def complete_with_report(done: int, total: int) -> None:
        seen.append((done, total))
        if len(seen) == 2:  # the job finishes: AWS writes its report, then says Complete
            s3.put_object(Bucket="docs", Key=f"_pagesift/backfill/{TOKEN}/report/job-job-1/manifest.json", Body=b"{}")
            s3.put_object(Bucket="docs", Key=f"_pagesift/backfill/{TOKEN}/report/job-job-1/results/abc.csv", Body=report_csv())
            control.add_response("describe_job", job_status("Complete", 2, 1), {"AccountId": ACCOUNT, "JobId": "job-1"})

    report = backfill.run_on_aws(session, NAMES, backfill.Target("input", "crawl/2024/"), "reextract", wait=True,
                                 progress=complete_with_report)

    control.assert_no_pending_responses()
    manifest = s3.get_object(Bucket="docs", Key=f"_pagesift/backfill/{TOKEN}/manifest.csv")["Body"].read().decode()
    assert manifest.splitlines() == ["input,crawl%2F2024%2Fa%20page%2B1.html", "input,crawl%2F2024%2Fdeep%2Fer%2Fc.html",
                                     "input,crawl%2F2024%2F%C3%BCn%C3%AF%2Fb.warc.gz"]  # no folder, nothing outside the prefix
    assert seen == [(0, 3), (1, 3), (3, 3)]
    assert report.tasks == 3
    assert dict(report.codes) == {"Succeeded": 2, "PermanentFailure": 1}
    assert dict(report.outcomes) == {"extracted": 1, "archive: run started": 1, "failed": 1}
    assert report.failures == [{"key": "crawl/2024/deep/er/c.html", "result": "PermanentFailure",
                                "why": "Lambda returned function error: Task timed out"}]


def test_a_backfill_on_aws_without_waiting_returns_the_job_and_where_its_report_will_be(aws: Any) -> None:
    _s3, control, identity, session = aws
    expect_job(control, identity, "backfill")
    report = backfill.run_on_aws(session, NAMES, backfill.Target("input", "crawl/2024/"), "backfill", wait=False,
                                 progress=lambda done, total: None)
    control.assert_no_pending_responses()
    assert (report.job_id, report.report) == ("job-1", f"s3://docs/_pagesift/backfill/{TOKEN}/report/")


def test_a_failed_job_is_a_failure_with_the_reasons_aws_gives(aws: Any) -> None:
    _s3, control, identity, session = aws
    expect_job(control, identity, "backfill")
    failed = job_status("Failed", 0, 0)
    failed["Job"]["FailureReasons"] = [{"FailureCode": "AccessDenied", "FailureReason": "Reading the manifest is forbidden"}]
    control.add_response("describe_job", failed, {"AccountId": ACCOUNT, "JobId": "job-1"})
    report = backfill.run_on_aws(session, NAMES, backfill.Target("input", "crawl/2024/"), "backfill", wait=True,
                                 progress=lambda done, total: None)
    assert report.failures[-1]["key"] == "(job)" and report.failures[-1]["result"] == "Failed"
    assert "Reading the manifest is forbidden" in report.failures[-1]["why"]


def test_a_stack_without_the_batch_role_is_refused_before_anything_is_written(aws: Any) -> None:
    s3, _control, _identity, session = aws
    names = backfill.StackNames(NAMES.function_arn, NAMES.function_name, NAMES.documents_bucket, None)
    with pytest.raises(CommandError, match="BatchOperationsRoleArn"):
        backfill.run_on_aws(session, names, backfill.Target("input", "crawl/2024/"), "backfill", wait=True,
                            progress=lambda done, total: None)
    assert "Contents" not in s3.list_objects_v2(Bucket="docs")


@pytest.mark.parametrize(("row", "expected"), [
    (["b", "a%20b%2Bc.html", "", "succeeded", "200", "", "extracted"], ("a b+c.html", "Succeeded", "extracted")),
    (["b", "k", "", "failed", "200", "PermanentFailure", "timed out"], ("k", "PermanentFailure", "timed out")),
    (["b", "k", "", "failed", "TemporaryFailure", "200", "later"], ("k", "TemporaryFailure", "later")),  # the declared order
    (["b", "k", "", "failed", "500", "", "?"], ("k", "PermanentFailure", "?")),
])
def test_report_rows_are_read_in_the_order_aws_writes_them_and_in_the_declared_one(row: list[str], expected: tuple[str, str, str]) -> None:
    assert backfill.report_row(row) == expected
