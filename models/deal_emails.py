"""An AE's mail about a deal: who it goes to (the contact the lead became, else the account's
first contact, else the source lead), the merge values (opportunity, account, contact, the
meeting in the recipient's timezone, the rep), and the send, logged on the deal and sent by the
CRM through the outbox exactly like a lead's mail (``models.sync.mail``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.cadence_config import lead_timezone
from models.emails import EmailRefused, fill_mail, rep_values
from models.event_fields import event_values
from models.store import Account, Activity, Contact, Lead, Opportunity, User
from models.vocab import ActivityKind


@dataclass(frozen=True)
class DealAddressee:
    """Whom a mail about a deal goes to; the composer reads it like a lead."""

    id: str  # the opportunity's id
    name: str
    company: str
    email: str | None
    email_opt_out: bool
    deal: str
    stage: str


@dataclass(frozen=True)
class DealMailLogged:
    activity_id: str
    opportunity_id: str


def _contact(session: Session, deal: Opportunity) -> Contact | None:
    if deal.account_id is None:
        return None
    lead = session.get(Lead, deal.lead_id) if deal.lead_id else None
    query = select(Contact).where(Contact.account_id == deal.account_id)
    if lead is not None and lead.email:
        found = session.scalars(query.where(
            func.lower(Contact.email) == lead.email.strip().lower())).first()
        if found is not None:
            return found
    return session.scalars(query.order_by(Contact.last_name)).first()


@dataclass(frozen=True)
class _Parties:
    deal: Opportunity
    account: Account | None
    contact: Contact | None
    lead: Lead | None


def _parties(session: Session, opportunity_id: str) -> _Parties | None:
    deal = session.get(Opportunity, opportunity_id)
    if deal is None:
        return None
    return _Parties(deal, session.get(Account, deal.account_id) if deal.account_id else None,
                    _contact(session, deal),
                    session.get(Lead, deal.lead_id) if deal.lead_id else None)


def _person(parties: _Parties) -> tuple[str, str | None, bool]:
    """Name, address, opted out: the contact, else the lead the deal came from. A contact
    with the lead's address is the same person, so the lead's opt-out holds for them too."""
    lead, contact = parties.lead, parties.contact
    lead_mail = (lead.email or "").strip().lower() if lead else ""
    if contact is not None:
        name = f"{contact.first_name or ''} {contact.last_name}".strip()
        same = bool(lead_mail) and (contact.email or "").strip().lower() == lead_mail
        return name, contact.email, bool(same and lead is not None and lead.email_opt_out)
    if lead is not None:
        return (f"{lead.first_name or ''} {lead.last_name}".strip(), lead.email,
                lead.email_opt_out)
    return "no contact yet", None, False


def deal_addressee(sessions: sessionmaker[Session], opportunity_id: str
                   ) -> DealAddressee | None:
    with sessions() as session:
        parties = _parties(session, opportunity_id)
        if parties is None:
            return None
        name, email, opted_out = _person(parties)
        company = (parties.account.name if parties.account else
                   parties.lead.company if parties.lead else parties.deal.name)
        return DealAddressee(opportunity_id, name, company, email, opted_out,
                             parties.deal.name, parties.deal.stage)


def _values(session: Session, parties: _Parties, rep_id: str | None,
            now: datetime) -> dict[str, str | None]:
    deal, account, contact, lead = parties.deal, parties.account, parties.contact, parties.lead
    rep = session.get(User, rep_id) if rep_id else None
    zone = lead_timezone(lead.timezone, lead.phone) if lead else None
    return {
        "opportunity.name": deal.name,
        "opportunity.amount": f"{deal.amount:,.2f}" if deal.amount is not None else None,
        "opportunity.close_date": f"{deal.close_date:%d %B %Y}" if deal.close_date
        else None,
        "opportunity.stage": deal.stage, "opportunity.next_step": deal.next_step,
        "account.name": account.name if account else None,
        "contact.first_name": contact.first_name if contact else None,
        "contact.last_name": contact.last_name if contact else None,
        "contact.name": f"{contact.first_name or ''} {contact.last_name}".strip()
        if contact else None,
        "contact.email": contact.email if contact else None,
        "contact.title": contact.title if contact else None,
        **rep_values(rep),
        **event_values(session, deal.lead_id, deal.id, zone, now),
    }


def deal_merge_values(sessions: sessionmaker[Session], opportunity_id: str,
                      rep_id: str | None, now: datetime | None = None
                      ) -> dict[str, str | None]:
    """Raises LookupError when the deal is gone."""
    with sessions() as session:
        parties = _parties(session, opportunity_id)
        if parties is None:
            raise LookupError(f"The opportunity {opportunity_id} no longer exists.")
        return _values(session, parties, rep_id, now or datetime.now(UTC))


def send_deal_email(sessions: sessionmaker[Session], opportunity_id: str, rep_id: str | None,
                    subject: str, body: str, delivery: str, now: datetime,
                    as_html: bool = False) -> DealMailLogged:
    """Log the mail on the deal (a Task whose WhatId is the opportunity); with ``"crm"`` the
    CRM sends it at the next sync, once (the send's own state, as for a lead's mail).

    Raises:
        EmailRefused: no one to write to, an opted-out person, or merge-field problems.
    """
    with sessions.begin() as session:
        parties = _parties(session, opportunity_id)
        if parties is None:
            raise EmailRefused("This opportunity no longer exists.")
        name, address, opted_out = _person(parties)
        if opted_out:
            raise EmailRefused(f"{name} opted out of e-mail: RepDesk will not send it. "
                               "Call instead, or leave a note.")
        if not address:
            raise EmailRefused(f"{name} has no e-mail address: add a contact with one to "
                               f"{parties.account.name if parties.account else 'the deal'}.")
        subject, body = fill_mail(subject, body, _values(session, parties, rep_id, now),
                                  delivery, as_html)
        activity = Activity(
            kind=ActivityKind.EMAIL, opportunity_id=parties.deal.id,
            account_id=parties.deal.account_id,
            contact_id=parties.contact.id if parties.contact else None, owner_id=rep_id,
            subject=subject, body=body, occurred_at=now, email_to=address, delivery=delivery)
        session.add(activity)
        session.flush()
        return DealMailLogged(activity.id, parties.deal.id)
