"""A rep's day as blocks of one kind of work (clean-up, e-mail, calls, wrap-up).

Blocks run back to back from the start of the working day. A block the rep started records
its real start; while it runs past its planned end, the blocks after it move later (reflow).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models.records import DayBlockPlan
from models.store import Activity, BlockRun, DayBlock

DAY_STARTS = time(9, 0)
# Which activities count as the work of each kind of block.
BLOCK_ACTIVITY = {"calls": "call", "e-mail": "email"}


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


def _done(session: Session, rep_id: str | None, kind: str, start: datetime,
          end: datetime) -> int:
    # Every touch the rep made inside the block's hours counts for it: a call made from the
    # queue during the e-mail block moves that block, as it moves the day's headline.
    if rep_id is None or kind not in BLOCK_ACTIVITY:
        return 0
    return session.scalar(
        select(func.count()).select_from(Activity).where(
            Activity.owner_id == rep_id, Activity.kind.in_(tuple(BLOCK_ACTIVITY.values())),
            Activity.occurred_at >= start, Activity.occurred_at < end)) or 0


def plan_day(sessions: sessionmaker[Session], rep_id: str | None, day: date,
             timezone: str, now: datetime | None = None) -> list[DayBlockPlan]:
    """The blocks of ``day``, reflowed around the blocks the rep actually ran."""
    with sessions() as session:
        blocks = _blocks_for(session, rep_id, day.weekday())
        runs = {r.position: r for r in session.scalars(
            select(BlockRun).where(BlockRun.rep_id == rep_id, BlockRun.day == day))}
        cursor = datetime.combine(day, DAY_STARTS, tzinfo=ZoneInfo(timezone))
        plans = []
        for block in blocks:
            run = runs.get(block.position)
            start = run.started_at.astimezone(cursor.tzinfo) if run else cursor
            end = start + timedelta(minutes=block.minutes)
            if run and run.ended_at:
                end = run.ended_at.astimezone(cursor.tzinfo)
            elif run and now and now > end:
                end = now.astimezone(cursor.tzinfo)  # overrunning: the rest of the day moves
            plans.append(DayBlockPlan(
                position=block.position, kind=block.kind, starts_at=start, ends_at=end,
                target=block.target, started=run is not None,
                ended=bool(run and run.ended_at),
                done=_done(session, rep_id, block.kind, start, end)))
            cursor = end
    return plans


def start_block(sessions: sessionmaker[Session], rep_id: str, day: date, position: int,
                at: datetime) -> None:
    """Record that the rep started a block (again: keeps the first start, reopens it)."""
    with sessions.begin() as session:
        run = session.get(BlockRun, (rep_id, day, position))
        if run is None:
            session.add(BlockRun(rep_id=rep_id, day=day, position=position, started_at=at))
        else:
            run.ended_at = None
        # Starting a block ends whichever other block was still running.
        for other in session.scalars(select(BlockRun).where(
                BlockRun.rep_id == rep_id, BlockRun.day == day, BlockRun.position != position,
                BlockRun.ended_at.is_(None))):
            other.ended_at = at


def end_block(sessions: sessionmaker[Session], rep_id: str, day: date, position: int,
              at: datetime) -> None:
    with sessions.begin() as session:
        run = session.get(BlockRun, (rep_id, day, position))
        if run is not None and run.ended_at is None:
            run.ended_at = at


def blocks_of(sessions: sessionmaker[Session], rep_id: str | None,
              weekday: int | None) -> list[tuple[str, int, int | None]]:
    """The schedule that applies to ``rep_id`` on ``weekday`` (None: every day), as
    (kind, minutes, target) rows, for editing."""
    with sessions() as session:
        if weekday is not None:
            rows = _blocks_for(session, rep_id, weekday)
        else:
            every_day = [b for b in _blocks_for(session, rep_id, -1) if b.weekday is None]
            rows = every_day
        return [(b.kind, b.minutes, b.target) for b in rows]


def save_blocks(sessions: sessionmaker[Session], rep_id: str, weekday: int | None,
                blocks: list[tuple[str, int, int | None]]) -> None:
    """Replace the rep's own schedule for ``weekday`` (None: every day) with ``blocks``.

    Raises:
        ValueError: an unknown kind, a block shorter than 5 minutes or a day over 16 hours.
    """
    kinds = {"clean-up", "e-mail", "calls", "wrap-up"}
    for kind, minutes, target in blocks:
        if kind not in kinds:
            raise ValueError(f"Unknown block kind {kind!r}: use one of {', '.join(sorted(kinds))}.")
        if minutes < 5:
            raise ValueError(f"A {kind} block must last at least 5 minutes.")
        if target is not None and target < 0:
            raise ValueError(f"The {kind} block's target cannot be negative.")
    if sum(minutes for _, minutes, _ in blocks) > 16 * 60:
        raise ValueError("The blocks add up to more than 16 hours.")
    with sessions.begin() as session:
        for old in session.scalars(select(DayBlock).where(
                DayBlock.rep_id == rep_id,
                DayBlock.weekday.is_(None) if weekday is None else DayBlock.weekday == weekday)):
            session.delete(old)
        session.flush()
        session.add_all(
            DayBlock(rep_id=rep_id, weekday=weekday, position=number, kind=kind,
                     minutes=minutes, target=target)
            for number, (kind, minutes, target) in enumerate(blocks, start=1))
