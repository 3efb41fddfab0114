"""Mail about a deal: whom it goes to, the meeting's time in the recipient's timezone, a rep
with a blank name, and the mail logged on the deal for the CRM to send."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from models.deal_emails import deal_addressee, deal_merge_values, send_deal_email
from models.demo.generator import AE_TEMPLATES
from models.emails import EmailRefused, merge_values, rep_values, send_email
from models.store import Account, Activity, Contact, Lead, Meeting, Opportunity, OutboxEntry, User
from models.store.open import Store
from models.templates import render

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
MEETING = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 15:00 in Lyon, 09:00 in New York


@pytest.fixture
def deal(store: Store) -> dict[str, str]:
    with store.sessions.begin() as session:
        ae = User(name="Hugo Martin", email="hugo@example.com", role="AE",
                  timezone="America/New_York")
        account = Account(name="Lyon Freight", kind="prospect")
        session.add_all([ae, account])
        session.flush()
        lead = Lead(first_name="Chloé", last_name="Durand", company="Lyon Freight",
                    email="chloe@lyon.fr", timezone="Europe/Paris", created_at=NOW,
                    account_id=account.id)
        contact = Contact(account_id=account.id, first_name="Chloé", last_name="Durand",
                          email="chloe@lyon.fr")
        session.add_all([lead, contact])
        session.flush()
        opportunity = Opportunity(name="Lyon Freight - new business", account_id=account.id,
                                  lead_id=lead.id, owner_id=ae.id, stage="Qualification",
                                  amount=48_000, close_date=date(2027, 1, 29),
                                  next_step="Pricing call", created_at=NOW)
        session.add(opportunity)
        session.flush()
        session.add(Meeting(subject="Meeting: Lyon Freight with Hugo Martin",
                            starts_at=MEETING, ends_at=MEETING + timedelta(minutes=30),
                            lead_id=lead.id, owner_id=ae.id, created_at=NOW))
    return {"ae": ae.id, "lead": lead.id, "deal": opportunity.id, "contact": contact.id}


def test_the_meeting_reads_in_the_recipients_timezone_not_the_aes(store: Store,
                                                                  deal: dict) -> None:
    values = deal_merge_values(store.sessions, deal["deal"], deal["ae"], NOW)
    assert values["event.when"] == "Tuesday 01 December 2026, 15:00–15:30 (Europe/Paris)"
    assert values["event.start"] == "Tuesday 01 December 2026, 15:00 (Europe/Paris)"
    confirmation = render(AE_TEMPLATES[0][2], values)
    assert confirmation.sendable
    assert "Hi Chloé" in confirmation.text and "15:00–15:30 (Europe/Paris)" in confirmation.text
    # The SDR's own mail to the lead reads the same meeting the same way.
    assert merge_values(store.sessions, deal["lead"], deal["ae"], NOW)["event.when"] == (
        values["event.when"])


def test_without_a_meeting_the_confirmation_falls_back_to_its_default(store: Store,
                                                                     deal: dict) -> None:
    with store.sessions.begin() as session:
        for meeting in session.scalars(select(Meeting)):
            meeting.state = "held"
    values = deal_merge_values(store.sessions, deal["deal"], deal["ae"], NOW)
    assert values["event.when"] is None
    assert "Our meeting: the time we agreed." in render(AE_TEMPLATES[0][2], values).text


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_rep_with_a_blank_name_leaves_the_user_fields_to_their_defaults(
        store: Store, deal: dict, blank: str) -> None:
    with store.sessions.begin() as session:
        rep = User(name=blank, email="noname@example.com", role="AE")
        session.add(rep)
    fields = rep_values(rep)
    assert (fields["user.name"], fields["user.first_name"]) == (None, None)
    values = deal_merge_values(store.sessions, deal["deal"], rep.id, NOW)
    assert render("{!User.FirstName,The team}", values).text == "The team"
    assert render("{!User.Name}", values).unresolved == ("User.Name",)
    # The lead's composer opens for that rep too, and sends once the field has a default.
    assert merge_values(store.sessions, deal["lead"], rep.id)["user.name"] is None
    send_email(store.sessions, deal["lead"], rep.id, "Hello", "{!User.Name,Sales}", "crm", NOW)


def test_a_mail_about_the_deal_is_logged_on_it_and_waits_for_the_crm(store: Store,
                                                                     deal: dict) -> None:
    assert deal_addressee(store.sessions, deal["deal"]).email == "chloe@lyon.fr"
    logged = send_deal_email(store.sessions, deal["deal"], deal["ae"],
                             AE_TEMPLATES[1][1], AE_TEMPLATES[1][2], "crm", NOW)
    with store.sessions() as session:
        mail = session.get(Activity, logged.activity_id)
        assert mail is not None
        assert (mail.kind, mail.opportunity_id, mail.contact_id, mail.email_to,
                mail.delivery) == ("email", deal["deal"], deal["contact"], "chloe@lyon.fr",
                                   "crm")
        assert mail.subject == "Your proposal for Lyon Freight"
        assert "Lyon Freight (48,000.00)" in (mail.body or "")
        assert session.scalars(select(OutboxEntry).where(
            OutboxEntry.record_id == mail.id)).one().op == "create"


def test_an_opted_out_contact_or_no_address_is_refused_and_nothing_is_written(
        store: Store, deal: dict) -> None:
    with store.sessions.begin() as session:
        lead = session.get(Lead, deal["lead"])
        assert lead is not None
        lead.email_opt_out = True  # the contact is the same person
    assert deal_addressee(store.sessions, deal["deal"]).email_opt_out
    with pytest.raises(EmailRefused, match="opted out"):
        send_deal_email(store.sessions, deal["deal"], deal["ae"], "Hi", "Hello", "crm", NOW)
    with store.sessions.begin() as session:
        contact = session.get(Contact, deal["contact"])
        assert contact is not None
        contact.email = None
    with pytest.raises(EmailRefused, match="no e-mail address"):
        send_deal_email(store.sessions, deal["deal"], deal["ae"], "Hi", "Hello", "crm", NOW)
    with store.sessions() as session:
        assert session.scalars(select(Activity).where(Activity.kind == "email")).all() == []


def test_a_field_left_empty_blocks_the_send(store: Store, deal: dict) -> None:
    with store.sessions.begin() as session:
        for meeting in session.scalars(select(Meeting)):
            meeting.state = "no-show"
    with pytest.raises(EmailRefused, match="highlighted merge fields"):
        send_deal_email(store.sessions, deal["deal"], deal["ae"], "See you {!Event.When}",
                        "Hello", "crm", NOW)
