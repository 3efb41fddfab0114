"""Meetings set for AEs, the SDR's main output (seed 003): the AE's free slots (working hours
less the meetings already in their calendar here), booking one for a lead (a meeting activity
too, which ends the lead's cadence), and marking it held or a no-show. Each meeting is an
Event in the CRM, through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.booking_records import MeetingRow
from models.cadence_config import queue_settings
from models.store import Activity, Lead, Meeting, User
from models.touches import refresh_cadence
from models.vocab import ActivityKind

LENGTH = timedelta(minutes=30)
STATES = ("booked", "held", "no-show")


class MeetingError(ValueError):
    """A meeting cannot be booked or marked as asked; the message says why."""


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


def _taken(session: Session, ae_id: str, start: datetime, end: datetime
           ) -> list[tuple[datetime, datetime]]:
    return [(s, e) for s, e in session.execute(
        select(Meeting.starts_at, Meeting.ends_at)
        .where(Meeting.owner_id == ae_id, Meeting.starts_at < end, Meeting.ends_at > start,
               Meeting.state != "no-show")).tuples()]


def free_slots(sessions: sessionmaker[Session], ae_id: str, after: datetime, days: int = 5,
               length: timedelta = LENGTH) -> list[Slot]:
    """The AE's free slots of ``length`` in their working hours over the next ``days``."""
    with sessions() as session:
        ae = session.get(User, ae_id)
        if ae is None:
            raise MeetingError("This AE is no longer in the team.")
        hours = queue_settings().rep_hours(ae.timezone)
        intervals = list(hours.intervals_from(after, days))
        if not intervals:
            return []
        taken = _taken(session, ae_id, intervals[0][0], intervals[-1][1])
    slots = []
    for start, end in intervals:
        moment = start
        while moment + length <= end:
            if moment >= after and not any(s < moment + length and e > moment
                                           for s, e in taken):
                slots.append(Slot(moment, moment + length))
            moment += length
    return slots


def add_meeting(session: Session, lead: Lead, ae: User, starts_at: datetime,
                ends_at: datetime, by: str | None, now: datetime) -> Meeting:
    """The meeting and its activity (which ends the lead's cadence), in ``session``.

    Raises:
        MeetingError: the AE already has a meeting here at that time.
    """
    if _taken(session, ae.id, starts_at, ends_at):
        raise MeetingError(f"{ae.name} already has a meeting then: choose another slot.")
    subject = f"Meeting: {lead.company} with {ae.name}"
    meeting = Meeting(subject=subject, starts_at=starts_at, ends_at=ends_at,
                      lead_id=lead.id, owner_id=ae.id, booked_by_id=by, created_at=now)
    session.add(meeting)
    # A meeting is contact made: the lead's cadence ends, as after a connected call.
    session.add(Activity(kind=ActivityKind.MEETING.value, lead_id=lead.id,
                         account_id=lead.account_id, owner_id=by, subject=subject,
                         occurred_at=now))
    lead.first_touch_at = lead.first_touch_at or now
    lead.last_touch_at = now
    session.flush()
    refresh_cadence(session, lead)
    return meeting


def book_meeting(sessions: sessionmaker[Session], lead_id: str, ae_id: str,
                 starts_at: datetime, by: str | None, now: datetime,
                 length: timedelta = LENGTH) -> str:
    """Put a meeting with the lead in the AE's calendar; returns its id.

    Raises:
        MeetingError: the slot is in the past or already taken here, or the lead is gone.
    """
    if starts_at < now:
        raise MeetingError("That slot is in the past: choose one of the free slots.")
    return _add(sessions, lead_id, ae_id, starts_at, length, by, now)


def log_meeting(sessions: sessionmaker[Session], lead_id: str, ae_id: str,
                starts_at: datetime, by: str | None, now: datetime,
                length: timedelta = LENGTH) -> str:
    """A meeting set outside RepDesk (on a call, by mail), past or to come: logged as it is,
    with no invitation. Returns its id.

    Raises:
        MeetingError: the AE already has a meeting then, or the lead or the AE is gone.
    """
    return _add(sessions, lead_id, ae_id, starts_at, length, by, now)


def _add(sessions: sessionmaker[Session], lead_id: str, ae_id: str, starts_at: datetime,
         length: timedelta, by: str | None, now: datetime) -> str:
    with sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        ae = session.get(User, ae_id)
        if lead is None or ae is None:
            raise MeetingError("The lead or the AE is no longer here.")
        return add_meeting(session, lead, ae, starts_at, starts_at + length, by, now).id


def lead_meetings(sessions: sessionmaker[Session], lead_id: str) -> list[MeetingRow]:
    """The lead's meetings, the latest first."""
    with sessions() as session:
        rows = session.execute(
            select(Meeting, User.name).outerjoin(User, User.id == Meeting.owner_id)
            .where(Meeting.lead_id == lead_id).order_by(Meeting.starts_at.desc())).tuples()
        return [MeetingRow(m.id, m.subject, m.starts_at, m.ends_at, name or "(no AE)", m.state)
                for m, name in rows]


def mark_meeting(sessions: sessionmaker[Session], meeting_id: str, state: str,
                 now: datetime) -> None:
    """Held or no-show, once it has started.

    Raises:
        MeetingError: an unknown state, a meeting not started yet, or one that is gone.
    """
    if state not in STATES[1:]:
        raise MeetingError(f"A meeting is marked {' or '.join(STATES[1:])}.")
    with sessions.begin() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise MeetingError("This meeting is no longer here.")
        if meeting.starts_at > now:
            raise MeetingError("The meeting has not started yet.")
        meeting.state = state
