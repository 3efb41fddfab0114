"""What the SDR learned, for the AE who takes the lead: the latest qualification as filed,
and who filed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.qualification import frameworks
from models.store import Qualification, ReasonCode, User


@dataclass(frozen=True)
class QualificationSummary:
    category: str
    reason_code: str
    reason_label: str | None
    framework: str
    # (criterion, answer) in the framework's order, then any other answer given.
    answers: tuple[tuple[str, str], ...]
    competitors: tuple[str, ...]
    requested_features: tuple[str, ...]
    competitive_info: str | None
    next_step: str | None
    follow_up_on: date | None
    qualified_by: str | None
    qualified_at: datetime


def _ordered(answers: dict[str, object], framework: str) -> tuple[tuple[str, str], ...]:
    order = frameworks().get(framework, [])
    first = [(c, str(answers[c])) for c in order if answers.get(c)]
    rest = [(c, str(a)) for c, a in answers.items() if c not in order and a]
    return tuple(first + rest)


def latest_qualification(session: Session, lead_id: str) -> QualificationSummary | None:
    row = session.execute(
        select(Qualification, User.name, ReasonCode.label)
        .outerjoin(User, User.id == Qualification.qualified_by_id)
        .outerjoin(ReasonCode, ReasonCode.code == Qualification.reason_code)
        .where(Qualification.lead_id == lead_id)
        .order_by(Qualification.qualified_at.desc()).limit(1)).tuples().first()
    if row is None:
        return None
    record, by, label = row
    return QualificationSummary(
        category=record.category, reason_code=record.reason_code, reason_label=label,
        framework=record.framework, answers=_ordered(dict(record.answers or {}),
                                                     record.framework),
        competitors=tuple(str(c) for c in record.competitors or ()),
        requested_features=tuple(str(f) for f in record.requested_features or ()),
        competitive_info=record.competitive_info, next_step=record.next_step,
        follow_up_on=record.follow_up_on, qualified_by=by, qualified_at=record.qualified_at)


def qualification_of(sessions: sessionmaker[Session], lead_id: str
                     ) -> QualificationSummary | None:
    with sessions() as session:
        return latest_qualification(session, lead_id)
