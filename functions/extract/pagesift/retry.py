"""Which AWS errors are worth retrying, and a small backoff loop for the ones that are."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

T = TypeVar("T")

_TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "RequestTimeout",
        "RequestTimeoutException",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "InternalException",
        "ProvisionedThroughputExceededException",
    }
)
_NETWORK_ERRORS = (ConnectionClosedError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError)


def is_transient(error: BaseException) -> bool:
    """True for errors that the same call may not raise a moment later."""
    if isinstance(error, _NETWORK_ERRORS):
        return True
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in _TRANSIENT_CODES or status >= 500 or status == 429
    return False


def backoff_delays(attempts: int, base: float = 0.1, cap: float = 5.0) -> list[float]:
    """Full-jitter exponential backoff (AWS Architecture Blog), one delay between attempts."""
    return [random.uniform(0, min(cap, base * 2**n)) for n in range(attempts - 1)]


def with_retries(call: Callable[[], T], *, attempts: int = 4, sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``call``, retrying transient AWS errors with backoff; others raise at once.

    botocore already retries throttling in its own client ("standard" mode); this covers the
    rest of a Lambda's time budget without hammering a struggling service.
    """
    delays = backoff_delays(attempts)
    for delay in delays:
        try:
            return call()
        except Exception as error:
            if not is_transient(error):
                raise
            sleep(delay)
    return call()
