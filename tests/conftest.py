"""What every test needs: the same environment at the start of each. The mocked AWS account
and the handler in it are fixtures of tests/support/aws.py, exposed to tests/adapters and
tests/handlers by their own conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from tests.support.aws import REGION


@pytest.fixture(autouse=True)
def _isolated_environment() -> Iterator[None]:
    """Every test starts from the same environment; the local stack's worker sets AWS variables
    for its in-process Lambda, and they must not leak into other tests."""
    saved = dict(os.environ)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_LAMBDA_FUNCTION_NAME"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
    )
    yield
    os.environ.clear()
    os.environ.update(saved)
