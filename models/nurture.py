"""Nurture gives leads back: a C lead ("keep in touch") on its follow-up date, a lead an AE
rejected after the nurture period (``resources/nurture.json``). Each returns to MQL, recorded
in its history, in the re-engagement cadence counted from its return, so the owner's queue
has it again."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, sessionmaker

from models.funnel import record_stage_change
from models.store import Lead, StageChange
from models.touches import refresh_cadence
from models.vocab import FunnelStage
from resources import load_json


@cache
def nurture_rules() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("nurture.json")
    return loaded


def _due(session: Session, now: datetime) -> list[tuple[Lead, str]]:
    rules = nurture_rules()
    rejected_before = now - timedelta(days=int(rules["rejected_hand_off_nurture_days"]))
    into_nurture = (select(func.max(StageChange.changed_at))
                    .where(StageChange.lead_id == Lead.id,
                           StageChange.to_stage == FunnelStage.NURTURE.value)
                    .correlate(Lead).scalar_subquery())
    # Both read the (stage, follow_up_on, handoff_state) index: a start on 100,000 leads
    # does not read them all.
    by_date = select(Lead, literal(None)).where(
        Lead.stage == FunnelStage.NURTURE.value, Lead.follow_up_on <= now.date())
    rejected = select(Lead, into_nurture).where(
        Lead.stage == FunnelStage.NURTURE.value, Lead.follow_up_on.is_(None),
        Lead.handoff_state == "rejected", into_nurture <= rejected_before)
    due = []
    for query in (by_date, rejected):
        for lead, since in session.execute(query).tuples():
            if lead.follow_up_on is not None:
                why = f"back from nurture: follow-up date {lead.follow_up_on:%d %b %Y}"
            else:
                days = (now - since).days if since else rules["rejected_hand_off_nurture_days"]
                why = f"back from nurture: rejected by the AE {days} days ago"
            due.append((lead, why))
    return due


def return_due_from_nurture(sessions: sessionmaker[Session], now: datetime) -> list[str]:
    """Bring back every lead whose time in nurture is over; returns their ids."""
    rules = nurture_rules()
    with sessions.begin() as session:
        returned = []
        for lead, why in _due(session, now):
            record_stage_change(session, lead, rules["returns_to"], None, now, why,
                                origin="rule")
            lead.follow_up_on = None
            lead.cadence_key = rules["cadence"]
            lead.cadence_started_at = now
            lead.snoozed_until = None
            refresh_cadence(session, lead)
            returned.append(lead.id)
        return returned
