"""Qualifying a lead once contact is made: the form's rules, and what saving it does.

A or B: SQL (or SAL, by the team's hand-off mapping), and a hand-off to an AE due within 48
hours. C: nurture until a follow-up date. D: disqualified with its reason. Every stage change
is recorded with who, when and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models import bounds
from models.funnel import record_stage_change
from models.funnel_config import handoff_mapping
from models.reason_codes import active_codes
from models.records import LeadDetail
from models.store import Account, Lead, Qualification, ReasonCode, Setting, User
from models.vocab import FunnelStage, LeadCategory, Role
from resources import load_json

FRAMEWORK_SETTING = "qualification_framework"
NEEDS_HANDOFF = (LeadCategory.A, LeadCategory.B)


@cache
def _config() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("qualification.json")
    return loaded


def frameworks() -> dict[str, list[str]]:
    return dict(_config()["frameworks"])


def handoff_window() -> timedelta:
    return timedelta(hours=_config()["handoff_hours"])


@dataclass(frozen=True)
class QualificationDraft:
    """What the form holds; also what a saved draft restores."""

    category: str | None = None
    reason_code: str | None = None
    framework: str = "BANT"
    answers: Mapping[str, str] = field(default_factory=dict)
    competitors: tuple[str, ...] = ()
    requested_features: tuple[str, ...] = ()
    competitive_info: str = ""
    next_step: str = ""
    follow_up_on: date | None = None
    handoff_to_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category, "reason_code": self.reason_code,
            "framework": self.framework, "answers": dict(self.answers),
            "competitors": list(self.competitors),
            "requested_features": list(self.requested_features),
            "competitive_info": self.competitive_info, "next_step": self.next_step,
            "follow_up_on": self.follow_up_on.isoformat() if self.follow_up_on else None,
            "handoff_to_id": self.handoff_to_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QualificationDraft:
        follow_up = data.get("follow_up_on")
        return cls(
            category=data.get("category"), reason_code=data.get("reason_code"),
            framework=data.get("framework") or "BANT", answers=dict(data.get("answers") or {}),
            competitors=tuple(data.get("competitors") or ()),
            requested_features=tuple(data.get("requested_features") or ()),
            competitive_info=data.get("competitive_info") or "",
            next_step=data.get("next_step") or "",
            follow_up_on=date.fromisoformat(follow_up) if follow_up else None,
            handoff_to_id=data.get("handoff_to_id"),
        )


@dataclass(frozen=True)
class ReasonChoice:
    code: str
    label: str
    category: str


@dataclass(frozen=True)
class AeChoice:
    id: str
    name: str
    region: str | None
    pending: int


@dataclass(frozen=True)
class QualificationContext:
    """Everything the form shows: the lead, what it already told us, the choices."""

    lead: LeadDetail
    framework: str
    known: dict[str, str]
    reasons: tuple[ReasonChoice, ...]
    competitors: tuple[str, ...]
    aes: tuple[AeChoice, ...]
    suggested_ae: str | None


class QualificationError(ValueError):
    """The form cannot be saved; ``problems`` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def known_answers(registration: Mapping[str, str], framework: str) -> dict[str, str]:
    """Criteria the lead already answered on its registration form, so nobody asks again."""
    criteria = set(frameworks().get(framework, ()))
    known: dict[str, str] = {}
    for question, answer in registration.items():
        for criterion in _config()["registration_answers_criteria"].get(question, ()):
            if criterion in criteria and answer:
                known[criterion] = f"{answer} (told us at registration)"
    return known


def problems_of(draft: QualificationDraft, reasons: Mapping[str, str],
                today: date) -> dict[str, str]:
    """What keeps the form from being saved, field by field (empty: it can be saved)."""
    problems: dict[str, str] = {}
    criteria = frameworks().get(draft.framework)
    if criteria is None:
        problems["framework"] = f"Unknown framework {draft.framework!r}."
        criteria = []
    if draft.category not in {c.value for c in LeadCategory}:
        problems["category"] = "Choose a category: A, B, C or D."
        return problems
    if not draft.reason_code:
        problems["reason_code"] = "A reason code is required."
    elif reasons.get(draft.reason_code) != draft.category:
        problems["reason_code"] = f"{draft.reason_code} is not a reason for category " \
                                  f"{draft.category}."
    if draft.category in NEEDS_HANDOFF:
        for criterion in criteria:
            if not draft.answers.get(criterion, "").strip():
                problems[f"answer:{criterion}"] = f"{criterion} needs an answer for an " \
                                                  f"{draft.category} lead."
        if not draft.next_step.strip():
            problems["next_step"] = "Say what the next step is for the AE."
        if not draft.handoff_to_id:
            problems["handoff_to_id"] = "Choose the AE who takes this lead."
    if draft.category == LeadCategory.C:
        if draft.follow_up_on is None:
            problems["follow_up_on"] = "Choose when nurture hands this lead back."
        elif draft.follow_up_on <= today:
            problems["follow_up_on"] = "The follow-up date must be after today."
        elif draft.follow_up_on > today + bounds.PLANNING_SPAN:
            problems["follow_up_on"] = (f"The follow-up date must be within ten years "
                                        f"(by {today + bounds.PLANNING_SPAN:%d %b %Y}).")
    return problems


