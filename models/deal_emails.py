"""Merge values for an AE's mail about a deal: the opportunity, its account, the contact the
lead became (else the account's first contact) and the rep, for ``models.templates``."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.emails import rep_values
from models.store import Account, Contact, Lead, Opportunity, User


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


def deal_merge_values(sessions: sessionmaker[Session], opportunity_id: str,
                      rep_id: str | None) -> dict[str, str | None]:
    """Raises LookupError when the deal is gone."""
    with sessions() as session:
        deal = session.get(Opportunity, opportunity_id)
        if deal is None:
            raise LookupError(f"The opportunity {opportunity_id} no longer exists.")
        account = session.get(Account, deal.account_id) if deal.account_id else None
        contact = _contact(session, deal)
        rep = session.get(User, rep_id) if rep_id else None
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
        }
