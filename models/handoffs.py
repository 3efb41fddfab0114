"""The SDR → AE hand-off: an AE accepts or rejects each qualified lead within 48 hours.

Accepting needs seed 004's definition of an opportunity, confirmed criterion by criterion
(``resources/opportunity_definition.json``); rejecting needs a reason code.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, sessionmaker

from models.conversion import convert_lead
from models.deals import first_stage
from models.funnel import record_stage_change
from models.funnel_config import handoff_mapping
from models.store import Lead, Opportunity, Qualification, ReasonCode, User
from models.vocab import FunnelStage
from resources import load_json


@cache
def opportunity_criteria() -> tuple[tuple[str, str], ...]:
    """(key, label) of each criterion an AE confirms to accept (seed 004)."""
    return tuple((c["key"], c["label"])
                 for c in load_json("opportunity_definition.json")["criteria"])


@dataclass(frozen=True)
class HandoffItem:
    lead_id: str
    name: str
    company: str
    category: str | None
    reason_code: str | None
    next_step: str | None
    sdr: str | None
    ae: str | None
    handed_at: datetime
    due_at: datetime
    overdue: bool

    def remaining(self, now: datetime) -> timedelta:
        return self.due_at - now


class HandoffError(ValueError):
    """A hand-off cannot be accepted or rejected as asked; the message says why."""


def _items(session: Session, now: datetime, *conditions: object) -> list[HandoffItem]:
    sdr, ae = aliased(User), aliased(User)
    query = (
        select(Lead, sdr.name, ae.name)
        .outerjoin(sdr, sdr.id == Lead.owner_id).outerjoin(ae, ae.id == Lead.handoff_to_id)
        .where(Lead.handoff_state == "pending", *conditions)  # type: ignore[arg-type]
        .order_by(Lead.handoff_due_at)
    )
    rows = list(session.execute(query).tuples())
    qualifiers = _qualifiers(session, [lead.id for lead, _sdr, _ae in rows])
    items = []
    for lead, owner_name, ae_name in rows:
        assert lead.handoff_at is not None and lead.handoff_due_at is not None
        items.append(HandoffItem(
            lead_id=lead.id, name=f"{lead.first_name or ''} {lead.last_name}".strip(),
            company=lead.company, category=lead.category, reason_code=lead.reason_code,
            next_step=lead.handoff_note, sdr=qualifiers.get(lead.id) or owner_name, ae=ae_name,
            handed_at=lead.handoff_at,
            due_at=lead.handoff_due_at, overdue=lead.handoff_due_at < now))
    return items


def _qualifiers(session: Session, lead_ids: list[str]) -> dict[str, str]:
    """Lead → the name of whoever filed its latest qualification (the SDR the AE talks to,
    who is not always the lead's owner)."""
    found: dict[str, str] = {}
    rows = session.execute(
        select(Qualification.lead_id, User.name)
        .join(User, User.id == Qualification.qualified_by_id)
        .where(Qualification.lead_id.in_(lead_ids))
        .order_by(Qualification.qualified_at)).tuples()
    for lead_id, name in rows:
        found[lead_id] = name
    return found


def pending_for_ae(sessions: sessionmaker[Session], ae_id: str,
                   now: datetime) -> list[HandoffItem]:
    """The AE's inbox, the most urgent first."""
    with sessions() as session:
        return _items(session, now, Lead.handoff_to_id == ae_id)


def overdue_for_sdr(sessions: sessionmaker[Session], sdr_id: str,
                    now: datetime) -> list[HandoffItem]:
    """The SDR's leads an AE has left waiting past the deadline."""
    with sessions() as session:
        return _items(session, now, Lead.owner_id == sdr_id, Lead.handoff_due_at < now)


def _pending_lead(session: Session, lead_id: str, ae_id: str) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise HandoffError(f"The lead {lead_id} no longer exists.")
    if lead.handoff_state != "pending":
        raise HandoffError(f"{lead.company}: this hand-off was already {lead.handoff_state}.")
    if lead.handoff_to_id != ae_id:
        raise HandoffError(f"{lead.company}: this hand-off is addressed to another AE.")
    return lead


def _close_date(category: str | None, today: date) -> date:
    """End of this quarter for an A lead, of the next one for a B lead."""
    quarters = 1 if category == "A" else 2
    month = ((today.month - 1) // 3 + quarters) * 3 + 1
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1) - timedelta(days=1)


def missing_criteria(confirmed: Collection[str]) -> list[str]:
    return [label for key, label in opportunity_criteria() if key not in confirmed]


def accept(sessions: sessionmaker[Session], lead_id: str, ae_id: str, now: datetime,
           confirmed: Collection[str] = ()) -> str:
    """The AE takes the lead: a new opportunity owned by the AE, the stages the team's
    hand-off mapping gives an acceptance (Opportunity; or SQL then Opportunity when SAL is a
    stage of its own), and the lead converted into a contact on its account
    (``models.conversion``). Returns the opportunity's id.

    Raises:
        HandoffError: a criterion of the opportunity definition is not confirmed (the message
            names it), or the hand-off is not pending for this AE.
    """
    missing = missing_criteria(confirmed)
    if missing:
        raise HandoffError("To accept, confirm that it is an opportunity: "
                           f"{'; '.join(missing)}. Otherwise reject it with a reason.")
    with sessions.begin() as session:
        lead = _pending_lead(session, lead_id, ae_id)
        next_step = session.scalars(
            select(Qualification.next_step).where(Qualification.lead_id == lead_id)
            .order_by(Qualification.qualified_at.desc())).first()
        first = first_stage(from_handoff=True)
        opportunity = Opportunity(
            name=f"{lead.company} - new business", account_id=lead.account_id,
            lead_id=lead.id, campaign_id=lead.campaign_id, owner_id=ae_id,
            stage=first.stage, probability=first.probability,
            close_date=_close_date(lead.category, now.date()),
            next_step=next_step, created_at=now)
        session.add(opportunity)
        lead.handoff_state = "accepted"
        why = "hand-off accepted; confirmed: " + ", ".join(
            label.lower() for _key, label in opportunity_criteria())
        for stage in handoff_mapping(session).accepted:
            record_stage_change(session, lead, stage, ae_id, now, why[:255])
        # Converted as Salesforce converts: the deal belongs to the contact's account.
        opportunity.account_id = convert_lead(session, lead, ae_id).account_id
        session.flush()
        return opportunity.id


def reject(sessions: sessionmaker[Session], lead_id: str, ae_id: str, reason_code: str | None,
           note: str, now: datetime) -> None:
    """The AE sends the lead back: a reason code is required, and the lead returns to nurture.

    Raises:
        HandoffError: no valid rejection reason, or the hand-off is not pending for this AE.
    """
    with sessions.begin() as session:
        valid = session.scalar(select(ReasonCode.code).where(
            ReasonCode.code == reason_code, ReasonCode.applies_to == "reject",
            ReasonCode.active.is_(True)))
        if not valid:
            raise HandoffError("Choose why you reject this lead: a rejection reason is required.")
        lead = _pending_lead(session, lead_id, ae_id)
        lead.handoff_state = "rejected"
        lead.handoff_reason_code = reason_code
        lead.handoff_note = note or lead.handoff_note
        record_stage_change(session, lead, FunnelStage.NURTURE, ae_id, now, reason_code)
