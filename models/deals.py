"""Opportunities that move: stages as data (``resources/opportunity_stages.json``,
Salesforce's default stages and probabilities), the pipeline grouped by stage with totals, and
edits of a deal's stage, amount, close date and next step, each recorded (who, when, from, to)
and sent to the CRM through the outbox like every other edit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.store import Account, Opportunity, OpportunityChange, User
from resources import load_json

NEXT_STEP_LIMIT = 255


@dataclass(frozen=True)
class DealStage:
    stage: str
    probability: float
    forecast: str
    closed: bool
    won: bool


@cache
def _config() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("opportunity_stages.json")
    return loaded


@cache
def deal_stages() -> tuple[DealStage, ...]:
    return tuple(DealStage(s["stage"], float(s["probability"]), s["forecast"],
                           bool(s.get("closed")), bool(s.get("won")))
                 for s in _config()["stages"])


def open_stages() -> tuple[DealStage, ...]:
    return tuple(s for s in deal_stages() if not s.closed)


def stage_named(name: str) -> DealStage | None:
    """The stage ``name`` stands for; names of earlier RepDesk versions are read as theirs."""
    name = _config()["earlier_names"].get(name, name)
    return next((s for s in deal_stages() if s.stage == name), None)


def first_stage(from_handoff: bool) -> DealStage:
    found = stage_named(_config()["from_handoff" if from_handoff else "created_by_hand"])
    assert found is not None, "opportunity_stages.json names a first stage it does not list"
    return found


class DealError(ValueError):
    """A deal cannot be changed as asked; the message says why and what to do."""


@dataclass(frozen=True)
class PipelineRow:
    id: str
    name: str
    account: str | None
    owner: str | None
    stage: str
    probability: float
    amount: float | None
    close_date: date | None
    next_step: str | None
    past_close_date: bool


@dataclass(frozen=True)
class StageGroup:
    stage: str
    probability: float
    rows: tuple[PipelineRow, ...]

    @property
    def amount(self) -> float:
        return sum(r.amount or 0.0 for r in self.rows)

    @property
    def weighted(self) -> float:
        return sum((r.amount or 0.0) * r.probability / 100 for r in self.rows)


def pipeline(sessions: sessionmaker[Session], owner_id: str | None, today: date,
             include_closed: bool = False) -> list[StageGroup]:
    """The owner's deals (everyone's if None) by stage in the stages' order, the nearest close
    date first in each; a deal whose close date has passed while open is flagged."""
    query = (select(Opportunity, Account.name, User.name)
             .outerjoin(Account, Account.id == Opportunity.account_id)
             .outerjoin(User, User.id == Opportunity.owner_id)
             .order_by(Opportunity.close_date, Opportunity.name))
    if owner_id is not None:
        query = query.where(Opportunity.owner_id == owner_id)
    if not include_closed:
        query = query.where(Opportunity.is_closed.is_(False))
    grouped: dict[str, list[PipelineRow]] = {}
    with sessions() as session:
        for deal, account, owner in session.execute(query).tuples():
            stage = stage_named(deal.stage)
            name = stage.stage if stage else deal.stage
            probability = stage.probability if stage else (deal.probability or 0.0)
            grouped.setdefault(name, []).append(PipelineRow(
                deal.id, deal.name, account, owner, name, probability, deal.amount,
                deal.close_date, deal.next_step,
                past_close_date=not deal.is_closed and deal.close_date is not None
                and deal.close_date < today))
    order = [s.stage for s in deal_stages()]
    names = sorted(grouped, key=lambda n: (order.index(n) if n in order else len(order), n))
    return [StageGroup(n, grouped[n][0].probability, tuple(grouped[n])) for n in names]


def _record(session: Session, deal: Opportunity, field: str, old: Any, new: Any,
            by: str | None, now: datetime) -> None:
    def text(value: Any) -> str | None:
        return None if value is None else str(value)[:255]

    session.add(OpportunityChange(opportunity_id=deal.id, field=field, from_value=text(old),
                                  to_value=text(new), changed_at=now, changed_by_id=by))


def _open_deal(session: Session, opportunity_id: str) -> Opportunity:
    deal = session.get(Opportunity, opportunity_id)
    if deal is None:
        raise DealError("This opportunity no longer exists (merged or deleted in the CRM).")
    if deal.is_closed:
        raise DealError(f"{deal.name} is closed ({deal.stage}); a closed deal keeps its "
                        "stage.")
    return deal


def move_stage(sessions: sessionmaker[Session], opportunity_id: str, to_stage: str,
               by: str | None, now: datetime) -> DealStage:
    """Put the deal at ``to_stage`` (an open stage) with its probability and forecast.

    Raises:
        DealError: an unknown or closed stage (closing goes through the close form), or the
            deal is closed or gone.
    """
    stage = stage_named(to_stage)
    if stage is None:
        raise DealError(f"{to_stage!r} is not an opportunity stage: use one of "
                        f"{', '.join(s.stage for s in open_stages())}.")
    if stage.closed:
        raise DealError(f"To mark a deal {stage.stage}, close it with the close form "
                        "(Ctrl+K): it asks what finance, support and marketing need.")
    with sessions.begin() as session:
        deal = _open_deal(session, opportunity_id)
        if deal.stage != stage.stage:
            _record(session, deal, "stage", deal.stage, stage.stage, by, now)
            deal.stage = stage.stage
            deal.probability = stage.probability
    return stage


def step_stage(sessions: sessionmaker[Session], opportunity_id: str, steps: int,
               by: str | None, now: datetime) -> DealStage:
    """One stage on (``steps`` = 1) or back (-1) among the open stages."""
    with sessions() as session:
        deal = _open_deal(session, opportunity_id)
        current = stage_named(deal.stage)
    stages = list(open_stages())
    at = stages.index(current) if current in stages else 0
    target = at + steps
    if not 0 <= target < len(stages):
        edge = "last" if steps > 0 else "first"
        raise DealError(f"{stages[at].stage} is the {edge} open stage"
                        + ("; close the deal with Ctrl+K." if steps > 0 else "."))
    return move_stage(sessions, opportunity_id, stages[target].stage, by, now)


@dataclass(frozen=True)
class DealEdit:
    amount: float | None
    close_date: date | None
    next_step: str


def problems_of(edit: DealEdit, today: date, old_close: date | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if edit.amount is not None and edit.amount < 0:
        problems["amount"] = "The amount cannot be negative."
    if edit.close_date is None:
        problems["close_date"] = "An open deal needs an expected close date."
    elif edit.close_date < today and edit.close_date != old_close:
        problems["close_date"] = "The new close date is in the past: choose today or later."
    if len(edit.next_step) > NEXT_STEP_LIMIT:
        problems["next_step"] = f"The next step is {len(edit.next_step)} characters long; " \
                                f"the CRM keeps {NEXT_STEP_LIMIT}."
    return problems


def edit_deal(sessions: sessionmaker[Session], opportunity_id: str, edit: DealEdit,
              by: str | None, now: datetime) -> tuple[str, ...]:
    """Save the amount, close date and next step; returns the fields that changed.

    Raises:
        DealError: a value the CRM would refuse (the message names it); nothing is written.
    """
    with sessions.begin() as session:
        deal = _open_deal(session, opportunity_id)
        problems = problems_of(edit, now.date(), deal.close_date)
        if problems:
            raise DealError(" ".join(problems.values()))
        changed = []
        for field, new in (("amount", edit.amount), ("close_date", edit.close_date),
                           ("next_step", edit.next_step.strip() or None)):
            old = getattr(deal, field)
            if old != new:
                _record(session, deal, field, old, new, by, now)
                setattr(deal, field, new)
                changed.append(field)
        return tuple(changed)


@dataclass(frozen=True)
class DealChangeRecord:
    field: str
    from_value: str | None
    to_value: str | None
    changed_at: datetime
    by: str | None


def changes_of(sessions: sessionmaker[Session], opportunity_id: str
               ) -> list[DealChangeRecord]:
    """The deal's recorded edits, the newest first."""
    with sessions() as session:
        rows = session.execute(
            select(OpportunityChange, User.name)
            .outerjoin(User, User.id == OpportunityChange.changed_by_id)
            .where(OpportunityChange.opportunity_id == opportunity_id)
            .order_by(OpportunityChange.changed_at.desc(), OpportunityChange.id.desc()))
        return [DealChangeRecord(c.field, c.from_value, c.to_value, c.changed_at, name)
                for c, name in rows.tuples()]
