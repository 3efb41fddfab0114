"""Every edit of a synced row leaves an outbox entry in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from models.store import Account, Activity, Base, Lead, OutboxEntry, Qualification, Synced
from models.store.open import Store
from models.store.tracking import FROM_CRM, json_value

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def _entries(store: Store) -> list[OutboxEntry]:
    with store.sessions() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)))


def _new_lead(store: Store, **fields: Any) -> str:
    with store.sessions.begin() as session:
        lead = Lead(last_name="Nakamura", company="Orion Labs K.K.", created_at=NOW, **fields)
        session.add(lead)
    return lead.id


def test_every_synced_table_is_tracked() -> None:
    synced = [m.class_ for m in Base.registry.mappers if issubclass(m.class_, Synced)]
    names = {cls.crm_object for cls in synced}
    assert {"Lead", "Account", "Contact", "Opportunity", "OpportunityLineItem", "Task",
            "Campaign", "EmailTemplate", "User", "Product2", "Qualification__c",
            "CloseHandoff__c", "Reference__c", "ReferenceUse__c", "Event"} == names


def test_creating_a_lead_queues_a_create_with_its_values(store: Store) -> None:
    lead_id = _new_lead(store, email="yui@orion.co.jp")
    [entry] = _entries(store)
    assert (entry.object, entry.record_id, entry.op, entry.state) == (
        "Lead", lead_id, "create", "pending")
    assert entry.fields["email"] == "yui@orion.co.jp"
    assert entry.fields["stage"] == "MQL"  # the column default, as the INSERT wrote it
    assert entry.fields["created_at"] == NOW.isoformat()
    assert "search_key" not in entry.fields and "base" not in entry.fields


def test_an_update_queues_only_changed_fields_with_their_base(store: Store) -> None:
    lead_id = _new_lead(store, title="Sys Admin")
    with store.sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        lead.base = {"title": "Sys Admin", "phone": None}  # as last agreed with the CRM
    with store.sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        lead.title = "IT Manager"
        lead.phone = "+81312345678"
        lead.company = "Orion Labs K.K."  # unchanged value: not an edit
    update = _entries(store)[-1]
    assert update.op == "update"
    assert update.fields == {"title": "IT Manager", "phone": "+81312345678"}
    assert update.base == {"title": "Sys Admin", "phone": None}


def test_deleting_queues_a_delete(store: Store) -> None:
    lead_id = _new_lead(store)
    with store.sessions.begin() as session:
        session.delete(session.get(Lead, lead_id))
    assert [e.op for e in _entries(store)] == ["create", "delete"]


def test_a_rolled_back_edit_leaves_neither_row_nor_entry(store: Store) -> None:
    with pytest.raises(RuntimeError), store.sessions.begin() as session:
        session.add(Account(name="Cedar Health GmbH", kind="prospect"))
        session.flush()
        raise RuntimeError("crash between flush and commit")
    with store.sessions() as session:
        assert session.scalars(select(Account)).all() == []
    assert _entries(store) == []


def test_values_pulled_from_the_crm_are_not_echoed_back(store: Store) -> None:
    with store.sessions.begin() as session:
        session.info[FROM_CRM] = True
        session.add(Account(name="Vertex Power", kind="customer", crm_id="001000000000001AAA"))
    assert _entries(store) == []


def test_activities_are_tracked_like_leads(store: Store) -> None:
    lead_id = _new_lead(store)
    with store.sessions.begin() as session:
        session.add(Activity(kind="call", lead_id=lead_id, subject="Call: voicemail",
                             outcome="voicemail", occurred_at=NOW))
    entry = _entries(store)[-1]
    assert (entry.object, entry.op, entry.fields["outcome"]) == ("Task", "create", "voicemail")


EDITABLE = {
    "title": st.one_of(st.none(), st.text(max_size=20)),
    "phone": st.one_of(st.none(), st.from_regex(r"\+[1-9][0-9]{7,12}", fullmatch=True)),
    "stage": st.sampled_from(["MQL", "SAL", "SQL", "nurture", "disqualified"]),
    "employees": st.one_of(st.none(), st.integers(0, 500_000)),
    "do_not_call": st.booleans(),
    "city": st.one_of(st.none(), st.text(max_size=20)),
}
edits = st.lists(st.dictionaries(st.sampled_from(sorted(EDITABLE)), st.none(), min_size=1)
                 .flatmap(lambda keys: st.fixed_dictionaries({k: EDITABLE[k] for k in keys})),
                 min_size=1, max_size=8)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=edits)
def test_replaying_the_outbox_rebuilds_the_row(store: Store,
                                               changes: list[dict[str, Any]]) -> None:
    """Nothing typed is lost: the create plus every update, in order, give the final row."""
    lead_id = _new_lead(store)
    for change in changes:
        with store.sessions.begin() as session:
            lead = session.get(Lead, lead_id)
            assert lead is not None
            for key, value in change.items():
                setattr(lead, key, value)
    replayed: dict[str, Any] = {}
    with store.sessions() as session:
        for entry in session.scalars(select(OutboxEntry).where(
                OutboxEntry.record_id == lead_id).order_by(OutboxEntry.seq)):
            replayed.update(entry.fields)
        lead = session.get(Lead, lead_id)
        assert lead is not None
        for key in EDITABLE:
            assert replayed[key] == json_value(getattr(lead, key))


def test_editing_inside_qualification_answers_is_an_edit(store: Store) -> None:
    lead_id = _new_lead(store)
    with store.sessions.begin() as session:
        qualification = Qualification(lead_id=lead_id, category="A", reason_code="A-BUDGET",
                                      framework="BANT", answers={"Budget": "Planned"},
                                      qualified_at=NOW)
        session.add(qualification)
        session.flush()
        qualification.base = {"answers": {"Budget": "Planned"}}  # as last agreed
    with store.sessions.begin() as session:
        found = session.get(Qualification, qualification.id)
        assert found is not None
        found.answers["Timeline"] = "This quarter"
    update = _entries(store)[-1]
    assert update.op == "update"
    assert update.fields == {"answers": {"Budget": "Planned", "Timeline": "This quarter"}}
    assert update.base == {"answers": {"Budget": "Planned"}}


def test_an_edit_the_crm_never_receives_waits_for_nothing(store: Store) -> None:
    """Registration answers and the search key stay here: editing only them queues no entry,
    so the changes a rep sees waiting are the ones the CRM will receive."""
    lead_id = _new_lead(store, registration={"Budget": "Planned"})
    before = len(_entries(store))
    with store.sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        lead.registration["Timeline"] = "This quarter"
    assert len(_entries(store)) == before
    with store.sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        lead.registration = {"Budget": "Approved"}
        lead.title = "CTO"
    assert _entries(store)[-1].fields == {"title": "CTO"}
    [create] = _entries(store)[:1]
    assert "registration" not in create.fields and "stage" in create.fields
