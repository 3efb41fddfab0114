"""A first pull writes in short steps (so the rep's saves never wait long for the store); cut
short between two of them, the next sync finishes the work and writes nothing twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from desktop.crm_commands import seed_leads
from models import funnel_backfill
from models.store import Lead, StageChange
from models.store.open import Store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock


def test_a_sync_cut_short_while_writing_histories_finishes_them_next_time(
        crm: Crm, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_leads(crm.sandbox, 60)
    monkeypatch.setattr(funnel_backfill, "BATCH", 25)
    insert = funnel_backfill._insert
    calls = []

    def cut_short(connection: Any, rows: list[dict[str, Any]], whole: bool) -> None:
        calls.append(len(rows))
        if len(calls) == 2:
            raise OSError("disk I/O error")  # the process dies between two batches
        insert(connection, rows, whole)

    monkeypatch.setattr(funnel_backfill, "_insert", cut_short)
    with pytest.raises(OSError):
        sync_once(store.sessions, crm.adapter, clock)
    with store.sessions() as session:
        assert len(session.scalars(select(Lead.id)).all()) == 60  # the pull itself was kept
        half = Counter(session.scalars(select(StageChange.lead_id)).all())
    assert 0 < len(half) < 60  # the first batch of histories was kept, the rest was not
    monkeypatch.setattr(funnel_backfill, "_insert", insert)
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions() as session:
        births = Counter(session.scalars(select(StageChange.lead_id).where(
            StageChange.from_stage.is_(None))).all())
        leads = set(session.scalars(select(Lead.id)).all())
    assert set(births) == leads  # every lead has its history
    assert set(births.values()) == {1}  # and none was born twice
