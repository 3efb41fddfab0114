"""The demo's day plans as the reps ran them: for every working day of the past weeks, each
block of the rep's schedule started a little late, cut short or now and then skipped, so
selling time (planned against done) reads like a real team's rather than 0 %."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from models.dayplan import DAY_STARTS, blocks_of
from models.store import BlockRun, User
from models.vocab import Role

WORKING_ROLES = (Role.SDR_INBOUND.value, Role.SDR_OUTBOUND.value, Role.AE.value)
DAY_OFF, BLOCK_SKIPPED = 0.05, 0.08  # a day out of office; a block the day ran past
LATE_MINUTES = 15
# A whole quarter so far at its longest, so a quarter's selling time has its every day run.
WEEKS = 14
DONE_SHARE = (0.55, 1.0)  # of its planned minutes, a block that ran


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)
            if (first + timedelta(days=n)).weekday() < 5]


def _runs_of_day(rng: random.Random, rep_id: str, day: date, zone: ZoneInfo,
                 blocks: list[tuple[str, int, int | None]], now: datetime) -> list[dict[str, Any]]:
    runs = []
    cursor = datetime.combine(day, DAY_STARTS, tzinfo=zone)
    # Positions as the schedule numbers them: its blocks in order, from 1.
    for position, (_kind, minutes, _target) in enumerate(blocks, start=1):
        planned_end = cursor + timedelta(minutes=minutes)
        started = cursor + timedelta(minutes=rng.uniform(0, LATE_MINUTES))
        ran = timedelta(minutes=minutes * rng.uniform(*DONE_SHARE))
        skipped = rng.random() < BLOCK_SKIPPED
        cursor = planned_end
        if skipped or started >= now:
            continue
        ended = started + ran
        runs.append({"rep_id": rep_id, "day": day, "position": position,
                     "started_at": started, "ended_at": ended if ended <= now else None})
    return runs


def make_block_runs(sessions: sessionmaker[Session], seed: int, now: datetime,
                    weeks: int = WEEKS) -> int:
    """Block runs for every rep's working days of the last ``weeks`` weeks, today's up to
    ``now`` (a block under way has no end yet); returns how many."""
    rng = random.Random(seed * 104_729 + 3)
    with sessions() as session:
        reps = list(session.execute(select(User.id, User.timezone)
                                    .where(User.role.in_(WORKING_ROLES)).order_by(User.id)))
    rows: list[dict[str, Any]] = []
    for rep_id, timezone in reps:
        zone = ZoneInfo(timezone or "UTC")
        today = now.astimezone(zone).date()
        schedules = {weekday: blocks_of(sessions, rep_id, weekday) for weekday in range(5)}
        for day in _days(today - timedelta(weeks=weeks), today):
            if rng.random() < DAY_OFF:
                continue
            rows += _runs_of_day(rng, rep_id, day, zone, schedules[day.weekday()], now)
    if rows:
        with sessions.begin() as session:
            _write(session, rows)
    return len(rows)


def _write(session: Session, rows: list[dict[str, Any]]) -> None:
    session.execute(insert(BlockRun), rows)
