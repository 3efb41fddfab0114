"""An accepted hand-off arrives in the CRM as a converted lead: its contact and account, and
the deal on that account."""

from __future__ import annotations

from datetime import timedelta

from models.handoffs import accept, opportunity_criteria
from models.qualification import QualificationDraft, frameworks, save_qualification
from models.store import Lead, User
from models.store.open import Store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock


def test_a_converted_lead_arrives_as_contact_account_and_opportunity(crm: Crm,
                                                                     store: Store) -> None:
    with store.sessions.begin() as session:
        sdr = User(name="Amelia Hughes", role="SDR-inbound")
        ae = User(name="Hugo Martin", role="AE", region="EMEA")
        session.add_all([sdr, ae])
        session.flush()
        lead = Lead(first_name="Chloé", last_name="Durand", company="Lyon Freight",
                    email="chloe@lyonfreight.fr", owner_id=sdr.id, created_at=clock())
        session.add(lead)
    sync_once(store.sessions, crm.adapter, clock)
    answers = {criterion: "yes" for criterion in frameworks()["BANT"]}
    save_qualification(store.sessions, lead.id, QualificationDraft(
        category="A", reason_code="A-BUDGET-APPROVED", framework="BANT", answers=answers,
        next_step="Demo", handoff_to_id=ae.id), sdr.id, clock())
    accept(store.sessions, lead.id, ae.id, clock() + timedelta(minutes=1),
           [key for key, _label in opportunity_criteria()])
    sync_once(store.sessions, crm.adapter, clock)
    [account] = crm.sandbox.store.all("Account")
    [contact] = crm.sandbox.store.all("Contact")
    [deal] = crm.sandbox.store.all("Opportunity")
    [remote_lead] = crm.sandbox.store.all("Lead")
    assert account.fields["Name"] == "Lyon Freight"
    assert (contact.fields["AccountId"], contact.fields["LastName"],
            contact.fields["Email"]) == (account.id, "Durand", "chloe@lyonfreight.fr")
    assert deal.fields["AccountId"] == account.id
    assert remote_lead.fields["Status"] == "converted"
