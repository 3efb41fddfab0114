"""A big profile matches its leads to accounts in a process of its own: the leads get their
matches all the same, and the window's process does not hold the match's memory."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from desktop import matching_process
from models.hygiene.account_links import account_of
from models.store import Lead, LeadAccountMatch
from models.store.open import Store
from tests.conftest import FIXED_NOW


def test_a_big_profile_is_matched_in_a_process_of_its_own(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching_process, "APART_FROM_LEADS", 1)  # 600 leads count as big
    processes = []
    started = matching_process.ProcessPoolExecutor.submit

    def submit(pool: matching_process.ProcessPoolExecutor, *args: object) -> object:
        future = started(pool, *args)
        processes.extend(pool._processes)
        return future

    monkeypatch.setattr(matching_process.ProcessPoolExecutor, "submit", submit)
    done = matching_process.match_accounts(demo_store, FIXED_NOW)
    assert processes and os.getpid() not in processes
    with demo_store.sessions() as session:
        leads = session.scalar(select(func.count()).select_from(Lead))
        matched = session.scalar(select(func.count()).select_from(LeadAccountMatch))
        some_lead = session.scalars(select(Lead.id)).first()
        assert some_lead is not None and account_of(session, some_lead) is not None
    assert done.rematched == leads == matched
    # Nothing changed since: the next match finds nothing to do, and starts no process for it.
    processes.clear()
    assert matching_process.match_accounts(demo_store, FIXED_NOW).rematched == 0
    assert not processes
