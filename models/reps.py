"""Who is signed in on this workstation."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.records import RepProfile
from models.store import Setting, User
from models.vocab import Role

CURRENT_REP_SETTING = "current_rep_id"


def _profile(user: User) -> RepProfile:
    return RepProfile(id=user.id, name=user.name, role=user.role, team=user.team,
                      timezone=user.timezone)


def current_rep(sessions: sessionmaker[Session]) -> RepProfile | None:
    """The rep chosen for this profile, else the first inbound SDR (as in demo mode)."""
    with sessions() as session:
        chosen = session.get(Setting, CURRENT_REP_SETTING)
        user = session.get(User, chosen.value) if chosen else None
        if user is None:
            user = session.scalars(
                select(User).where(User.role == Role.SDR_INBOUND).order_by(User.name).limit(1)
            ).first()
        return _profile(user) if user else None


def choose_rep(sessions: sessionmaker[Session], rep_id: str) -> None:
    with sessions.begin() as session:
        if session.get(User, rep_id) is None:
            raise ValueError(f"no rep with id {rep_id}")
        session.merge(Setting(key=CURRENT_REP_SETTING, value=rep_id))


def team_members(sessions: sessionmaker[Session], role: str) -> list[RepProfile]:
    with sessions() as session:
        return [_profile(u) for u in session.scalars(
            select(User).where(User.role == role).order_by(User.name))]


def find_rep(sessions: sessionmaker[Session], id_or_email: str) -> RepProfile | None:
    """The user with this id, or with this e-mail address (any case)."""
    text = id_or_email.strip()
    with sessions() as session:
        user = session.get(User, text) or session.scalars(
            select(User).where(func.lower(User.email) == text.casefold()).limit(1)).first()
        return _profile(user) if user else None
