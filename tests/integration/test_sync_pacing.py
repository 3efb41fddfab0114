"""The sync spends the org's daily API allowance with care, going by the Sforce-Limit-Info the
CRM sends: slower past the high-water mark, stopped at the stop mark with every change kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.crm.adapter import LimitExceeded
from models.crm.salesforce import Pacing
from models.store import Lead, OutboxEntry
from models.store.open import Store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock, connect


def _add_leads(store: Store, count: int) -> None:
    with store.sessions.begin() as session:
        session.add_all(Lead(last_name=f"Lead {n}", company="Acme", created_at=clock())
                        for n in range(count))


def _retitle_leads(store: Store, title: str) -> None:
    with store.sessions.begin() as session:
        for lead in session.scalars(select(Lead)):
            lead.title = title


def _outbox_states(store: Store) -> list[str]:
    with store.sessions() as session:
        return list(session.scalars(select(OutboxEntry.state).where(
            OutboxEntry.state != "done")))


def test_past_the_high_water_mark_the_sync_waits_longer_as_usage_grows(
        crm: Crm, store: Store) -> None:
    waits: list[float] = []
    adapter = connect(crm.server, sleep=waits.append).adapter
    _add_leads(store, 3)
    crm.sandbox.faults.api_usage = (12_000, 15_000)  # 80%: no reason to slow down
    sync_once(store.sessions, adapter, clock)
    assert waits == []

    _retitle_leads(store, "CTO")
    crm.sandbox.faults.api_usage = (14_250, 15_000)  # 95%
    sync_once(store.sessions, adapter, clock)
    assert waits and all(wait == pytest.approx(1.25) for wait in waits)
    assert {r.fields.get("Title") for r in crm.sandbox.store.all("Lead")} == {"CTO"}

    waits.clear()
    _retitle_leads(store, "CEO")
    crm.sandbox.faults.api_usage = (14_640, 15_000)  # 97.6%: close to the stop mark
    sync_once(store.sessions, adapter, clock)
    # The first call still goes by the last reading (95%); the others by 97.6%.
    assert waits[0] == pytest.approx(1.25)
    assert waits[1:] and all(wait == pytest.approx(1.9) for wait in waits[1:])
    assert max(waits) <= Pacing().longest_pause_s


def test_at_the_stop_mark_the_sync_stops_and_every_change_stays_pending(
        crm: Crm, store: Store) -> None:
    _add_leads(store, 3)
    sync_once(store.sessions, crm.adapter, clock)
    _retitle_leads(store, "VP Sales")
    pending = _outbox_states(store)
    assert pending == ["pending"] * 3

    crm.sandbox.faults.api_usage = (14_850, 15_000)  # 99%
    calls = crm.sandbox.calls
    with pytest.raises(LimitExceeded, match=r"99% used \(14,850 of 15,000 calls\)"):
        sync_once(store.sessions, crm.adapter, clock)
    assert crm.sandbox.calls - calls == 1  # the read that told the usage, nothing written
    assert _outbox_states(store) == pending
    assert all(r.fields.get("Title") is None for r in crm.sandbox.store.all("Lead"))

    # A run started soon after, sharing the reading (as the window's connection does), makes
    # no call at all.
    later = connect(crm.server, usage=crm.adapter.usage).adapter
    with pytest.raises(LimitExceeded):
        sync_once(store.sessions, later, clock)
    assert crm.sandbox.calls - calls == 1

    # The next day the allowance is back: everything kept goes out.
    crm.sandbox.faults.api_usage = None
    sync_once(store.sessions, connect(crm.server).adapter, clock)
    assert _outbox_states(store) == []
    assert {r.fields.get("Title") for r in crm.sandbox.store.all("Lead")} == {"VP Sales"}
