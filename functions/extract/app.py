"""The extract function's Lambda entry point: its handler built once per execution environment
(reused across invocations) from the environment's settings, behind Powertools' decorators.
What it does: docs/architecture.md."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

from extract.compose import build
from pagesift.aws.clients import client
from pagesift.aws.entry import lambda_entry
from pagesift.config import Settings

logger = Logger()
tracer = Tracer()
metrics = Metrics()

handler = build(Settings.from_environ(os.environ), client, logger=logger, metrics=metrics)
lambda_handler = lambda_entry(handler.handle, logger=logger, tracer=tracer, metrics=metrics)
