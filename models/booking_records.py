"""What the booking screen and the meetings list show: plain records, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class BookingChoices:
    lead_id: str
    lead_name: str
    company: str
    lead_timezone: str
    lead_email: str | None
    may_email: bool  # an address, and no opt-out: the invitation can go
    aes: tuple[tuple[str, str], ...]  # (id, name)
    suggested_ae: str | None


@dataclass(frozen=True)
class SlotChoice:
    starts_at: datetime
    ends_at: datetime
    label: str  # in the AE's time
    for_lead: str  # in the lead's time
    suits_lead: bool = True  # inside the lead's business hours (their calling window)


@dataclass(frozen=True)
class BookedMeeting:
    meeting_id: str
    lead_id: str
    ae_name: str
    starts_at: datetime
    ends_at: datetime
    when_for_lead: str
    invitation_to: str | None  # None: no invitation (no address, or opted out)


@dataclass(frozen=True)
class MeetingRow:
    meeting_id: str
    subject: str
    starts_at: datetime
    ends_at: datetime
    ae_name: str
    state: str  # booked, held, no-show
