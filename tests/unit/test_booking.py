"""Booking a meeting: the hand-off rule's AE suggested, slots told in both zones, and the
Event, hand-off and held invitation written together or not at all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from models.booking import CALENDAR_MARK, book, booking_choices, slot_choices
from models.meetings import MeetingError
from models.store import Activity, Lead, Meeting, OutboxEntry, User
from models.store.mail import WAITING, EmailSend
from models.store.open import Store

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # Tuesday, 09:00 in Paris


@pytest.fixture
def people(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        sdr = User(name="Amelia Hughes", role="SDR-inbound", email="amelia@example.com")
        paris = User(name="Hugo Martin", role="AE", timezone="Europe/Paris", region="EMEA")
        boston = User(name="Ada Brooks", role="AE", timezone="America/New_York",
                      region="NA")
        session.add_all([sdr, paris, boston])
        session.flush()
        lead = Lead(first_name="Chloé", last_name="Durand", company="Lyon Freight",
                    email="chloe@lyon.example", country="FR", timezone="Europe/Paris",
                    owner_id=sdr.id, created_at=NOW)
        quiet = Lead(last_name="Quiet", company="No Mail Ltd", country="FR", owner_id=sdr.id,
                     created_at=NOW)
        session.add_all([lead, quiet])
        session.flush()
        return {"sdr": sdr.id, "paris": paris.id, "boston": boston.id, "lead": lead.id,
                "quiet": quiet.id}


def _count(store: Store, model: type) -> int:
    with store.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_region_s_ae_is_suggested_and_slots_are_told_in_both_zones(
        store: Store, people: dict[str, str]) -> None:
    choices = booking_choices(store.sessions, people["lead"])
    assert choices.suggested_ae == people["paris"] and choices.may_email
    assert {name for _id, name in choices.aes} == {"Hugo Martin", "Ada Brooks"}
    first = slot_choices(store.sessions, people["boston"], "Europe/Paris", NOW)[0]
    # 09:00 in Boston is 15:00 in Paris.
    assert first.label.endswith("09:00 EST") and first.for_lead == "15:00 CET for the lead"


def test_a_booking_writes_event_hand_off_and_held_invitation_together(
        store: Store, people: dict[str, str]) -> None:
    slot = slot_choices(store.sessions, people["paris"], "Europe/Paris", NOW)[1]
    booked = book(store.sessions, people["lead"], people["paris"], slot.starts_at,
                  people["sdr"], NOW)
    assert booked.when_for_lead.startswith("Tuesday 24 November 2026, 09:30–10:00")
    with store.sessions() as session:
        lead = session.get(Lead, people["lead"])
        meeting = session.get(Meeting, booked.meeting_id)
        assert meeting is not None and meeting.invitation_id is not None
        mail = session.get(Activity, meeting.invitation_id)
        send = session.get(EmailSend, meeting.invitation_id)
        objects = sorted(session.scalars(select(OutboxEntry.object)))
    assert lead is not None and lead.handoff_state == "pending"
    assert lead.handoff_to_id == people["paris"] and "Meeting booked" in (lead.handoff_note or "")
    assert mail is not None and mail.email_to == "chloe@lyon.example"
    assert mail.body is not None and "Hello Chloé" in mail.body and CALENDAR_MARK in mail.body
    assert send is not None and send.state == WAITING
    assert objects.count("Event") == 1 and objects.count("Task") == 2  # meeting + invitation

    # The same slot again: refused, and nothing of the second booking is written.
    before = (_count(store, Meeting), _count(store, Activity), _count(store, EmailSend))
    with pytest.raises(MeetingError, match="already has a meeting"):
        book(store.sessions, people["quiet"], people["paris"], slot.starts_at,
             people["sdr"], NOW)
    assert (_count(store, Meeting), _count(store, Activity), _count(store, EmailSend)) == before


def test_a_lead_without_an_address_is_booked_without_an_invitation(
        store: Store, people: dict[str, str]) -> None:
    assert not booking_choices(store.sessions, people["quiet"]).may_email
    slot = slot_choices(store.sessions, people["paris"], "UTC", NOW)[0]
    booked = book(store.sessions, people["quiet"], people["paris"], slot.starts_at,
                  people["sdr"], NOW)
    assert booked.invitation_to is None
    assert _count(store, EmailSend) == 0


def test_slots_at_night_for_the_lead_are_marked_and_still_offered(
        store: Store, people: dict[str, str]) -> None:
    slots = slot_choices(store.sessions, people["paris"], "America/New_York", NOW)
    # 09:00 in Paris is 03:00 in New York; 15:00 in Paris is 09:00 there.
    assert not slots[0].suits_lead and slots[0].for_lead.endswith("outside their hours")
    fitting = next(slot for slot in slots if slot.suits_lead)
    assert fitting.label.endswith("15:00 CET")
    assert fitting.for_lead.endswith("09:00 EST for the lead")
