"""The stack on a bucket another team already crawls into: the bucket exists on the server before
the stack (with its own S3 notification to the team's queue, never versioned), the stack watches
it under a prefix (ExistingInputBucketName, InputPrefix), ``pagesift connect`` turns its
EventBridge notifications on, and a page uploaded there becomes a document and an event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

from pagesift_local.cli.parser import main
from pagesift_local.stack import LocalStack
from pagesift_local.worker import QueueWorker
from tests.integration.test_cli import run as run_cli
from tests.integration.test_pipeline import Indexer
from tests.support.pages import article_bytes
from tests.support.schemas import validate_document, validate_event

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
CRAWL, PREFIX = "team-crawl", "crawl/"
STACK = "pagesift-existing"


def create_crawl_bucket(server: LocalStack) -> None:
    """The team's bucket as it was before pagesift: S3 notifies the team's own queue of uploads."""
    s3, sqs = server.client("s3"), server.client("sqs")
    s3.create_bucket(Bucket=CRAWL)
    url = sqs.create_queue(QueueName="team-crawl-uploads")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = {"Id": "team-index", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}
    s3.put_bucket_notification_configuration(Bucket=CRAWL, NotificationConfiguration={"QueueConfigurations": [queue]})


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    parameters = {"ExistingInputBucketName": CRAWL, "InputPrefix": PREFIX}
    with LocalStack(
        ROOT / "template.yaml", stack_name=STACK, parameters=parameters, prepare=create_crawl_bucket
    ) as running:
        yield running


def pagesift(stack: LocalStack, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    """``pagesift ARGS --endpoint-url <the stack's>``: exit status, stdout lines, stderr."""
    code = main([*args, "--endpoint-url", stack.endpoint_url])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def notification_configuration(stack: LocalStack) -> dict[str, Any]:
    configuration = stack.client("s3").get_bucket_notification_configuration(Bucket=CRAWL)
    configuration.pop("ResponseMetadata")
    return {k: v for k, v in configuration.items() if v != []}


def test_the_stack_watches_the_existing_bucket_and_creates_none(stack: LocalStack) -> None:
    assert stack.info()["input_bucket"] == CRAWL
    assert stack.function.environment["INPUT_BUCKET"] == CRAWL
    assert (stack.outputs["WatchedInput"], stack.outputs["InputBucketCreatedByStack"]) == (
        f"s3://{CRAWL}/{PREFIX}",
        "false",
    )
    buckets = {b["Name"] for b in stack.client("s3").list_buckets()["Buckets"]}
    assert buckets == {CRAWL, stack.info()["documents_bucket"], f"{STACK}-artifacts"}


