"""Logging touches (calls, e-mails) and keeping each lead's place in its cadence.

Every touch is an activity (so it reaches the CRM through the outbox) and, in the same
transaction, moves the lead's cadence on: the queue then reads the stored next touch with one
indexed query instead of replaying every lead's history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, sessionmaker

from models.cadence import Cadence, CadenceState, LeadFacts, NextTouch, Touch, next_touch
from models.cadence_config import lead_timezone, load_cadence, queue_settings, trial_expiry
from models.store import Activity, Base, Lead, User
from models.vocab import CallOutcome, FunnelStage

# Stages in which an SDR is still trying to reach the lead.
WORKED_STAGES = (FunnelStage.MCL, FunnelStage.MQL)
BATCH = 1000


@dataclass(frozen=True)
class TouchLogged:
    activity_id: str
    lead_id: str
    next: NextTouch


def touches_of(session: Session, lead_ids: Sequence[str]) -> dict[str, list[Touch]]:
    rows = session.execute(
        select(Activity.lead_id, Activity.kind, Activity.occurred_at, Activity.outcome,
               Activity.follow_up_at)
        .where(Activity.lead_id.in_(lead_ids))
        .order_by(Activity.occurred_at))
    found: dict[str, list[Touch]] = defaultdict(list)
    for lead_id, kind, at, outcome, follow_up in rows:
        found[lead_id].append(Touch(kind, at, outcome, follow_up))
    return found


def lead_facts(lead: Lead) -> LeadFacts:
    return LeadFacts(
        created_at=lead.created_at,
        trial_expires_at=trial_expiry(lead.trial_expires_at, lead.source, lead.created_at),
        timezone=lead_timezone(lead.timezone, lead.phone), do_not_call=lead.do_not_call,
        email_opt_out=lead.email_opt_out, snoozed_until=lead.snoozed_until,
        has_phone=bool(lead.phone), started_at=lead.cadence_started_at)


def compute_next_touch(stage: str, facts: LeadFacts, cadence: Cadence, rep_timezone: str,
                       touches: Iterable[Touch]) -> NextTouch:
    if stage not in WORKED_STAGES:
        return NextTouch(CadenceState.OFF)
    settings = queue_settings()
    return next_touch(cadence, facts, list(touches), settings.rep_hours(rep_timezone),
                      settings.calling_window(facts.timezone))


def cadence_columns(cadence_key: str, upcoming: NextTouch) -> dict[str, Any]:
    return {
        "cadence_key": cadence_key,
        "cadence_state": upcoming.state.value,
        "cadence_step": upcoming.step.position if upcoming.step else None,
        "cadence_channel": upcoming.step.channel if upcoming.step else None,
        "cadence_due_at": upcoming.due_at,
        "cadence_deadline": upcoming.deadline,
    }


def _rep_timezones(session: Session) -> dict[str | None, str]:
    zones: dict[str | None, str] = {u: tz for u, tz in session.execute(
        select(User.id, User.timezone)).tuples()}
    zones[None] = "UTC"
    return zones


def refresh_cadence(session: Session, lead: Lead) -> NextTouch:
    """Place one lead in its cadence again (after a touch, a snooze, a new owner)."""
    cadence = load_cadence(session, lead.cadence_key)
    owner = session.get(User, lead.owner_id) if lead.owner_id else None
    upcoming = compute_next_touch(lead.stage, lead_facts(lead), cadence,
                                  owner.timezone if owner else "UTC",
                                  touches_of(session, [lead.id]).get(lead.id, ()))
    for column, value in cadence_columns(cadence.key, upcoming).items():
        setattr(lead, column, value)
    return upcoming


_FACT_COLUMNS = (Lead.id, Lead.stage, Lead.owner_id, Lead.cadence_key, Lead.created_at,
                 Lead.trial_expires_at, Lead.timezone, Lead.phone, Lead.do_not_call,
                 Lead.email_opt_out, Lead.snoozed_until, Lead.source, Lead.cadence_started_at)


def refresh_cadences(sessions: sessionmaker[Session], only_missing: bool = True) -> int:
    """Work out the next touch of many leads (after an import, a pull, demo data), a batch
    at a time. Returns how many leads it placed.

    Each batch is worked out from a read and written in a short transaction of its own:
    worked out inside the write, a batch held SQLite's write lock for about a second while
    the rep's saves waited. The write leaves a lead alone if its cadence was placed
    meanwhile (the rep logged a touch). The cadence columns are local bookkeeping, so this
    writes them with plain UPDATEs beside the ORM: nothing here is an edit for the CRM.
    """
    placed, last_id = 0, ""
    cadences: dict[str | None, Cadence] = {}
    table = Base.metadata.tables["leads"]
    write = update(table).where(table.c.id == bindparam("lead_id"))
    if only_missing:
        write = write.where(table.c.cadence_state.is_(None))
    write = write.values({c: bindparam(c) for c in cadence_columns("", NextTouch(
        CadenceState.EXHAUSTED))})
    while True:
        with sessions() as session:
            query = (select(*_FACT_COLUMNS).where(Lead.id > last_id).order_by(Lead.id)
                     .limit(BATCH))
            if only_missing:
                query = query.where(Lead.cadence_state.is_(None))
            rows = session.execute(query).all()
            if not rows:
                return placed
            zones = _rep_timezones(session)
            history = touches_of(session, [row.id for row in rows])
            updates = []
            for row in rows:
                if row.cadence_key not in cadences:
                    cadences[row.cadence_key] = load_cadence(session, row.cadence_key)
                cadence = cadences[row.cadence_key]
                facts = LeadFacts(row.created_at,
                                  trial_expiry(row.trial_expires_at, row.source,
                                               row.created_at),
                                  lead_timezone(row.timezone, row.phone), row.do_not_call,
                                  row.email_opt_out, row.snoozed_until, bool(row.phone),
                                  row.cadence_started_at)
                upcoming = compute_next_touch(row.stage, facts, cadence,
                                              zones.get(row.owner_id, "UTC"),
                                              history.get(row.id, ()))
                updates.append({"lead_id": row.id, **cadence_columns(cadence.key, upcoming)})
        with sessions.begin() as session:
            session.connection().execute(write, updates)
        placed += len(rows)
        last_id = rows[-1].id


@dataclass(frozen=True)
class EmailSent:
    """What an e-mail touch carries besides its note: the mail itself and how it leaves."""

    to: str
    subject: str
    delivery: str  # "crm": sent by the CRM at the next sync; "mailto": the rep's mail app


def log_touch(sessions: sessionmaker[Session], lead_id: str, rep_id: str | None, kind: str,
              at: datetime, outcome: str | None = None, note: str | None = None,
              follow_up_at: datetime | None = None,
              email: EmailSent | None = None) -> TouchLogged:
    """Record a call or e-mail with its outcome and move the lead's cadence on.

    Raises:
        LookupError: no such lead.
        ValueError: a call-back outcome without a time, or a time in the past.
    """
    if outcome == CallOutcome.CALL_BACK and (follow_up_at is None or follow_up_at <= at):
        raise ValueError("A call-back needs a time later than now.")
    with sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise LookupError(f"The lead {lead_id} no longer exists.")
        label = {"call": "Call", "email": "E-mail"}.get(kind, kind)
        subject = f"{label}: {outcome}" if outcome else label
        activity = Activity(
            kind=kind, lead_id=lead_id, account_id=lead.account_id, owner_id=rep_id,
            subject=email.subject if email else subject, body=note or None,
            outcome=outcome, occurred_at=at, follow_up_at=follow_up_at,
            email_to=email.to if email else None, delivery=email.delivery if email else None)
        session.add(activity)
        lead.first_touch_at = lead.first_touch_at or at
        lead.last_touch_at = at
        lead.snoozed_until = None
        session.flush()
        return TouchLogged(activity.id, lead_id, refresh_cadence(session, lead))


def snooze(sessions: sessionmaker[Session], lead_id: str, until: datetime) -> datetime | None:
    """Put a lead's next touch off until ``until``; returns when it is now due."""
    with sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise LookupError(f"The lead {lead_id} no longer exists.")
        lead.snoozed_until = until
        return refresh_cadence(session, lead).due_at
