"""The boto3 clients of a function, and the one retry policy of every AWS call they make.

Each AWS call is retried by botocore alone, in its "standard" mode, up to ``TOTAL_ATTEMPTS``
calls: throttling (Throttling*, SlowDown, ProvisionedThroughputExceeded, RequestLimitExceeded,
TooManyRequests...), HTTP 500/502/503/504, RequestTimeout, timeouts and broken connections.
Backoff is full-jitter exponential: up to 1, 2, 4, 8 s between throttled attempts (about 15 s
at most in all), up to 50, 100, 200, 400 ms after a 5xx (25 ms steps for DynamoDB); a client
that keeps failing runs out of its retry quota and stops retrying, so that an outage is not
made worse. Anything else (AccessDenied, NoSuchBucket, a validation error) is not retried.
Nothing in pagesift wraps a call in another retry loop: stacked loops multiply (up to 80
calls for one PutEvents before this module: the publisher's 5 x an outer loop's 4 x
botocore's 4). Connect and read timeouts are short, so that a stalled connection is retried
instead of hanging for botocore's default 60 s.

The one retry above a call is of a different kind: PutEvents answers 200 with some entries
failed, which botocore does not see; ``EventBridgePublisher`` sends those entries again, each
resend a call with this same policy. Past every attempt the error goes up and the delivery
is retried by its queue (or Batch Operations), then dead-lettered.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

TOTAL_ATTEMPTS = 5  # the first call and four retries
CONNECT_TIMEOUT_SECONDS = 3
READ_TIMEOUT_SECONDS = 10

CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS},
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
)


def client(service: str, **kwargs: Any) -> Any:
    """A boto3 client for ``service`` with the retry policy above."""
    return boto3.client(service, config=CLIENT_CONFIG, **kwargs)
