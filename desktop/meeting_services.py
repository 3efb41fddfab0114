"""The booking screen's services, bound to the signed-in rep: reads as they are, writes as
commands that say what they changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from desktop.change_sets import changing
from models import booking, meetings
from models.changes import Kind
from views.booking_dialog import MeetingServices

# A booking changes the lead (hand-off, cadence), logs activities and waits for the CRM.
BOOKED = (Kind.LEAD, Kind.TOUCH, Kind.CADENCE, Kind.HANDOFF, Kind.OUTBOX)


def meeting_services(sessions: sessionmaker[Session], clock: Callable[[], datetime],
                     rep_id: str | None) -> MeetingServices:
    return MeetingServices(
        choices=lambda lead_id: booking.booking_choices(sessions, lead_id),
        slots=lambda ae_id, zone: booking.slot_choices(sessions, ae_id, zone, clock()),
        book=changing(lambda lead_id, ae_id, starts_at: booking.book(
            sessions, lead_id, ae_id, starts_at, rep_id, clock()), *BOOKED),
        meetings=lambda lead_id: meetings.lead_meetings(sessions, lead_id),
        log=changing(lambda lead_id, ae_id, starts_at: meetings.log_meeting(
            sessions, lead_id, ae_id, starts_at, rep_id, clock()), *BOOKED),
        mark=changing(lambda meeting_id, state: meetings.mark_meeting(
            sessions, meeting_id, state, clock()), Kind.OUTBOX, records=lambda _a, _v: []),
        now=clock,
    )