def test_connect_turns_eventbridge_on_and_keeps_the_teams_queue(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    before = notification_configuration(stack)
    code, lines, err = pagesift(stack, capsys, "connect", f"s3://{CRAWL}/{PREFIX}", "--stack", STACK)
    assert (code, err) == (0, "")
    assert lines == [
        f"s3://{CRAWL}: turned EventBridge notifications on, its 1 queue kept as they were",
        f"s3://{CRAWL}: not versioned: extraction works; a page overwritten or deleted cannot be brought back (docs/deploying.md)",
        f"stack '{STACK}' watches s3://{CRAWL}/{PREFIX}: pages uploaded under s3://{CRAWL}/{PREFIX} are extracted",
    ]
    assert notification_configuration(stack) == {**before, "EventBridgeConfiguration": {}}
    # Twice: nothing changes.
    code, lines, _ = pagesift(stack, capsys, "connect", f"s3://{CRAWL}/{PREFIX}")
    assert (
        code == 0
        and lines[0] == f"s3://{CRAWL}: EventBridge notifications already on, nothing changed (beside its 1 queue)"
    )
    assert notification_configuration(stack) == {**before, "EventBridgeConfiguration": {}}


def test_a_page_uploaded_under_the_prefix_becomes_a_document_and_an_event(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pagesift(stack, capsys, "connect", f"s3://{CRAWL}/{PREFIX}")[0] == 0
    s3, key, outside = stack.client("s3"), f"{PREFIX}news/story.html", "other/story.html"
    s3.put_object(Bucket=CRAWL, Key=outside, Body=article_bytes(title="Elsewhere"), ContentType="text/html")
    s3.put_object(Bucket=CRAWL, Key=key, Body=article_bytes(), ContentType="text/html")
    with QueueWorker(stack, batching_window_seconds=1):
        extracted = Indexer(stack).wait_for(key, "Document Extracted")
    validate_event(extracted)
    pointer = extracted["detail"]["document"]
    document = json.loads(s3.get_object(Bucket=pointer["bucket"], Key=pointer["key"])["Body"].read())
    validate_document(document)
    assert document["source"]["bucket"] == CRAWL and document["source"]["key"] == key
    # The rule takes only keys under InputPrefix: the other upload never reached the function.
    items = stack.client("dynamodb").scan(TableName=stack.info()["state_table"])["Items"]
    assert [item["id"]["S"] for item in items] == [f"object#{CRAWL}/{key}"]
    # The team's own notifications still arrive.
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName="team-crawl-uploads")["QueueUrl"]
    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    notified = {unquote_plus(body["Records"][0]["s3"]["object"]["key"]) for body in bodies if "Records" in body}
    assert {key, outside} <= notified


def test_connect_says_when_the_stack_watches_another_bucket(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.client("s3").create_bucket(Bucket="another-crawl")
    code, lines, err = pagesift(stack, capsys, "connect", "s3://another-crawl", "--stack", STACK)
    assert (code, lines) == (1, [])  # the stack is checked first: the bucket is left as it was
    assert err == (
        f"pagesift connect: stack '{STACK}' watches s3://{CRAWL}/{PREFIX}, not s3://another-crawl/: "
        "deploy it with ExistingInputBucketName=another-crawl InputPrefix=(empty) (nothing was changed)\n"
    )
    configuration = stack.client("s3").get_bucket_notification_configuration(Bucket="another-crawl")
    assert "EventBridgeConfiguration" not in configuration


def test_connect_says_when_the_stack_watches_only_part_of_the_prefix(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = pagesift(stack, capsys, "connect", f"s3://{CRAWL}", "--stack", STACK)
    assert code == 1 and f"watches s3://{CRAWL}/{PREFIX}, not s3://{CRAWL}/" in err


def test_connect_to_a_missing_bucket_or_stack_fails_in_one_line(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, err = pagesift(stack, capsys, "connect", "s3://no-such-crawl")
    assert (code, lines) == (1, [])
    assert (
        err
        == "pagesift connect: no bucket 'no-such-crawl': check its name, and that these credentials are of its account\n"
    )
    code, _, err = pagesift(stack, capsys, "connect", f"s3://{CRAWL}", "--stack", "no-such-stack", "--dry-run")
    assert (
        code == 1
        and err == "pagesift connect: no stack 'no-such-stack' in this region: check --stack and --region "
        "(and --endpoint-url for `pagesift local up`)\n"
    )


def test_connect_to_an_endpoint_that_does_not_answer_fails_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["connect", f"s3://{CRAWL}", "--endpoint-url", "http://127.0.0.1:9"]) == 1
    _, err = capsys.readouterr()
    assert err.startswith("pagesift connect: cannot reach http://127.0.0.1:9") and err.count("\n") == 1


def test_connect_without_region_or_credentials_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    # No configuration of the machine's, and no instance metadata to ask for credentials.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["connect", f"s3://{CRAWL}"]) == 1
    assert capsys.readouterr().err.startswith("pagesift connect: no AWS region: pass --region")
    assert main(["connect", f"s3://{CRAWL}", "--region", "eu-west-1"]) == 1
    assert capsys.readouterr().err.startswith("pagesift connect: no AWS credentials found")


@pytest.mark.parametrize("target", ["team-crawl", "s3://", "s3://Not_A_Bucket/x", "https://team-crawl/"])
def test_a_target_that_is_no_s3_location_is_a_usage_error(target: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["connect", target])
    assert exit_.value.code == 2 and "expected s3://bucket or s3://bucket/prefix" in capsys.readouterr().err


def test_local_run_makes_the_existing_bucket_on_its_server_and_extracts_there(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_bytes(article_bytes())
    parameters = ["--parameter", "ExistingInputBucketName=local-crawl", "--parameter", f"InputPrefix={PREFIX}"]
    result = run_cli("local", "run", str(page), *parameters, "--prefix", PREFIX, "--json")
    assert result.returncode == 0, result.stderr
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    source = row["event"]["detail"]["source"]
    assert row["event"]["detail-type"] == "Document Extracted"
    assert (source["bucket"], source["key"]) == ("local-crawl", f"{PREFIX}story.html")
