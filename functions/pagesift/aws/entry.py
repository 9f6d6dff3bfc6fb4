"""A function's Lambda entry point: its handler built by its composition root, and Powertools'
decorators around one delegating call to it, as in Powertools' own examples. Every function's
``app.py`` starts here, and so do the tests that build a function on moto's clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from pagesift.config import Settings

Handle = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


class Handler(Protocol):
    def handle(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]: ...


class Build(Protocol):
    """A function's composition root (``functions/<name>/compose.py``)."""

    def __call__(
        self,
        settings: Settings,
        client: Callable[[str], Any],
        *,
        logger: Logger | None = ...,
        metrics: Metrics | None = ...,
    ) -> Handler: ...


def start(build: Build, settings: Settings, client: Callable[[str], Any]) -> tuple[Any, Handle]:
    """The function's handler, and its ``lambda_handler``: one per execution environment."""
    logger, tracer, metrics = Logger(), Tracer(), Metrics()
    handler = build(settings, client, logger=logger, metrics=metrics)
    return handler, lambda_entry(handler.handle, logger=logger, tracer=tracer, metrics=metrics)


def lambda_entry(handle: Handle, *, logger: Logger, tracer: Tracer, metrics: Metrics) -> Handle:
    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return handle(event, context)

    return lambda_handler
