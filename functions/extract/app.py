"""The extract function's Lambda entry point: its handler built once per execution environment
(reused across invocations) from the environment's settings, behind Powertools' decorators
(pagesift/aws/entry.py). What it does: docs/architecture.md."""

from __future__ import annotations

import os

from extract.compose import build
from pagesift.aws.clients import client
from pagesift.aws.entry import start
from pagesift.config import Settings

handler, lambda_handler = start(build, Settings.from_environ(os.environ), client)
