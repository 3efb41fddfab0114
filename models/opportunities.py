"""An AE's opportunities: the list, one deal in detail, and deals created by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from models import bounds
from models.records import ActivityRecord
from models.store import Account, Activity, Contact, Opportunity, OpportunityLineItem, Product, User


@dataclass(frozen=True)
class OpportunityRow:
    id: str
    name: str
    account: str | None
    stage: str
    amount: float | None
    close_date: date | None
    next_step: str | None
    age_days: int
    is_closed: bool


@dataclass(frozen=True)
class ContactChoice:
    id: str
    name: str
    title: str | None
    email: str | None
    is_technical: bool
    is_billing: bool


@dataclass(frozen=True)
class ProductChoice:
    id: str
    name: str
    list_price: float


@dataclass(frozen=True)
class OpportunityDetail:
    row: OpportunityRow
    owner: str | None
    account_id: str | None
    lead_id: str | None
    lines: tuple[tuple[str, int, float], ...]
    contacts: tuple[ContactChoice, ...]
    history: tuple[ActivityRecord, ...]
    closed_at: datetime | None
    close_reason_code: str | None
    competitor: str | None


def _row(opportunity: Opportunity, account: str | None, today: date) -> OpportunityRow:
    return OpportunityRow(
        id=opportunity.id, name=opportunity.name, account=account, stage=opportunity.stage,
        amount=opportunity.amount, close_date=opportunity.close_date,
        next_step=opportunity.next_step,
        age_days=(today - opportunity.created_at.date()).days, is_closed=opportunity.is_closed)


def opportunities_for(sessions: sessionmaker[Session], owner_id: str | None, today: date,
                      include_closed: bool = False) -> list[OpportunityRow]:
    """The owner's deals (all owners' if None), the nearest close date first."""
    query = select(Opportunity, Account.name).outerjoin(
        Account, Account.id == Opportunity.account_id)
    if owner_id is not None:
        query = query.where(Opportunity.owner_id == owner_id)
    if not include_closed:
        query = query.where(Opportunity.is_closed.is_(False))
    query = query.order_by(Opportunity.close_date, Opportunity.name)
    with sessions() as session:
        return [_row(o, name, today) for o, name in session.execute(query).tuples()]


def _history(session: Session, opportunity: Opportunity) -> tuple[ActivityRecord, ...]:
    conditions = [Activity.opportunity_id == opportunity.id]
    if opportunity.lead_id:
        conditions.append(Activity.lead_id == opportunity.lead_id)
    rows = session.execute(
        select(Activity.kind, Activity.subject, Activity.outcome, Activity.occurred_at,
               User.name, Activity.body)
        .outerjoin(User, User.id == Activity.owner_id).where(or_(*conditions))
        .order_by(Activity.occurred_at.desc()).limit(200))
    return tuple(ActivityRecord(k, s, o, at, by, b) for k, s, o, at, by, b in rows)


def opportunity_detail(sessions: sessionmaker[Session], opportunity_id: str,
                       today: date) -> OpportunityDetail | None:
    with sessions() as session:
        opportunity = session.get(Opportunity, opportunity_id)
        if opportunity is None:
            return None
        account = session.get(Account, opportunity.account_id) if opportunity.account_id \
            else None
        owner = session.get(User, opportunity.owner_id) if opportunity.owner_id else None
        lines = tuple(session.execute(
            select(Product.name, OpportunityLineItem.quantity, OpportunityLineItem.unit_price)
            .join(Product, Product.id == OpportunityLineItem.product_id)
            .where(OpportunityLineItem.opportunity_id == opportunity_id)).tuples())
        contacts = tuple(
            ContactChoice(c.id, f"{c.first_name or ''} {c.last_name}".strip(), c.title,
                          c.email, c.is_technical, c.is_billing)
            for c in session.scalars(select(Contact).where(
                Contact.account_id == opportunity.account_id).order_by(Contact.last_name))
        ) if opportunity.account_id else ()
        return OpportunityDetail(
            row=_row(opportunity, account.name if account else None, today),
            owner=owner.name if owner else None, account_id=opportunity.account_id,
            lead_id=opportunity.lead_id, lines=lines, contacts=contacts,
            history=_history(session, opportunity), closed_at=opportunity.closed_at,
            close_reason_code=opportunity.close_reason_code, competitor=opportunity.competitor)


def products(sessions: sessionmaker[Session]) -> list[ProductChoice]:
    with sessions() as session:
        return [ProductChoice(p.id, p.name, p.list_price)
                for p in session.scalars(select(Product).order_by(Product.name))]


def create_opportunity(sessions: sessionmaker[Session], name: str, account_id: str | None,
                       owner_id: str | None, close_date: date, now: datetime,
                       next_step: str = "") -> str:
    """A deal entered by hand (not from a hand-off).

    Raises:
        ValueError: no name, or a close date in the past (OutOfBounds: a value out of its
            field's range).
    """
    if not name.strip():
        raise ValueError("The opportunity needs a name.")
    if close_date < now.date():
        raise ValueError("The expected close date cannot be in the past.")
    bounds.day("The expected close date", close_date, now.date(),
               now.date() + bounds.PLANNING_SPAN)
    bounds.fits("The opportunity's name", name.strip(), Opportunity.name)
    bounds.fits("The next step", next_step, Opportunity.next_step)
    with sessions.begin() as session:
        opportunity = Opportunity(name=name.strip(), account_id=account_id, owner_id=owner_id,
                                  stage="Discovery", close_date=close_date,
                                  next_step=next_step or None, created_at=now)
        session.add(opportunity)
        session.flush()
        return opportunity.id