def check_draft(sessions: sessionmaker[Session], draft: QualificationDraft,
                today: date) -> dict[str, str]:
    """``problems_of`` against the store's reason-code catalogue, for the form's live checks."""
    with sessions() as session:
        return problems_of(draft, active_codes(session, ("A", "B", "C", "D")), today)


def _region_of(country: str | None) -> str | None:
    for region, countries in _config()["regions"].items():
        if country in countries:
            return str(region)
    return None


def _aes(session: Session) -> list[AeChoice]:
    aes = list(session.scalars(select(User).where(User.role == Role.AE).order_by(User.name)))
    # By AE first, so the (handoff_to_id, handoff_state) index is searched, not scanned.
    pending = dict(session.execute(
        select(Lead.handoff_to_id, func.count())
        .where(Lead.handoff_to_id.in_([ae.id for ae in aes]), Lead.handoff_state == "pending")
        .group_by(Lead.handoff_to_id)).tuples().all())
    return [AeChoice(u.id, u.name, u.region, pending.get(u.id, 0)) for u in aes]


def team_aes(session: Session) -> list[AeChoice]:
    """The team's AEs with their pending hand-offs, as the hand-off rule weighs them."""
    return _aes(session)


def suggest_ae(aes: list[AeChoice], country: str | None) -> str | None:
    """Until routing arrives: the AE of the lead's region with the fewest pending hand-offs."""
    region = _region_of(country)
    candidates = [ae for ae in aes if ae.region == region] or aes
    if not candidates:
        return None
    return min(candidates, key=lambda ae: (ae.pending, ae.name)).id


def team_framework(session: Session) -> str:
    chosen = session.get(Setting, FRAMEWORK_SETTING)
    return str(chosen.value) if chosen else str(_config()["default_framework"])


def framework_of(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return team_framework(session)


def set_team_framework(sessions: sessionmaker[Session], framework: str) -> None:
    if framework not in frameworks():
        raise ValueError(f"Unknown framework {framework!r}: use one of "
                         f"{', '.join(frameworks())}.")
    with sessions.begin() as session:
        session.merge(Setting(key=FRAMEWORK_SETTING, value=framework))


def qualification_context(sessions: sessionmaker[Session], lead: LeadDetail
                          ) -> QualificationContext:
    with sessions() as session:
        framework = team_framework(session)
        reasons = tuple(ReasonChoice(r.code, r.label, r.applies_to) for r in session.scalars(
            select(ReasonCode).where(ReasonCode.active.is_(True),
                                     ReasonCode.applies_to.in_(["A", "B", "C", "D"]))
            .order_by(ReasonCode.applies_to, ReasonCode.code)))
        competitors = tuple(session.scalars(
            select(Account.name).where(Account.kind == "competitor").order_by(Account.name)))
        aes = _aes(session)
    return QualificationContext(
        lead=lead, framework=framework, known=known_answers(lead.registration, framework),
        reasons=reasons, competitors=competitors, aes=tuple(aes),
        suggested_ae=suggest_ae(aes, lead.country))


@dataclass(frozen=True)
class QualificationSaved:
    lead_id: str
    stage: str
    handoff_due_at: datetime | None


def save_qualification(sessions: sessionmaker[Session], lead_id: str,
                       draft: QualificationDraft, by: str | None,
                       now: datetime) -> QualificationSaved:
    """File the lead: one transaction for the record, the lead and its stage change.

    Raises:
        QualificationError: the form is incomplete; nothing is written.
        LookupError: the lead no longer exists.
    """
    with sessions.begin() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise LookupError(f"The lead {lead_id} no longer exists.")
        problems = problems_of(draft, active_codes(session, ("A", "B", "C", "D")), now.date())
        if problems:
            raise QualificationError(problems)
        assert draft.category is not None and draft.reason_code is not None
        session.add(Qualification(
            lead_id=lead_id, category=draft.category, reason_code=draft.reason_code,
            framework=draft.framework, answers=dict(draft.answers),
            competitors=list(draft.competitors),
            requested_features=list(draft.requested_features),
            competitive_info=draft.competitive_info or None, next_step=draft.next_step or None,
            follow_up_on=draft.follow_up_on,
            handoff_to_id=draft.handoff_to_id if draft.category in NEEDS_HANDOFF else None,
            qualified_by_id=by, qualified_at=now))
        stage = _apply_outcome(lead, draft, now, handoff_mapping(session).qualified)
        record_stage_change(session, lead, stage, by, now, draft.reason_code)
        return QualificationSaved(lead_id, stage, lead.handoff_due_at)


def _apply_outcome(lead: Lead, draft: QualificationDraft, now: datetime,
                   qualified_stage: str) -> str:
    lead.category = draft.category
    lead.reason_code = draft.reason_code
    if draft.category in NEEDS_HANDOFF:
        lead.handoff_to_id = draft.handoff_to_id
        lead.handoff_at = now
        lead.handoff_due_at = now + handoff_window()
        lead.handoff_state = "pending"
        lead.handoff_note = draft.next_step
        return qualified_stage
    if draft.category == LeadCategory.C:
        lead.follow_up_on = draft.follow_up_on
        return FunnelStage.NURTURE
    return FunnelStage.DISQUALIFIED
