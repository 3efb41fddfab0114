"""Merging duplicate leads keeps the best of each and everything they did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.hygiene.merge import merge_leads
from models.store import Activity, Lead, LeadMerge, OutboxEntry
from models.store.open import Store

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def twins(store: Store) -> Store:
    with store.sessions.begin() as session:
        session.add(Lead(id="old", first_name="Robert", last_name="Smith", company="Acme",
                         email="rsmith@acme.com", phone="+12125550101", title=None,
                         stage="SQL", created_at=T0, first_touch_at=T0 + timedelta(hours=2),
                         registration={"Budget": "Planned", "Timeline": "Next quarter"},
                         do_not_call=True))
        session.add(Lead(id="new", first_name="Bob", last_name="Smith", company="ACME Corp",
                         email="rsmith@acme.com", phone=None, title="VP Sales", stage="MQL",
                         created_at=T0 + timedelta(days=9),
                         last_touch_at=T0 + timedelta(days=9),
                         registration={"Budget": "Approved"}))
        session.add_all([
            Activity(kind="call", lead_id="old", subject="Call: connected",
                     occurred_at=T0 + timedelta(hours=2)),
            Activity(kind="email", lead_id="new", subject="Your trial",
                     occurred_at=T0 + timedelta(days=9))])
    return store


def test_survivor_takes_the_newest_non_empty_values_and_the_rules(twins: Store) -> None:
    merge_leads(twins.sessions, "old", ["new"], None, T0 + timedelta(days=10))
    with twins.sessions() as session:
        lead = session.get(Lead, "old")
        assert lead is not None
        assert session.get(Lead, "new") is None
        assert (lead.first_name, lead.company, lead.title) == ("Bob", "ACME Corp", "VP Sales")
        assert lead.phone == "+12125550101"  # the newer copy had none
        assert lead.stage == "SQL"  # never backwards
        assert lead.do_not_call  # a do-not-call on any copy stands
        assert lead.created_at == T0 and lead.first_touch_at == T0 + timedelta(hours=2)
        assert lead.last_touch_at == T0 + timedelta(days=9)
        assert lead.registration == {"Budget": "Approved", "Timeline": "Next quarter"}
        assert sorted(session.scalars(select(Activity.subject).where(
            Activity.lead_id == "old"))) == ["Call: connected", "Your trial"]
        [merge] = session.scalars(select(LeadMerge)).all()
        assert (merge.survivor_id, merge.merged_id) == ("old", "new")
        assert merge.merged_values["first_name"] == "Bob"


def test_a_merge_reaches_the_crm_as_re_pointed_children_an_update_and_a_delete(
        twins: Store) -> None:
    merge_leads(twins.sessions, "old", ["new"], None, T0 + timedelta(days=10))
    with twins.sessions() as session:
        entries = [(e.object, e.op, e.record_id) for e in session.scalars(
            select(OutboxEntry).where(OutboxEntry.op != "create").order_by(OutboxEntry.seq))]
    assert ("Lead", "delete", "new") in entries
    assert ("Lead", "update", "old") in entries
    assert any(obj == "Task" and op == "update" for obj, op, _ in entries)


def test_a_lead_is_not_merged_into_itself(twins: Store) -> None:
    with pytest.raises(ValueError, match="itself"):
        merge_leads(twins.sessions, "old", ["old"], None, T0)
