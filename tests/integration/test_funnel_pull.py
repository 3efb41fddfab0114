"""Leads that arrive from the CRM are born in the funnel too: their status, read through the
status table, gives their history; a second sync writes nothing twice."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from desktop.crm_commands import seed_leads
from models.funnel_config import stage_of_crm_status
from models.store import Lead, StageChange
from models.store.open import Store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock


def test_pulled_leads_get_their_history_from_their_crm_status(crm: Crm, store: Store) -> None:
    seed_leads(crm.sandbox, 60)
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions() as session:
        leads = {lead.id: lead for lead in session.scalars(select(Lead))}
        changes = list(session.scalars(select(StageChange).order_by(StageChange.id)))
    by_lead: dict[str, list[StageChange]] = {}
    for change in changes:
        by_lead.setdefault(change.lead_id, []).append(change)
    assert set(by_lead) == set(leads) and len(leads) == 60
    for lead_id, history in by_lead.items():
        lead = leads[lead_id]
        assert (history[0].from_stage, history[0].to_stage) == (None, "MCL")
        assert history[0].changed_at == lead.created_at
        assert all(c.origin in ("entry", "crm") for c in history)
        if stage_of_crm_status(lead.stage) in ("MQL", "SQL", "nurture", "disqualified"):
            assert "MQL" in [c.to_stage for c in history]
    assert Counter(len(h) for h in by_lead.values()).most_common(1)[0][0] == 2  # MCL, MQL
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StageChange)) == len(changes)


def test_a_status_changed_in_the_crm_moves_the_lead_in_its_history(crm: Crm,
                                                                   store: Store) -> None:
    ids = {name: crm.sandbox.store.create("Lead", {"LastName": name, "Company": "Acme",
                                                   "Status": "Open - Not Contacted"}).id
           for name in ("Qualified", "Dropped", "Same")}
    sync_once(store.sessions, crm.adapter, clock)
    crm.sandbox.store.update("Lead", ids["Qualified"], {"Status": "SQL"})
    crm.sandbox.store.update("Lead", ids["Dropped"], {"Status": "Closed - Not Converted"})
    crm.sandbox.store.update("Lead", ids["Same"], {"Status": "Working - Contacted"})
    sync_once(store.sessions, crm.adapter, clock)
    sync_once(store.sessions, crm.adapter, clock)  # nothing is written twice
    with store.sessions() as session:
        rows = session.execute(
            select(Lead.last_name, StageChange.from_stage, StageChange.to_stage,
                   StageChange.origin)
            .join(StageChange, StageChange.lead_id == Lead.id)
            .order_by(Lead.last_name, StageChange.id)).all()
    history: dict[str, list[tuple[str | None, str, str | None]]] = {}
    for name, from_stage, to_stage, origin in rows:
        history.setdefault(name, []).append((from_stage, to_stage, origin))
    assert history["Qualified"][-1] == ("MQL", "SQL", "crm")
    assert history["Dropped"][-1] == ("MQL", "disqualified", "crm")
    assert history["Same"] == [(None, "MCL", "entry"), ("MCL", "MQL", "crm")]
