"""Three kinds of failure, told apart so each is said the right way: the rep's (a field to fix,
said next to it), the environment's (network, disk full, locked, read-only: what happened and
what to do), and bugs (logged with their traceback, shown once)."""

from __future__ import annotations

import errno
import sqlite3
from enum import StrEnum

from sqlalchemy.exc import OperationalError

from models.crm.adapter import CrmError


class Failure(StrEnum):
    REP = "rep"
    ENVIRONMENT = "environment"
    BUG = "bug"


_DISK = {errno.ENOSPC: "The disk is full. Free some space, then try again.",
         errno.EROFS: "The disk holding RepDesk's data is read-only. Check the drive, then "
                      "try again.",
         errno.EACCES: "RepDesk may not write to its data folder. Check the folder's "
                       "permissions, then try again.",
         errno.EDQUOT: "Your disk quota is used up. Free some space, then try again."}


def _sqlite_reason(message: str) -> str | None:
    text = message.lower()
    if "locked" in text or "busy" in text:
        return ("The data is busy: another program (a sync, or a second RepDesk) held it for "
                "too long. Nothing was lost; try again in a moment.")
    if "readonly" in text or "read-only" in text:
        return ("RepDesk's data file is read-only. Check the drive and the file's "
                "permissions, then try again.")
    if "disk is full" in text or "database or disk is full" in text:
        return _DISK[errno.ENOSPC]
    if "disk i/o error" in text:
        return "The disk reported an error while saving. Check the drive, then try again."
    return None


def environment_problem(error: BaseException) -> str | None:
    """What happened and what to do, if ``error`` came from the machine or the network."""
    if isinstance(error, OperationalError | sqlite3.OperationalError):
        return _sqlite_reason(str(error))
    if isinstance(error, CrmError):  # the CRM's or the network's, said for the rep already
        text = str(error).strip()
        return text[:1].upper() + text[1:] if text else "The CRM stopped the sync."
    if isinstance(error, ConnectionError | TimeoutError):
        return ("The CRM could not be reached. Check the network; your work is kept here "
                "and goes out with the next sync.")
    if isinstance(error, OSError) and error.errno in _DISK:
        return _DISK[error.errno]
    name = type(error).__module__
    if name.startswith(("requests", "urllib3")):
        return ("The CRM could not be reached. Check the network; your work is kept here "
                "and goes out with the next sync.")
    return None


def kind_of(error: BaseException) -> Failure:
    if environment_problem(error) is not None:
        return Failure.ENVIRONMENT
    # Services raise ValueError (or LookupError) with a message written for the rep.
    if isinstance(error, ValueError | LookupError) and not isinstance(
            error, UnicodeError | KeyError | IndexError):
        return Failure.REP
    return Failure.BUG
