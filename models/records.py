"""Frozen records that services hand to screens: plain values, no database attached."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class LeadRow:
    """One line of the leads table."""

    id: str
    name: str
    company: str
    title: str | None
    email: str | None
    phone: str | None
    stage: str
    persona: str | None
    country: str | None
    owner: str | None
    created_at: datetime


@dataclass(frozen=True)
class ActivityRecord:
    kind: str
    subject: str
    outcome: str | None
    occurred_at: datetime
    by: str | None
    body: str | None = None


@dataclass(frozen=True)
class AccountSummary:
    id: str
    name: str
    kind: str
    is_named: bool
    domain: str | None
    industry: str | None
    employees: int | None
    size_band: str | None
    country: str | None
    owner: str | None


@dataclass(frozen=True)
class AccountMatchNote:
    """How the lead's account was found, and how sure RepDesk is."""

    confidence: float
    method: str  # linked, domain, name or none
    reasons: tuple[str, ...]
    confirmed: bool


@dataclass(frozen=True)
class LeadDetail:
    """Everything already known about a lead, so no rep asks it twice."""

    id: str
    name: str
    company: str
    title: str | None
    title_level: str | None
    job_function: str | None
    persona: str | None
    email: str | None
    phone: str | None
    stage: str
    category: str | None
    reason_code: str | None
    source: str | None
    campaign: str | None
    owner: str | None
    city: str | None
    country: str | None
    timezone: str | None
    created_at: datetime
    first_touch_at: datetime | None
    last_touch_at: datetime | None
    trial_expires_at: datetime | None
    do_not_call: bool
    email_opt_out: bool
    registration: dict[str, str] = field(default_factory=dict)
    account: AccountSummary | None = None
    account_match: AccountMatchNote | None = None
    # Which routing rule fits the lead now, and why, in words.
    routing: str | None = None
    history: tuple[ActivityRecord, ...] = ()


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar tells the rep about the CRM connection."""

    crm_url: str | None
    online: bool | None  # None: no sync tried in this session yet
    pending_changes: int
    failed_changes: int
    last_sync_at: datetime | None
    # Waiting changes that cannot go as they are (a parent not in the CRM…): a problem to show.
    blocked_changes: int = 0
    # Said while no OS keychain can keep the CRM sign-in (it is then in memory only).
    secrets_warning: str | None = None


@dataclass(frozen=True)
class DayBlockPlan:
    position: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    target: int | None
    started: bool = False
    ended: bool = False
    # Touches of this block's kind the rep logged inside it.
    done: int = 0


@dataclass(frozen=True)
class DayFigures:
    """The headline figures of a rep's day."""

    waiting_for_follow_up: int
    sla_due_today: int
    sla_met_today: int
    touches_today: int
    touch_target: int
    # The rep's qualified leads an AE has left past the 48-hour deadline.
    handoffs_overdue: int = 0

    @property
    def sla_compliance(self) -> float | None:
        return self.sla_met_today / self.sla_due_today if self.sla_due_today else None


@dataclass(frozen=True)
class RepProfile:
    id: str
    name: str
    role: str
    team: str | None
    timezone: str


@dataclass(frozen=True)
class OutboxLine:
    """One change waiting for the CRM, or refused by it."""

    object: str
    record_id: str
    op: str
    fields: tuple[str, ...]
    state: str
    error: str | None
    created_at: datetime
    # Neither refused nor waiting for a send: it waits for the rep's decision (a record the
    # CRM deleted, settled under Conflicts).
    waits_for_rep: bool = False


@dataclass(frozen=True)
class ConflictRecord:
    """A field edited here and in the CRM since they last agreed."""

    id: int
    table: str
    record_id: str
    field: str
    base: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class UnsureEmail:
    """An e-mail the CRM was asked to send that the rep must look at: its answer never came
    (``unsure``: it may or may not have gone), or the CRM refused it."""

    activity_id: str
    to: str
    subject: str
    unsure: bool
    message: str
    tried_at: datetime | None
