"""E-mails the CRM sends for the rep: each at most once, and never silently skipped.

A send is a side effect no retry may repeat, and Salesforce's emailSimple offers no way to
prove after the fact whether a lost request went out (no idempotency key, nothing to look up).
So its state lives in the store (``models.store.mail``), apart from the Task that records the
mail: the Task is an upsert that may be retried at will, the send is claimed ("sending") in a
committed transaction before the request leaves and settled when the answer comes. A send
whose answer never came is "unsure": it is not sent again unless the rep, told that it may not
have gone, asks for it (``resend``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models.crm.adapter import (
    AuthError,
    CrmAdapter,
    CrmError,
    LimitExceeded,
    OutcomeUnknown,
    TransientError,
)
from models.records import UnsureEmail
from models.store import Activity, EmailSend
from models.store.mail import REFUSED, SENDING, SENT, TO_SEND, UNSURE

UNSURE_MESSAGE = "may not have been sent: check the recipient's mailbox or the CRM, and resend"


def expect(session: Session, activity_ids: Iterable[str]) -> None:
    """Before these activities' Task is first sent: the mails among them that the CRM is to
    send are recorded as due, so their own state decides whether they go, whatever the
    Task's answers say (a retried upsert answers ``created: false``)."""
    ids = set(activity_ids)
    if not ids:
        return
    mails = set(session.scalars(select(Activity.id).where(
        Activity.id.in_(ids), Activity.kind == "email", Activity.delivery == "crm",
        Activity.email_to.is_not(None))))
    known = set(session.scalars(select(EmailSend.activity_id).where(
        EmailSend.activity_id.in_(mails))))
    session.add_all(EmailSend(activity_id=i, state=TO_SEND, attempts=0)
                    for i in sorted(mails - known))


def deliver(sessions: sessionmaker[Session], adapter: CrmAdapter,
            now: Callable[[], datetime]) -> tuple[int, int]:
    """Send every mail that is due and whose Task is in the CRM; (sent, unsure).

    Raises:
        AuthError, LimitExceeded: the run must stop; the mail being sent stays due.
    """
    _interrupted(sessions)
    with sessions() as session:
        due = list(session.execute(
            select(EmailSend.activity_id, Activity.email_to, Activity.subject, Activity.body)
            .join(Activity, Activity.id == EmailSend.activity_id)
            .where(EmailSend.state == TO_SEND, Activity.crm_id.is_not(None))
            .order_by(EmailSend.activity_id)).tuples())
    sent = unsure = 0
    for activity_id, to, subject, body in due:
        if not _claim(sessions, activity_id, now()):
            continue  # another sync of this profile took it
        try:
            adapter.send_email_at_most_once(to or "", subject, body or "")
        except OutcomeUnknown as error:
            unsure += 1
            _settle(sessions, activity_id, UNSURE, f"{UNSURE_MESSAGE} ({error})")
        except (AuthError, LimitExceeded):
            _settle(sessions, activity_id, TO_SEND, None)
            raise
        except TransientError as error:  # refused unread: it did not go; next sync
            _settle(sessions, activity_id, TO_SEND, str(error))
        except CrmError as error:
            _settle(sessions, activity_id, REFUSED, str(error))
        else:
            sent += 1
            _settle(sessions, activity_id, SENT, None)
    return sent, unsure


def _interrupted(sessions: sessionmaker[Session]) -> None:
    """A claim left by a sync that died (or is still waiting for its answer in another
    process) may have gone out: unsure, never sent again by itself. A live sync that gets
    its answer afterwards still records it."""
    with sessions.begin() as session:
        session.execute(update(EmailSend).where(EmailSend.state == SENDING).values(
            state=UNSURE, message=UNSURE_MESSAGE))


def _claim(sessions: sessionmaker[Session], activity_id: str, moment: datetime) -> bool:
    # A write transaction takes SQLite's write lock at BEGIN: two syncs cannot both claim.
    with sessions.begin() as session:
        claimed = session.execute(update(EmailSend).where(
            EmailSend.activity_id == activity_id, EmailSend.state == TO_SEND).values(
            state=SENDING, attempts=EmailSend.attempts + 1, tried_at=moment))
        return bool(getattr(claimed, "rowcount", 0))


def _settle(sessions: sessionmaker[Session], activity_id: str, state: str,
            message: str | None) -> None:
    with sessions.begin() as session:
        session.execute(update(EmailSend).where(EmailSend.activity_id == activity_id).values(
            state=state, message=message))


def unsure_emails(sessions: sessionmaker[Session]) -> list[UnsureEmail]:
    """Mails the rep must look at: unsure whether they went, or refused by the CRM."""
    with sessions() as session:
        rows = session.execute(
            select(EmailSend, Activity.email_to, Activity.subject)
            .join(Activity, Activity.id == EmailSend.activity_id)
            .where(EmailSend.state.in_((UNSURE, REFUSED)))
            .order_by(EmailSend.tried_at.desc())).tuples()
        return [UnsureEmail(send.activity_id, to or "", subject, send.state == UNSURE,
                            send.message or "", send.tried_at) for send, to, subject in rows]


def resend(sessions: sessionmaker[Session], activity_id: str) -> None:
    """The rep checked and wants the mail sent (again): it goes with the next sync.

    Raises:
        ValueError: the mail is not one that may have failed (already sent, or on its way).
    """
    with sessions.begin() as session:
        done = session.execute(update(EmailSend).where(
            EmailSend.activity_id == activity_id,
            EmailSend.state.in_((UNSURE, REFUSED))).values(state=TO_SEND, message=None))
        if not getattr(done, "rowcount", 0):
            raise ValueError("This e-mail is not waiting for a decision any more.")
