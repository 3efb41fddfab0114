"""The window's syncs run in a process of their own: a full pull parses and writes hundreds of
thousands of records, and in a thread of the window's process that work would take the
interpreter lock from the event loop often enough to make the window stutter. The process is
started once and kept for the next sync, and replaced when it dies (a crash, a kill, the
system ending it): the next sync starts a new one, no restart of the app needed. The store is
shared through SQLite (WAL), the access token travels in memory over the pipe, never on a
command line or disk."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from models.crm.adapter import CrmError
from models.crm.oauth import refresh
from models.crm.salesforce import SalesforceRest, Usage
from models.store.engine import give_way
from models.store.open import open_store
from models.sync.engine import SyncReport, sync_once
from models.sync.lock import WAIT_AT_MOST_S
from models.touches import refresh_cadences

# The org's API usage as each CRM last reported it, kept in the sync process between runs: a
# run started after the allowance ran low stops before spending any of it.
_USAGE: dict[str, Usage] = {}

# How often the window looks for the run's result while it listens for its news.
_NEWS_POLL_S = 0.2

# In the sync process: its end of the pipe the window reads the run's news from.
_NEWS: list[multiprocessing.connection.Connection] = []


def _tell(news: str) -> None:
    for pipe in _NEWS:
        pipe.send(news)


@dataclass(frozen=True)
class SyncJob:
    profile: Path
    crm_url: str
    instance_url: str
    access_token: str = field(repr=False)  # never printed, never logged
    refresh_token: str | None = field(repr=False)
    # The window's clock minus the real one: a window running at another time (demo, tests)
    # syncs at that time too.
    clock_offset: timedelta
    org: str | None = None  # the org signed in to (Tokens.org)
    # How long to wait for another sync of the profile (a ``repdesk sync``…) before giving up.
    wait_at_most: float = WAIT_AT_MOST_S


# What the sync process tells the window during a run, beside its result.
WAITING = "waiting"  # for another sync of this profile to end
SYNCING = "syncing"  # that one ended: this one goes on


@dataclass(frozen=True)
class SyncDone:
    report: SyncReport
    access_token: str = field(repr=False)  # renewed during the run, or the one it was given
    process_id: int = 0  # the sync process that ran it


class SyncProcessLost(CrmError):
    """The sync process died during a run; what it committed stays, the rest goes next time."""


def run_sync(job: SyncJob) -> SyncDone:
    """One sync, in the sync process: push, pull, then new leads into their cadences."""
    store = open_store(job.profile)
    # Write after write, a first pull holds the lock most of the time: a rep's save gets in
    # between two of them.
    give_way(store.sessions)
    http = requests.Session()
    token = [job.access_token]

    def renew() -> str:
        token[0] = refresh(http, job.crm_url, job.refresh_token or "",
                           job.instance_url).access_token
        return token[0]

    try:
        adapter = SalesforceRest(job.instance_url, lambda: token[0], renew, http,
                                 usage=_USAGE.setdefault(job.instance_url, Usage()),
                                 org=job.org)
        report = sync_once(store.sessions, adapter,
                           lambda: datetime.now(UTC) + job.clock_offset,
                           waiting=lambda: _tell(WAITING), waited=lambda: _tell(SYNCING),
                           wait_at_most=job.wait_at_most)
        refresh_cadences(store.sessions)
    finally:
        http.close()
        store.close()
    return SyncDone(report, token[0], os.getpid())


def _start(news: multiprocessing.connection.Connection) -> None:
    """In the sync process, once: keep the pipe for the runs' news, and watch the window."""
    _NEWS[:] = [news]
    _end_with_window()


def _end_with_window() -> None:
    """In the sync process: end as soon as the window's process has gone, however it went
    (a SIGKILL reaches no handler there); otherwise it would live on with nobody to serve,
    holding the profile's sync lock between runs."""
    window = multiprocessing.parent_process()
    if window is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([window.sentinel])
        # A run cut off here loses nothing (what it committed stays, the rest goes next
        # time); exiting normally would wait for the run to end first.
        os._exit(0)

    threading.Thread(target=watch, name="end-with-window", daemon=True).start()


class SyncProcess:
    """The process syncs run in, started on first use and replaced when it has died."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self.process_id: int | None = None  # of the process that ran the last sync
        self._news: multiprocessing.connection.Connection | None = None

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the window's process has Qt and threads running.
            context = multiprocessing.get_context("spawn")
            self._news, sent = context.Pipe(duplex=False)
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_start, initargs=(sent,))
        return self._pool

    def _result(self, future: Future[SyncDone], told: Callable[[str], None]) -> SyncDone:
        """The run's result, passing on its news (WAITING, SYNCING) as they come."""
        news = self._news
        while not future.done():
            # The pipe cannot wake this up for the result, so it is looked at this often.
            if news is None:
                wait([future], timeout=_NEWS_POLL_S)
            elif news.poll(_NEWS_POLL_S):
                told(news.recv())
        while news is not None and news.poll():  # said just before it ended: too late
            news.recv()
        return future.result()

    def _discard(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def run(self, job: SyncJob, told: Callable[[str], None] = lambda _news: None) -> SyncDone:
        """One sync in the process; ``told`` hears its news (WAITING, SYNCING) meanwhile.

        Raises:
            SyncProcessLost: the process died during the run (the next run starts a new one).
            CrmError: the CRM or the network stopped the run.
        """
        try:
            future = self._started().submit(run_sync, job)
        except (BrokenProcessPool, RuntimeError):
            # It died while idle: nothing of this run was sent, so start a new one for it.
            self._discard()
            future = self._started().submit(run_sync, job)
        try:
            done = self._result(future, told)
        except BrokenProcessPool as error:
            self._discard()
            raise SyncProcessLost("the sync process stopped unexpectedly; nothing is lost, "
                                  "and the next sync starts a new one") from error
        self.process_id = done.process_id
        return done

    @property
    def running(self) -> bool:
        return self._pool is not None

    def stop(self) -> None:
        """End the process now, in the middle of a run if need be (the system is stopping
        the window): a sync cut off anywhere loses nothing."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # The executor has no public way to end its worker at once.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
