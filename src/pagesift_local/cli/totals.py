"""The line of totals ``pagesift extract`` and ``pagesift local run`` end with, on stderr: every
page counted, archives' included, and the files left out."""

from __future__ import annotations

from dataclasses import dataclass

from pagesift.archives.records import ArchiveCounts
from pagesift_local.cli.files import Inputs


@dataclass
class Totals:
    """What a run came to: every page (archives' included) is a document, a failure, or (on
    the local stack) still without an outcome."""

    documents: int = 0
    failures: int = 0
    archives: int = 0
    archive_pages: int = 0
    waiting: int = 0

    def add_archive(self, counts: ArchiveCounts) -> None:
        self.archives += 1
        self.archive_pages += counts.pages
        self.documents += counts.documents
        self.failures += counts.pages - counts.documents

    def line(self, inputs: Inputs) -> str:
        """``pagesift: 14 pages: 11 documents, 3 failed (8 of them in 1 archive); skipped …``."""
        pages = self.documents + self.failures + self.waiting
        text = f"pagesift: {plural(pages, 'page')}: {plural(self.documents, 'document')}, {self.failures:,} failed"
        if self.waiting:
            text += f", {self.waiting:,} with no outcome yet"
        if self.archives:
            text += f" ({self.archive_pages:,} of them in {plural(self.archives, 'archive')})"
        skipped = inputs.describe_skipped()
        return f"{text}; {skipped}" if skipped else text


def plural(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"
