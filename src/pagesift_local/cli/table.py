"""The table ``pagesift local run`` prints: one line per page (and per archive), with its
title, language, words, document key and event or failure."""

from __future__ import annotations

import unicodedata
from typing import IO, Any

from pagesift_local.cli.totals import plural

HEADER = ("file", "title", "language", "words", "document key", "event id / failure")
TITLE_WIDTH = 48


def print_table(rows: list[dict[str, Any]], out: IO[str]) -> None:
    """The rows in columns as wide as their widest cell; the last column is not padded."""
    table = [HEADER, *(_cells(row) for row in rows)]
    widths = [max(display_width(line[i]) for line in table) for i in range(len(HEADER) - 1)]
    for line in table:
        cells = (cell + " " * (width - display_width(cell)) for cell, width in zip(line, widths, strict=False))
        out.write("  ".join(cells) + "  " + line[-1] + "\n")


def display_width(text: str) -> int:
    """The columns ``text`` takes in a terminal: wide (CJK) characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text
    )


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    document = row["document"] or {}
    event = row["event"] or {}
    document_key = (
        (event.get("detail", {}).get("document", {}).get("key") or row.get("shard") or "-") if document else "-"
    )
    return (
        row["key"] + (f"#{row['record']}" if row.get("record") else ""),  # unique, unlike the base name
        _clip(document.get("title") or "-", TITLE_WIDTH),
        document.get("language") or "-",
        str(document.get("stats", {}).get("words", "-")),
        document_key,
        _outcome(row),
    )


def _outcome(row: dict[str, Any]) -> str:
    """The last column: the event's id, the failure, the archive's counts, or what is missing."""
    if "archive" in row:
        counts = row["archive"]
        if not counts:
            return "no Archive Extracted (timed out)"
        return (
            f"Archive Extracted: {counts['documents']} documents of {counts['pages']} pages, "
            f"{sum(counts['failures'].values())} failures, {plural(counts['ranges'], 'range')}"
        )
    event = row["event"]
    if event is None:
        return "no event (timed out)"
    if row["document"] is None:
        error = event["detail"]["error"]
        return f"FAILED {error['type']}: {error['message']}"
    return str(event["id"])


def _clip(text: str, width: int) -> str:
    """At most ``width`` columns: a longer text is cut, and ends in an ellipsis."""
    if display_width(text) <= width:
        return text
    text = text[:width]
    while display_width(text) > width - 1:
        text = text[:-1]
    return text + "…"
