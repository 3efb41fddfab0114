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

from models.crm.adapter import CrmError

# How long a sync waits for another sync of the profile to end before it gives up. Each of
# the other's requests ends within 120 s, so a sync held up longer is in a long pull (a first
# one) or stuck; giving up costs nothing, everything goes with the next sync.
WAIT_AT_MOST_S = 300.0

# Neither locking call can wait a limited time by itself: it is asked again this often.
_RETRY_S = 0.2


class SyncBusy(CrmError):
    """Another sync of this profile held it longer than this one would wait: nothing was
    sent, everything is kept for the next sync."""


if sys.platform == "win32":
    import msvcrt

    def _try(file: IO[bytes]) -> bool:
        file.seek(0)
        try:
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

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

    def _release(file: IO[bytes]) -> None:
        fcntl.flock(file.fileno(), fcntl.LOCK_UN)


def _wait(file: IO[bytes], seconds: float) -> bool:
    """Take the lock within ``seconds``; False if the other sync still holds it then."""
    deadline = time.monotonic() + seconds
    while not _try(file):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_RETRY_S)
    return True


def duration(seconds: float) -> str:
    """"1 second", "90 seconds", "5 minutes": a limit said for the rep."""
    if seconds < 120:
        return f"{seconds:g} second{'' if seconds == 1 else 's'}"
    return f"{seconds / 60:g} minutes"


def lock_file(sessions: sessionmaker[Session]) -> Path | None:
    """The lock's file for the store these sessions open; None for a store in memory."""
    database = sessions.kw["bind"].url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(f"{database}.sync-lock")


@contextmanager
def one_sync_at_a_time(path: Path | None,
                       waiting: Callable[[], None] | None = None,
                       waited: Callable[[], None] | None = None,
                       wait_at_most: float = WAIT_AT_MOST_S) -> Iterator[None]:
    """Held for the whole of one sync. A second sync of the profile waits for the first to
    end (``waiting`` is called first, to say so, and ``waited`` once it has the lock); it
    then finds the changes already sent.

    Raises:
        SyncBusy: the other sync still ran after ``wait_at_most`` seconds.
    """
    if path is None:
        yield
        return
    with open(path, "a+b") as file:
        if not _try(file):
            if waiting is not None:
                waiting()
            if not _wait(file, wait_at_most):
                raise SyncBusy(
                    f"another sync of this profile has been running for over "
                    f"{duration(wait_at_most)}, so this one gave up before sending anything; "
                    "everything waits for the next sync.")
            if waited is not None:
                waited()
        try:
            yield
        finally:
            _release(file)
