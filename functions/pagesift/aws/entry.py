"""A function's Lambda entry point: Powertools' decorators around one delegating call, as in
Powertools' own examples, shared by every function's composition root."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

Handle = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def lambda_entry(handle: Handle, *, logger: Logger, tracer: Tracer, metrics: Metrics) -> Handle:
    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return handle(event, context)

    return lambda_handler
