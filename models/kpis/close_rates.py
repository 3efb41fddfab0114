"""SQL close rates per framework and per AE, over the SQLs decided in the period (seed 003:
BANT 25–35 %, others 10–20 %; an AE under 20 % needs coaching).

A close rate counted over the SQLs that *entered* a period reads 0 % for any week or month:
those deals have not had time to close (a sales cycle is weeks long). So the period's cohort
is the SQLs *decided* in it: the leads whose deal was won or lost in the period, or that the
AE sent back (to nurture or disqualified) from a handed-over stage. Of those, the share won.
Each lead counts once, with its latest A or B qualification's framework and AE (else the
AE who owns its deal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models.funnel_config import close_rate_band
from models.funnel_report import CloseRate
from models.kpis.periods import Period
from models.store import Lead, Opportunity, Qualification, StageChange
from models.vocab import FunnelStage, LeadCategory

WON, LOST = "Closed Won", "Closed Lost"
HANDED = (FunnelStage.SAL.value, FunnelStage.SQL.value, "Opportunity")
SENT_BACK = (FunnelStage.NURTURE.value, FunnelStage.DISQUALIFIED.value)
NOT_RECORDED = "(not recorded)"


@dataclass(frozen=True)
class Decided:
    framework: str
    ae: str | None
    won: bool


def decided_sqls(sessions: sessionmaker[Session], period: Period,
                 owners: Sequence[str] | None = None) -> list[Decided]:
    """Each lead decided in the period (won, lost, or sent back after the hand-over), with
    the framework and AE of its latest A/B qualification; for ``owners``, the leads they own
    or were handed."""
    outcome = or_(StageChange.to_stage.in_((WON, LOST)),
                  StageChange.to_stage.in_(SENT_BACK) & StageChange.from_stage.in_(HANDED))
    decided = (select(StageChange.lead_id.label("lead_id"),
                      func.max(case((StageChange.to_stage == WON, 1), else_=0)).label("won"))
               .where(StageChange.to_stage.in_((WON, LOST, *SENT_BACK)), outcome,
                      StageChange.changed_at >= period.start,
                      StageChange.changed_at < period.end)
               .group_by(StageChange.lead_id).subquery())
    # SQLite's bare column with MAX(): the framework and AE of the latest A/B qualification.
    latest = (select(Qualification.lead_id.label("lead_id"),
                     Qualification.framework.label("framework"),
                     Qualification.handoff_to_id.label("ae"),
                     func.max(Qualification.qualified_at).label("at"))
              .where(Qualification.category.in_((LeadCategory.A, LeadCategory.B)),
                     Qualification.lead_id.in_(select(decided.c.lead_id)))
              .group_by(Qualification.lead_id).subquery())
    # A deal the CRM brought with no hand-off recorded here is its owner's: one grouped pass
    # over the deals (no index on their lead), not a search per lead.
    deals = (select(Opportunity.lead_id.label("lead_id"),
                    func.max(Opportunity.owner_id).label("owner"))
             .where(Opportunity.lead_id.is_not(None)).group_by(Opportunity.lead_id).subquery())
    query = (select(decided.c.won, latest.c.framework,
                    func.coalesce(latest.c.ae, deals.c.owner), Lead.owner_id)
             .select_from(decided)
             .join(Lead, Lead.id == decided.c.lead_id)
             .outerjoin(latest, latest.c.lead_id == decided.c.lead_id)
             .outerjoin(deals, deals.c.lead_id == decided.c.lead_id))
    with sessions() as session:
        rows = session.execute(query).all()
    chosen = None if owners is None else set(owners)
    return [Decided(framework or NOT_RECORDED, ae, bool(won))
            for won, framework, ae, owner in rows
            if chosen is None or owner in chosen or ae in chosen]


def framework_close_rates(decided: Sequence[Decided]) -> list[CloseRate]:
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for lead in decided:
        counted[lead.framework][0] += 1
        counted[lead.framework][1] += lead.won
    return [CloseRate(framework, sqls, won,
                      None if framework == NOT_RECORDED else close_rate_band(framework))
            for framework, (sqls, won) in sorted(counted.items())]


def ae_close_rates(decided: Sequence[Decided]) -> dict[str, tuple[int, int]]:
    """Per AE: (their SQLs decided in the period, of those won)."""
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for lead in decided:
        if lead.ae is not None:
            counted[lead.ae][0] += 1
            counted[lead.ae][1] += lead.won
    return {ae: (sqls, won) for ae, (sqls, won) in counted.items()}
