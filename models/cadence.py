"""The follow-up cadence: which touch a lead needs next, when, and how its first-touch SLA
stands. Pure functions over a lead's facts and its touches; ``models.touches`` stores the
result on the lead so the queue can read it with one indexed query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from models.vocab import ActivityKind, CallOutcome
from models.worktime import Hours, first_shared_moment


@dataclass(frozen=True)
class Step:
    position: int
    channel: str  # "call" or "email"
    anchor: str  # "lead_created", "previous_attempt" or "trial_expiry"
    offset_hours: int
    window_hours: int
    template_name: str | None = None


@dataclass(frozen=True)
class Cadence:
    key: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Touch:
    kind: str
    at: datetime
    outcome: str | None = None
    follow_up_at: datetime | None = None


@dataclass(frozen=True)
class LeadFacts:
    created_at: datetime
    trial_expires_at: datetime | None = None
    timezone: str | None = None
    do_not_call: bool = False
    email_opt_out: bool = False
    snoozed_until: datetime | None = None
    has_phone: bool = True
    # When the lead's current cadence began, if not at its creation (back from nurture):
    # the cadence counts from then, and touches before it belong to an earlier one.
    started_at: datetime | None = None


class CadenceState(StrEnum):
    ACTIVE = "active"
    CONTACTED = "contacted"  # contact made: the cadence ends and qualification opens
    EXHAUSTED = "exhausted"  # every step tried without contact
    OFF = "off"  # the lead is past the SDR's stages (qualified, nurture, closed)


class SlaState(StrEnum):
    DUE = "due"
    AT_RISK = "at risk"
    BREACHED = "breached"
    MET = "met"
    MISSED = "missed"  # touched, but after the deadline


@dataclass(frozen=True)
class NextTouch:
    state: CadenceState
    step: Step | None = None
    due_at: datetime | None = None
    # The step's deadline: past it, the touch is overdue.
    deadline: datetime | None = None
    # False when the lead's calling window never meets the rep's hours.
    inside_rep_hours: bool = True


@dataclass(frozen=True)
class SlaRule:
    first_touch_hours: int = 24
    at_risk_hours: int = 4


def first_touch_sla(created_at: datetime, first_touch_at: datetime | None, now: datetime,
                    rule: SlaRule = SlaRule()) -> SlaState:
    deadline = created_at + timedelta(hours=rule.first_touch_hours)
    if first_touch_at is not None:
        return SlaState.MET if first_touch_at <= deadline else SlaState.MISSED
    if now > deadline:
        return SlaState.BREACHED
    if now > deadline - timedelta(hours=rule.at_risk_hours):
        return SlaState.AT_RISK
    return SlaState.DUE


def _contact_made(touch: Touch) -> bool:
    return touch.kind == ActivityKind.MEETING or (
        touch.kind == ActivityKind.CALL and touch.outcome == CallOutcome.CONNECTED)


def _skipped(step: Step, lead: LeadFacts, phone_bad: bool) -> bool:
    if step.anchor == "trial_expiry" and lead.trial_expires_at is None:
        return True
    if step.channel == ActivityKind.CALL:
        return lead.do_not_call or phone_bad or not lead.has_phone
    return step.channel == ActivityKind.EMAIL and lead.email_opt_out


def _nominal_due(step: Step, lead: LeadFacts, last_attempt: datetime | None) -> datetime:
    offset = timedelta(hours=step.offset_hours)
    if step.anchor == "trial_expiry" and lead.trial_expires_at is not None:
        return lead.trial_expires_at + offset
    if step.anchor == "previous_attempt" and last_attempt is not None:
        return last_attempt + offset
    return (lead.started_at or lead.created_at) + offset


def next_touch(cadence: Cadence, lead: LeadFacts, touches: Sequence[Touch],
               rep_hours: Hours, calling_window: Hours | None) -> NextTouch:
    """The lead's next touch under ``cadence``, placed in time the rep works and, for calls,
    when the lead may be called (``calling_window``, in the lead's timezone)."""
    attempts = sorted((t for t in touches if t.kind in (ActivityKind.CALL, ActivityKind.EMAIL,
                                                         ActivityKind.MEETING)
                       and (lead.started_at is None or t.at >= lead.started_at)),
                      key=lambda t: t.at)
    if any(_contact_made(t) for t in attempts):
        return NextTouch(CadenceState.CONTACTED)
    phone_bad = any(t.outcome == CallOutcome.BAD_NUMBER for t in attempts)
    done = 0
    for touch in attempts:
        while done < len(cadence.steps) and _skipped(cadence.steps[done], lead, phone_bad):
            done += 1
        if done < len(cadence.steps) and touch.kind == cadence.steps[done].channel:
            done += 1
    last = attempts[-1] if attempts else None
    if last and last.outcome == CallOutcome.CALL_BACK and last.follow_up_at:
        # The lead named a time: that is the next call, whatever the cadence says.
        callback = Step(0, ActivityKind.CALL, "previous_attempt", 0, 1)
        return NextTouch(CadenceState.ACTIVE, callback, last.follow_up_at,
                         last.follow_up_at + timedelta(hours=1))
    remaining = [s for s in cadence.steps[done:] if not _skipped(s, lead, phone_bad)]
    if not remaining:
        return NextTouch(CadenceState.EXHAUSTED)
    step = remaining[0]
    nominal = _nominal_due(step, lead, last.at if last else None)
    if lead.snoozed_until and lead.snoozed_until > nominal:
        nominal = lead.snoozed_until
    window = calling_window if step.channel == ActivityKind.CALL else None
    due, inside = first_shared_moment(nominal, rep_hours, window)
    deadline = max(nominal + timedelta(hours=step.window_hours), due)
    return NextTouch(CadenceState.ACTIVE, step, due, deadline, inside)
