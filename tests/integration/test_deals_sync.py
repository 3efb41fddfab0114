"""A deal moved and edited offline reaches the CRM as Salesforce fields at the next sync."""

from __future__ import annotations

from datetime import date, timedelta

from models.deals import DealEdit, edit_deal, move_stage
from models.store import Opportunity, User
from models.store.open import Store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock


def test_a_moved_deal_arrives_with_its_stage_probability_and_next_step(crm: Crm,
                                                                       store: Store) -> None:
    with store.sessions.begin() as session:
        ae = User(name="Hugo Martin", role="AE", timezone="Europe/Paris")
        session.add(ae)
        session.flush()
        deal = Opportunity(name="Lyon Freight", owner_id=ae.id, stage="Qualification",
                           probability=10, close_date=date.today() + timedelta(days=40),
                           created_at=clock())
        session.add(deal)
    sync_once(store.sessions, crm.adapter, clock)
    move_stage(store.sessions, deal.id, "Proposal/Price Quote", ae.id, clock())
    edit_deal(store.sessions, deal.id, DealEdit(48_000.0, date.today() + timedelta(days=60),
                                                "Send the order form"), ae.id, clock())
    sync_once(store.sessions, crm.adapter, clock)
    [record] = crm.sandbox.store.all("Opportunity")
    assert (record.fields["StageName"], record.fields["Probability"], record.fields["Amount"],
            record.fields["NextStep"]) == ("Proposal/Price Quote", 75.0, 48_000.0,
                                           "Send the order form")
    assert record.fields["CloseDate"] == (date.today() + timedelta(days=60)).isoformat()
