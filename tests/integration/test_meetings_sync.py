"""A booked meeting reaches the CRM as an Event with its WhoId and OwnerId."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.meetings import book_meeting, free_slots
from models.store import Lead, User
from models.store.open import Store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock


def test_a_booked_meeting_arrives_as_an_event_with_its_who_id(crm: Crm, store: Store) -> None:
    with store.sessions.begin() as session:
        sdr = User(name="Amelia Hughes", role="SDR-inbound")
        ae = User(name="Hugo Martin", role="AE", timezone="Europe/Paris")
        session.add_all([sdr, ae])
        session.flush()
        lead = Lead(last_name="Durand", company="Lyon Freight", owner_id=sdr.id,
                    created_at=clock())
        session.add(lead)
    sync_once(store.sessions, crm.adapter, clock)
    slot = free_slots(store.sessions, ae.id, clock() + timedelta(hours=1))[0]
    book_meeting(store.sessions, lead.id, ae.id, slot.starts_at, sdr.id, clock())
    sync_once(store.sessions, crm.adapter, clock)
    [event] = crm.sandbox.store.all("Event")
    [remote_lead] = crm.sandbox.store.all("Lead")
    assert event.fields["WhoId"] == remote_lead.id
    assert event.fields["Subject"] == "Meeting: Lyon Freight with Hugo Martin"
    assert datetime.fromisoformat(event.fields["StartDateTime"]) == slot.starts_at


def test_an_event_in_the_ae_s_crm_calendar_takes_its_slot(crm: Crm, store: Store) -> None:
    with store.sessions.begin() as session:
        ae = User(name="Hugo Martin", role="AE", timezone="Europe/Paris")
        session.add(ae)
    sync_once(store.sessions, crm.adapter, clock)
    with store.sessions() as session:
        synced = session.get(User, ae.id)
        assert synced is not None and synced.crm_id
        ae_crm_id = synced.crm_id
    slot = free_slots(store.sessions, ae.id, clock() + timedelta(hours=1))[0]
    crm.sandbox.store.create("Event", {
        "Subject": "Board meeting", "OwnerId": ae_crm_id,
        "StartDateTime": slot.starts_at.isoformat(), "EndDateTime": slot.ends_at.isoformat()})
    sync_once(store.sessions, crm.adapter, clock)
    assert slot not in free_slots(store.sessions, ae.id, clock() + timedelta(hours=1))
