"""The funnel's history: every stage change from a lead's birth, and conversion between any
two stages.

Each change says who, when, from, to, why, and its ``origin``: ``entry`` (the lead was born),
``rule`` (marketing's MQL standard held at birth), ``rep`` (someone's action here), ``crm``
(a status seen in a pull), ``implied`` (a step the lead must have passed, written beside the
move that skipped it) or ``inferred`` (rebuilt from what an older store knew). A dashboard can
so tell what was seen from what was deduced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session, sessionmaker

from models.funnel_config import (
    HandoffMapping,
    entry_spec,
    handoff_mapping,
    stage_specs,
    waterfall,
)
from models.store import Lead, StageChange
from models.touches import refresh_cadence
from models.vocab import FunnelStage

# The stages a Lead's own status can hold; later ones (Opportunity, the close) live only in
# the history, as Salesforce keeps them on the opportunity.
LEAD_STATUSES = frozenset(stage.value for stage in FunnelStage)


def _current_stage(session: Session, lead: Lead) -> tuple[str | None, datetime | None]:
    """Where the lead stands in the funnel and since when (its status, for a lead with no
    history yet)."""
    latest = session.execute(
        select(StageChange.to_stage, StageChange.changed_at)
        .where(StageChange.lead_id == lead.id)
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc()).limit(1)).first()
    return (latest[0], latest[1]) if latest else (lead.stage, None)


def _days(since: datetime | None, until: datetime) -> float | None:
    return None if since is None else max(0.0, (until - since).total_seconds() / 86_400)


def skipped_steps(current: str | None, target: str, mapping: HandoffMapping) -> list[str]:
    """The waterfall steps strictly between ``current`` and ``target`` (a forward move only),
    so every lead that reaches a step is counted at every step before it."""
    steps = [s.stage for s in waterfall(mapping) if s.kind in ("step", "outcome")]
    outcomes = {s.stage for s in stage_specs() if s.kind == "outcome"}
    if current not in steps or target not in steps:
        return []
    start, end = steps.index(current), steps.index(target)
    return [s for s in steps[start + 1:end] if s not in outcomes]


def record_stage_change(session: Session, lead: Lead, to_stage: str, by: str | None,
                        at: datetime, reason: str | None, origin: str = "rep") -> None:
    """Move ``lead`` to ``to_stage`` and write down who, when, from, to and why.

    Steps the move skips are written too (``implied``), at the same moment. A stage that is
    not a lead status (Opportunity, a close) is history only: the lead keeps its status.
    The lead's place in its cadence follows in the same transaction: a qualified or
    disqualified lead leaves the call queue at once, a lead back in nurture is placed again.
    """
    current, since = _current_stage(session, lead)
    for step in skipped_steps(current, to_stage, handoff_mapping(session)):
        session.add(StageChange(lead_id=lead.id, from_stage=current, to_stage=step,
                                changed_at=at, changed_by_id=by, reason=reason,
                                origin="implied", days_in_from_stage=_days(since, at)))
        current, since = step, at
    session.add(StageChange(lead_id=lead.id, from_stage=current, to_stage=to_stage,
                            changed_at=at, changed_by_id=by, reason=reason, origin=origin,
                            days_in_from_stage=_days(since, at)))
    if to_stage in LEAD_STATUSES:
        lead.stage = to_stage
        # The lead's place in its cadence follows in the same transaction: a qualified or
        # disqualified lead leaves the call queue at once, a lead back in nurture is placed
        # again.
        refresh_cadence(session, lead)


def birth_changes(lead_id: str, facts: Mapping[str, Any], at: datetime, by: str | None
                  ) -> list[StageChange]:
    """A new lead's first stage changes: collected as MCL, and MQL at once when marketing's
    standard (``resources/funnel.json``, ``entry``) holds for it."""
    rule = entry_spec()
    changes = [StageChange(lead_id=lead_id, from_stage=None, to_stage=rule.collected_as,
                           changed_at=at, changed_by_id=by, reason="collected",
                           origin="entry")]
    if rule.meets_mql(facts):
        changes.append(StageChange(lead_id=lead_id, from_stage=rule.collected_as,
                                   to_stage=rule.qualified_as, changed_at=at,
                                   changed_by_id=by, reason="marketing's MQL standard met",
                                   origin="rule", days_in_from_stage=0.0))
    return changes


def entry_stage(facts: Mapping[str, Any]) -> str:
    rule = entry_spec()
    return rule.qualified_as if rule.meets_mql(facts) else rule.collected_as


def record_births(session: Session, leads: Iterable[Lead], channel: str,
                  by: str | None) -> None:
    """Give new leads their entry stage and its history, in the caller's transaction."""
    births: list[StageChange] = []
    for lead in leads:
        facts = {"channel": channel, "source": lead.source, "registration": lead.registration}
        changes = birth_changes(lead.id, facts, lead.created_at, by)
        lead.stage = changes[-1].to_stage
        births.extend(changes)
    # The history points at the leads: they are written first (no relationship orders them).
    session.flush()
    session.add_all(births)


def conversion(sessions: sessionmaker[Session], from_stage: str, to_stage: str,
               since: datetime | None = None) -> tuple[int, int]:
    """(leads that reached ``from_stage``, of those, how many later reached ``to_stage``)."""
    with sessions() as session:
        entered = select(StageChange.lead_id, func.min(StageChange.changed_at).label("at")) \
            .where(StageChange.to_stage == from_stage)
        if since is not None:
            entered = entered.where(StageChange.changed_at >= since)
        entered_q = entered.group_by(StageChange.lead_id).subquery()
        reached = session.scalar(
            select(func.count(distinct(StageChange.lead_id)))
            .join(entered_q, entered_q.c.lead_id == StageChange.lead_id)
            .where(StageChange.to_stage == to_stage, StageChange.changed_at >= entered_q.c.at))
        total = session.scalar(select(func.count()).select_from(entered_q))
    return total or 0, reached or 0
