"""Meetings set for AEs: free slots in their hours, a taken slot refused, held or no-show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.meetings import MeetingError, book_meeting, free_slots, mark_meeting
from models.store import Activity, Lead, Meeting, OutboxEntry, User
from models.store.open import Store

# Tuesday 24 November 2026, 08:00 UTC: 09:00 in Paris.
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.fixture
def people(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        sdr = User(name="Amelia Hughes", role="SDR-inbound", timezone="Europe/London")
        ae = User(name="Hugo Martin", role="AE", timezone="Europe/Paris")
        session.add_all([sdr, ae])
        session.flush()
        for key in ("one", "two"):
            session.add(Lead(id=key, last_name=key.title(), company=f"{key} Ltd",
                             owner_id=sdr.id, created_at=NOW - timedelta(days=1)))
    return {"sdr": sdr.id, "ae": ae.id}


def test_a_booked_slot_leaves_the_ae_s_free_slots_and_cannot_be_booked_twice(
        store: Store, people: dict[str, str]) -> None:
    slots = free_slots(store.sessions, people["ae"], NOW, days=1)
    assert slots and all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in slots)
    assert all(s.starts_at >= NOW for s in slots)
    first = slots[0]
    meeting = book_meeting(store.sessions, "one", people["ae"], first.starts_at,
                           people["sdr"], NOW)
    assert first not in free_slots(store.sessions, people["ae"], NOW, days=1)
    with pytest.raises(MeetingError, match="already has a meeting"):
        book_meeting(store.sessions, "two", people["ae"], first.starts_at, people["sdr"], NOW)
    with store.sessions() as session:
        booked = session.get(Meeting, meeting)
        lead = session.get(Lead, "one")
        kinds = session.scalars(select(Activity.kind)).all()
        queued = {e.object for e in session.scalars(select(OutboxEntry))}
    assert booked is not None and (booked.owner_id, booked.booked_by_id, booked.state) == (
        people["ae"], people["sdr"], "booked")
    assert lead is not None and lead.cadence_state == "contacted"
    assert kinds == ["meeting"] and "Event" in queued


def test_a_meeting_is_marked_held_or_no_show_once_it_has_started(
        store: Store, people: dict[str, str]) -> None:
    slot = free_slots(store.sessions, people["ae"], NOW, days=1)[2]  # 10:00 in Paris
    meeting = book_meeting(store.sessions, "one", people["ae"], slot.starts_at,
                           people["sdr"], NOW)
    with pytest.raises(MeetingError, match="not started"):
        mark_meeting(store.sessions, meeting, "held", NOW)
    with pytest.raises(MeetingError, match="held or no-show"):
        mark_meeting(store.sessions, meeting, "cancelled", slot.ends_at)
    mark_meeting(store.sessions, meeting, "no-show", slot.ends_at)
    # A no-show frees the slot again.
    assert slot in free_slots(store.sessions, people["ae"], NOW, days=1)
    with pytest.raises(MeetingError, match="in the past"):
        book_meeting(store.sessions, "two", people["ae"], NOW - timedelta(hours=1),
                     people["sdr"], NOW)
