"""A time budget for one page's extraction, enforced in whatever thread runs it.

Some markup makes extractors slow (hundreds of thousands of elements, pathological tables).
Lambda stops an invocation at its timeout and retries the whole batch, so one such page
would take its neighbours down with it, again and again. Instead the page gets a budget
well below the function timeout: when it runs out, an exception is raised in the extracting
thread (``PyThreadState_SetAsyncExc``; signals would work in the main thread only, and the
local worker runs handlers in threads). It is delivered between two bytecodes, so a single
long C call (one regex, one parse) finishes first; the bounded patterns and the tree-size
cap keep those short.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class BudgetExceeded(BaseException):
    """The time budget ran out. A BaseException, so that the extractors' own ``except
    Exception`` clauses do not swallow it."""


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise BudgetExceeded in this thread if the block runs longer than ``seconds``."""
    if seconds is None:
        yield
        return
    target = threading.get_ident()
    lock = threading.Lock()
    done = False

    def expire() -> None:
        with lock:
            if not done:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(BudgetExceeded))

    timer = threading.Timer(max(seconds, 0.0), expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            done = True
        timer.cancel()
