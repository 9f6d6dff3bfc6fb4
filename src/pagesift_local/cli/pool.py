"""Worker processes for ``pagesift extract --jobs``, and an ordered map over them that holds a
bounded window of work in flight."""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from itertools import islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


@contextlib.contextmanager
def process_pool(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes for ``--jobs`` over 1 (extraction is CPU-bound: threads would share one
    core), none for 1."""
    if jobs == 1:
        yield None
        return
    # concurrent.futures.process and the multiprocessing it brings take about 20 ms to import
    # (python -X importtime, on an idle machine): `pagesift extract` on one page runs no pool.
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield pool


def ordered_map(
    pool: ProcessPoolExecutor,
    function: Callable[[list[Any]], list[Any]],
    items: Iterator[Any],
    *,
    window: int,
    batch: int,
) -> Iterator[Any]:
    """``function`` over ``items`` in the pool, in order, ``batch`` items to a call (``function``
    takes and returns a list), with at most ``window`` items in flight: the executor's own map
    would take the whole archive's pages into memory first. The window is wide enough that one
    slow page at its head does not leave a worker idle, and batches spare the per-call cost."""
    in_flight: deque[Future[list[Any]]] = deque()
    while chunk := list(islice(items, batch)):
        in_flight.append(pool.submit(function, chunk))
        if len(in_flight) * batch >= window:
            yield from in_flight.popleft().result()
    while in_flight:
        yield from in_flight.popleft().result()
