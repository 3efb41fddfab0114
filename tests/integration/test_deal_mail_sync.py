"""Mail about deals reaches the CRM over HTTP and goes out once: an AE's mail from the composer
and the large-deal notice to each manager, with a lost answer on the way."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from models.closing import CloseDraft, LineItem, close_opportunity
from models.deal_emails import send_deal_email
from models.demo.generator import AE_TEMPLATES
from models.store import Account, Activity, Contact, EmailSend, Opportunity, Product, User
from models.store.open import Store
from models.sync.engine import sync_once
from tests.integration.conftest import Crm, clock

NOW = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


def _deal(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        ae = User(name="Hugo Martin", email="hugo@example.com", role="AE")
        managers = [User(name="Ana Silva", email="ana@example.com", role="manager"),
                    User(name="Ben Ode", email="ben@example.com", role="manager")]
        account = Account(name="Lyon Freight SAS", kind="prospect")
        seat = Product(name="RepDesk Pro seat", code="RD-PRO", list_price=1200.0)
        session.add_all([ae, *managers, account, seat])
        session.flush()
        contact = Contact(account_id=account.id, first_name="Inès", last_name="Moreau",
                          email="ines@lyonfreight.fr")
        deal = Opportunity(name="Lyon Freight - new business", account_id=account.id,
                           owner_id=ae.id, stage="Proposal/Price Quote", amount=60_000,
                           close_date=date(2027, 1, 29),
                           created_at=NOW)
        session.add_all([contact, deal])
    return {"ae": ae.id, "seat": seat.id, "contact": contact.id, "deal": deal.id}


def test_an_aes_mail_about_a_deal_goes_out_once_despite_a_lost_answer(crm: Crm,
                                                                      store: Store) -> None:
    ids = _deal(store)
    logged = send_deal_email(store.sessions, ids["deal"], ids["ae"], AE_TEMPLATES[1][1],
                             AE_TEMPLATES[1][2], "crm", NOW)
    crm.sandbox.faults.queue("lost")  # the CRM writes the first batch; its answer is lost
    for _ in range(3):
        sync_once(store.sessions, crm.adapter, clock)
    assert [(m["to"], m["subject"]) for m in crm.sandbox.sent_emails] == [
        ("ines@lyonfreight.fr", "Your proposal for Lyon Freight SAS")]
    assert "Hi Inès" in crm.sandbox.sent_emails[0]["body"]
    with store.sessions() as session:
        task = session.get(Activity, logged.activity_id)
        deal = session.get(Opportunity, ids["deal"])
        assert task is not None and task.crm_id and deal is not None and deal.crm_id
        [remote] = [t for t in crm.sandbox.store.all("Task") if t.id == task.crm_id]
        assert remote.fields["WhatId"] == deal.crm_id
        assert session.get(EmailSend, logged.activity_id).state == "sent"


def test_a_large_deal_won_mails_each_manager_once_naming_the_rep(crm: Crm,
                                                                 store: Store) -> None:
    ids = _deal(store)
    close_opportunity(store.sessions, ids["deal"], CloseDraft(
        outcome="won", reason_code="WIN-FEATURES", competitor="Northwind CRM",
        lines=(LineItem(ids["seat"], 50, 1200.0),), contract_term_months=24,
        support_contract="Premium", billing_contact_id=ids["contact"], po_number="PO-1",
        payment_terms="Net 30", technical_contact_ids=(ids["contact"],)), ids["ae"], NOW)
    crm.sandbox.faults.queue("lost")
    for _ in range(3):
        sync_once(store.sessions, crm.adapter, clock)
    sent = sorted(crm.sandbox.sent_emails, key=lambda mail: mail["to"])
    assert [(m["to"], m["subject"]) for m in sent] == [
        ("ana@example.com", "Hugo Martin closed Lyon Freight - new business: 60,000"),
        ("ben@example.com", "Hugo Martin closed Lyon Freight - new business: 60,000")]
    assert all("Congratulations to Hugo Martin." in m["body"] for m in sent)
    with store.sessions() as session:
        states = session.scalars(select(EmailSend.state)).all()
        assert sorted(states) == ["sent", "sent"]
