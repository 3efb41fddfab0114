"""Matching a big profile's leads to their accounts in a process of its own.

A first match of 100,000 leads (after the first pull, or when an account's name changed)
took the window's process from 230 MB to 400 MB, and most of it stayed after: the account
index, the score matrices and the rows, allocated in a worker thread whose memory the C
library keeps. In a process of its own it all goes back when the match is done. A small
profile matches in the window's process: starting a process costs more than the match.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

from models.hygiene.account_links import MatchRefresh, leads_to_match, refresh_matches
from models.store.open import Store, open_store_file

APART_FROM_LEADS = 20_000


def _match(path: Path, now: datetime) -> MatchRefresh:
    store = open_store_file(path)
    try:
        return refresh_matches(store.sessions, now)
    finally:
        store.close()


def match_accounts(store: Store, now: datetime) -> MatchRefresh:
    """``refresh_matches`` on ``store``, in a process of its own when it has many leads to match.
    Blocks the calling (background) thread until done."""
    # Counted first: most calls find little or nothing to match, which is not worth a process.
    if leads_to_match(store.sessions) < APART_FROM_LEADS:
        return refresh_matches(store.sessions, now)
    # spawn, not fork: the window's process has Qt and threads running.
    with ProcessPoolExecutor(max_workers=1,
                             mp_context=multiprocessing.get_context("spawn")) as process:
        return process.submit(_match, store.path, now).result()
