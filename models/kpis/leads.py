"""Lead flow KPIs: MQLs per rep, lead response time and the share within 24 hours, the Lead
Velocity Rate, and lead ageing (DOMAIN.md, seeds 001, 002, 003, 004)."""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models.kpis.activity import PerRep
from models.kpis.behind import Behind
from models.kpis.periods import Period
from models.kpis.scope import owned
from models.kpis.targets import setting
from models.kpis.velocity import lvr_months
from models.store import Lead, StageChange, StageEntry
from models.vocab import FunnelStage

OPEN_STAGES = (FunnelStage.MQL.value, FunnelStage.SQL.value)


@dataclass(frozen=True)
class ResponseTime:
    """From entering MQL to the first call or e-mail after it."""

    entered: int
    touched: int
    within: int  # touched within the first-touch window (24 h)
    median_hours: float | None

    @property
    def share_within(self) -> float | None:
        return self.within / self.entered if self.entered else None


def _entries(sessions: sessionmaker[Session], stage: str, period: Period,
             owners: Sequence[str] | None) -> list[tuple[str, str, datetime]]:
    """(lead id, owner id, first entry into ``stage`` in the period)."""
    entered = func.min(StageChange.changed_at)
    with sessions() as session:
        rows = session.execute(
            select(StageChange.lead_id, Lead.owner_id, entered)
            .join(Lead, Lead.id == StageChange.lead_id)
            .where(StageChange.to_stage == stage, StageChange.changed_at >= period.start,
                   StageChange.changed_at < period.end, owned(Lead.owner_id, owners))
            .group_by(StageChange.lead_id)).all()
    return [(lead, owner, at) for lead, owner, at in rows if owner is not None]


def mqls(sessions: sessionmaker[Session], period: Period,
         owners: Sequence[str] | None = None) -> PerRep:
    """Leads that entered MQL in the period, per the rep they are assigned to."""
    counted: dict[str, int] = defaultdict(int)
    for _lead, owner, _at in _entries(sessions, FunnelStage.MQL, period, owners):
        counted[owner] += 1
    return dict(counted)


def mqls_of(hours: Sequence[tuple[str, float | None]]) -> PerRep:
    """``mqls`` counted from ``first_touch_hours``' rows (one per lead that entered MQL in
    the period, with its owner), so the sheet reads those leads once."""
    return dict(Counter(owner for owner, _touched in hours))


def sqls_entered(sessions: sessionmaker[Session], period: Period,
                 owners: Sequence[str] | None = None) -> int:
    """Leads of these reps (for the team, every lead) that entered SQL in the period: their
    first entries into it in the period, counted from the stage entries the store keeps
    (models.store.kpi_rollups), whose previous entry into SQL lies before the period."""
    with sessions() as session:
        query = (select(func.count()).select_from(StageEntry)
                 .where(StageEntry.stage == FunnelStage.SQL,
                        StageEntry.entered_at >= period.start,
                        StageEntry.entered_at < period.end,
                        or_(StageEntry.previous_at.is_(None),
                            StageEntry.previous_at < period.start)))
        if owners is not None:
            query = query.where(StageEntry.owner_id.in_(list(owners)))
        return int(session.scalar(query) or 0)


def lead_velocity_rate(sessions: sessionmaker[Session], period: Period,
                       owners: Sequence[str] | None = None,
                       at: datetime | None = None) -> float | None:
    """Seed 003: (qualified leads this month − last month) / last month, in %, for the
    month ``models.kpis.velocity`` picks for the period (a quarter: its last complete
    month as of ``at``)."""
    this, last = lvr_months(period, at)
    now = sqls_entered(sessions, this, owners)
    before = sqls_entered(sessions, last, owners)
    return None if before == 0 else (now - before) / before * 100


