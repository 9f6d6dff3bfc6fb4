"""Progress bars on a terminal (stderr), and nothing when output goes to a file or a pipe."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

# Each bar imports tqdm only when it is shown: its import takes about 40 ms, which a command
# whose output goes to a file or a pipe (and `pagesift extract` takes about 0.39 s on one page)
# would pay for nothing.


def progress(items: Iterable[Any], description: str, *, total: int) -> Iterator[Any]:
    """``items`` as they come, with a bar of pages done out of ``total``."""
    if sys.stderr.isatty() and total > 1:
        from tqdm import tqdm  # about 40 ms (see above)

        yield from tqdm(items, desc=description, unit="page", file=sys.stderr, total=total)
    else:
        yield from items


@contextlib.contextmanager
def archive_progress(path: Path, size: int, file: IO[bytes]) -> Iterator[Callable[[], None]]:
    """A bar in bytes of the archive read; call what it yields after each record read."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    from tqdm import tqdm  # about 40 ms (see above)

    with tqdm(total=size, desc=path.name, unit="B", unit_scale=True, file=sys.stderr) as bar:

        def advance() -> None:
            bar.update(file.tell() - bar.n)

        yield advance


@contextlib.contextmanager
def task_progress() -> Iterator[Callable[[int, int], None]]:
    """A bar of a job's tasks; call what it yields with the tasks done and their total."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from tqdm import tqdm  # about 40 ms (see above)

    with tqdm(desc="backfill", unit="object", file=sys.stderr) as bar:

        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield advance
