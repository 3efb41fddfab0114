"""The single close form: an AE enters a closed deal once, and every team learns what to do.

Closed Won writes, in one transaction, the opportunity's close, its line items, the technical
contacts, the reference, and a hand-off each for finance (an invoice within 24 hours), support
(the onboarding packet), marketing (the reference) and management (above a threshold: also an
e-mail recognising the rep, ``models.recognition``). Closed
Lost needs a loss reason and sends the account's contacts back to nurture. The form's draft
and its checks are in models/close_draft.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.close_draft import (
    CloseDraft,
    CloseError,
    LineItem,
    NewContact,
    close_settings,
    problems_of,
)
from models.funnel import record_stage_change
from models.reason_codes import active_codes
from models.recognition import queue_large_deal_notice, rep_name
from models.store import (
    Account,
    CloseHandoff,
    Contact,
    Lead,
    Opportunity,
    OpportunityLineItem,
    OutboxEntry,
    Product,
    ReferenceCustomer,
)
from models.vocab import AccountKind

__all__ = ["CloseDraft", "CloseError", "CloseSaved", "HandoffDelivery", "LineItem",
           "NewContact", "check_draft", "close_opportunity", "close_settings", "deliveries",
           "problems_of"]


def check_draft(sessions: sessionmaker[Session], draft: CloseDraft) -> dict[str, str]:
    with sessions() as session:
        return problems_of(draft, active_codes(session, ("won", "lost")), _price_list(session))


def _price_list(session: Session) -> set[str]:
    return set(session.scalars(select(Product.id)))


@dataclass(frozen=True)
class CloseSaved:
    opportunity_id: str
    outcome: str
    amount: float
    handoffs: tuple[str, ...] = field(default_factory=tuple)


def close_opportunity(sessions: sessionmaker[Session], opportunity_id: str, draft: CloseDraft,
                      by: str | None, now: datetime) -> CloseSaved:
    """Close the deal and tell every team, in one local transaction.

    Raises:
        CloseError: the form is incomplete, or the opportunity is already closed (a retry
            after a crash that happened after the commit): nothing is written twice.
        LookupError: the opportunity no longer exists.
    """
    with sessions.begin() as session:
        opportunity = session.get(Opportunity, opportunity_id)
        if opportunity is None:
            raise LookupError(f"The opportunity {opportunity_id} no longer exists.")
        if opportunity.is_closed:
            raise CloseError({"outcome": f"{opportunity.name} is already closed "
                              f"({opportunity.stage}); its hand-offs were sent then."})
        problems = problems_of(draft, active_codes(session, ("won", "lost")),
                               _price_list(session))
        if problems:
            raise CloseError(problems)
        _close(opportunity, draft, now)
        _record_close_in_funnel(session, opportunity, by, now)
        if draft.outcome == "lost":
            _contacts_to_nurture(session, opportunity.account_id)
            return CloseSaved(opportunity.id, "lost", opportunity.amount or 0.0)
        _make_customer(session, opportunity)
        technical = _technical_contacts(session, opportunity, draft)
        if draft.new_billing_contact is not None:
            draft = replace(draft, billing_contact_id=_new_contact(
                session, opportunity, draft.new_billing_contact, billing=True).id)
        _replace_lines(session, opportunity, draft)
        handoffs = _handoffs(session, opportunity, draft, technical, by, now)
        if draft.reference_willing:
            assert opportunity.account_id is not None
            session.add(ReferenceCustomer(
                account_id=opportunity.account_id, opportunity_id=opportunity.id,
                contact_id=technical[0].id if technical else None, willing=True,
                kinds=list(draft.reference_kinds), agreed_at=now))
        return CloseSaved(opportunity.id, "won", draft.amount, tuple(h.id for h in handoffs))


def _record_close_in_funnel(session: Session, opportunity: Opportunity, by: str | None,
                            now: datetime) -> None:
    """The source lead's history ends where its deal did (the waterfall's last stages)."""
    lead = session.get(Lead, opportunity.lead_id) if opportunity.lead_id else None
    if lead is not None:
        record_stage_change(session, lead, opportunity.stage, by, now,
                            opportunity.close_reason_code)


def _close(opportunity: Opportunity, draft: CloseDraft, now: datetime) -> None:
    won = draft.outcome == "won"
    opportunity.stage = "Closed Won" if won else "Closed Lost"
    opportunity.is_closed, opportunity.is_won = True, won
    opportunity.probability = 100.0 if won else 0.0
    opportunity.closed_at = now
    opportunity.close_date = now.date()
    opportunity.close_reason_code = draft.reason_code
    opportunity.competitor = draft.competitor.strip() or None
    opportunity.close_notes = draft.notes.strip() or None
    opportunity.requested_features = list(draft.requested_features)
    if won:
        opportunity.amount = draft.amount
        opportunity.contract_term_months = draft.contract_term_months
        opportunity.support_contract = draft.support_contract
        opportunity.billing_contact_id = draft.billing_contact_id
        opportunity.po_number = draft.po_number.strip() or None
        opportunity.payment_terms = draft.payment_terms


def _make_customer(session: Session, opportunity: Opportunity) -> None:
    """A won deal makes its company a customer; a deal without an account gets one, so
    contacts, hand-offs and the reference all hang off the same customer."""
    account = session.get(Account, opportunity.account_id) if opportunity.account_id else None
    if account is None:
        lead = session.get(Lead, opportunity.lead_id) if opportunity.lead_id else None
        name = lead.company if lead else opportunity.name.removesuffix(" - new business")
        account = Account(name=name, kind=AccountKind.CUSTOMER, owner_id=opportunity.owner_id)
        session.add(account)
        session.flush()
        opportunity.account_id = account.id
        if lead is not None:
            lead.account_id = account.id
    elif account.kind == AccountKind.PROSPECT:
        account.kind = AccountKind.CUSTOMER


def _contacts_to_nurture(session: Session, account_id: str | None) -> None:
    if account_id is None:
        return
    for contact in session.scalars(select(Contact).where(Contact.account_id == account_id)):
        contact.stage = "nurture"


def _technical_contacts(session: Session, opportunity: Opportunity,
                        draft: CloseDraft) -> list[Contact]:
    contacts = [c for c in (session.get(Contact, i) for i in draft.technical_contact_ids)
                if c is not None]
    contacts += [_new_contact(session, opportunity, new) for new in draft.new_technical_contacts]
    for contact in contacts:
        contact.is_technical = True
    session.flush()
    return contacts


def _new_contact(session: Session, opportunity: Opportunity, new: NewContact,
                 billing: bool = False) -> Contact:
    contact = Contact(account_id=opportunity.account_id, first_name=new.first_name or None,
                      last_name=new.last_name, email=new.email, phone=new.phone or None,
                      is_technical=not billing, is_billing=billing,
                      owner_id=opportunity.owner_id)
    session.add(contact)
    session.flush()
    return contact


def _replace_lines(session: Session, opportunity: Opportunity, draft: CloseDraft) -> None:
    for old in session.scalars(select(OpportunityLineItem).where(
            OpportunityLineItem.opportunity_id == opportunity.id)):
        session.delete(old)
    session.add_all(OpportunityLineItem(opportunity_id=opportunity.id, product_id=line.product_id,
                                        quantity=line.quantity, unit_price=line.unit_price)
                    for line in draft.lines)


def _person(contact: Contact | None) -> dict[str, str | None] | None:
    if contact is None:
        return None
    return {"name": f"{contact.first_name or ''} {contact.last_name}".strip(),
            "email": contact.email, "phone": contact.phone}


def _handoffs(session: Session, opportunity: Opportunity, draft: CloseDraft,
              technical: list[Contact], by: str | None, now: datetime) -> list[CloseHandoff]:
    settings = close_settings()
    to = settings["addressed_to"]
    products = {p.id: p.name for p in session.scalars(select(Product).where(
        Product.id.in_([line.product_id for line in draft.lines])))}
    lines = [{"product": products.get(line.product_id, line.product_id),
              "quantity": line.quantity, "unit_price": line.unit_price} for line in draft.lines]
    deal = {"opportunity": opportunity.name, "amount": draft.amount}
    billing = _person(session.get(Contact, draft.billing_contact_id)
                      if draft.billing_contact_id else None)
    made = [
        CloseHandoff(team="finance", kind="invoice request", addressed_to=to["finance"],
                     due_at=now + timedelta(hours=settings["invoice_due_hours"]),
                     payload={**deal, "lines": lines, "billing_contact": billing,
                              "po_number": draft.po_number or None,
                              "payment_terms": draft.payment_terms,
                              "contract_term_months": draft.contract_term_months}),
        CloseHandoff(team="support", kind="onboarding packet", addressed_to=to["support"],
                     due_at=now + timedelta(hours=settings["onboarding_due_hours"]),
                     payload={**deal, "products": [li["product"] for li in lines],
                              "support_contract": draft.support_contract,
                              "technical_contacts": [_person(c) for c in technical]}),
    ]
    if draft.reference_willing:
        made.append(CloseHandoff(team="marketing", kind="reference",
                                 addressed_to=to["marketing"], due_at=None,
                                 payload={**deal, "kinds": list(draft.reference_kinds)}))
    if draft.amount >= settings["management_threshold"]:
        made.append(CloseHandoff(team="management", kind="large deal notice",
                                 addressed_to=to["management"], due_at=None,
                                 payload={**deal, "threshold": settings["management_threshold"],
                                          "rep": rep_name(session, opportunity, by),
                                          "competitor_displaced": draft.competitor or None}))
        queue_large_deal_notice(session, opportunity, draft.amount, by, settings,
                                draft.competitor.strip() or None, now)
    for handoff in made:
        handoff.opportunity_id = opportunity.id
        handoff.created_at = now
    session.add_all(made)
    session.flush()
    return made


@dataclass(frozen=True)
class HandoffDelivery:
    team: str
    kind: str
    addressed_to: str
    due_at: datetime | None
    state: str  # "waiting for sync", "delivered" or "refused: <the CRM's message>"


def deliveries(sessions: sessionmaker[Session], opportunity_id: str) -> list[HandoffDelivery]:
    """Each close hand-off and where it stands on its way to the CRM."""
    with sessions() as session:
        handoffs = list(session.scalars(select(CloseHandoff).where(
            CloseHandoff.opportunity_id == opportunity_id).order_by(CloseHandoff.team)))
        entries = {e.record_id: e for e in session.scalars(select(OutboxEntry).where(
            OutboxEntry.record_id.in_([h.id for h in handoffs])))}
    result = []
    for handoff in handoffs:
        entry = entries.get(handoff.id)
        if entry is not None and entry.state == "failed":
            state = f"refused: {entry.error}"
        elif handoff.crm_id or (entry is not None and entry.state == "done"):
            state = "delivered"
        else:
            state = "waiting for sync"
        result.append(HandoffDelivery(handoff.team, handoff.kind, handoff.addressed_to,
                                      handoff.due_at, state))
    return result
