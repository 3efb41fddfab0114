"""Unsaved forms, kept locally as typed: cancel or a crash never loses what the rep wrote."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from models.store import Draft


def save_draft(sessions: sessionmaker[Session], form: str, record_id: str,
               data: dict[str, Any], now: datetime) -> None:
    with sessions.begin() as session:
        session.merge(Draft(form=form, record_id=record_id, data=data, updated_at=now))


def load_draft(sessions: sessionmaker[Session], form: str,
               record_id: str) -> dict[str, Any] | None:
    with sessions() as session:
        draft = session.get(Draft, (form, record_id))
        return dict(draft.data) if draft else None


def discard_draft(sessions: sessionmaker[Session], form: str, record_id: str) -> None:
    with sessions.begin() as session:
        draft = session.get(Draft, (form, record_id))
        if draft is not None:
            session.delete(draft)
