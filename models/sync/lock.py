"""One sync at a time per profile: two windows, or a window and ``repdesk sync``, on one store
would each read the same pending changes and send them both. The lock is the operating
system's, on a file beside the store, so it goes with the process that holds it, however that
process ends (a crash or a kill leaves no stale lock behind)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session, sessionmaker

# Windows' locking call cannot wait for ever by itself: it is asked again this often.
_RETRY_S = 0.2

if sys.platform == "win32":
    import msvcrt

    def _try(file: IO[bytes]) -> bool:
        file.seek(0)
        try:
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _wait(file: IO[bytes]) -> None:
        while not _try(file):
            time.sleep(_RETRY_S)

    def _release(file: IO[bytes]) -> None:
        file.seek(0)
        msvcrt.locking(file.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    # flock, not fcntl's record locks: a record lock is the whole process's, so two syncs
    # on two threads of one process would not keep each other out.
    def _try(file: IO[bytes]) -> bool:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _wait(file: IO[bytes]) -> None:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX)

    def _release(file: IO[bytes]) -> None:
        fcntl.flock(file.fileno(), fcntl.LOCK_UN)


def lock_file(sessions: sessionmaker[Session]) -> Path | None:
    """The lock's file for the store these sessions open; None for a store in memory."""
    database = sessions.kw["bind"].url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(f"{database}.sync-lock")


@contextmanager
def one_sync_at_a_time(path: Path | None,
                       waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Held for the whole of one sync. A second sync of the profile waits for the first to
    end (``waiting`` is called first, to say so); it then finds the changes already sent."""
    if path is None:
        yield
        return
    with open(path, "a+b") as file:
        if not _try(file):
            if waiting is not None:
                waiting()
            _wait(file)
        try:
            yield
        finally:
            _release(file)
