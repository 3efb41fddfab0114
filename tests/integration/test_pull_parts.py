"""A first pull writes its pages in parts and its births as a bulk load; cut short anywhere,
the next sync takes every record in once and leaves the store as a whole pull would."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from desktop.crm_commands import seed_leads
from models.store import Base, Lead, StageChange, SyncState
from models.store import history_load as history_load_module
from models.store.open import Store
from models.sync import pull as pull_module
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock


def _indexes(store: Store) -> set[str]:
    with store.sessions() as session:
        return set(session.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).scalars())


def _every_index() -> set[str]:
    return {str(index.name) for table in Base.metadata.sorted_tables
            for index in table.indexes}


def _each_lead_once_with_one_birth(store: Store, crm: Crm) -> None:
    with store.sessions() as session:
        crm_ids = Counter(session.scalars(select(Lead.crm_id)).all())
        births = Counter(session.scalars(select(StageChange.lead_id).where(
            StageChange.from_stage.is_(None))).all())
        leads = set(session.scalars(select(Lead.id)).all())
    assert set(crm_ids) == {r.id for r in crm.sandbox.store.all("Lead")}
    assert set(crm_ids.values()) == {1}
    assert set(births) == leads and set(births.values()) == {1}


def test_a_pull_cut_short_between_two_parts_of_a_page_reads_the_page_again(
        crm: Crm, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_leads(crm.sandbox, 900)
    monkeypatch.setattr(pull_module, "MAX_PAGE", 300)  # the page of 900 goes in 3 parts
    apply = pull_module.apply_prepared
    calls = []

    def cut_short(*args: Any) -> Any:
        calls.append(args[1].object)
        if calls.count("Lead") == 2:
            raise OSError("disk I/O error")  # the process dies after the page's first part
        return apply(*args)

    monkeypatch.setattr(pull_module, "apply_prepared", cut_short)
    with pytest.raises(OSError):
        sync_once(store.sessions, crm.adapter, clock)
    with store.sessions() as session:
        assert len(session.scalars(select(Lead.id)).all()) == 300  # the first part stays
        state = session.get(SyncState, "Lead")
        assert state is None or state.watermark is None  # but the page is not done
    monkeypatch.setattr(pull_module, "apply_prepared", apply)
    report = sync_once(store.sessions, crm.adapter, clock)
    assert report.pull.received == 900
    _each_lead_once_with_one_birth(store, crm)
    assert _indexes(store) == _every_index()


def test_births_cut_short_before_their_indexes_were_built_get_them_at_the_next_sync(
        crm: Crm, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_leads(crm.sandbox, 1200)
    restore = history_load_module.restore
    # The process dies once the births are written, before their indexes are built again.
    monkeypatch.setattr(history_load_module, "restore", lambda sessions: [])
    sync_once(store.sessions, crm.adapter, clock)
    missing = _every_index() - _indexes(store)
    assert missing and all(name.startswith(("ix_stage_changes", "ix_stage_entries",
                                            "ix_mql_entries")) for name in missing)
    monkeypatch.setattr(history_load_module, "restore", restore)
    sync_once(store.sessions, crm.adapter, clock)
    assert _indexes(store) == _every_index()
    _each_lead_once_with_one_birth(store, crm)
