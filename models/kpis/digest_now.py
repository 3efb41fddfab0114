"""A manager's "send the digest now": the team's digest of the week under way, mailed through
the CRM at most once per manager and week, the way the Monday mail goes
(``models.kpis.digest_mail``).

It has an id of its own, apart from the Monday mail's: a digest of a week still under way
is not that week's whole digest, so sending it now leaves next Monday's mail to go as usual.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from models.kpis.digest_html import digest_html
from models.kpis.digest_mail import DIGEST_NAMESPACE, queue_digest
from models.kpis.periods import Period, period_of, team_timezone
from models.kpis.sheet import compute_sheet
from models.store import Activity, EmailSend, User
from models.store.mail import REFUSED, SENDING, SENT, TO_SEND, UNSURE
from models.vocab import Role

QUEUED = "queued"  # written, the sync has not taken it up yet


@dataclass(frozen=True)
class DigestNow:
    """Where this week's digest for one manager stands."""

    week: str
    to: str
    state: str  # QUEUED, or the send's: "to send", "sending", "sent", "unsure", "refused"
    queued_now: bool  # written by this press (False: an earlier press wrote it)
    queued_at: datetime
    sent_at: datetime | None = None
    message: str | None = None  # the CRM's or the network's word on the last attempt

    @property
    def sent(self) -> bool:
        return self.state == SENT

    @property
    def waiting(self) -> bool:
        """Not sent and nothing stops a sync from sending it."""
        return self.state in (QUEUED, TO_SEND, SENDING)


def digest_now_id(week: str, manager_id: str) -> str:
    return str(uuid.uuid5(DIGEST_NAMESPACE, f"digest-now/{week}/{manager_id}"))


def _manager(session: Session, manager_id: str) -> User:
    manager = session.get(User, manager_id)
    if manager is None or manager.role != Role.MANAGER:
        raise ValueError("Only a manager's desk sends the team digest.")
    if not manager.email:
        raise ValueError("Your user has no e-mail address in the CRM: add one there, sync, "
                         "and send again.")
    session.expunge(manager)
    return manager


def this_week(sessions: sessionmaker[Session], now: datetime) -> Period:
    return period_of("week", now, team_timezone(sessions))


def digest_now_state(sessions: sessionmaker[Session], manager_id: str, now: datetime,
                     queued_now: bool = False) -> DigestNow | None:
    """This week's digest for the manager, or None when it was not asked for yet."""
    week = this_week(sessions, now).label
    with sessions() as session:
        mail = session.get(Activity, digest_now_id(week, manager_id))
        if mail is None:
            return None
        send = session.get(EmailSend, mail.id)
        state = send.state if send else QUEUED
        return DigestNow(week, mail.email_to or "", state, queued_now, mail.occurred_at,
                         send.tried_at if send and send.state == SENT else None,
                         send.message if send else None)


def queue_digest_now(sessions: sessionmaker[Session], manager_id: str,
                     now: datetime) -> DigestNow:
    """Write this week's team digest for the manager unless an earlier press did; the next
    sync has the CRM send it once.

    Raises:
        ValueError: not a manager, or no e-mail address to send to.
    """
    with sessions() as session:
        manager = _manager(session, manager_id)
    before = digest_now_state(sessions, manager_id, now)
    if before is not None:
        return before
    period = this_week(sessions, now)
    body = digest_html(compute_sheet(sessions, period, now), "Team")
    written = queue_digest(sessions, manager, period, body, now,
                           mail_id=digest_now_id(period.label, manager_id),
                           subject=f"RepDesk digest {period.label} so far")
    state = digest_now_state(sessions, manager_id, now, queued_now=written)
    assert state is not None  # written now, or by another window between our look and write
    return state


__all__ = ["QUEUED", "REFUSED", "SENT", "TO_SEND", "UNSURE", "DigestNow", "digest_now_id",
           "digest_now_state", "queue_digest_now"]