def first_touch_hours(sessions: sessionmaker[Session], period: Period,
                      owners: Sequence[str] | None = None) -> list[tuple[str, float | None]]:
    """(owner, hours from MQL entry to the first call or e-mail after it, None if none yet)
    for each lead that entered MQL in the period (its first entry in it), read from the MQL
    entries the store keeps with their first touch (models.store.kpi_rollups)."""
    # A lead's first entry in the period: its previous entry into MQL lies before it. A
    # quarter is some 66,000 entries: read as the driver's tuples, not rows (a third of the
    # quarter's sheet went into making and unpacking rows).
    who = "owner_id IS NOT NULL" if owners is None else \
        f"owner_id IN ({', '.join('?' for _ in owners) or 'NULL'})"
    start, end = _stored(period.start), _stored(period.end)
    with sessions() as session:
        driver = session.connection().connection.driver_connection
        assert driver is not None
        # Julian days to the millisecond, then hours: no float dust.
        rows: list[tuple[str, float | None]] = driver.execute(f"""
            SELECT owner_id, round((julianday(first_touch_at) - julianday(entered_at))
                                   * 86400000) / 3600000.0
            FROM mql_entries WHERE {who} AND entered_at >= ? AND entered_at < ?
              AND (previous_at IS NULL OR previous_at < ?)""",
            (*(owners or ()), start, end, start)).fetchall()
    return rows


def _stored(moment: datetime) -> str:
    """A moment as the store writes it (naive UTC text), for the driver's parameters."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def response_time(hours: Sequence[float | None]) -> ResponseTime:
    """The median over the touched leads; the share within 24 h over every lead entered."""
    window = setting("first_touch_hours", 24)
    touched = sorted(h for h in hours if h is not None)
    return ResponseTime(len(hours), len(touched), bisect_right(touched, window),
                        statistics.median(touched) if touched else None)


def response_times_of(hours: Sequence[tuple[str, float | None]]) -> dict[str, ResponseTime]:
    """Each rep's response time from ``first_touch_hours``' rows, read once for the team's
    figure and the reps'."""
    per_rep: dict[str, list[float | None]] = defaultdict(list)
    for owner, touched in hours:
        per_rep[owner].append(touched)
    return {owner: response_time(values) for owner, values in per_rep.items()}


def response_times(sessions: sessionmaker[Session], period: Period,
                   owners: Sequence[str] | None = None) -> dict[str, ResponseTime]:
    return response_times_of(first_touch_hours(sessions, period, owners))


def _aged(now: datetime, owners: Sequence[str] | None) -> list[ColumnElement[bool]]:
    cutoff = now - timedelta(days=setting("ageing_days", 2))
    # An accepted hand-off is the AE's opportunity now: converted, no longer the SDR's lead.
    return [owned(Lead.owner_id, owners), Lead.stage.in_(OPEN_STAGES),
            or_(Lead.handoff_state.is_(None), Lead.handoff_state != "accepted"),
            or_(Lead.last_touch_at < cutoff,
                Lead.last_touch_at.is_(None) & (Lead.created_at < cutoff))]


def aged_leads(sessions: sessionmaker[Session], now: datetime,
               owners: Sequence[str] | None = None) -> PerRep:
    """Open leads (MQL or SQL, not converted) whose last touch, or creation if none, is
    over 2 days old."""
    with sessions() as session:
        rows = session.execute(select(Lead.owner_id, func.count())
                               .where(*_aged(now, owners)).group_by(Lead.owner_id)).all()
    return {owner: n for owner, n in rows if owner is not None}


def aged_records(sessions: sessionmaker[Session], now: datetime,
                 owners: Sequence[str] | None = None, limit: int = 2000) -> list[Behind]:
    """The aged leads, the longest held first."""
    held = func.coalesce(Lead.last_touch_at, Lead.created_at)
    with sessions() as session:
        rows = session.execute(
            select(Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.stage,
                   Lead.last_touch_at, Lead.created_at)
            .where(*_aged(now, owners)).order_by(held).limit(limit)).all()
    return [Behind(lead_id, lead_id, f"{first or ''} {last}".strip(), f"{company} · {stage}",
                   touched or created)
            for lead_id, first, last, company, stage, touched, created in rows]
