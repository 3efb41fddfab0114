"""An AE's own waterfall: the leads handed to them, from the hand-over through acceptance and
the opportunity to won or lost, with each step's conversion and the median days in stage.

The team's waterfall (models.funnel_report) counts the leads an SDR owns; an AE owns none of
them, so theirs is counted over the leads handed to them: named in a qualification or a
hand-off, or whose deal they own. The same cohort
rule: of the leads that first entered X in the period, the share that entered Y at that moment
or later; days in stage are those of the stays that ended in the period.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session, sessionmaker

from models.funnel_config import handoff_mapping
from models.kpis.periods import Period
from models.store import Lead, Opportunity, Qualification, StageChange
from models.vocab import FunnelStage

WON, LOST = "Closed Won", "Closed Lost"


def ae_stages(session: Session) -> tuple[list[str], list[tuple[str, str]]]:
    """The AE's steps (the stage a hand-off records, then those acceptance records) and the
    pairs counted: each step to the next, the last to won and to lost, the hand-over back to
    nurture (a rejection)."""
    mapping = handoff_mapping(session)
    steps = list(dict.fromkeys([mapping.qualified, *mapping.accepted, "Opportunity"]))
    pairs = [*pairwise(steps), (steps[-1], WON), (steps[-1], LOST),
             (steps[0], FunnelStage.NURTURE.value)]
    return steps, pairs


def ae_waterfall(sessions: sessionmaker[Session], period: Period, ae_id: str
                 ) -> list[dict[str, Any]]:
    """Rows shaped as the sheet's waterfall: from, to, entered, converted, rate and the
    median days in ``from``."""
    # Named in a qualification, in the lead's current hand-off, or owning the lead's deal
    # (deals the CRM brought with no hand-off recorded here).
    handed: Any = union(select(Qualification.lead_id).where(Qualification.handoff_to_id == ae_id),
                   select(Lead.id).where(Lead.handoff_to_id == ae_id),
                   select(Opportunity.lead_id).where(Opportunity.owner_id == ae_id,
                                                     Opportunity.lead_id.is_not(None)))
    with sessions() as session:
        _steps, pairs = ae_stages(session)
        rows = session.execute(
            select(StageChange.lead_id, StageChange.to_stage, StageChange.from_stage,
                   StageChange.changed_at, StageChange.days_in_from_stage)
            .where(StageChange.lead_id.in_(handed))
            .order_by(StageChange.lead_id, StageChange.changed_at, StageChange.id)).all()
    entries: dict[str, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    stays: dict[str, list[float]] = defaultdict(list)
    for lead, to_stage, from_stage, at, days in rows:
        entries[lead][to_stage].append(at)
        if from_stage and days is not None and period.start <= at < period.end:
            stays[from_stage].append(float(days))
    figures = []
    for first, then in pairs:
        entered = converted = 0
        for moments in entries.values():
            inside = [at for at in moments.get(first, ()) if period.start <= at < period.end]
            if not inside:
                continue
            entered += 1
            converted += any(at >= inside[0] for at in moments.get(then, ()))
        figures.append({"from": first, "to": then, "entered": entered, "converted": converted,
                        "rate": round(converted / entered, 4) if entered else None,
                        "median_days_in_from": round(statistics.median(stays[first]), 2)
                        if stays[first] else None})
    return figures
