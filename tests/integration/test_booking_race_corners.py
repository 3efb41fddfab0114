"""The corners of two desks booking one slot at once (see test_booking_race): the desk whose
Event came second learns it even when its sync stopped right after the create (its answer
lost, the look-ups after it too), and is told the slot is taken even when the CRM refuses to
take its Event out again. The other desk's Event is created, for real, between this desk's
check of the calendar and its own create; both desks sync against the sandbox over loopback,
this one through the fault proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from models.crm.adapter import CrmError
from models.store import Meeting
from models.store.mail import WAITING, EmailSend
from models.store.open import Store, open_store
from models.sync.conflicts import open_conflicts, resolve
from models.sync.engine import sync_once
from models.sync.slots import SLOT_TAKEN
from tests.integration.conftest import Crm, clock
from tests.integration.fault_rig import Rig, planned_faults
from tests.integration.test_booking_sync import one_slot_booked_twice

EVENT_CREATE = "composite/sobjects/Event/RepDesk_Id__c"


@pytest.fixture
def first_store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "first-rep")
    yield opened
    opened.close()


def _other_desk_books_first(rig: Rig, first: Store, then: list[tuple[str, str, str]]) -> None:
    """When this desk's Event create arrives (its check found the slot free), the other
    desk pushes its own booking of the slot first; ``then`` faults are planned after."""
    done: list[bool] = []

    def other_desk(method: str, path: str) -> None:
        if method == "PATCH" and EVENT_CREATE in path and not done:
            done.append(True)
            sync_once(first.sessions, rig.crm.adapter, clock)
            rig.plan.extend(then)

    rig.proxy.before_forward.append(other_desk)


def _my_meeting(store: Store, lead_id: str) -> Meeting:
    with store.sessions() as session:
        [mine] = session.scalars(select(Meeting).where(Meeting.lead_id == lead_id)).all()
        session.expunge(mine)
    return mine


def _invitation_state(store: Store, meeting: Meeting) -> str:
    with store.sessions() as session:
        send = session.get(EmailSend, meeting.invitation_id)
        assert send is not None
        return send.state


def test_an_event_created_second_by_a_sync_that_stopped_right_after_steps_back_next_sync(
        crm: Crm, store: Store, first_store: Store) -> None:
    # ``first_store`` is the desk that pushes first; ``store`` the one whose sync stops.
    ids, _start = one_slot_booked_twice(crm, first_store, store)
    with planned_faults(crm) as rig:
        rig.fault("PATCH", EVENT_CREATE, "lost")  # carried out, its answer never comes
        # …and every look-up of it fails too: the sync stops with the Event in the CRM.
        _other_desk_books_first(rig, first_store, [("GET", "/query", "drop")] * 12)
        with pytest.raises(CrmError):
            rig.sync(store)
        assert len(list(crm.sandbox.store.all("Event"))) == 2  # the slot is booked twice
        assert open_conflicts(store.sessions) == []
        rig.plan.clear()
        rig.sync(store)  # the next sync finds its Event, then asks the calendar again

    [event] = crm.sandbox.store.all("Event")  # the first desk's booking alone stays
    assert event.fields["RepDesk_Id__c"] != _my_meeting(store, ids["second"]).id
    [conflict] = open_conflicts(store.sessions)
    assert (conflict.table, conflict.field) == ("meetings", SLOT_TAKEN)
    mine = _my_meeting(store, ids["second"])
    assert mine.crm_id is None
    assert _invitation_state(store, mine) == WAITING
    assert len(crm.sandbox.sent_emails) == 1  # the first desk's invitation only
    # Booking it anyway (agreed with the AE) sends it once more, with its invitation.
    resolve(store.sessions, conflict.id, "mine", clock())
    sync_once(store.sessions, crm.adapter, clock)
    assert len(list(crm.sandbox.store.all("Event"))) == 2
    assert len(crm.sandbox.sent_emails) == 2
    assert open_conflicts(store.sessions) == []


def test_a_second_booking_the_crm_will_not_take_out_is_a_conflict_for_the_rep(
        crm: Crm, store: Store, first_store: Store) -> None:
    ids, _start = one_slot_booked_twice(crm, first_store, store)
    with planned_faults(crm) as rig:
        _other_desk_books_first(rig, first_store,
                                [("DELETE", "composite/sobjects", "refused")])
        report = rig.sync(store)

    assert len(list(crm.sandbox.store.all("Event"))) == 2  # still booked twice…
    assert report.push.conflicts == 1
    [conflict] = open_conflicts(store.sessions)  # …and the rep is told
    assert (conflict.table, conflict.field) == ("meetings", SLOT_TAKEN)
    assert "booked twice in the CRM" in str(conflict.base)
    assert "insufficient access rights" in str(conflict.base)
    mine = _my_meeting(store, ids["second"])
    assert mine.crm_id is not None
    # Its invitation waits for the rep's decision: the lead is not invited to a slot the
    # AE holds for another.
    assert _invitation_state(store, mine) == WAITING
    assert len(crm.sandbox.sent_emails) == 1
    sync_once(store.sessions, crm.adapter, clock)
    assert len(crm.sandbox.sent_emails) == 1
    assert len(open_conflicts(store.sessions)) == 1  # told once, not at every sync
    # Theirs: the booking is withdrawn here, and taken out of the CRM with the next sync.
    resolve(store.sessions, conflict.id, "theirs", clock())
    sync_once(store.sessions, crm.adapter, clock)
    [event] = crm.sandbox.store.all("Event")
    assert event.fields["RepDesk_Id__c"] != mine.id
    assert len(crm.sandbox.sent_emails) == 1
