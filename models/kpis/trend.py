"""The 12-week trend: calls, meetings set, touches and pipeline added per ISO week, each read in
one statement that buckets the rows by week (not one query per week and figure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from models.kpis.activity import counted, handoffs_without_meeting, hour_text
from models.kpis.deals import pipeline_scope
from models.kpis.periods import Period
from models.kpis.scope import owned
from models.store import Meeting, Opportunity, Qualification


@dataclass(frozen=True)
class TrendWeek:
    week: str
    calls: int
    meetings: int
    touches: int
    pipeline_added: float


def _bucket(column: Any, weeks: Sequence[Period]) -> Any:
    return case(*[(column < week.end, n) for n, week in enumerate(weeks)], else_=None)


def weekly_trend(sessions: sessionmaker[Session], weeks: Sequence[Period],
                 owners: Sequence[str] | None) -> list[TrendWeek]:
    if not weeks:
        return []
    start, end = weeks[0].start, weeks[-1].end
    calls: Counter[int] = Counter()
    touches: Counter[int] = Counter()
    meetings: Counter[int] = Counter()
    pipeline: dict[int, float] = defaultdict(float)
    with sessions() as session:
        # Week n is the first whose end the hour (or activity) comes before.
        hour_ends = [hour_text(week.end) for week in weeks]
        for n, calls_n, _connects, touches_n in counted(
                session, start, end, owners,
                lambda table: case(*[(table.hour < h, n) for n, h in enumerate(hour_ends)],
                                   else_=None),
                lambda table: _bucket(table.occurred_at, weeks)):
            calls[n] += int(calls_n or 0)
            touches[n] += int(touches_n or 0)
        week_of_booking = _bucket(Meeting.created_at, weeks)
        meetings.update(dict(session.execute(
            select(week_of_booking, func.count())
            .where(owned(Meeting.booked_by_id, owners), Meeting.created_at >= start,
                   Meeting.created_at < end)
            .group_by(week_of_booking)).tuples().all()))
        week_of_handoff = _bucket(Qualification.qualified_at, weeks)
        meetings.update(dict(session.execute(
            select(week_of_handoff, func.count())
            .where(owned(Qualification.qualified_by_id, owners),
                   Qualification.handoff_to_id.is_not(None),
                   Qualification.qualified_at >= start, Qualification.qualified_at < end,
                   handoffs_without_meeting())
            .group_by(week_of_handoff)).tuples().all()))
        week_of_deal = _bucket(Opportunity.created_at, weeks)
        for n, amount in session.execute(
                select(week_of_deal, func.coalesce(func.sum(Opportunity.amount), 0.0))
                .where(pipeline_scope(owners), Opportunity.created_at >= start,
                       Opportunity.created_at < end).group_by(week_of_deal)):
            pipeline[n] += float(amount)
    return [TrendWeek(week.label, calls[n], meetings[n], touches[n], round(pipeline.get(n, 0.0), 2))
            for n, week in enumerate(weeks)]
