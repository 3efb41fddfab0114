"""Two reps book one AE slot offline and their desks push it at the same moment: each asks
the CRM before creating its Event and each finds the slot free, since neither Event exists
yet. The one created second must step back: one Event in the CRM, one invitation sent, and
the other rep told the slot is taken. Both desks sync for real against the sandbox over
loopback, through the fault proxy, which holds the first Event back until the second comes."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from models.crm.salesforce import SalesforceRest
from models.store import Meeting
from models.store.mail import WAITING, EmailSend
from models.store.open import Store, open_store
from models.sync.conflicts import open_conflicts, resolve
from models.sync.engine import sync_once
from models.sync.slots import SLOT_TAKEN
from tests.integration.conftest import Crm, clock
from tests.integration.fault_proxy import FaultProxy
from tests.integration.test_booking_sync import one_slot_booked_twice

# Long enough for the other desk's create to come when it is under way; the test does not
# depend on it otherwise.
HOLD_S = 10.0


@pytest.fixture
def second_store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "second-rep")
    yield opened
    opened.close()


def _through(proxy: FaultProxy, crm: Crm) -> SalesforceRest:
    return SalesforceRest(proxy.base_url, lambda: crm.tokens.access_token,
                          lambda: crm.tokens.access_token, sleep=lambda _s: None,
                          org=crm.tokens.org)


def test_one_slot_pushed_from_two_desks_at_once_is_booked_once_and_the_second_told(
        crm: Crm, store: Store, second_store: Store) -> None:
    one_slot_booked_twice(crm, store, second_store)
    proxy = FaultProxy(crm.server.base_url).start()
    creates: list[str] = []
    second = threading.Event()

    def hold_the_first_event(method: str, path: str) -> None:
        if method == "PATCH" and "composite/sobjects/Event/" in path:
            creates.append(path)
            if len(creates) == 1:
                second.wait(HOLD_S)  # the other desk has found the slot free too
            else:
                second.set()

    proxy.before_forward.append(hold_the_first_event)
    errors: list[str] = []

    def push(desk: Store) -> None:
        try:
            sync_once(desk.sessions, _through(proxy, crm), clock)
        except BaseException:
            errors.append(traceback.format_exc())

    desks = [threading.Thread(target=push, args=(desk,)) for desk in (store, second_store)]
    try:
        for desk in desks:
            desk.start()
        for desk in desks:
            desk.join()
    finally:
        proxy.stop()

    assert not errors, "\n".join(errors)
    assert len(creates) == 2  # both pushed, both found the slot free
    [event] = crm.sandbox.store.all("Event")  # the AE is booked once
    assert len(crm.sandbox.sent_emails) == 1  # and one lead invited
    told = [desk for desk in (store, second_store) if open_conflicts(desk.sessions)]
    assert len(told) == 1  # the rep whose Event came second is told the slot is taken
    [conflict] = open_conflicts(told[0].sessions)
    assert (conflict.table, conflict.field) == ("meetings", SLOT_TAKEN)
    with told[0].sessions() as session:
        [mine] = session.scalars(select(Meeting).where(Meeting.created_at.is_not(None))
                                 .where(Meeting.crm_id.is_(None))).all()
        assert event.fields["RepDesk_Id__c"] != mine.id
        send = session.get(EmailSend, mine.invitation_id)
        assert send is not None and send.state == WAITING  # its invitation never went

    # Booking it anyway (agreed with the AE) sends it once more, with its invitation.
    resolve(told[0].sessions, conflict.id, "mine", clock())
    sync_once(told[0].sessions, crm.adapter, clock)
    assert len(list(crm.sandbox.store.all("Event"))) == 2
    assert len(crm.sandbox.sent_emails) == 2
    assert open_conflicts(told[0].sessions) == []
