"""The uniform reason-code catalogue: one list for qualification, closing and hand-offs.

Shipped in resources/reason_codes.json, editable by a manager, and shaped like a CRM picklist
(code, label, active) so a sync can fill it from the CRM's describe call.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.store import ReasonCode

APPLIES_TO = ("A", "B", "C", "D", "won", "lost", "reject")
# A code is "<prefix>-<reason>"; the prefix says what it applies to (resources/reason_codes.json).
CODE_PREFIXES = {"A": "A", "B": "B", "C": "C", "D": "D", "WIN": "won", "LOSS": "lost",
                 "REJECT": "reject"}


def valid_code(code: str) -> bool:
    """1 to 40 letters, digits, '-' or '_'."""
    return 0 < len(code) <= 40 and all(c.isalnum() or c in "-_" for c in code)


@dataclass(frozen=True)
class ReasonCodeRecord:
    code: str
    applies_to: str
    label: str
    active: bool


def choices(sessions: sessionmaker[Session], applies_to: str) -> list[tuple[str, str]]:
    """Active (code, label) pairs for one category or outcome."""
    with sessions() as session:
        return [(r.code, r.label) for r in session.scalars(
            select(ReasonCode).where(ReasonCode.applies_to == applies_to,
                                     ReasonCode.active.is_(True)).order_by(ReasonCode.code))]


def active_codes(session: Session, applies_to: tuple[str, ...] = APPLIES_TO) -> dict[str, str]:
    """Active code → what it applies to: what the forms check a chosen reason against."""
    return dict(session.execute(select(ReasonCode.code, ReasonCode.applies_to).where(
        ReasonCode.active.is_(True), ReasonCode.applies_to.in_(applies_to))).tuples().all())


def catalogue(sessions: sessionmaker[Session]) -> list[ReasonCodeRecord]:
    with sessions() as session:
        return [ReasonCodeRecord(r.code, r.applies_to, r.label, r.active) for r in
                session.scalars(select(ReasonCode).order_by(ReasonCode.applies_to,
                                                            ReasonCode.code))]


def save_reason_code(sessions: sessionmaker[Session], code: str, applies_to: str, label: str,
                     active: bool = True) -> None:
    """Add or change a code. Codes are never deleted, only made inactive, so past records
    keep a reason a manager can analyse.

    Raises:
        ValueError: a bad code, category or label.
    """
    code = code.strip().upper()
    if not valid_code(code):
        raise ValueError("A code is 1 to 40 letters, digits, '-' or '_'.")
    if applies_to not in APPLIES_TO:
        raise ValueError(f"A code applies to one of {', '.join(APPLIES_TO)}.")
    if not label.strip():
        raise ValueError("The code needs a label the reps understand.")
    with sessions.begin() as session:
        existing = session.get(ReasonCode, code)
        if existing is not None and existing.applies_to != applies_to:
            raise ValueError(f"{code} already exists for {existing.applies_to}; choose "
                             "another code.")
        session.merge(ReasonCode(code=code, applies_to=applies_to, label=label.strip(),
                                 active=active))
