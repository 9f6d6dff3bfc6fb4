"""Where the function's logs go when a command plays it: it writes its logs and metrics to
stdout, as in Lambda, and the command's own output needs the real stdout."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def function_logs_to(path: str | None) -> Iterator[None]:
    """Point stdout at a file (Lambda's log stream), or at nothing when ``path`` is None; the
    real stdout comes back on the way out."""
    saved = sys.stdout
    stream = open(path or os.devnull, "a", encoding="utf-8")  # noqa: SIM115 - closed after stdout is restored
    sys.stdout = stream
    try:
        yield
    finally:
        sys.stdout = saved
        stream.close()
