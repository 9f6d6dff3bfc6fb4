"""The function's configuration, read once from its environment (docs/contracts.md, "Configuration")."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from pagesift.archives.tasks import RANGE_PAGES, OutputMode
from pagesift.contracts.document import DEFAULT_DOCUMENTS_PREFIX
from pagesift.extraction.limits import DEFAULT_MAX_INPUT_BYTES, Limits
from pagesift.extraction.options import ExtractionOptions

DEFAULT_EXTRACTION_BUDGET_SECONDS = 10.0
REQUIRED = ("DOCUMENTS_BUCKET", "EVENT_BUS_NAME", "STATE_TABLE")
# Settings a function may still carry from an older template, read by nothing: a function
# deployed with one still starts (an update of the code alone must not break it), and says once
# that it ignores it.
IGNORED = ("EXTRACTION_PROFILE",)

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """The function is deployed without a setting it cannot run without."""


@dataclass(frozen=True, slots=True)
class Settings:
    documents_bucket: str
    documents_prefix: str
    event_bus_name: str
    state_table: str
    extraction: ExtractionOptions
    # Web archives (docs/archives.md): where their runs' steps go (None: archives are not read
    # by ranges), what a run writes, and the most captures a range holds.
    archive_queue_url: str | None = None
    output_mode: OutputMode = OutputMode.DOCUMENTS
    archive_range_pages: int = RANGE_PAGES

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> Settings:
        missing = [name for name in REQUIRED if not env.get(name)]
        if missing:
            raise ConfigurationError(f"missing environment variable(s): {', '.join(missing)}")
        if env.get("INPUT_BUCKET") and env["INPUT_BUCKET"] == env["DOCUMENTS_BUCKET"]:
            # Every document written would be a new input: an endless, costly loop.
            raise ConfigurationError(
                f"DOCUMENTS_BUCKET is the input bucket ({env['INPUT_BUCKET']!r}): refusing to start, "
                "documents would trigger the function again"
            )
        max_input_bytes = int(
            _positive(env, "MAX_INPUT_BYTES", DEFAULT_MAX_INPUT_BYTES, int, "a whole number of bytes")
        )
        budget = _positive(
            env, "EXTRACTION_BUDGET_SECONDS", DEFAULT_EXTRACTION_BUDGET_SECONDS, float, "a number of seconds"
        )
        for name in IGNORED:
            if name in env:
                log.warning("%s=%r is ignored: pages are extracted one way only (docs/extraction.md)", name, env[name])
        output_mode = env.get("OUTPUT_MODE") or OutputMode.DOCUMENTS
        if output_mode not in set(OutputMode):
            raise ConfigurationError(f"OUTPUT_MODE must be one of {', '.join(OutputMode)}, not {output_mode!r}")
        range_pages = int(_positive(env, "ARCHIVE_RANGE_PAGES", RANGE_PAGES, int, "a whole number of pages"))
        return cls(
            documents_bucket=env["DOCUMENTS_BUCKET"],
            documents_prefix=env.get("DOCUMENTS_PREFIX", DEFAULT_DOCUMENTS_PREFIX),
            event_bus_name=env["EVENT_BUS_NAME"],
            state_table=env["STATE_TABLE"],
            extraction=ExtractionOptions(Limits(max_input_bytes=max_input_bytes), budget_seconds=budget),
            archive_queue_url=env.get("ARCHIVE_QUEUE_URL") or None,
            output_mode=OutputMode(output_mode),
            archive_range_pages=range_pages,
        )


def _positive(env: Mapping[str, str], name: str, default: float, kind: type, what: str) -> float:
    raw = env.get(name) or str(default)
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be {what}, not {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be positive, not {value}")
    return value
