"""Routing leads in the store: gathering each lead's facts (its confirmed account, that
account's owner and opportunities), deciding, and carrying the decision out as ordinary edits.
The round robin's turns live in the store, so they survive restarts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, sessionmaker

from models.funnel import record_stage_change
from models.hygiene.account_links import threshold
from models.hygiene.merge import merge_leads
from models.hygiene.routing import Decision, Member, RoutingFacts, decide
from models.store import Account, Lead, LeadAccountMatch, Opportunity, Setting, User
from models.touches import refresh_cadence
from models.vocab import FunnelStage

TURNS_SETTING = "routing.turns"
OPEN_STAGES = (FunnelStage.MCL.value, FunnelStage.MQL.value)


def members(session: Session) -> list[Member]:
    return [Member(*row) for row in session.execute(
        select(User.id, User.name, User.team, User.region))]


def routing_facts(session: Session, lead_ids: Sequence[str],
                  duplicates: Mapping[str, tuple[str, str]] | None = None
                  ) -> dict[str, RoutingFacts]:
    """Lead id → its facts; ``duplicates`` maps a lead to (the lead it duplicates, its name)."""
    limit = threshold(session)
    confirmed = and_(LeadAccountMatch.lead_id == Lead.id,
                     (LeadAccountMatch.method == "linked")
                     | (LeadAccountMatch.confidence >= limit))
    rows = session.execute(
        select(Lead.id, Lead.employees, Lead.country, Lead.state, Lead.postal_code,
               Account.id.label("account_id"), Account.name, Account.kind, Account.owner_id,
               Account.employees.label("account_employees"))
        .outerjoin(LeadAccountMatch, confirmed)
        .outerjoin(Account, Account.id == LeadAccountMatch.account_id)
        .where(Lead.id.in_(lead_ids))).all()
    opportunities = _opportunities(session, {r.account_id for r in rows if r.account_id})
    facts = {}
    for row in rows:
        open_owner, lost = opportunities.get(row.account_id, (None, False))
        duplicate_of, duplicate_name = (duplicates or {}).get(row.id, (None, None))
        facts[row.id] = RoutingFacts(
            row.id, row.employees if row.employees is not None else row.account_employees,
            row.country, row.state, row.postal_code, row.name, row.kind, row.owner_id,
            duplicate_of, duplicate_name, open_owner, lost)
    return facts


def _opportunities(session: Session, account_ids: set[str]
                   ) -> dict[str, tuple[str | None, bool]]:
    """Account → (the owner of its newest open opportunity, whether one was lost)."""
    found: dict[str, tuple[str | None, bool]] = {}
    ids = list(account_ids)
    for start in range(0, len(ids), 900):
        for account_id, owner, closed, won in session.execute(
                select(Opportunity.account_id, Opportunity.owner_id, Opportunity.is_closed,
                       Opportunity.is_won)
                .where(Opportunity.account_id.in_(ids[start:start + 900]))
                .order_by(Opportunity.created_at)):
            open_owner, lost = found.get(account_id, (None, False))
            if not closed:
                open_owner = owner
            found[account_id] = (open_owner, lost or (closed and not won))
    return found


def _turns(session: Session) -> dict[str, str]:
    stored = session.get(Setting, TURNS_SETTING)
    return dict(stored.value) if stored and stored.value else {}


def route_of(session: Session, lead_id: str) -> Decision | None:
    """Which rule fits the lead now, read in the caller's session (the lead panel's line)."""
    decisions = _decide_all(session, [lead_id], None, _turns(session))
    return decisions[0] if decisions else None


def _decide_all(session: Session, lead_ids: Sequence[str],
                duplicates: Mapping[str, tuple[str, str]] | None,
                turns: dict[str, str]) -> list[Decision]:
    facts = routing_facts(session, lead_ids, duplicates)
    team = members(session)
    decisions = []
    for lead_id in lead_ids:
        if lead_id not in facts:
            continue
        decision = decide(facts[lead_id], team, turns)
        if decision.turn:
            turns[decision.turn[0]] = decision.turn[1]
        decisions.append(decision)
    return decisions


def route_leads(sessions: sessionmaker[Session], lead_ids: Sequence[str], by: str | None,
                now: datetime, duplicates: Mapping[str, tuple[str, str]] | None = None
                ) -> list[Decision]:
    """Decide and carry out, in one transaction; merges run after it, each in its own."""
    with sessions.begin() as session:
        turns = _turns(session)
        decisions = _decide_all(session, lead_ids, duplicates, turns)
        for decision in decisions:
            if decision.action != "merge":
                _carry_out(session, decision, by, now)
        session.merge(Setting(key=TURNS_SETTING, value=turns))
    for decision in decisions:
        if decision.action == "merge" and decision.merge_into:
            merge_leads(sessions, decision.merge_into, [decision.lead_id], by, now)
    return decisions


def _carry_out(session: Session, decision: Decision, by: str | None, now: datetime) -> None:
    lead = session.get(Lead, decision.lead_id)
    if lead is None:
        return
    reason = f"Routing: {decision.rule}: {decision.explanation}"
    if decision.action == "disqualify":
        record_stage_change(session, lead, FunnelStage.DISQUALIFIED.value, by, now, reason)
        lead.reason_code = decision.reason_code
    elif decision.action == "nurture":
        record_stage_change(session, lead, FunnelStage.NURTURE.value, by, now, reason)
    elif decision.action == "assign" and decision.owner_id:
        lead.owner_id = decision.owner_id
    # A new owner works in their own hours; a lead leaving the funnel leaves its cadence.
    refresh_cadence(session, lead)


def misrouted(sessions: sessionmaker[Session], rep_id: str, limit: int = 200
              ) -> list[tuple[Any, Decision]]:
    """The rep's open leads that a relationship rule would take elsewhere: (lead row, what
    routing would do). Size and territory rules only route new leads, never a rep's own."""
    with sessions() as session:
        leads = session.execute(
            select(Lead.id, Lead.first_name, Lead.last_name, Lead.company)
            .join(LeadAccountMatch, LeadAccountMatch.lead_id == Lead.id)
            .where(Lead.owner_id == rep_id, Lead.stage.in_(OPEN_STAGES),
                   LeadAccountMatch.account_id.is_not(None))
            .order_by(Lead.created_at.desc()).limit(5_000)).all()
        by_id = {lead.id: lead for lead in leads}
        decisions = _decide_all(session, list(by_id), None, _turns(session))
    wrong = [(by_id[d.lead_id], d) for d in decisions
             if d.action != "keep" and not d.new_leads_only
             and not (d.action == "assign" and d.owner_id == rep_id)]
    return wrong[:limit]
