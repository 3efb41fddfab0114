"""An answer left on a kept-alive connection and taken for the next request's: a create's
answer names no external id, so a stale one (the previous update's or upsert's) once gave the
new lead a CRM id its neighbour already held, and the push stopped on the store's unique
constraint. Each test builds that interleaving by hand through the fault proxy (the copy held
back until the next request has been carried out), against the real sandbox over loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from models.crm.adapter import CrmError
from models.store import Activity, Lead, OutboxEntry
from models.store.open import Store
from models.sync.fieldmap import field_map
from models.sync.push import push
from tests.integration.conftest import Crm, clock
from tests.integration.fault_rig import Rig, planned_faults


@pytest.fixture
def rig(crm: Crm) -> Iterator[Rig]:
    with planned_faults(crm, ends_only=True) as planned:
        yield planned


def _crm_ids(rig: Rig, obj: str) -> dict[str, str]:
    """External id → CRM id of every live record."""
    return {str(r.fields["RepDesk_Id__c"]): r.id for r in rig.crm.sandbox.store.all(obj)}


def _linked(store: Store, model: type[Lead] | type[Activity]) -> dict[str, str | None]:
    with store.sessions() as session:
        return {row.id: row.crm_id for row in session.scalars(select(model))}


def _pending(store: Store) -> int:
    with store.sessions() as session:
        return len(session.scalars(select(OutboxEntry).where(
            OutboxEntry.state == "pending")).all())


def _new_lead(store: Store, name: str) -> str:
    with store.sessions.begin() as session:
        lead = Lead(last_name=name, company="Orion Labs", title="CTO", created_at=clock())
        session.add(lead)
    return lead.id


def test_a_create_answered_with_the_previous_update_s_answer_is_not_linked_to_its_record(
        rig: Rig, store: Store) -> None:
    # Lead A: created, its answer lost and the look-up too: a create in doubt.
    first = _new_lead(store, "Sato")
    rig.plan += [("PATCH", "composite/sobjects/Lead/RepDesk_Id__c", "lost")]
    rig.plan += [("GET", "/queryAll", "drop")] * 5
    with pytest.raises(CrmError):
        rig.sync(store)
    with store.sessions.begin() as session:
        found = session.get(Lead, first)
        assert found is not None
        found.city = "Kyoto"  # typed since: A's look-up turns into an update
    second = _new_lead(store, "Ito")  # lead B, new
    # A's update is answered twice; B's create, next on that connection, gets the copy.
    rig.plan += [("PATCH", "/composite/sobjects", "stale_next")]

    rig.sync(store)  # stopped on "UNIQUE constraint failed: leads.crm_id" before the fix

    in_crm = _crm_ids(rig, "Lead")
    assert _linked(store, Lead) == {first: in_crm[first], second: in_crm[second]}
    assert in_crm[first] != in_crm[second]
    [a] = [r for r in rig.crm.sandbox.store.all("Lead") if r.id == in_crm[first]]
    assert a.fields["City"] == "Kyoto"  # the rep's edit arrived
    assert _pending(store) == 0


def test_a_task_create_answered_with_a_lead_s_answer_is_not_linked_to_the_lead(
        rig: Rig, store: Store) -> None:
    lead = _new_lead(store, "Sato")
    rig.sync(store)
    with store.sessions.begin() as session:
        found = session.get(Lead, lead)
        assert found is not None
        found.city = "Kyoto"
        call = Activity(kind="call", lead_id=lead, subject="First call", outcome="connected",
                        occurred_at=clock())
        session.add(call)
    # The lead's update is answered twice; the Task's create, next, gets the copy.
    rig.plan += [("PATCH", "/composite/sobjects", "stale_next")]

    # The push alone: the pull after it would mend the link by external id, but a pull
    # stopped by a fault left the call pointing at the lead (its next edit then met a
    # "deleted in the CRM" Task).
    push(store.sessions, rig.adapter, field_map(), clock)

    tasks = _crm_ids(rig, "Task")
    assert _linked(store, Activity) == {call.id: tasks[call.id]}  # the call reached the CRM
    assert _linked(store, Lead) == {lead: _crm_ids(rig, "Lead")[lead]}
    assert _pending(store) == 0


def _held_by_another_row(rig: Rig, store: Store) -> tuple[str, str, str]:
    """A create in doubt, edited since, whose CRM record another local row already holds:
    (the lead, the other row, the CRM id)."""
    first = _new_lead(store, "Sato")
    rig.plan += [("PATCH", "composite/sobjects/Lead/RepDesk_Id__c", "lost")]
    rig.plan += [("GET", "/queryAll", "drop")] * 5
    with pytest.raises(CrmError):
        rig.sync(store)  # A is in the CRM, its answer lost
    made = _crm_ids(rig, "Lead")[first]
    other = _new_lead(store, "Sato")
    with store.sessions.begin() as session:
        # Another local row already holds A's CRM id (a store linked by a stale answer in
        # an earlier version): the look-up by external id finds A's record held twice.
        found, copy = session.get(Lead, first), session.get(Lead, other)
        assert found is not None and copy is not None
        copy.crm_id = made
        found.city = "Kyoto"
        session.execute(OutboxEntry.__table__.delete().where(
            OutboxEntry.record_id == other))
    return first, other, made


def test_a_crm_record_already_linked_to_another_local_lead_fails_the_change_not_the_sync(
        rig: Rig, store: Store) -> None:
    first, other, made = _held_by_another_row(rig, store)

    rig.sync(store)  # no IntegrityError: the sync finishes

    assert _linked(store, Lead) == {first: None, other: made}
    with store.sessions() as session:
        found = session.get(Lead, first)
        assert found is not None and found.city == "Kyoto"  # the rep's edit is kept
        entries = session.scalars(select(OutboxEntry).where(
            OutboxEntry.record_id == first)).all()
    assert entries and all(e.state == "failed" and made in (e.error or "") and
                           other in (e.error or "") for e in entries)


def test_a_change_failed_for_a_crm_id_another_lead_holds_is_counted_once_as_failed(
        rig: Rig, store: Store) -> None:
    _held_by_another_row(rig, store)

    pushed = rig.sync(store).push

    # Its update was answered, then the link was refused: one change, one failure (it was
    # counted as both sent and failed).
    assert (pushed.sent, pushed.already_there, pushed.failed) == (0, 0, 1)
