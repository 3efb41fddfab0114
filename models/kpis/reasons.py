"""Pareto of reason codes (disqualification, rejection, loss) and of competitors, so the
reasons seed 000 asks for are "analysed later"; and the top two reps' share (seed 003)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.kpis.periods import Period
from models.kpis.scope import owned
from models.store import Lead, Opportunity, Qualification, StageChange
from models.vocab import FunnelStage, LeadCategory

HANDED_STAGES = (FunnelStage.SAL.value, FunnelStage.SQL.value)


@dataclass(frozen=True)
class ParetoBar:
    name: str
    count: int
    cumulative_share: float


def pareto(counts: Mapping[str, int]) -> list[ParetoBar]:
    """Largest first, each with the running share of the total."""
    total = sum(counts.values())
    bars: list[ParetoBar] = []
    running = 0
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        running += count
        bars.append(ParetoBar(name, count, running / total))
    return bars


def reason_counts(sessions: sessionmaker[Session], period: Period,
                  owners: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
    """{"disqualified": {code: n}, "rejected": {...}, "lost": {...}} in the period."""
    with sessions() as session:
        disqualified = session.execute(
            select(Qualification.reason_code, func.count())
            .where(Qualification.category == LeadCategory.D,
                   owned(Qualification.qualified_by_id, owners),
                   Qualification.qualified_at >= period.start,
                   Qualification.qualified_at < period.end)
            .group_by(Qualification.reason_code)).all()
        # A rejection is the AE sending a handed-over lead back to nurture, with its code.
        rejected = session.execute(
            select(StageChange.reason, func.count())
            .join(Lead, Lead.id == StageChange.lead_id)
            .where(StageChange.to_stage == FunnelStage.NURTURE,
                   StageChange.from_stage.in_(HANDED_STAGES),
                   owned(Lead.owner_id, owners),
                   StageChange.changed_at >= period.start, StageChange.changed_at < period.end)
            .group_by(StageChange.reason)).all()
        lost = session.execute(
            select(Opportunity.close_reason_code, func.count())
            .where(Opportunity.is_closed.is_(True), Opportunity.is_won.is_(False),
                   owned(Opportunity.owner_id, owners),
                   Opportunity.closed_at >= period.start, Opportunity.closed_at < period.end)
            .group_by(Opportunity.close_reason_code)).all()
    return {kind: {code or "(none)": n for code, n in rows}
            for kind, rows in (("disqualified", disqualified), ("rejected", rejected),
                               ("lost", lost))}


def competitor_counts(sessions: sessionmaker[Session], period: Period,
                      owners: Sequence[str] | None = None) -> dict[str, int]:
    """Competitors named in qualifications and in lost deals of the period."""
    counted: Counter[str] = Counter()
    with sessions() as session:
        for names in session.scalars(
                select(Qualification.competitors)
                .where(owned(Qualification.qualified_by_id, owners),
                       Qualification.qualified_at >= period.start,
                       Qualification.qualified_at < period.end)):
            counted.update(str(n) for n in names or () if n)
        counted.update(name for name in session.scalars(
            select(Opportunity.competitor)
            .where(Opportunity.is_closed.is_(True), Opportunity.is_won.is_(False),
                   Opportunity.competitor.is_not(None), owned(Opportunity.owner_id, owners),
                   Opportunity.closed_at >= period.start, Opportunity.closed_at < period.end))
            if name)
    return dict(counted)


def top_two_share(per_rep: Mapping[str, float] | Iterable[float]) -> float | None:
    """The share of the team's total made by its two best reps (seed 003)."""
    values = sorted(per_rep.values() if isinstance(per_rep, Mapping) else per_rep,
                    reverse=True)
    total = sum(values)
    return sum(values[:2]) / total if total else None
