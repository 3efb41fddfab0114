"""A rep's day as blocks of one kind of work (clean-up, e-mail, calls, wrap-up)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from models.records import DayBlockPlan
from models.store import DayBlock

DAY_STARTS = time(9, 0)


def _blocks_for(session: Session, rep_id: str | None, weekday: int) -> list[DayBlock]:
    """The most specific schedule there is: the rep's for this weekday, the rep's, the team's."""
    rows = session.scalars(
        select(DayBlock).where(
            or_(DayBlock.rep_id == rep_id, DayBlock.rep_id.is_(None)),
            or_(DayBlock.weekday == weekday, DayBlock.weekday.is_(None)),
        )
    ).all()
    if not rows:
        return []

    def specificity(block: DayBlock) -> int:
        return (block.rep_id is not None) * 2 + (block.weekday is not None)

    best = max(specificity(b) for b in rows)
    return sorted((b for b in rows if specificity(b) == best), key=lambda b: b.position)


def plan_day(sessions: sessionmaker[Session], rep_id: str | None, day: date,
             timezone: str) -> list[DayBlockPlan]:
    """The blocks of ``day`` back to back from the start of the rep's working day."""
    with sessions() as session:
        blocks = _blocks_for(session, rep_id, day.weekday())
    start = datetime.combine(day, DAY_STARTS, tzinfo=ZoneInfo(timezone))
    plans = []
    for block in blocks:
        end = start + timedelta(minutes=block.minutes)
        plans.append(DayBlockPlan(position=block.position, kind=block.kind, starts_at=start,
                                  ends_at=end, target=block.target))
        start = end
    return plans
