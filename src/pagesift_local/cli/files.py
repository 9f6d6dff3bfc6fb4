"""The files a command is given: the pages in folders, and which of them are web archives."""

from __future__ import annotations

from pathlib import Path

from pagesift.archives.warc import named_like_archive, sniff

PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".gz", ".warc")


def find_pages(paths: list[Path], suffixes: tuple[str, ...] | None = PAGE_SUFFIXES) -> list[tuple[Path, str]]:
    """Files to process with the name each goes by: a folder's files by their relative path,
    those with one of ``suffixes`` (every file but hidden ones when ``suffixes`` is None)."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                if suffixes is None or file.name.lower().endswith(suffixes):
                    found.append((file, file.relative_to(path).as_posix()))
        elif path.is_file():
            found.append((path, path.name))
        else:
            raise SystemExit(f"pagesift: no such file or folder: {path}")
    return found


def is_archive(path: Path) -> bool:
    """A web archive, by content whatever its name, or by its name (.warc, .warc.gz): one so
    named that is not has its first record reported corrupt."""
    with path.open("rb") as file:
        return sniff(file.read(512)) is not None or named_like_archive(path.name)
