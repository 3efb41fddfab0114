"""Booking a meeting for an AE right after a connected call: who to book for (the hand-off
rule's AE first), their free slots, and one transaction that writes the Event, the hand-off
and the invitation e-mail with its calendar file. All of it reaches the CRM through the
outbox; the invitation is sent by the sync once the Event is there (``models.sync.slots``).

Salesforce's emailSimple takes no attachment, so the calendar file travels inside the mail's
text, after the letter, for the lead to save as ``invite.ics`` (a mail program does not add
text to a calendar by itself; a real attachment needs an Apex e-mail action or a file in the
CRM, which the API subset RepDesk speaks does not have). The AE's calendar holds the Event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session, sessionmaker

from models.booking_records import BookedMeeting, BookingChoices, SlotChoice
from models.cadence_config import queue_settings
from models.emails import rep_values
from models.invitations import Invitation, ics, when_for
from models.meetings import LENGTH, MeetingError, add_meeting, free_slots
from models.qualification import handoff_window, suggest_ae, team_aes
from models.store import Activity, Lead, User
from models.store.mail import WAITING, EmailSend
from models.templates import TemplateError, render
from resources import load_json

# Where the calendar file starts in the mail's text.
CALENDAR_MARK = "-- Calendar invitation (invite.ics, text/calendar; method=REQUEST) --"


def _zone(timezone: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def booking_choices(sessions: sessionmaker[Session], lead_id: str) -> BookingChoices:
    """The lead, the AEs, and the one the hand-off rule suggests (routing by region)."""
    with sessions() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise MeetingError("This lead is no longer here.")
        aes = team_aes(session)
        suggested = lead.handoff_to_id if lead.handoff_state == "pending" else None
        suggested = suggested or suggest_ae(aes, lead.country)
        name = f"{lead.first_name or ''} {lead.last_name}".strip()
        return BookingChoices(
            lead_id=lead.id, lead_name=name, company=lead.company,
            lead_timezone=_zone(lead.timezone).key, lead_email=lead.email,
            may_email=bool(lead.email) and not lead.email_opt_out,
            aes=tuple((ae.id, ae.name) for ae in aes), suggested_ae=suggested)


def slot_choices(sessions: sessionmaker[Session], ae_id: str, lead_timezone: str,
                 after: datetime, days: int = 5) -> list[SlotChoice]:
    """The AE's free slots, each told in the AE's and in the lead's time (with the zone's
    abbreviation, so neither is read as the other)."""
    with sessions() as session:
        ae = session.get(User, ae_id)
        ae_zone = _zone(ae.timezone if ae else None)
    lead_zone = _zone(lead_timezone)
    # The AE's hours are the slots; the lead's say which of them are not at night for them.
    lead_hours = queue_settings().calling_window(lead_zone.key)
    choices = []
    for slot in free_slots(sessions, ae_id, after, days):
        suits = lead_hours is None or lead_hours.contains(slot.starts_at)
        at_ae, at_lead = slot.starts_at.astimezone(ae_zone), slot.starts_at.astimezone(lead_zone)
        # The lead's weekday only when it is not the AE's: short enough to read at a glance.
        day = f"{at_lead:%a} " if at_lead.date() != at_ae.date() else ""
        lead_time = f"{day}{at_lead:%H:%M %Z} for the lead"
        choices.append(SlotChoice(
            slot.starts_at, slot.ends_at, f"{at_ae:%a %d %b  %H:%M %Z}",
            lead_time if suits else f"{lead_time}, outside their hours", suits))
    return choices


@dataclass(frozen=True)
class _Letter:
    subject: str
    body: str


def _letter(session: Session, lead: Lead, ae: User, by: str | None, subject: str,
            invitation: Invitation, now: datetime) -> _Letter:
    template = load_json("meeting_invitation.json")
    rep = session.get(User, by) if by else None
    values = {"lead.first_name": lead.first_name, "lead.last_name": lead.last_name,
              "lead.company": lead.company, **rep_values(rep),
              "event.subject": subject, "event.owner": ae.name,
              "event.when": when_for(invitation, _zone(lead.timezone).key)}
    try:
        title, text = render(template["subject"], values), render(template["body"], values)
    except TemplateError as error:
        raise MeetingError(f"The invitation template is wrong: {error}") from None
    if not (title.sendable and text.sendable):
        raise MeetingError("The invitation template has merge fields with no value: "
                           f"{', '.join(title.unresolved + text.unresolved)}.")
    return _Letter(title.text, f"{text.text}\n\n{CALENDAR_MARK}\n{ics(invitation, now)}")


def _hand_off(lead: Lead, ae_id: str, when: str, now: datetime) -> None:
    """The meeting hands the lead to the AE, unless an AE has already accepted it."""
    if lead.handoff_state == "accepted":
        return
    if lead.handoff_state != "pending" or lead.handoff_to_id != ae_id:
        lead.handoff_at = now
        lead.handoff_due_at = now + handoff_window()
    lead.handoff_to_id = ae_id
    lead.handoff_state = "pending"
    note = f"Meeting booked for {when}."
    lead.handoff_note = note if not lead.handoff_note else f"{lead.handoff_note}\n{note}"


def book(sessions: sessionmaker[Session], lead_id: str, ae_id: str, starts_at: datetime,
         by: str | None, now: datetime, length: timedelta = LENGTH) -> BookedMeeting:
    """The Event in the AE's calendar, the hand-off and the invitation, in one transaction.

    Raises:
        MeetingError: the slot is past or taken here, the lead or the AE is gone; nothing
            is written.
    """
    if starts_at < now:
        raise MeetingError("That slot is in the past: choose one of the free slots.")
    with sessions.begin() as session:
        lead, ae = session.get(Lead, lead_id), session.get(User, ae_id)
        if lead is None or ae is None:
            raise MeetingError("The lead or the AE is no longer here.")
        meeting = add_meeting(session, lead, ae, starts_at, starts_at + length, by, now)
        invitation = Invitation(meeting.id, meeting.subject, meeting.starts_at,
                                meeting.ends_at, ae.email or "", lead.email or "")
        when = when_for(invitation, _zone(lead.timezone).key)
        _hand_off(lead, ae_id, when, now)
        sent_to = None
        if lead.email and not lead.email_opt_out:
            letter = _letter(session, lead, ae, by, meeting.subject, invitation, now)
            mail = Activity(kind="email", lead_id=lead.id, account_id=lead.account_id,
                            owner_id=by, subject=letter.subject[:255], body=letter.body,
                            occurred_at=now, email_to=lead.email, delivery="crm")
            session.add(mail)
            session.flush()
            meeting.invitation_id = mail.id
            # Held until the Event is in the CRM: a slot taken meanwhile sends nothing.
            session.add(EmailSend(activity_id=mail.id, state=WAITING, attempts=0))
            sent_to = lead.email
        return BookedMeeting(meeting.id, lead.id, ae.name, meeting.starts_at,
                             meeting.ends_at, when, sent_to)
