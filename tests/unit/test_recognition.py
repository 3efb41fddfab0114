"""The large-deal notice: a mail naming the rep to each manager, once, above the threshold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from models.closing import CloseDraft, CloseError, LineItem, close_opportunity
from models.recognition import notice_id, recipients
from models.store import Account, Activity, CloseHandoff, Contact, Opportunity, Product, User
from models.store.open import Store

NOW = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


@pytest.fixture
def deal(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        ae = User(name="Hugo Martin", email="hugo@example.com", role="AE")
        ana = User(name="Ana Silva", email="ana@example.com", role="manager")
        ben = User(name="Ben Ode", email="BEN@example.com", role="manager")
        quiet = User(name="No Mail", email=None, role="manager")
        account = Account(name="Lyon Freight SAS", kind="prospect")
        seat = Product(name="RepDesk Pro seat", code="RD-PRO", list_price=1200.0)
        session.add_all([ae, ana, ben, quiet, account, seat])
        session.flush()
        billing = Contact(account_id=account.id, first_name="Inès", last_name="Moreau",
                          email="ines@lyonfreight.fr", is_billing=True)
        deal = Opportunity(name="Lyon Freight - new business", account_id=account.id,
                           owner_id=ae.id, stage="Negotiation/Review", created_at=NOW)
        session.add_all([billing, deal])
    return {"ae": ae.id, "seat": seat.id, "billing": billing.id, "deal": deal.id}


def won(deal: dict[str, str], seats: int) -> CloseDraft:
    return CloseDraft(
        outcome="won", reason_code="WIN-FEATURES", competitor="Northwind CRM",
        lines=(LineItem(deal["seat"], seats, 1200.0),), contract_term_months=24,
        support_contract="Premium", billing_contact_id=deal["billing"], po_number="PO-1",
        payment_terms="Net 30", technical_contact_ids=(deal["billing"],))


def _notices(store: Store) -> list[Activity]:
    with store.sessions() as session:
        return list(session.scalars(select(Activity).where(
            Activity.kind == "email", Activity.delivery == "crm").order_by(Activity.email_to)))


def test_a_large_deal_mails_each_manager_naming_the_rep(store: Store, deal: dict) -> None:
    close_opportunity(store.sessions, deal["deal"], won(deal, seats=50), deal["ae"], NOW)
    notices = _notices(store)
    assert sorted(n.email_to or "" for n in notices) == ["BEN@example.com", "ana@example.com"]
    for notice in notices:
        assert notice.subject == "Hugo Martin closed Lyon Freight - new business: 60,000"
        assert "Hugo Martin has just won Lyon Freight - new business with Lyon Freight SAS, " \
               "for 60,000.00, above the 50,000 threshold" in (notice.body or "")
        assert "Competitor displaced: Northwind CRM." in (notice.body or "")
        assert notice.opportunity_id == deal["deal"]
        assert notice.id == notice_id(deal["deal"], notice.email_to or "")
    with store.sessions() as session:
        record = session.scalars(select(CloseHandoff).where(
            CloseHandoff.team == "management")).one()
        assert record.payload["rep"] == "Hugo Martin"


def test_under_the_threshold_no_one_is_mailed(store: Store, deal: dict) -> None:
    close_opportunity(store.sessions, deal["deal"], won(deal, seats=41), deal["ae"], NOW)
    assert _notices(store) == []


def test_closing_again_writes_no_second_notice(store: Store, deal: dict) -> None:
    close_opportunity(store.sessions, deal["deal"], won(deal, seats=50), deal["ae"], NOW)
    with pytest.raises(CloseError):
        close_opportunity(store.sessions, deal["deal"], won(deal, seats=50), deal["ae"], NOW)
    assert len(_notices(store)) == 2


def test_recipients_are_data_roles_and_addresses_each_once(store: Store, deal: dict) -> None:
    with store.sessions() as session:
        found = recipients(session, {"to_roles": ["manager", "AE"],
                                     "to_addresses": ["ben@example.com", "vp@example.com",
                                                      "not an address"]})
    assert [r.address for r in found] == ["ana@example.com", "BEN@example.com",
                                          "hugo@example.com", "vp@example.com"]
