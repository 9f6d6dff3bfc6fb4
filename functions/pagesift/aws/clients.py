"""The boto3 clients of a function, and the one retry policy of every AWS call they make.

Each AWS call is retried by botocore alone, in its "standard" mode: throttling
(Throttling, SlowDown, ProvisionedThroughputExceeded...), 5xx answers, timeouts and broken
connections, with exponential backoff and jitter, up to ``MAX_ATTEMPTS`` attempts. Nothing in
pagesift wraps a call in another retry loop: stacked loops multiply (3 x 4 x 5 = 60 calls for
one PutEvents before this module). Timeouts are short, so that a stalled call is retried
well inside the page's time budget instead of eating it.

The one retry above a call is of a different kind: PutEvents answers 200 with some entries
failed, which botocore does not see; ``EventBridgePublisher`` sends those entries again, each
resend a call with this same policy. Past every attempt the error goes up and the delivery
is retried by its queue (or Batch Operations), then dead-lettered.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

MAX_ATTEMPTS = 5  # the first call and four retries
CONNECT_TIMEOUT_SECONDS = 3
READ_TIMEOUT_SECONDS = 10

CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
)


def client(service: str, **kwargs: Any) -> Any:
    """A boto3 client for ``service`` with the retry policy above."""
    return boto3.client(service, config=CLIENT_CONFIG, **kwargs)
