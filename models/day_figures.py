"""A rep's headline figures for today: leads waiting, first-touch SLA, touches against target."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from models.cadence_config import queue_settings
from models.records import DayBlockPlan, DayFigures
from models.store import Activity, Lead


def day_figures(sessions: sessionmaker[Session], rep_id: str, now: datetime,
                day_start: datetime, blocks: list[DayBlockPlan]) -> DayFigures:
    """Figures from ``day_start`` (the rep's local midnight) to ``now``.

    The SLA counts the leads whose first-touch deadline fell today so far, and how many of
    them were touched in time.
    """
    sla = timedelta(hours=queue_settings().sla.first_touch_hours)
    with sessions() as session:
        # A lead has a next channel exactly while its cadence is active: this reads only the
        # queue index (owner, channel, due).
        waiting = session.scalar(select(func.count()).select_from(Lead).where(
            Lead.owner_id == rep_id, Lead.cadence_channel.in_(("call", "email")),
            Lead.cadence_due_at <= now)) or 0
        due_today = and_(Lead.owner_id == rep_id, Lead.created_at > day_start - sla,
                         Lead.created_at <= now - sla)
        # A day's worth of leads: compared in Python, as SQLite has no interval arithmetic
        # on stored timestamps.
        deadlines = session.execute(
            select(Lead.created_at, Lead.first_touch_at).where(due_today)).tuples().all()
        sla_due = len(deadlines)
        sla_met = sum(1 for created, touched in deadlines
                      if touched is not None and touched <= created + sla)
        touches = session.scalar(select(func.count()).select_from(Activity).where(
            Activity.owner_id == rep_id, Activity.kind.in_(("call", "email")),
            Activity.occurred_at >= day_start, Activity.occurred_at <= now)) or 0
        overdue = session.scalar(select(func.count()).select_from(Lead).where(
            Lead.owner_id == rep_id, Lead.handoff_state == "pending",
            Lead.handoff_due_at < now)) or 0
    target = sum(block.target or 0 for block in blocks)
    return DayFigures(waiting, sla_due, sla_met, touches, target, overdue)
