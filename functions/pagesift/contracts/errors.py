"""The one error the core raises for input it cannot turn into a document, and its kinds."""

from __future__ import annotations

import enum


class ErrorKind(enum.StrEnum):
    """Why there is no document: the ``error.type`` of a ``Document Extraction Failed`` event."""

    UNSUPPORTED_EVENT = "UnsupportedEvent"
    RECURSIVE_TRIGGER = "RecursiveTrigger"
    INPUT_TOO_LARGE = "InputTooLarge"
    EMPTY_INPUT = "EmptyInput"
    CORRUPT_COMPRESSION = "CorruptCompression"
    UNSUPPORTED_ENCODING = "UnsupportedEncoding"
    NOT_HTML = "NotHtml"
    HTML_TOO_LARGE = "HtmlTooLarge"
    UNPARSEABLE_HTML = "UnparseableHtml"
    NO_MAIN_CONTENT = "NoMainContent"
    EXTRACTION_TIMEOUT = "ExtractionTimeout"
    # A record of a web archive that cannot be read: its page fails alone.
    TRUNCATED_RECORD = "TruncatedRecord"
    CORRUPT_RECORD = "CorruptRecord"
    DUPLICATE_RECORD = "DuplicateRecord"


class Stage(enum.StrEnum):
    """Where it was found: the ``error.stage`` of the event."""

    TRIGGER = "trigger"
    READ = "read"
    DECODE = "decode"
    EXTRACT = "extract"


class ExtractionError(Exception):
    """A page that cannot become a document, with a reason a person can act on.

    These are permanent: the same bytes fail the same way, so they are reported (a
    ``Document Extraction Failed`` event) and never retried.
    """

    def __init__(self, message: str, *, kind: ErrorKind, stage: Stage) -> None:
        super().__init__(message)
        self.message = message
        self.kind = ErrorKind(kind)
        self.stage = Stage(stage)

    def __str__(self) -> str:
        return f"{self.kind} ({self.stage}): {self.message}"

    def __reduce__(self) -> tuple:
        # Exceptions pickle as ``cls(*args)``, which loses the keyword-only kind and stage: a
        # worker process (``pagesift extract --jobs``, a benchmark's pool) could not send one back.
        return _rebuild, (self.message, self.kind.value, self.stage.value)


def _rebuild(message: str, kind: str, stage: str) -> ExtractionError:
    return ExtractionError(message, kind=ErrorKind(kind), stage=Stage(stage))
