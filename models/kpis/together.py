"""The sheet's independent reads, run side by side.

SQLite lets go of Python's lock while it steps through a query, and each read has a connection
of its own (WAL: readers never wait for each other), so two reads of a quarter take the time of
the longer one on a machine with two cores or more. The reads are each consistent on their own,
as they were one after the other: the sheet never was one snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from threading import Lock
from typing import TypeVar

T = TypeVar("T")

# A few threads are enough: the sheet has three or four reads worth moving aside.
WORKERS = 3

_pool: ThreadPoolExecutor | None = None
_pool_lock = Lock()


def aside(read: Callable[[], T]) -> Future[T]:
    """``read`` started on a reading thread; ``.result()`` waits for it (and raises its
    error). Never call ``aside`` from inside a read given to it: the threads are few."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="kpi-read")
        return _pool.submit(read)
