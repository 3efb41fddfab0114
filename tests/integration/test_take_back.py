"""Ctrl+Z's taking back of an outcome, before it reached the CRM and after."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from desktop.take_back import LastActions
from models.store import Activity, Lead, OutboxEntry, User
from models.store.open import Store
from models.sync.engine import sync_once
from models.touches import log_touch, refresh_cadences
from tests.integration.conftest import Crm, clock


def _lead(store: Store) -> tuple[str, str]:
    with store.sessions.begin() as session:
        rep = User(name="Amelia Hughes", role="SDR-inbound", timezone="Europe/London",
                   email="amelia@example.com")
        session.add(rep)
        session.flush()
        lead = Lead(first_name="Yuki", last_name="Sato", company="Orion Labs", stage="MQL",
                    phone="+442079460000", timezone="Europe/London", owner_id=rep.id,
                    created_at=clock() - timedelta(hours=3))
        session.add(lead)
    refresh_cadences(store.sessions)
    return lead.id, rep.id


def _tasks(crm: Crm) -> list:
    return list(crm.sandbox.store.all("Task"))


def _state(store: Store, lead_id: str) -> tuple:
    with store.sessions() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        touches = session.scalar(select(func.count()).select_from(Activity).where(
            Activity.lead_id == lead_id))
        return lead.first_touch_at, lead.cadence_state, lead.cadence_step, touches


def _pending(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxEntry).where(
            OutboxEntry.state == "pending")) or 0


def test_an_outcome_taken_back_before_the_sync_never_reaches_the_crm(crm: Crm,
                                                                     store: Store) -> None:
    lead_id, rep_id = _lead(store)
    sync_once(store.sessions, crm.adapter, clock)
    before = _state(store, lead_id)
    actions = LastActions(store.sessions)
    actions.touch(lambda *a: log_touch(store.sessions, a[0], rep_id, a[1], clock(), a[2],
                                       a[3], a[4]))(lead_id, "call", "no answer", None, None)
    assert _state(store, lead_id) != before
    assert actions.undo().value == "the no answer call to Yuki Sato"
    assert _state(store, lead_id) == before
    sync_once(store.sessions, crm.adapter, clock)
    assert _tasks(crm) == [] and _pending(store) == 0
    assert actions.undo().value is None


def test_an_outcome_taken_back_after_the_sync_is_deleted_in_the_crm(crm: Crm,
                                                                    store: Store) -> None:
    lead_id, rep_id = _lead(store)
    actions = LastActions(store.sessions)
    actions.touch(lambda *a: log_touch(store.sessions, a[0], rep_id, a[1], clock(), a[2],
                                       a[3], a[4]))(lead_id, "call", "voicemail", "left one",
                                                    None)
    sync_once(store.sessions, crm.adapter, clock)
    assert len(_tasks(crm)) == 1
    actions.undo()
    sync_once(store.sessions, crm.adapter, clock)  # the compensating change: a delete
    assert _tasks(crm) == [] and _pending(store) == 0
    with store.sessions() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None and lead.first_touch_at is None
        assert lead.cadence_state == "active" and lead.cadence_step == 1
