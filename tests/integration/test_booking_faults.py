"""A booking whose Event create lost its answer, through the fault-injecting proxy: the next
sync finds the Event it made (no second one, no conflict with itself) and the invitation goes
once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.booking import book, slot_choices
from models.crm.adapter import CrmError
from models.store.mail import SENT, WAITING, EmailSend
from models.store.open import Store
from models.sync.conflicts import open_conflicts
from tests.integration.conftest import clock
from tests.integration.test_booking_sync import _team
from tests.integration.test_send_outcomes import Rig, rig  # noqa: F401  (the fixture)


def _sends(store: Store) -> list[str]:
    with store.sessions() as session:
        return list(session.scalars(select(EmailSend.state)))


def test_a_lost_event_create_books_once_and_invites_once(rig: Rig, store: Store) -> None:  # noqa: F811
    ids = _team(store)
    rig.sync(store)
    slot = slot_choices(store.sessions, ids["ae"], "UTC", clock() + timedelta(hours=1))[0]
    book(store.sessions, ids["lead"], ids["ae"], slot.starts_at, ids["sdr"], clock())
    # The Event is created, its answer lost, and the look-up after it fails every time.
    rig.fault("PATCH", "composite/sobjects/Event/RepDesk_Id__c", "lost")
    rig.fault("GET", "/queryAll", "drop", times=5)
    with pytest.raises(CrmError):
        rig.sync(store)
    assert len(list(rig.crm.sandbox.store.all("Event"))) == 1
    assert _sends(store) == [WAITING] and rig.crm.sandbox.sent_emails == []

    rig.sync(store)

    assert len(list(rig.crm.sandbox.store.all("Event"))) == 1
    assert open_conflicts(store.sessions) == []
    assert [m["to"] for m in rig.crm.sandbox.sent_emails] == ["chloe@lyonfreight.example"]
    assert _sends(store) == [SENT]
    rig.sync(store)
    assert len(rig.crm.sandbox.sent_emails) == 1
