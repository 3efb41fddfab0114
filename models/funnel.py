"""The funnel's history: every stage change, and conversion between any two stages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session, sessionmaker

from models.store import Lead, StageChange
from models.touches import refresh_cadence


def record_stage_change(session: Session, lead: Lead, to_stage: str, by: str | None,
                        at: datetime, reason: str | None) -> None:
    """Move ``lead`` to ``to_stage`` and write down who, when, from, to and why.

    The lead's place in its cadence follows in the same transaction: a qualified or
    disqualified lead leaves the call queue at once, a lead back in nurture is placed again.
    """
    session.add(StageChange(lead_id=lead.id, from_stage=lead.stage, to_stage=to_stage,
                            changed_at=at, changed_by_id=by, reason=reason))
    lead.stage = to_stage
    refresh_cadence(session, lead)


def conversion(sessions: sessionmaker[Session], from_stage: str, to_stage: str,
               since: datetime | None = None) -> tuple[int, int]:
    """(leads that reached ``from_stage``, of those, how many later reached ``to_stage``)."""
    with sessions() as session:
        entered = select(StageChange.lead_id, func.min(StageChange.changed_at).label("at")) \
            .where(StageChange.to_stage == from_stage)
        if since is not None:
            entered = entered.where(StageChange.changed_at >= since)
        entered_q = entered.group_by(StageChange.lead_id).subquery()
        reached = session.scalar(
            select(func.count(distinct(StageChange.lead_id)))
            .join(entered_q, entered_q.c.lead_id == StageChange.lead_id)
            .where(StageChange.to_stage == to_stage, StageChange.changed_at >= entered_q.c.at))
        total = session.scalar(select(func.count()).select_from(entered_q))
    return total or 0, reached or 0
