"""Every lead's account match is kept current in the store, incrementally."""

from __future__ import annotations

from sqlalchemy import func, select

from models.hygiene.account_links import account_of, confirm_match, refresh_matches
from models.store import Account, Lead, LeadAccountMatch, OutboxEntry
from models.store.open import Store
from tests.conftest import FIXED_NOW


def test_the_first_refresh_matches_every_lead_then_only_what_changed(demo_store: Store) -> None:
    first = refresh_matches(demo_store.sessions, FIXED_NOW)
    with demo_store.sessions() as session:
        leads = session.scalar(select(func.count()).select_from(Lead))
        stored = session.scalar(select(func.count()).select_from(LeadAccountMatch))
    assert first.rematched == leads == stored
    assert first.linked > 0 and first.matched > 0 and first.unmatched > 0
    assert refresh_matches(demo_store.sessions, FIXED_NOW).rematched == 0

    with demo_store.sessions.begin() as session:
        lead = session.scalars(select(Lead).where(Lead.account_id.is_(None))
                               .order_by(Lead.id).limit(1)).one()
        lead.company, lead.email, lead_id = "Nobody Like Us Bakery", None, lead.id
    again = refresh_matches(demo_store.sessions, FIXED_NOW)
    assert again.rematched == 1
    with demo_store.sessions() as session:
        shown = account_of(session, lead_id)
    assert shown is not None and shown.account_id is None and not shown.confirmed


def test_a_changed_account_rematches_everyone(demo_store: Store) -> None:
    refresh_matches(demo_store.sessions, FIXED_NOW)
    with demo_store.sessions.begin() as session:
        session.scalars(select(Account).limit(1)).one().name = "Renamed Holdings"
    assert refresh_matches(demo_store.sessions, FIXED_NOW).rematched > 500


def test_a_crm_link_wins_and_confirming_a_match_links_the_lead(demo_store: Store) -> None:
    refresh_matches(demo_store.sessions, FIXED_NOW)
    with demo_store.sessions() as session:
        linked = session.scalars(select(Lead).where(Lead.account_id.is_not(None))).first()
        assert linked is not None
        shown = account_of(session, linked.id)
        assert shown is not None
        assert (shown.account_id, shown.method, shown.confirmed) == (
            linked.account_id, "linked", True)
        matched_id = session.scalars(
            select(LeadAccountMatch.lead_id).join(Lead, Lead.id == LeadAccountMatch.lead_id)
            .where(Lead.account_id.is_(None), LeadAccountMatch.account_id.is_not(None))).first()
        pending = session.scalar(select(func.count()).select_from(OutboxEntry))
    assert matched_id is not None
    account_id = confirm_match(demo_store.sessions, matched_id)
    with demo_store.sessions() as session:
        lead = session.get(Lead, matched_id)
        assert lead is not None and lead.account_id == account_id
        # A Lead has no account field in the CRM: the link stays here, nothing to send.
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == pending
        shown = account_of(session, matched_id)
        assert shown is not None and shown.method == "linked"


def test_a_changed_address_rematches_the_lead_or_everyone(demo_store: Store) -> None:
    # Where a lead or an account is counts for a name that leaves doubt.
    refresh_matches(demo_store.sessions, FIXED_NOW)
    with demo_store.sessions.begin() as session:
        lead = session.scalars(select(Lead).where(Lead.account_id.is_(None))
                               .order_by(Lead.id).limit(1)).one()
        lead.postal_code = "99999" if lead.postal_code != "99999" else "11111"
    assert refresh_matches(demo_store.sessions, FIXED_NOW).rematched == 1
    with demo_store.sessions.begin() as session:
        account = session.scalars(select(Account).order_by(Account.id).limit(1)).one()
        account.city = f"{account.city or ''} Nord"
    assert refresh_matches(demo_store.sessions, FIXED_NOW).rematched > 500


def test_a_lead_at_the_postal_code_of_a_lead_linked_in_the_crm_is_matched(
        demo_store: Store) -> None:
    # The account has no address; the lead the CRM links to it is at 80333. A new lead
    # with the company's name one letter off, from free mail, at 80333: the account's.
    with demo_store.sessions.begin() as session:
        account = Account(name="Qorvantix Robotics", kind="prospect")
        session.add(account)
        session.flush()
        colleague, newcomer = session.scalars(select(Lead).where(Lead.account_id.is_(None))
                                              .order_by(Lead.id).limit(2)).all()
        colleague.account_id, colleague.postal_code = account.id, "80333"
        newcomer.company, newcomer.email = "Qorvamtix Robotics", "ann@gmail.com"
        newcomer.city, newcomer.postal_code, newcomer.country = "München", "80333", "DE"
        account_id, newcomer_id = account.id, newcomer.id
    refresh_matches(demo_store.sessions, FIXED_NOW)
    with demo_store.sessions() as session:
        shown = account_of(session, newcomer_id)
    assert shown is not None and (shown.account_id, shown.confirmed) == (account_id, True)
    assert any("lead already linked" in reason for reason in shown.reasons)
