"""What can go wrong with the store's file, told apart: damaged, read-only, full, locked, in
the wrong place. Each gets a message that says which and what to do.

Raw driver errors are never shown: SQLAlchemy's text repeats the statement and its
parameters, that is, lead data.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

# SQLite's primary result codes (https://sqlite.org/rescode.html).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_NOTADB = 26
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}


class StoreError(Exception):
    """The store at a path cannot be used; the message says why and what to do.

    ``kind``: "foreign", "damaged", "newer", "read-only", "full", "locked", "place" (the
    folder or file is not where a store can be) or "failed".
    """

    def __init__(self, message: str, kind: str = "failed") -> None:
        super().__init__(message)
        self.kind = kind


def damaged(path: Path) -> StoreError:
    return StoreError(
        f"{path} is damaged and cannot be read. RepDesk has not changed it. Restore it from "
        "a backup. To work on meanwhile, close RepDesk and move the file (with any "
        f"{path.name}-wal beside it) to another folder, keeping it: RepDesk then starts an "
        "empty store, and what was synced comes back from the CRM.", "damaged")


def read_only(path: Path, folder: bool = False) -> StoreError:
    where = f"the folder {path}" if folder else f"{path} (or the folder it is in)"
    return StoreError(
        f"RepDesk cannot write to {where}: it is read-only (its permissions, or a read-only "
        "disk). Nothing was changed and nothing is lost. Make it writable again, or start "
        "RepDesk with another --data-dir.", "read-only")


def full(path: Path) -> StoreError:
    return StoreError(
        f"The disk holding {path} is full. The last change was not saved; everything before "
        "it is kept. Free some space on that disk and do it again.", "full")


def locked(path: Path) -> StoreError:
    return StoreError(
        f"{path} is locked by another program (another RepDesk window or command, or a "
        "backup tool). Nothing was changed. Close the other program, or wait a moment, and "
        "try again.", "locked")


def restate(error: StoreError, path: Path) -> StoreError:
    """``error`` told of ``path`` (a store being built beside the profile's, named as the
    profile's), when it is about the disk rather than the file."""
    told = {"full": full, "read-only": read_only, "locked": locked}.get(error.kind)
    return told(path) if told else error


def _sqlite_error(error: BaseException) -> sqlite3.Error | None:
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, sqlite3.Error):
            return seen
        original = getattr(seen, "orig", None)  # SQLAlchemy's DBAPIError
        seen = original if isinstance(original, BaseException) else seen.__cause__
    return None


def explain(error: BaseException, path: Path) -> StoreError | None:
    """The store trouble behind ``error`` (raised while using the store at ``path``), or
    None when it is none of the kinds a rep can act on (a bug)."""
    if isinstance(error, StoreError):
        return error
    if isinstance(error, OSError) and error.errno is not None:
        if error.errno in _FULL_ERRNOS:
            return full(path)
        if error.errno in _READ_ONLY_ERRNOS:
            return read_only(path)
        return None
    found = _sqlite_error(error)
    if found is None:
        return None
    code = getattr(found, "sqlite_errorcode", 0) & 0xFF
    if code == _SQLITE_FULL:
        return full(path)
    if code in (_SQLITE_READONLY, _SQLITE_PERM):
        return read_only(path)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return locked(path)
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return damaged(path)
    if code == _SQLITE_IOERR:
        return StoreError(
            f"RepDesk could not read or write {path}: the disk reported an error (it may be "
            "full, removed or failing). The last change was not saved. Check the disk and "
            "try again.", "full")
    if code == _SQLITE_CANTOPEN:
        return StoreError(
            f"RepDesk cannot open {path} (the folder is missing, read-only or not a folder). "
            "Nothing was changed. Check the folder, or start RepDesk with another "
            "--data-dir.", "place")
    return None
