"""The single close form: won and lost, every required field, and hand-offs sent once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.closing import (
    CloseDraft,
    CloseError,
    LineItem,
    NewContact,
    close_opportunity,
    deliveries,
)
from models.feedback import product_feedback
from models.references import record_use, reference_customers
from models.store import (
    Account,
    CloseHandoff,
    Contact,
    Opportunity,
    OpportunityLineItem,
    OutboxEntry,
    Product,
    User,
)
from models.store.open import Store

NOW = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


@pytest.fixture
def deal(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        ae = User(name="Hugo Martin", role="AE", timezone="Europe/Paris")
        account = Account(name="Lyon Freight SAS", kind="prospect", domain="lyonfreight.fr")
        seat = Product(name="RepDesk Pro seat", code="RD-PRO", list_price=1200.0)
        session.add_all([ae, account, seat])
        session.flush()
        billing = Contact(account_id=account.id, first_name="Inès", last_name="Moreau",
                          email="ines@lyonfreight.fr", is_billing=True)
        tech = Contact(account_id=account.id, first_name="Théo", last_name="Petit",
                       email="theo@lyonfreight.fr")
        opportunity = Opportunity(name="Lyon Freight - new business", account_id=account.id,
                                  owner_id=ae.id, stage="Negotiation", created_at=NOW)
        session.add_all([billing, tech, opportunity])
    return {"ae": ae.id, "account": account.id, "seat": seat.id, "billing": billing.id,
            "tech": tech.id, "opportunity": opportunity.id}


def won(deal: dict[str, str], seats: int = 25, **changes: object) -> CloseDraft:
    draft = CloseDraft(
        outcome="won", reason_code="WIN-FEATURES", competitor="Northwind CRM",
        lines=(LineItem(deal["seat"], seats, 1200.0),), contract_term_months=24,
        support_contract="Premium", billing_contact_id=deal["billing"], po_number="PO-7731",
        payment_terms="Net 30", technical_contact_ids=(deal["tech"],),
        new_technical_contacts=(NewContact("Léa", "Roux", "lea@lyonfreight.fr"),),
        reference_willing=True, reference_kinds=("call", "logo"),
        requested_features=("Outlook add-in",))
    return replace(draft, **changes)  # type: ignore[arg-type]


def _handoffs(store: Store) -> list[CloseHandoff]:
    with store.sessions() as session:
        return list(session.scalars(select(CloseHandoff).order_by(CloseHandoff.team)))


def test_closed_won_tells_finance_support_marketing_and_management(store: Store,
                                                                   deal: dict) -> None:
    saved = close_opportunity(store.sessions, deal["opportunity"], won(deal, seats=50),
                              deal["ae"], NOW)
    assert saved.amount == 60_000.0
    handoffs = {h.team: h for h in _handoffs(store)}
    assert set(handoffs) == {"finance", "support", "marketing", "management"}
    finance = handoffs["finance"]
    assert finance.due_at == NOW + timedelta(hours=24)
    assert finance.payload["billing_contact"]["email"] == "ines@lyonfreight.fr"
    assert finance.payload["lines"] == [{"product": "RepDesk Pro seat", "quantity": 50,
                                         "unit_price": 1200.0}]
    assert (finance.payload["po_number"], finance.payload["payment_terms"]) == ("PO-7731",
                                                                                "Net 30")
    support = handoffs["support"].payload
    assert support["support_contract"] == "Premium"
    assert {c["email"] for c in support["technical_contacts"]} == {
        "theo@lyonfreight.fr", "lea@lyonfreight.fr"}
    assert handoffs["marketing"].payload["kinds"] == ["call", "logo"]
    assert handoffs["finance"].addressed_to == "Finance — billing queue"
    with store.sessions() as session:
        opportunity = session.get(Opportunity, deal["opportunity"])
        assert opportunity is not None
        assert (opportunity.stage, opportunity.is_won, opportunity.amount) == (
            "Closed Won", True, 60_000.0)
        lines = session.scalars(select(OpportunityLineItem)).all()
        assert [(li.quantity, li.unit_price) for li in lines] == [(50, 1200.0)]
        new = session.scalars(select(Contact).where(Contact.last_name == "Roux")).one()
        assert new.is_technical and new.account_id == deal["account"]


@pytest.mark.parametrize(("seats", "notified"), [(41, False), (42, True), (100, True)])
def test_management_hears_of_deals_at_or_above_the_threshold(store: Store, deal: dict,
                                                             seats: int, notified: bool) -> None:
    # 41 seats = 49,200; 42 seats = 50,400 against a 50,000 threshold.
    close_opportunity(store.sessions, deal["opportunity"], won(deal, seats=seats), deal["ae"],
                      NOW)
    assert ("management" in {h.team for h in _handoffs(store)}) is notified


def test_no_reference_no_marketing_hand_off(store: Store, deal: dict) -> None:
    close_opportunity(store.sessions, deal["opportunity"],
                      won(deal, seats=5, reference_willing=False, reference_kinds=()),
                      deal["ae"], NOW)
    assert {h.team for h in _handoffs(store)} == {"finance", "support"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"reason_code": None}, "reason_code"),
    ({"reason_code": "LOSS-PRICE"}, "reason_code"),
    ({"lines": ()}, "lines"),
    ({"lines": (LineItem("x", 0, 10.0),)}, "lines"),
    ({"contract_term_months": None}, "contract_term_months"),
    ({"support_contract": "Gold"}, "support_contract"),
    ({"billing_contact_id": None}, "billing_contact_id"),
    ({"payment_terms": None}, "payment_terms"),
    ({"technical_contact_ids": (), "new_technical_contacts": ()}, "technical_contacts"),
    ({"new_technical_contacts": (NewContact("A", "", "a@b.c"),)}, "technical_contacts"),
    ({"reference_kinds": ()}, "reference_kinds"),
    ({"outcome": None}, "outcome"),
])
def test_every_required_field_of_a_win_is_checked(store: Store, deal: dict, changes: dict,
                                                  field: str) -> None:
    with pytest.raises(CloseError) as refused:
        close_opportunity(store.sessions, deal["opportunity"], won(deal, **changes),
                          deal["ae"], NOW)
    assert field in refused.value.problems
    assert _handoffs(store) == []


def test_closed_lost_needs_a_reason_and_the_winner_and_sends_contacts_to_nurture(
        store: Store, deal: dict) -> None:
    lost = CloseDraft(outcome="lost", reason_code=None, competitor="")
    with pytest.raises(CloseError) as refused:
        close_opportunity(store.sessions, deal["opportunity"], lost, deal["ae"], NOW)
    assert set(refused.value.problems) == {"reason_code", "competitor"}
    close_opportunity(store.sessions, deal["opportunity"],
                      replace(lost, reason_code="LOSS-PRICE", competitor="Northwind CRM",
                              notes="Half our price"), deal["ae"], NOW)
    assert _handoffs(store) == []
    with store.sessions() as session:
        opportunity = session.get(Opportunity, deal["opportunity"])
        assert opportunity is not None
        assert (opportunity.stage, opportunity.competitor) == ("Closed Lost", "Northwind CRM")
        assert {c.stage for c in session.scalars(select(Contact))} == {"nurture"}


def test_a_crash_before_commit_leaves_nothing_and_a_retry_sends_each_hand_off_once(
        store: Store, deal: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    import models.closing as closing

    def crash(*_: object, **__: object) -> None:
        raise OSError("power cut")

    with monkeypatch.context() as patch:
        patch.setattr(closing, "ReferenceCustomer", crash)  # the last write of the close
        with pytest.raises(OSError):
            close_opportunity(store.sessions, deal["opportunity"], won(deal), deal["ae"], NOW)
    assert _handoffs(store) == []
    close_opportunity(store.sessions, deal["opportunity"], won(deal), deal["ae"], NOW)
    with pytest.raises(CloseError, match="already closed"):
        close_opportunity(store.sessions, deal["opportunity"], won(deal), deal["ae"], NOW)
    handoffs = _handoffs(store)
    assert sorted(h.team for h in handoffs) == ["finance", "marketing", "support"]
    with store.sessions() as session:
        creates = session.scalars(select(OutboxEntry.record_id).where(
            OutboxEntry.object == "CloseHandoff__c", OutboxEntry.op == "create")).all()
    assert sorted(creates) == sorted(h.id for h in handoffs)  # one create each, ids fixed
    assert {d.state for d in deliveries(store.sessions, deal["opportunity"])} == {
        "waiting for sync"}


def test_references_are_listed_and_their_uses_counted(store: Store, deal: dict) -> None:
    close_opportunity(store.sessions, deal["opportunity"], won(deal), deal["ae"], NOW)
    [reference] = reference_customers(store.sessions)
    assert (reference.account, reference.kinds, reference.uses) == (
        "Lyon Freight SAS", ("call", "logo"), 0)
    record_use(store.sessions, reference.id, "call", "Acme Logistics evaluation", deal["ae"],
               NOW + timedelta(days=3))
    with pytest.raises(ValueError, match="not to a case study"):
        record_use(store.sessions, reference.id, "case study", "Blog", deal["ae"], NOW)
    [again] = reference_customers(store.sessions)
    assert (again.uses, again.last_used_at) == (1, NOW + timedelta(days=3))


def test_product_feedback_counts_features_and_competitors(store: Store, deal: dict) -> None:
    close_opportunity(store.sessions, deal["opportunity"], won(deal), deal["ae"], NOW)
    feedback = product_feedback(store.sessions)
    assert ("Outlook add-in", 1) in feedback.features
    assert ("Northwind CRM", 1) in feedback.competitors


def test_a_billing_contact_can_be_added_while_closing(store: Store, deal: dict) -> None:
    draft = won(deal, billing_contact_id=None,
                new_billing_contact=NewContact("Ana", "Costa", "ana@lyonfreight.fr"))
    close_opportunity(store.sessions, deal["opportunity"], draft, deal["ae"], NOW)
    finance = next(h for h in _handoffs(store) if h.team == "finance")
    assert finance.payload["billing_contact"]["email"] == "ana@lyonfreight.fr"
    with store.sessions() as session:
        ana = session.scalars(select(Contact).where(Contact.last_name == "Costa")).one()
        assert ana.is_billing and not ana.is_technical


def test_winning_makes_the_company_a_customer_even_without_an_account(store: Store,
                                                                      deal: dict) -> None:
    with store.sessions.begin() as session:
        bare = Opportunity(name="Nova Retail - new business", owner_id=deal["ae"],
                           stage="Proposal", created_at=NOW)
        session.add(bare)
    draft = won(deal, technical_contact_ids=(), billing_contact_id=None,
                new_billing_contact=NewContact("Rui", "Lima", "rui@nova.pt"))
    close_opportunity(store.sessions, bare.id, draft, deal["ae"], NOW)
    [reference] = reference_customers(store.sessions)
    assert reference.account == "Nova Retail"
    with store.sessions() as session:
        account = session.scalars(select(Account).where(Account.name == "Nova Retail")).one()
        assert account.kind == "customer"
        assert session.scalars(select(Contact.account_id).where(
            Contact.last_name == "Lima")).one() == account.id


def test_winning_turns_a_prospect_account_into_a_customer(store: Store, deal: dict) -> None:
    close_opportunity(store.sessions, deal["opportunity"], won(deal), deal["ae"], NOW)
    with store.sessions() as session:
        account = session.get(Account, deal["account"])
        assert account is not None and account.kind == "customer"
