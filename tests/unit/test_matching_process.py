"""A big profile works out its leads' account matches in a process of its own: the leads get
their matches all the same, and the window's process does not hold the match's memory."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from desktop import matching_process
from models.hygiene.account_links import account_of, finish_matches, write_matches
from models.store import Lead, LeadAccountMatch
from models.store.open import Store
from tests.conftest import FIXED_NOW


def test_a_big_profile_is_matched_in_a_process_of_its_own(
        demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching_process, "APART_FROM_LEADS", 1)  # 600 leads count as big
    with matching_process.planned(demo_store, FIXED_NOW) as plan:
        assert plan.process_id != os.getpid()
        batches = 0
        for rows in plan.batches:  # written here, as the window's runner writes them
            write_matches(demo_store.sessions, rows)
            batches += 1
        finish_matches(demo_store.sessions, plan.signature)
    with demo_store.sessions() as session:
        leads = session.scalar(select(func.count()).select_from(Lead))
        matched = session.scalar(select(func.count()).select_from(LeadAccountMatch))
        some_lead = session.scalars(select(Lead.id)).first()
        assert some_lead is not None and account_of(session, some_lead) is not None
    assert batches and plan.leads == leads == matched
    # Nothing changed since: the next match finds nothing to do, and starts no process for it.
    with matching_process.planned(demo_store, FIXED_NOW) as again:
        assert again.leads == 0 and again.process_id == os.getpid()
        assert not list(again.batches)
