"""The single close form: an AE enters a closed deal once, and every team learns what to do.

Closed Won writes, in one transaction, the opportunity's close, its line items, the technical
contacts, the reference, and a hand-off each for finance (an invoice within 24 hours), support
(the onboarding packet), marketing (the reference) and management (above a threshold). Closed
Lost needs a loss reason and sends the account's contacts back to nurture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.funnel import record_stage_change
from models.reason_codes import active_codes
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
from resources import load_json


@cache
def close_settings() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("closing.json")
    return loaded


@dataclass(frozen=True)
class LineItem:
    product_id: str
    quantity: int
    unit_price: float


@dataclass(frozen=True)
class NewContact:
    first_name: str
    last_name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class CloseDraft:
    outcome: str | None = None  # "won" or "lost"
    reason_code: str | None = None
    competitor: str = ""
    notes: str = ""
    requested_features: tuple[str, ...] = ()
    lines: tuple[LineItem, ...] = ()
    contract_term_months: int | None = None
    support_contract: str | None = None
    billing_contact_id: str | None = None
    new_billing_contact: NewContact | None = None
    po_number: str = ""
    payment_terms: str | None = None
    technical_contact_ids: tuple[str, ...] = ()
    new_technical_contacts: tuple[NewContact, ...] = ()
    reference_willing: bool = False
    reference_kinds: tuple[str, ...] = ()

    @property
    def amount(self) -> float:
        return round(sum(line.quantity * line.unit_price for line in self.lines), 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome, "reason_code": self.reason_code,
            "competitor": self.competitor, "notes": self.notes,
            "requested_features": list(self.requested_features),
            "lines": [[li.product_id, li.quantity, li.unit_price] for li in self.lines],
            "contract_term_months": self.contract_term_months,
            "support_contract": self.support_contract,
            "billing_contact_id": self.billing_contact_id,
            "new_billing_contact": ([self.new_billing_contact.first_name,
                                     self.new_billing_contact.last_name,
                                     self.new_billing_contact.email,
                                     self.new_billing_contact.phone]
                                    if self.new_billing_contact else None),
            "po_number": self.po_number,
            "payment_terms": self.payment_terms,
            "technical_contact_ids": list(self.technical_contact_ids),
            "new_technical_contacts": [[c.first_name, c.last_name, c.email, c.phone]
                                       for c in self.new_technical_contacts],
            "reference_willing": self.reference_willing,
            "reference_kinds": list(self.reference_kinds),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CloseDraft:
        return cls(
            outcome=data.get("outcome"), reason_code=data.get("reason_code"),
            competitor=data.get("competitor") or "", notes=data.get("notes") or "",
            requested_features=tuple(data.get("requested_features") or ()),
            lines=tuple(LineItem(p, int(q), float(u)) for p, q, u in data.get("lines") or ()),
            contract_term_months=data.get("contract_term_months"),
            support_contract=data.get("support_contract"),
            billing_contact_id=data.get("billing_contact_id"),
            new_billing_contact=(NewContact(*data["new_billing_contact"])
                                 if data.get("new_billing_contact") else None),
            po_number=data.get("po_number") or "", payment_terms=data.get("payment_terms"),
            technical_contact_ids=tuple(data.get("technical_contact_ids") or ()),
            new_technical_contacts=tuple(NewContact(*c) for c in
                                         data.get("new_technical_contacts") or ()),
            reference_willing=bool(data.get("reference_willing")),
            reference_kinds=tuple(data.get("reference_kinds") or ()),
        )


class CloseError(ValueError):
    """The close cannot be saved; ``problems`` maps fields to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def problems_of(draft: CloseDraft, reasons: Mapping[str, str]) -> dict[str, str]:
    """Validation per outcome, field by field (empty: it can be saved)."""
    settings = close_settings()
    if draft.outcome not in ("won", "lost"):
        return {"outcome": "Choose Closed Won or Closed Lost."}
    problems: dict[str, str] = {}
    if not draft.reason_code:
        problems["reason_code"] = f"A {draft.outcome} reason code is required."
    elif reasons.get(draft.reason_code) != draft.outcome:
        problems["reason_code"] = f"{draft.reason_code} is not a {draft.outcome} reason."
    if draft.outcome == "lost":
        if not draft.competitor.strip():
            problems["competitor"] = "Name the competitor that won (or 'no decision')."
        return problems
    if not draft.lines:
        problems["lines"] = "Add at least one product with its quantity."
    elif any(line.quantity <= 0 or line.unit_price < 0 for line in draft.lines):
        problems["lines"] = "Quantities must be above 0 and prices not negative."
    if draft.contract_term_months not in settings["contract_terms_months"]:
        problems["contract_term_months"] = "Choose the contract term."
    if draft.support_contract not in settings["support_contracts"]:
        problems["support_contract"] = "Choose the support contract."
    new_billing = draft.new_billing_contact
    if not draft.billing_contact_id and new_billing is None:
        problems["billing_contact_id"] = "Finance needs a billing contact: pick or add one."
    elif new_billing is not None and (not new_billing.last_name.strip()
                                      or "@" not in new_billing.email):
        problems["billing_contact_id"] = "A new billing contact needs a last name and an e-mail."
    if draft.payment_terms not in settings["payment_terms"]:
        problems["payment_terms"] = "Choose the payment terms."
    if not draft.technical_contact_ids and not draft.new_technical_contacts:
        problems["technical_contacts"] = "Support needs at least one technical contact."
    for contact in draft.new_technical_contacts:
        if not contact.last_name.strip() or "@" not in contact.email:
            problems["technical_contacts"] = "A new contact needs a last name and an e-mail."
    if draft.reference_willing and not draft.reference_kinds:
        problems["reference_kinds"] = "Say which kinds of reference the customer agreed to."
    return problems


def check_draft(sessions: sessionmaker[Session], draft: CloseDraft) -> dict[str, str]:
    with sessions() as session:
        return problems_of(draft, active_codes(session, ("won", "lost")))


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
        problems = problems_of(draft, active_codes(session, ("won", "lost")))
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
        handoffs = _handoffs(session, opportunity, draft, technical, now)
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
              technical: list[Contact], now: datetime) -> list[CloseHandoff]:
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
                                          "competitor_displaced": draft.competitor or None}))
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
