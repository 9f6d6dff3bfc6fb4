"""The AWS SDK's errors as the command line says them: one line with what to do, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
)

from pagesift_local.cli.errors import explain


def client_error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (NoRegionError(), "no AWS region: pass --region"),
        (NoCredentialsError(), "no AWS credentials found: run `aws configure`"),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "cannot reach http://127.0.0.1:1"),
        (ParamValidationError(report="Invalid bucket name"), "a value AWS does not take"),
        (client_error("NoSuchBucket", "The specified bucket does not exist", "ListObjectsV2"), "no such bucket"),
        (client_error("AccessDenied", "not allowed", "GetObject"), "access denied to GetObject: not allowed"),
        (client_error("ExpiredToken", "expired", "ReceiveMessage"), "the AWS credentials have expired"),
        (client_error("ValidationError", "Stack with id x does not exist", "DescribeStacks"), "check --stack"),
        (client_error("Throttling", "slow down", "PutEvents"), "PutEvents failed: Throttling: slow down"),
    ],
)
def test_aws_errors_are_one_line_with_what_to_do(error: Exception, says: str) -> None:
    explained = explain(error)
    assert explained is not None
    message, code = explained
    assert says in message and "\n" not in message and code == 1


def test_the_region_may_come_from_aws_region_as_other_sdks_read_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import argparse

    from pagesift_local.cli.aws import StackAccess

    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    args = argparse.Namespace(region=None, endpoint_url=None, stack=None)
    assert StackAccess.of(args).region == "eu-west-1"
    assert StackAccess.of(argparse.Namespace(region="us-west-2", endpoint_url=None, stack=None)).region == "us-west-2"
