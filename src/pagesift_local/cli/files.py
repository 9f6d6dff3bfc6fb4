"""The files a command is given: which of a folder's files are pages (by their content, whatever
their names: crawlers save pages as ``.php``, ``.asp`` or with no extension), which of them are
web archives, and standard input (``-``)."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pagesift.archives.warc import named_like_archive, sniff
from pagesift.extraction.decoding import not_a_page
from pagesift_local.errors import CommandError, UsageError

# Names that say "a page" (or a web archive): such files are taken whatever their content.
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".gz", ".warc")
STDIN = Path("-")
# Enough of a file to tell a page by: its markup check reads the first tags.
HEAD_BYTES = 65_536


@dataclass
class Inputs:
    """The files to process, each with the name it goes by (a folder's files by their relative
    path), and the files of folders left out with why."""

    files: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def require_files(self, paths: list[Path]) -> None:
        """Raise CommandError saying what the folders held when there is nothing to process."""
        if not self.files:
            held = self.describe_skipped() or "no files there"
            raise CommandError(f"no pages found in {', '.join(map(str, paths))}: {held}")

    def describe_skipped(self, shown: int = 3) -> str:
        """``skipped 4 files that are not pages (a.png: PNG image, b.css: text without HTML markup, …)``."""
        if not self.skipped:
            return ""
        names = ", ".join(f"{path.name}: {why}" for path, why in self.skipped[:shown])
        more = ", …" if len(self.skipped) > shown else ""
        noun = "file that is not a page" if len(self.skipped) == 1 else "files that are not pages"
        return f"skipped {len(self.skipped)} {noun} ({names}{more})"


def find_inputs(paths: list[Path], stdin_copy: Path | None = None) -> Inputs:
    """Every file named (taken as it is: what it is not is said when it fails), and every page
    and web archive in the folders named (hidden files aside). ``-`` is standard input, read
    from ``stdin_copy``."""
    inputs = Inputs()
    seen: set[Path] = set()  # a file named twice (alone and in its folder) is one input
    for path in paths:
        if path == STDIN and stdin_copy is not None:
            inputs.files.append((stdin_copy, "-"))
        elif path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                if file.resolve() in seen:
                    continue
                seen.add(file.resolve())
                # One named as a page or an archive is taken: if it is not one, its failure says so.
                why = None if file.name.lower().endswith(PAGE_SUFFIXES) else why_not_a_page(file)
                if why:
                    inputs.skipped.append((file, why))
                else:
                    inputs.files.append((file, file.relative_to(path).as_posix()))
        elif path.is_file():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                inputs.files.append((path, path.name))
        else:
            raise CommandError(f"no such file or folder: {path}")
    return inputs


def why_not_a_page(path: Path) -> str | None:
    """None for a page or a web archive (gzip-compressed or not), else what the file is."""
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
    if sniff(head[:512]) is not None:
        return None
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(31).decompress(head, HEAD_BYTES)
        except zlib.error:
            return "corrupt gzip"
        if not head:
            return "corrupt gzip"  # not even a whole header
    return not_a_page(head)


def is_archive(path: Path) -> bool:
    """A web archive, by content whatever its name, or by its name (.warc, .warc.gz): one so
    named that is not has its first record reported corrupt."""
    with path.open("rb") as file:
        return sniff(file.read(512)) is not None or named_like_archive(path.name)


@contextlib.contextmanager
def stdin_copied(paths: list[Path]) -> Iterator[Path | None]:
    """Standard input in a temporary file when ``-`` is among ``paths`` (an archive is read by
    seeking, which a pipe cannot), removed on the way out; None otherwise."""
    if STDIN not in paths:
        yield None
        return
    if paths.count(STDIN) > 1:
        raise UsageError("standard input (-) can be named once")
    with tempfile.NamedTemporaryFile(prefix="pagesift-stdin-") as copy:
        shutil.copyfileobj(sys.stdin.buffer, copy)
        copy.flush()
        yield Path(copy.name)
