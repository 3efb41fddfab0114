"""An AE's mail about a deal: opportunity, account and contact merge fields, and the AE
templates the demo ships."""

from __future__ import annotations

from datetime import UTC, date, datetime

from models.deal_emails import deal_merge_values
from models.demo.generator import AE_TEMPLATES
from models.emails import templates_for
from models.store import Account, Contact, Lead, Opportunity, User
from models.store.open import Store
from models.templates import check, render

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def test_the_ae_templates_fill_from_the_deal_its_account_and_its_contact(
        store: Store) -> None:
    with store.sessions.begin() as session:
        ae = User(name="Hugo Martin", email="hugo@example.com", role="AE")
        account = Account(name="Lyon Freight", kind="prospect")
        session.add_all([ae, account])
        session.flush()
        lead = Lead(last_name="Durand", company="Lyon Freight", email="chloe@lyon.fr",
                    created_at=NOW, account_id=account.id)
        session.add_all([lead, Contact(account_id=account.id, first_name="Alain",
                                       last_name="Aubert", email="alain@lyon.fr"),
                         Contact(account_id=account.id, first_name="Chloé",
                                 last_name="Durand", email="CHLOE@lyon.fr")])
        session.flush()
        deal = Opportunity(name="Lyon Freight - new business", account_id=account.id,
                           lead_id=lead.id, owner_id=ae.id, stage="Proposal/Price Quote",
                           amount=48_000, close_date=date(2027, 1, 29),
                           next_step="Pricing call on Thursday", created_at=NOW)
        session.add(deal)
    values = deal_merge_values(store.sessions, deal.id, ae.id)
    assert values["contact.first_name"] == "Chloé"  # the contact the lead became
    for name, subject, body in AE_TEMPLATES:
        assert check(subject) == [] and check(body) == [], name
        rendered = render(body, values)
        assert rendered.sendable, (name, rendered.unresolved)
    proposal = render(AE_TEMPLATES[1][2], values).text
    assert "Lyon Freight (48,000.00)" in proposal and "29 January 2027" in proposal
    assert "Hugo Martin" in proposal


def test_the_demo_ships_templates_for_deals(demo_store: Store) -> None:
    names = {t.name for t in templates_for(demo_store.sessions, stage="Opportunity")
             if t.stage == "Opportunity"}
    assert names == {name for name, _subject, _body in AE_TEMPLATES}
