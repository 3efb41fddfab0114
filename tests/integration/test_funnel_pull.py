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
