"""Selling time from the day plan's block runs: the minutes of call and e-mail blocks each
rep's plan set for the working days gone in the period, against the minutes those blocks
actually ran (seed 001: "productivity (e.g. selling time)")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.dayplan import BLOCK_ACTIVITY
from models.kpis.periods import Period
from models.store import BlockRun, DayBlock

SELLING_KINDS = frozenset(BLOCK_ACTIVITY)  # the call and e-mail blocks


@dataclass(frozen=True)
class SellingTime:
    planned_minutes: int
    done_minutes: int

    @property
    def share(self) -> float | None:
        return self.done_minutes / self.planned_minutes if self.planned_minutes else None


Schedule = dict[int, tuple[str, int]]  # position → (kind, minutes)


def _schedules(blocks: Sequence[DayBlock]) -> dict[tuple[str | None, int | None], Schedule]:
    by_key: dict[tuple[str | None, int | None], Schedule] = defaultdict(dict)
    for block in blocks:
        by_key[(block.rep_id, block.weekday)][block.position] = (block.kind, block.minutes)
    return by_key


def _schedule_of(schedules: dict[tuple[str | None, int | None], Schedule], rep_id: str,
                 weekday: int) -> Schedule:
    """The most specific schedule, as the day plan picks it: the rep's for this weekday,
    the rep's, the team's for this weekday, the team's."""
    for key in ((rep_id, weekday), (rep_id, None), (None, weekday), (None, None)):
        if key in schedules:
            return schedules[key]
    return {}


def _days_gone(period: Period, now: datetime) -> list[date]:
    today = now.astimezone(ZoneInfo(period.timezone)).date()
    days = (period.first_day + timedelta(days=n) for n in range(period.days))
    return [d for d in days if d <= today and d.weekday() < 5]


def selling_time(sessions: sessionmaker[Session], period: Period, now: datetime,
                 reps: Sequence[str]) -> dict[str, SellingTime]:
    """Per rep of ``reps``: planned against done minutes of selling blocks. A block still
    running counts up to now; one left running on an earlier day counts its planned length
    at most (its end was never recorded)."""
    days = _days_gone(period, now)
    if not days or not reps:
        return {}
    with sessions() as session:
        schedules = _schedules(list(session.scalars(select(DayBlock))))
        runs = session.execute(
            select(BlockRun.rep_id, BlockRun.day, BlockRun.position, BlockRun.started_at,
                   BlockRun.ended_at)
            .where(BlockRun.rep_id.in_(list(reps)), BlockRun.day >= days[0],
                   BlockRun.day <= days[-1])).all()
    planned = {rep: sum(minutes for d in days
                        for kind, minutes in _schedule_of(schedules, rep, d.weekday()).values()
                        if kind in SELLING_KINDS) for rep in reps}
    done: dict[str, float] = defaultdict(float)
    for rep, day, position, started, ended in runs:
        if day.weekday() >= 5:
            continue
        kind, minutes = _schedule_of(schedules, rep, day.weekday()).get(position, ("", 0))
        if kind not in SELLING_KINDS:
            continue
        if ended is None:
            ended = min(now, started + timedelta(minutes=minutes)) \
                if day != now.astimezone(ZoneInfo(period.timezone)).date() else now
        done[rep] += max(0.0, (ended - started).total_seconds() / 60)
    return {rep: SellingTime(planned[rep], round(done.get(rep, 0.0))) for rep in reps}
