"""What reps did in a period: calls, connects, touches and meetings set, per rep (DOMAIN.md).

Each function answers {rep id: count} from one GROUP BY over an indexed range; the team's figure
is the sum. A meeting set is a meeting the SDR booked for an AE; a hand-off to an AE for a lead
with no meeting booked counts as one too (seed 003's "meeting set for an AE": the qualified
lead passed with its next step), so teams that hand off without booking are not at zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, sessionmaker

from models.kpis.behind import Behind
from models.kpis.periods import Period
from models.kpis.scope import owned
from models.store import Activity, ActivityHour, Meeting, Qualification
from models.vocab import ActivityKind, CallOutcome

TOUCH_KINDS = (ActivityKind.CALL.value, ActivityKind.EMAIL.value)
PerRep = dict[str, int]


def hour_text(moment: datetime) -> str:
    """The rollup's key of the UTC hour starting at ``moment``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H")


def on_the_hour(*moments: datetime) -> bool:
    """Whether every bound is a whole UTC hour, so the hourly counts answer exactly (a
    timezone a half hour off UTC starts its days inside an hour)."""
    return all(m.minute == 0 and m.second == 0 and m.microsecond == 0 for m in moments)


def counted(session: Session, start: datetime, end: datetime, owners: Sequence[str] | None,
            hourly: Callable[[Any], Any], raw: Callable[[Any], Any]) -> list[Any]:
    """(group, calls, connects, touches) rows for [start, end): from the hourly counts the
    store keeps (models.store.kpi_rollups) grouped by ``hourly(hour text column)``, or,
    when a bound falls inside an hour, from the activities grouped by
    ``raw(occurred_at column)``."""
    if on_the_hour(start, end):
        key = hourly(ActivityHour)
        return list(session.execute(
            select(key, func.sum(ActivityHour.calls), func.sum(ActivityHour.connects),
                   func.sum(ActivityHour.touches))
            .where(owned(ActivityHour.owner_id, owners), ActivityHour.hour >= hour_text(start),
                   ActivityHour.hour < hour_text(end))
            .group_by(key)))
    is_call = Activity.kind == ActivityKind.CALL
    connected = is_call & (Activity.outcome == CallOutcome.CONNECTED)
    key = raw(Activity)
    return list(session.execute(
        select(key, func.sum(case((is_call, 1), else_=0)),
               func.sum(case((connected, 1), else_=0)), func.count())
        .where(owned(Activity.owner_id, owners), Activity.occurred_at >= start,
               Activity.occurred_at < end, Activity.kind.in_(TOUCH_KINDS))
        .group_by(key)))


def activity_counts(sessions: sessionmaker[Session], period: Period,
                    owners: Sequence[str] | None = None) -> tuple[PerRep, PerRep, PerRep]:
    """Calls logged (any outcome), connects, and touches (calls plus e-mails), per rep: one
    grouped read of the period's hourly counts for all three."""
    with sessions() as session:
        rows = counted(session, period.start, period.end, owners,
                       lambda table: table.owner_id, lambda table: table.owner_id)
    rows = [(owner, int(c or 0), int(k or 0), int(t or 0)) for owner, c, k, t in rows
            if owner is not None]
    return ({owner: c for owner, c, _k, _t in rows if c},
            {owner: k for owner, _c, k, _t in rows if k},
            {owner: t for owner, _c, _k, t in rows if t})


def calls(sessions: sessionmaker[Session], period: Period,
          owners: Sequence[str] | None = None) -> PerRep:
    """Call activities logged, any outcome."""
    return activity_counts(sessions, period, owners)[0]


def connects(sessions: sessionmaker[Session], period: Period,
             owners: Sequence[str] | None = None) -> PerRep:
    return activity_counts(sessions, period, owners)[1]


def touches(sessions: sessionmaker[Session], period: Period,
            owners: Sequence[str] | None = None) -> PerRep:
    """Calls plus e-mails logged."""
    return activity_counts(sessions, period, owners)[2]


def handoffs_without_meeting() -> ColumnElement[bool]:
    """A hand-off stands for the meeting set only when no meeting was booked for its lead."""
    return ~select(Meeting.id).where(Meeting.lead_id == Qualification.lead_id).exists()


def meetings_set(sessions: sessionmaker[Session], period: Period,
                 owners: Sequence[str] | None = None) -> PerRep:
    """Meetings booked in the period, counted for the SDR who booked them, plus hand-offs to
    an AE qualified in the period for leads with no meeting booked."""
    with sessions() as session:
        booked = session.execute(
            select(Meeting.booked_by_id, func.count())
            .where(owned(Meeting.booked_by_id, owners), Meeting.created_at >= period.start,
                   Meeting.created_at < period.end)
            .group_by(Meeting.booked_by_id)).all()
        handed = session.execute(
            select(Qualification.qualified_by_id, func.count())
            .where(owned(Qualification.qualified_by_id, owners),
                   Qualification.handoff_to_id.is_not(None),
                   Qualification.qualified_at >= period.start,
                   Qualification.qualified_at < period.end, handoffs_without_meeting())
            .group_by(Qualification.qualified_by_id)).all()
    counted: Counter[str] = Counter()
    for owner, n in [*booked, *handed]:
        if owner is not None:
            counted[owner] += n
    return dict(counted)


def call_records(sessions: sessionmaker[Session], period: Period,
                 owners: Sequence[str] | None = None, limit: int = 2000) -> list[Behind]:
    """The calls behind the count, newest first."""
    with sessions() as session:
        rows = session.execute(
            select(Activity.id, Activity.lead_id, Activity.subject, Activity.outcome,
                   Activity.occurred_at)
            .where(owned(Activity.owner_id, owners), Activity.kind == ActivityKind.CALL,
                   Activity.occurred_at >= period.start, Activity.occurred_at < period.end)
            .order_by(Activity.occurred_at.desc()).limit(limit)).all()
    return [Behind(a, lead, subject, outcome or "", at)
            for a, lead, subject, outcome, at in rows]
