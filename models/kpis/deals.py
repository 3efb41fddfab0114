"""Deal KPIs: pipeline added, win rate, bookings, the AEs' SQL close rate, and the forecast
against quota (DOMAIN.md; seeds 001, 003, 004)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.orm import Session, sessionmaker

from models.kpis.periods import Period
from models.kpis.scope import owned
from models.store import Opportunity, OpportunityChange, Qualification

WON_STAGE = "Closed Won"
Amounts = dict[str, float]


@dataclass(frozen=True)
class WinRate:
    won: int
    lost: int
    won_amount: float
    lost_amount: float

    @property
    def by_count(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None

    @property
    def by_amount(self) -> float | None:
        closed = self.won_amount + self.lost_amount
        return self.won_amount / closed if closed else None


def _sourced() -> Any:
    """Which SDR's hand-off each lead came from."""
    return (select(distinct(Qualification.qualified_by_id).label("sdr"), Qualification.lead_id)
            .where(Qualification.handoff_to_id.is_not(None)).subquery())


def pipeline_scope(owners: Sequence[str] | None) -> ColumnElement[bool]:
    """The deals that count for these reps: owned by them, or from a lead they handed off."""
    if owners is None:
        return owned(Opportunity.owner_id, owners)
    sourced = _sourced()
    return Opportunity.owner_id.in_(list(owners)) | Opportunity.lead_id.in_(
        select(sourced.c.lead_id).where(sourced.c.sdr.in_(list(owners))))


def pipeline_added(sessions: sessionmaker[Session], period: Period,
                   owners: Sequence[str] | None = None) -> tuple[Amounts, float]:
    """The amount of opportunities created in the period, per the AE who owns each and the
    SDR who sourced it; and the team's total (each opportunity once)."""
    created = (Opportunity.created_at >= period.start, Opportunity.created_at < period.end)
    amount = func.coalesce(func.sum(Opportunity.amount), 0.0)
    sourced = _sourced()
    with sessions() as session:
        by_owner = session.execute(
            select(Opportunity.owner_id, amount)
            .where(owned(Opportunity.owner_id, owners), *created)
            .group_by(Opportunity.owner_id)).all()
        by_sdr = session.execute(
            select(sourced.c.sdr, amount)
            .join(sourced, sourced.c.lead_id == Opportunity.lead_id)
            .where(owned(sourced.c.sdr, owners), *created).group_by(sourced.c.sdr)).all()
        total = session.scalar(select(amount).where(*created, pipeline_scope(owners)))
    added: dict[str, float] = defaultdict(float)
    for owner, value in [*by_owner, *by_sdr]:
        if owner is not None:
            added[owner] += float(value)
    return dict(added), float(total or 0.0)


def win_rates(sessions: sessionmaker[Session], period: Period,
              owners: Sequence[str] | None = None) -> dict[str, WinRate]:
    """Opportunities closed in the period, per owner: won and lost, by count and amount."""
    amount = func.coalesce(Opportunity.amount, 0.0)
    with sessions() as session:
        rows = session.execute(
            select(Opportunity.owner_id, Opportunity.is_won, func.count(), func.sum(amount))
            .where(owned(Opportunity.owner_id, owners), Opportunity.is_closed.is_(True),
                   Opportunity.closed_at >= period.start, Opportunity.closed_at < period.end)
            .group_by(Opportunity.owner_id, Opportunity.is_won)).all()
    parts: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0])
    for owner, won, count, total in rows:
        if owner is None:
            continue
        slot = parts[owner]
        slot[0 if won else 1] += count
        slot[2 if won else 3] += float(total or 0.0)
    return {owner: WinRate(int(w), int(lo), wa, la) for owner, (w, lo, wa, la) in parts.items()}


def team_win_rate(rates: dict[str, WinRate]) -> WinRate:
    return WinRate(sum(r.won for r in rates.values()), sum(r.lost for r in rates.values()),
                   sum(r.won_amount for r in rates.values()),
                   sum(r.lost_amount for r in rates.values()))


@dataclass(frozen=True)
class Forecast:
    """Open pipeline closing in the period: weighted by stage probability, against quota; and
    "X opportunities now → Y sales" from the historical stage-to-won conversion (seed 004)."""

    open_deals: int
    open_amount: float
    weighted: float
    expected_wins: float
    quota: float | None


def stage_win_rates(sessions: sessionmaker[Session]) -> dict[str, float]:
    """Of the closed deals that were ever in each stage, the share won."""
    with sessions() as session:
        rows = session.execute(
            select(OpportunityChange.to_value, Opportunity.is_won, func.count(
                distinct(Opportunity.id)))
            .join(Opportunity, Opportunity.id == OpportunityChange.opportunity_id)
            .where(OpportunityChange.field == "stage", Opportunity.is_closed.is_(True))
            .group_by(OpportunityChange.to_value, Opportunity.is_won)).all()
        firsts = session.execute(
            select(Opportunity.is_won, func.count()).where(Opportunity.is_closed.is_(True))
            .group_by(Opportunity.is_won)).all()
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for stage, won, n in rows:
        if stage:
            counted[stage][0 if won else 1] += n
    closed = sum(n for _w, n in firsts)
    rates = {stage: w / (w + lo) for stage, (w, lo) in counted.items() if w + lo}
    # A stage no closed deal was seen in takes the overall win rate.
    rates["*"] = sum(n for w, n in firsts if w) / closed if closed else 0.0
    return rates


def forecast(sessions: sessionmaker[Session], first_day: date, last_day: date,
             owners: Sequence[str] | None, quota: float | None) -> Forecast:
    rates = stage_win_rates(sessions)
    with sessions() as session:
        rows = session.execute(
            select(Opportunity.stage, func.count(), func.coalesce(func.sum(Opportunity.amount),
                                                                  0.0),
                   func.coalesce(func.sum(Opportunity.amount * Opportunity.probability), 0.0))
            .where(owned(Opportunity.owner_id, owners), Opportunity.is_closed.is_(False),
                   Opportunity.close_date >= first_day, Opportunity.close_date <= last_day)
            .group_by(Opportunity.stage)).all()
    return Forecast(sum(n for _s, n, _a, _w in rows), sum(float(a) for _s, _n, a, _w in rows),
                    sum(float(w) / 100 for _s, _n, _a, w in rows),
                    sum(n * rates.get(stage, rates["*"]) for stage, n, _a, _w in rows), quota)
