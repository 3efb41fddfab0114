"""The work lists of a rep's call and e-mail blocks (the clean-up list is models.hygiene.cleanup).

Calls and e-mails are grouped by buyer persona (so the rep keeps one message for a run of
similar people), groups in the personas' priority order, and inside a group by urgency:
first-touch SLA breached, trial expiring, named account or target segment, decision-maker
level, then due time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models.cadence_config import QueueSettings, lead_timezone, queue_settings
from models.store import Account, Lead, Persona
from models.touches import WORKED_STAGES
from models.vocab import ActivityKind, TitleLevel

LEVEL_RANK = {level.value: rank for rank, level in enumerate(TitleLevel)}
UNGROUPED = "unclassified"


@dataclass(frozen=True)
class QueueItem:
    lead_id: str
    name: str
    company: str
    title: str | None
    title_level: str | None
    persona: str
    phone: str | None
    email: str | None
    timezone: str | None
    local_time: str
    step: int | None
    due_at: datetime
    overdue: bool
    sla_breached: bool
    trial_expiring: bool
    priority_account: bool


@dataclass(frozen=True)
class PersonaGroup:
    persona: str
    name: str
    talk_track: str
    items: tuple[QueueItem, ...]


@dataclass(frozen=True)
class WorkList:
    block: str
    at: datetime
    groups: tuple[PersonaGroup, ...]

    @property
    def items(self) -> list[QueueItem]:
        return [item for group in self.groups for item in group.items]

    def __len__(self) -> int:
        return sum(len(group.items) for group in self.groups)


def _local_time(timezone: str | None, at: datetime) -> str:
    return f"{at.astimezone(ZoneInfo(timezone)):%a %H:%M}" if timezone else "unknown"


def _urgency(item: QueueItem) -> tuple[int, int, int, int, datetime]:
    return (not item.sla_breached, not item.trial_expiring, not item.priority_account,
            LEVEL_RANK.get(item.title_level or "", len(LEVEL_RANK)), item.due_at)


def _due_rows(session: Session, rep_id: str, channel: str, at: datetime,
              settings: QueueSettings) -> Sequence[Row[Any]]:
    # Plain columns, and the urgency flags computed by SQLite: a rep can have thousands of
    # due leads, and turning stored timestamps into datetimes is the slow part in Python.
    sla_cutoff = at - timedelta(hours=settings.sla.first_touch_hours)
    trial_horizon = at + timedelta(days=settings.trial_expiring_days)
    query = (
        select(
            Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.title,
            Lead.title_level, Lead.persona, Lead.phone, Lead.email, Lead.timezone,
            Lead.cadence_step, Lead.cadence_due_at, Lead.do_not_call, Lead.email_opt_out,
            (Lead.cadence_deadline < at).label("overdue"),
            and_(Lead.first_touch_at.is_(None), Lead.created_at < sla_cutoff).label("sla"),
            Lead.trial_expires_at.between(at, trial_horizon).label("trial"),
            or_(Account.is_named.is_(True),
                func.coalesce(Account.employees, Lead.employees, 0)
                >= settings.target_segment_min_employees).label("priority"),
        )
        .outerjoin(Account, Account.id == Lead.account_id)
        .where(Lead.owner_id == rep_id, Lead.cadence_channel == channel,
               Lead.cadence_due_at <= at, Lead.cadence_state == "active",
               # A stage that ends calling leaves the list even before its cadence is placed
               # again (a stage pulled from the CRM, say).
               Lead.stage.in_(WORKED_STAGES))
    )
    return session.connection().execute(query).all()


class _Callable:
    """Per timezone, once per list: may the lead be called now, and its local time."""

    def __init__(self, at: datetime, settings: QueueSettings) -> None:
        self._at, self._settings = at, settings
        self._cache: dict[str | None, tuple[bool, str]] = {}

    def __call__(self, timezone: str | None) -> tuple[bool, str]:
        if timezone not in self._cache:
            window = self._settings.calling_window(timezone)
            self._cache[timezone] = (window is None or window.contains(self._at),
                                     _local_time(timezone, self._at))
        return self._cache[timezone]


def _item(lead: Row[Any], channel: str, callable_now: _Callable) -> QueueItem | None:
    timezone = lead_timezone(lead.timezone, lead.phone)
    in_window, local_time = callable_now(timezone)
    if channel == ActivityKind.CALL and (lead.do_not_call or not in_window):
        return None
    if channel == ActivityKind.EMAIL and lead.email_opt_out:
        return None
    return QueueItem(
        lead_id=lead.id, name=f"{lead.first_name or ''} {lead.last_name}".strip(),
        company=lead.company, title=lead.title, title_level=lead.title_level,
        persona=lead.persona or UNGROUPED, phone=lead.phone, email=lead.email,
        timezone=timezone, local_time=local_time, step=lead.cadence_step,
        due_at=lead.cadence_due_at, overdue=bool(lead.overdue), sla_breached=bool(lead.sla),
        trial_expiring=bool(lead.trial), priority_account=bool(lead.priority),
    )


def _group(session: Session, items: list[QueueItem]) -> tuple[PersonaGroup, ...]:
    personas = {p.key: p for p in session.scalars(select(Persona))}
    by_persona: dict[str, list[QueueItem]] = {}
    for item in items:
        by_persona.setdefault(item.persona, []).append(item)

    def order(key: str) -> tuple[int, str]:
        persona = personas.get(key)
        return (persona.priority if persona else len(personas) + 1, key)

    return tuple(
        PersonaGroup(
            persona=key,
            name=personas[key].name if key in personas else "Unclassified title",
            talk_track=personas[key].talk_track if key in personas else
            "Confirm the lead's role first; fix the title in the clean-up block.",
            items=tuple(sorted(by_persona[key], key=_urgency)),
        )
        for key in sorted(by_persona, key=order)
    )


def work_list(sessions: sessionmaker[Session], rep_id: str, block: str,
              at: datetime) -> WorkList:
    """The calls or e-mails due for ``rep_id`` at ``at`` (now, or a moment to plan for)."""
    channel = ActivityKind.CALL if block == "calls" else ActivityKind.EMAIL
    settings = queue_settings()
    with sessions() as session:
        callable_now = _Callable(at, settings)
        items = [item for row in _due_rows(session, rep_id, channel, at, settings)
                 if (item := _item(row, channel, callable_now)) is not None]
        return WorkList(block, at, _group(session, items))
