"""Working out a big profile's account matches in a process of its own.

A first match of 100,000 leads (after the first pull, or when an account's name changed)
took the window's process from 230 MB to 400 MB, and most of it stayed after: the account
index, the score matrices and the rows, allocated in a worker thread whose memory the C
library keeps. In a process of its own it all goes back when the match is done. The process
only works the matches out; it sends them back a batch at a time, and the window writes each
batch through its command runner (``desktop.account_matching``). A small profile works them
out in the window's process: starting a process costs more than the match.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from models.hygiene.account_links import leads_to_match, plan_matches
from models.store.open import Store, open_store_file

APART_FROM_LEADS = 20_000


@dataclass(frozen=True)
class Planned:
    """A match worked out a batch at a time, here or in a process of its own."""

    signature: str
    threshold: float
    leads: int
    batches: Iterator[list[dict[str, Any]]]
    process_id: int  # of the process working it out


class MatchingStopped(Exception):
    """The matching process ended before sending every batch; what was written stays."""


def _plan_into(path: Path, now: datetime, sender: Connection) -> None:
    """In the matching process: the plan's header, then each batch, then None."""
    store = open_store_file(path)
    try:
        plan = plan_matches(store.sessions, now)
        sender.send((plan.signature, plan.threshold, plan.leads, os.getpid()))
        for rows in plan.batches:
            sender.send(rows)  # waits while the window is still writing the one before
        sender.send(None)
    finally:
        store.close()
        sender.close()


def _received(receiver: Connection) -> Iterator[list[dict[str, Any]]]:
    while True:
        try:
            rows = receiver.recv()
        except EOFError:
            raise MatchingStopped("the matching process stopped before it was done; the "
                                  "leads it did not match are matched next time") from None
        if rows is None:
            return
        yield rows


@contextmanager
def planned(store: Store, now: datetime) -> Iterator[Planned]:
    """The leads of ``store`` that need a match, worked out a batch at a time: in a process of
    its own when there are many of them. Blocks the calling (background) thread."""
    # Counted first: most calls find little or nothing to match, which is not worth a process.
    if leads_to_match(store.sessions) < APART_FROM_LEADS:
        plan = plan_matches(store.sessions, now)
        yield Planned(plan.signature, plan.threshold, plan.leads, plan.batches, os.getpid())
        return
    # spawn, not fork: the window's process has Qt and threads running.
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_plan_into, args=(store.path, now, sender),
                              name="repdesk-matching", daemon=True)
    process.start()
    sender.close()  # the child's end: a child that dies then reads as the end of the pipe
    try:
        try:
            signature, limit, leads, process_id = receiver.recv()
        except EOFError:
            raise MatchingStopped("the matching process stopped before it began") from None
        yield Planned(signature, limit, leads, _received(receiver), process_id)
    finally:
        receiver.close()
        process.join(timeout=10)
        if process.is_alive():  # left before the end: it waits to send the next batch
            process.terminate()
            process.join()
