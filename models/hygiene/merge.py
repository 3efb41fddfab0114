"""Merging duplicate leads, never just flagging them: one survivor keeps the best value of
every field, and every activity, qualification and opportunity of the copies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.store import Activity, Lead, LeadMerge, Opportunity, Qualification, StageChange
from models.store.tracking import data_columns, json_value
from models.vocab import FunnelStage

# How far along the funnel a stage is: a merge never moves a lead backwards.
STAGE_ORDER = {FunnelStage.MCL: 0, FunnelStage.MQL: 1, FunnelStage.NURTURE: 1,
               FunnelStage.SQL: 2, FunnelStage.SAL: 3, FunnelStage.CONVERTED: 4,
               FunnelStage.DISQUALIFIED: 1}
CHILDREN = (Activity, Qualification, Opportunity, StageChange)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {}


def survivorship(leads: Sequence[Lead]) -> dict[str, Any]:
    """The merged values: the newest non-empty value per field, except where a rule says
    otherwise (earliest creation and first touch, latest last touch, the furthest stage,
    do-not-call and opt-out kept if any copy has them, registration answers combined)."""
    newest_first = sorted(leads, key=lambda lead: lead.created_at, reverse=True)
    merged: dict[str, Any] = {}
    for column in data_columns(newest_first[0]):
        values = [getattr(lead, column) for lead in newest_first]
        present = [v for v in values if not _empty(v)]
        merged[column] = present[0] if present else values[0]
    merged["created_at"] = min(lead.created_at for lead in leads)
    touches = [lead.first_touch_at for lead in leads if lead.first_touch_at]
    merged["first_touch_at"] = min(touches) if touches else None
    lasts = [lead.last_touch_at for lead in leads if lead.last_touch_at]
    merged["last_touch_at"] = max(lasts) if lasts else None
    merged["stage"] = max((lead.stage for lead in leads),
                          key=lambda stage: STAGE_ORDER.get(FunnelStage(stage), 0))
    merged["do_not_call"] = any(lead.do_not_call for lead in leads)
    merged["email_opt_out"] = any(lead.email_opt_out for lead in leads)
    registration: dict[str, Any] = {}
    for lead in reversed(newest_first):  # oldest first, so newer answers win
        registration.update(lead.registration or {})
    merged["registration"] = registration
    return merged


def merge_leads(sessions: sessionmaker[Session], survivor_id: str, copies: Sequence[str],
                by: str | None, now: datetime) -> dict[str, Any]:
    """Merge ``copies`` into ``survivor_id`` in one transaction; returns the fields that changed.

    Raises:
        LookupError: a lead no longer exists.
        ValueError: a lead is merged into itself.
    """
    if survivor_id in copies:
        raise ValueError("A lead cannot be merged into itself.")
    with sessions.begin() as session:
        survivor = _get(session, survivor_id)
        others = [_get(session, lead_id) for lead_id in copies]
        merged = survivorship([survivor, *others])
        changed = {k: v for k, v in merged.items() if getattr(survivor, k) != v}
        for field, value in changed.items():
            setattr(survivor, field, value)
        for other in others:
            for child in CHILDREN:
                # ORM updates, so each re-pointed activity reaches the CRM too.
                for row in session.scalars(_children(child, other.id)):
                    row.lead_id = survivor.id
            session.add(LeadMerge(
                survivor_id=survivor.id, merged_id=other.id, merged_crm_id=other.crm_id,
                merged_values={k: json_value(getattr(other, k)) for k in data_columns(other)},
                merged_at=now, merged_by_id=by))
            session.flush()
            session.delete(other)
        return changed


def _get(session: Session, lead_id: str) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LookupError(f"The lead {lead_id} no longer exists.")
    return lead


def _children(model: Any, lead_id: str) -> Any:
    return select(model).where(model.lead_id == lead_id)
