"""The one retry policy (pagesift.aws.clients): botocore retries what is transient, up to
TOTAL_ATTEMPTS calls, and nothing else; the answers are injected at botocore's HTTP layer,
where a real AWS answer arrives."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from moto import mock_aws

from pagesift.aws.clients import TOTAL_ATTEMPTS, client


class Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_kwargs: Any):
        yield self.body


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, context: 0)


def s3_answering(status: int, code: str, failures: int):
    """An S3 client on moto whose first ``failures`` GetObject calls get ``status``/``code``."""
    s3 = client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="pages")
    s3.put_object(Bucket="pages", Key="k", Body=b"page")
    calls = []

    def answer(request: Any, **_kwargs: Any) -> Any:
        calls.append(request.url)
        if len(calls) <= failures:
            body = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
            return AWSResponse(request.url, status, {}, Raw(body))
        return None

    s3.meta.events.register_first("before-send.s3.GetObject", answer)
    return s3, calls


@pytest.mark.parametrize(("status", "code"), [(503, "SlowDown"), (500, "InternalError"), (400, "RequestTimeout")])
def test_transient_answers_are_retried_until_they_pass(status, code):
    with mock_aws():
        s3, calls = s3_answering(status, code, failures=TOTAL_ATTEMPTS - 1)
        assert s3.get_object(Bucket="pages", Key="k")["Body"].read() == b"page"
        assert len(calls) == TOTAL_ATTEMPTS


def test_a_call_is_made_at_most_total_attempts_times():
    with mock_aws():
        s3, calls = s3_answering(503, "SlowDown", failures=100)
        with pytest.raises(ClientError, match="SlowDown"):
            s3.get_object(Bucket="pages", Key="k")
        assert len(calls) == TOTAL_ATTEMPTS


@pytest.mark.parametrize(("status", "code"), [(403, "AccessDenied"), (404, "NoSuchBucket")])
def test_permanent_answers_are_not_retried(status, code):
    with mock_aws():
        s3, calls = s3_answering(status, code, failures=100)
        with pytest.raises(ClientError, match=code):
            s3.get_object(Bucket="pages", Key="k")
        assert len(calls) == 1
