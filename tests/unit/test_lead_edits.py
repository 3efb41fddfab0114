"""Correcting a lead's contact details: checked, saved with only what changed in the outbox,
and nothing saved while a field has a problem."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from models.lead_edits import contact_details, save_contact_details
from models.store import Lead, OutboxEntry
from models.store.open import Store


def _lead(store: Store) -> str:
    with store.sessions.begin() as session:
        lead = Lead(first_name="Mia", last_name="Weber", company="Cedar Health",
                    phone="+4930123456", country="DE", created_at=datetime.now(UTC))
        session.add(lead)
        session.flush()
        lead_id = lead.id
    with store.sessions.begin() as session:
        for entry in session.scalars(select(OutboxEntry)):
            entry.state = "done"  # as if the lead had reached the CRM
    return lead_id


def _pending(store: Store) -> list[dict[str, object]]:
    with store.sessions() as session:
        return [e.fields for e in session.scalars(
            select(OutboxEntry).where(OutboxEntry.state == "pending"))]


def test_a_changed_title_is_saved_and_only_it_goes_to_the_outbox(store: Store) -> None:
    lead_id = _lead(store)
    shown = contact_details(store.sessions, lead_id)
    assert shown is not None and shown["phone"] == "+4930123456"

    problems = save_contact_details(store.sessions, lead_id, {**shown, "title": "CIO"})

    assert problems == {}
    assert contact_details(store.sessions, lead_id) == {**shown, "title": "CIO"}
    assert [set(fields) for fields in _pending(store)] == [{"title"}]


def test_a_field_left_as_it_was_keeps_its_stored_form(store: Store) -> None:
    lead_id = _lead(store)
    with store.sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        lead.phone = "030 123456"  # typed before, not in E.164
    before = _pending(store)
    shown = contact_details(store.sessions, lead_id)
    assert shown is not None

    assert save_contact_details(store.sessions, lead_id, shown) == {}
    assert _pending(store) == before


def test_a_blank_last_name_is_a_problem_and_nothing_is_saved(store: Store) -> None:
    lead_id = _lead(store)
    shown = contact_details(store.sessions, lead_id)
    assert shown is not None

    problems = save_contact_details(store.sessions, lead_id,
                                    {**shown, "last_name": "", "title": "CIO"})

    assert set(problems) == {"last_name"}
    assert contact_details(store.sessions, lead_id) == shown
    assert _pending(store) == []
