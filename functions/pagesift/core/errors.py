"""The one error the extraction core raises for input it cannot turn into a document."""

from __future__ import annotations


class ExtractionError(Exception):
    """A page that cannot become a document, with a reason a person can act on.

    These are permanent: the same bytes fail the same way, so they are reported (a
    ``Document Extraction Failed`` event) and never retried.
    """

    def __init__(self, message: str, *, kind: str, stage: str) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind  # short machine-readable type, e.g. "NotHtml", "NoMainContent"
        self.stage = stage  # "read", "decode" or "extract"

    def __str__(self) -> str:
        return f"{self.kind} ({self.stage}): {self.message}"
