"""A first pull (a bulk load of leads and their history worked out after) and a later pull
keep the waterfall's stage entries equal to the history they summarise."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text, update

from desktop.crm_commands import seed_leads
from models.store import Lead, StageEntry
from models.store.open import Store
from models.sync.engine import sync_once
from models.sync.pull import LOAD_FROM
from tests.integration.conftest import Crm, clock
from tests.unit.test_stage_entries import _check


def test_pulls_keep_the_stage_entries(crm: Crm, store: Store) -> None:
    seed_leads(crm.sandbox, LOAD_FROM + 200)
    sync_once(store.sessions, crm.adapter, clock)
    kept = _check(store)
    assert len({lead for _id, lead, *_rest in kept}) == LOAD_FROM + 200
    # Leads reassigned here, then a pull that brings nothing new.
    with store.sessions.begin() as session:
        some = list(session.scalars(select(Lead.id).limit(50)))
        owner = session.scalar(select(Lead.owner_id).where(Lead.owner_id.is_not(None)))
        session.execute(update(Lead).where(Lead.id.in_(some)).values(owner_id=owner))
    sync_once(store.sessions, crm.adapter, clock)
    _check(store)
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StageEntry).where(
            StageEntry.lead_id.in_(some), StageEntry.owner_id != owner)) == 0


def test_the_triggers_work_again_after_a_pull_filled_its_entries_at_once(
        crm: Crm, store: Store) -> None:
    """The first pull's births pause the triggers for their own transactions only: a stage
    change written afterwards is summarised as ever."""
    seed_leads(crm.sandbox, 300)
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions.begin() as session:
        assert session.execute(text("SELECT count(*) FROM stage_entries_paused")).scalar() == 0
        lead = session.scalar(select(Lead.id).limit(1))
        session.execute(text(
            "INSERT INTO stage_changes (lead_id, from_stage, to_stage, changed_at, origin) "
            "VALUES (:lead, 'MQL', 'disqualified', :at, 'rep')"),
            {"lead": lead, "at": (clock() + timedelta(days=1)).replace(tzinfo=None)
             .isoformat(" ", "microseconds")})
    kept = _check(store)
    assert any(row[1] == lead and "disqualified" in row for row in kept)
