"""Booking a meeting over real HTTP against the sandbox CRM: the Event arrives with its WhoId,
the invitation is sent once by the sync, and two reps who book one AE slot offline end with
one Event and one conflict, not a double booking."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models.booking import CALENDAR_MARK, book, slot_choices
from models.store import Activity, Lead, Meeting, SyncConflict, User
from models.store.mail import SENT, WAITING, EmailSend
from models.store.open import Store, open_store
from models.sync.conflicts import open_conflicts, resolve
from models.sync.engine import sync_once
from models.sync.slots import SLOT_TAKEN
from tests.integration.conftest import Crm, clock


def _team(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        sdr = User(name="Amelia Hughes", role="SDR-inbound", email="amelia@example.com")
        other = User(name="Oscar Reid", role="SDR-inbound", email="oscar@example.com")
        ae = User(name="Hugo Martin", role="AE", timezone="Europe/Paris",
                  email="hugo@example.com")
        session.add_all([sdr, other, ae])
        session.flush()
        lead = Lead(first_name="Chloé", last_name="Durand", company="Lyon Freight",
                    email="chloe@lyonfreight.example", timezone="America/New_York",
                    owner_id=sdr.id, created_at=clock())
        second = Lead(last_name="Park", company="Seoul Cargo", email="park@seoul.example",
                      timezone="Asia/Seoul", owner_id=other.id, created_at=clock())
        session.add_all([lead, second])
        session.flush()
        return {"sdr": sdr.id, "other": other.id, "ae": ae.id, "lead": lead.id,
                "second": second.id}


@pytest.fixture
def second_store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "second-rep")
    yield opened
    opened.close()


def test_a_booked_meeting_arrives_as_an_event_and_its_invitation_is_sent_once(
        crm: Crm, store: Store) -> None:
    ids = _team(store)
    sync_once(store.sessions, crm.adapter, clock)
    slot = slot_choices(store.sessions, ids["ae"], "America/New_York",
                        clock() + timedelta(hours=1))[0]
    booked = book(store.sessions, ids["lead"], ids["ae"], slot.starts_at, ids["sdr"], clock())
    assert booked.invitation_to == "chloe@lyonfreight.example"
    assert "(America/New_York)" in booked.when_for_lead
    sync_once(store.sessions, crm.adapter, clock)

    [event] = crm.sandbox.store.all("Event")
    lead_there = next(r for r in crm.sandbox.store.all("Lead")
                      if r.fields["LastName"] == "Durand")
    ae_there = next(r for r in crm.sandbox.store.all("User")
                    if r.fields.get("Name", r.fields.get("LastName")) in ("Hugo Martin",
                                                                          "Martin"))
    assert event.fields["WhoId"] == lead_there.id
    assert event.fields["OwnerId"] == ae_there.id
    assert datetime.fromisoformat(event.fields["StartDateTime"]) == slot.starts_at
    assert datetime.fromisoformat(event.fields["EndDateTime"]) == slot.ends_at
    [mail] = crm.sandbox.sent_emails
    assert mail["to"] == "chloe@lyonfreight.example"
    assert mail["subject"] == "Invitation: Meeting: Lyon Freight with Hugo Martin"
    # The time as the lead reads it, and the calendar file, in UTC, after the letter.
    local = slot.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert f"{local:%H:%M}" in mail["body"] and "America/New_York" in mail["body"]
    calendar = mail["body"].split(CALENDAR_MARK, 1)[1]
    assert "BEGIN:VCALENDAR\r\n" in calendar and "METHOD:REQUEST\r\n" in calendar
    assert f"DTSTART:{slot.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n" in calendar
    assert "ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:chloe@lyonfreight.example" \
        in calendar
    with store.sessions() as session:
        assert session.scalars(select(EmailSend.state)).all() == [SENT]
    sync_once(store.sessions, crm.adapter, clock)
    assert len(crm.sandbox.sent_emails) == 1  # never twice


def _two_offline_bookings(crm: Crm, store: Store, second_store: Store
                          ) -> tuple[dict[str, str], datetime]:
    ids, start = one_slot_booked_twice(crm, store, second_store)
    sync_once(store.sessions, crm.adapter, clock)
    sync_once(second_store.sessions, crm.adapter, clock)
    return ids, start


def one_slot_booked_twice(crm: Crm, store: Store, second_store: Store
                          ) -> tuple[dict[str, str], datetime]:
    """Two desks that know the team, each having booked the AE's same free slot while
    offline; nothing of the bookings pushed yet."""
    ids = _team(store)
    sync_once(store.sessions, crm.adapter, clock)
    # The other rep's desk knows the team (roles are RepDesk's), then pulls the rest.
    with store.sessions() as session:
        people = [(u.id, u.name, u.role, u.timezone, u.email)
                  for u in session.scalars(select(User))]
    with second_store.sessions.begin() as session:
        session.add_all(User(id=i, name=n, role=r, timezone=t, email=e)
                        for i, n, r, t, e in people)
    sync_once(second_store.sessions, crm.adapter, clock)
    slot = slot_choices(store.sessions, ids["ae"], "UTC", clock() + timedelta(hours=1))[0]
    # Both offline: each books the AE's same free slot in their own store.
    book(store.sessions, ids["lead"], ids["ae"], slot.starts_at, ids["sdr"], clock())
    book(second_store.sessions, ids["second"], ids["ae"], slot.starts_at, ids["other"],
         clock())
    return ids, slot.starts_at


def test_two_offline_bookings_of_one_slot_end_in_one_event_and_one_conflict(
        crm: Crm, store: Store, second_store: Store) -> None:
    ids, start = _two_offline_bookings(crm, store, second_store)
    [event] = crm.sandbox.store.all("Event")
    assert datetime.fromisoformat(event.fields["StartDateTime"]) == start
    assert [m["to"] for m in crm.sandbox.sent_emails] == ["chloe@lyonfreight.example"]
    [conflict] = open_conflicts(second_store.sessions)
    assert (conflict.table, conflict.field) == ("meetings", SLOT_TAKEN)
    # Its invitation is not in the CRM either: it waits for its Event.
    assert [t.fields["Subject"] for t in crm.sandbox.store.all("Task")
            if t.fields["Subject"].startswith("Invitation")] == [
        "Invitation: Meeting: Lyon Freight with Hugo Martin"]
    assert "Seoul Cargo" in str(conflict.mine) and "Lyon Freight" in str(conflict.theirs)
    with second_store.sessions() as session:
        mine = session.scalars(select(Meeting).where(Meeting.lead_id == ids["second"])).one()
        assert mine.crm_id is None
        assert session.get(EmailSend, mine.invitation_id).state == WAITING  # type: ignore
    # Another sync asks again and still books nothing, with no second conflict.
    sync_once(second_store.sessions, crm.adapter, clock)
    assert len(list(crm.sandbox.store.all("Event"))) == 1
    assert len(open_conflicts(second_store.sessions)) == 1

    # The rep takes theirs: the booking is withdrawn here, its invitation never goes.
    resolve(second_store.sessions, conflict.id, "theirs", clock())
    sync_once(second_store.sessions, crm.adapter, clock)
    assert len(list(crm.sandbox.store.all("Event"))) == 1
    assert len(crm.sandbox.sent_emails) == 1
    with second_store.sessions() as session:
        leads_meetings = session.scalars(select(Meeting.lead_id)).all()
        assert ids["second"] not in leads_meetings  # the other rep's Event came in instead
        assert ids["lead"] in leads_meetings
        # Neither the invitation nor the meeting it logged stays on the lead.
        assert session.scalars(select(Activity).where(
            Activity.lead_id == ids["second"])).all() == []
        assert session.scalars(select(SyncConflict).where(
            SyncConflict.resolved_at.is_(None))).all() == []


def test_keep_mine_books_the_slot_anyway_with_its_invitation(
        crm: Crm, store: Store, second_store: Store) -> None:
    _ids, start = _two_offline_bookings(crm, store, second_store)
    [conflict] = open_conflicts(second_store.sessions)
    with pytest.raises(ValueError, match="new booking"):
        resolve(second_store.sessions, conflict.id, "edited", clock(), "10:00")
    resolve(second_store.sessions, conflict.id, "mine", clock())
    sync_once(second_store.sessions, crm.adapter, clock)
    events = list(crm.sandbox.store.all("Event"))
    assert len(events) == 2 and {datetime.fromisoformat(e.fields["StartDateTime"])
                                 for e in events} == {start}
    assert sorted(m["to"] for m in crm.sandbox.sent_emails) == [
        "chloe@lyonfreight.example", "park@seoul.example"]
    assert open_conflicts(second_store.sessions) == []
