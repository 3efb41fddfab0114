"""Converting an accepted lead as Salesforce does: a contact on its account (the one it is
linked to, else its sure match, else a new account), the deal on that account, and the lead
marked converted. Ordinary rows, so each reaches the CRM through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.hygiene.account_links import account_of
from models.hygiene.standardise import email_domain
from models.store import Account, Contact, Lead
from models.vocab import FunnelStage


@dataclass(frozen=True)
class Converted:
    account_id: str
    contact_id: str
    new_account: bool
    new_contact: bool


def _account(session: Session, lead: Lead, owner_id: str | None) -> tuple[str, bool]:
    if lead.account_id:
        return lead.account_id, False
    match = account_of(session, lead.id)
    if match is not None and match.confirmed and match.account_id:
        return match.account_id, False
    domain = email_domain(lead.email)
    account = Account(name=lead.company, kind="prospect", industry=lead.industry,
                      employees=lead.employees, country=lead.country, city=lead.city,
                      state=lead.state, postal_code=lead.postal_code, owner_id=owner_id,
                      domain=domain.domain if domain.domain and not domain.free_mail else None)
    session.add(account)
    session.flush()
    return account.id, True


def _contact(session: Session, lead: Lead, account_id: str, owner_id: str | None
             ) -> tuple[str, bool]:
    if lead.email:
        known = session.scalars(select(Contact.id).where(
            Contact.account_id == account_id,
            func.lower(Contact.email) == lead.email.strip().lower())).first()
        if known:
            return known, False
    contact = Contact(account_id=account_id, first_name=lead.first_name,
                      last_name=lead.last_name, title=lead.title, email=lead.email,
                      phone=lead.phone, owner_id=owner_id, stage=FunnelStage.SQL.value)
    session.add(contact)
    session.flush()
    return contact.id, True


def convert_lead(session: Session, lead: Lead, owner_id: str | None) -> Converted:
    """In the caller's transaction (the acceptance): the lead becomes a contact."""
    account_id, new_account = _account(session, lead, owner_id)
    contact_id, new_contact = _contact(session, lead, account_id, owner_id)
    lead.account_id = account_id
    lead.stage = FunnelStage.CONVERTED.value
    return Converted(account_id, contact_id, new_account, new_contact)
