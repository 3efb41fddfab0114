"""The weekly digest mailed to each manager exactly once per week, through the CRM.

A digest mail is an e-mail activity the CRM sends (``delivery="crm"``) whose id, the external
id it is created under in the CRM, is derived from the week and the manager. So two windows,
a crash between writing and sending, or a lost answer from the CRM all end in one mail: the
second window's insert finds the row already there, and the push sends a mail only with the
Task's first creation in the CRM (an upsert on that id).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models.kpis.digest_html import digest_html
from models.kpis.periods import Period, period_of, previous, team_timezone
from models.kpis.sheet import compute_sheet
from models.store import Activity, User
from models.vocab import ActivityKind, Role

# Fixed for ever: the ids of mails already sent depend on it.
DIGEST_NAMESPACE = uuid.UUID("5b0f3c52-8a2e-4a51-9a55-2f1c1d7e4b11")


@dataclass(frozen=True)
class DigestQueued:
    manager: str
    week: str
    queued: bool  # False: this manager's digest of this week was queued before


def digest_mail_id(week: str, manager_id: str) -> str:
    return str(uuid.uuid5(DIGEST_NAMESPACE, f"weekly-digest/{week}/{manager_id}"))


def queue_digest(sessions: sessionmaker[Session], manager: User, period: Period, body: str,
                 now: datetime, mail_id: str | None = None, subject: str | None = None) -> bool:
    """Write the manager's digest mail of ``period`` (under ``mail_id``, by default the
    weekly mail's) unless it exists; True if written now."""
    mail_id = mail_id or digest_mail_id(period.label, manager.id)
    try:
        with sessions.begin() as session:
            if session.get(Activity, mail_id) is not None:
                return False
            session.add(Activity(
                id=mail_id, kind=ActivityKind.EMAIL, owner_id=manager.id,
                subject=subject or f"RepDesk weekly digest {period.label}", body=body,
                occurred_at=now, email_to=manager.email, delivery="crm"))
    except IntegrityError:
        return False  # another window wrote it between our look and our write
    return True


def due_week(sessions: sessionmaker[Session], now: datetime) -> Period:
    """From Monday 00:00 in the team's timezone, the week just ended is due."""
    return previous(period_of("week", now, team_timezone(sessions)))


def send_due_digests(sessions: sessionmaker[Session], now: datetime,
                     week: Period | None = None,
                     manager_ids: list[str] | None = None) -> list[DigestQueued]:
    """Queue the team digest of ``week`` (default: last week) for every manager with an
    e-mail address (or those of ``manager_ids``) who has not had it yet; the next sync sends
    each one once."""
    period = week or due_week(sessions, now)
    with sessions() as session:
        query = select(User).where(User.role == Role.MANAGER, User.email.is_not(None))
        if manager_ids is not None:
            query = query.where(User.id.in_(manager_ids))
        managers = list(session.scalars(query.order_by(User.name)))
        waiting = {m.id for m in managers
                   if session.get(Activity, digest_mail_id(period.label, m.id)) is None}
        session.expunge_all()
    if not waiting:
        return [DigestQueued(m.name, period.label, False) for m in managers]
    moment = min(now, period.end - timedelta(microseconds=1))
    # The HTML page with its charts as inline PNG images: the CRM sends an HTML body as
    # rich text (models.crm.salesforce.send_email).
    body = digest_html(compute_sheet(sessions, period, moment), "Team")
    return [DigestQueued(m.name, period.label,
                         m.id in waiting and queue_digest(sessions, m, period, body, now))
            for m in managers]
