"""Settling a conflict the rep was shown: keep mine, take theirs, or an edited value."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import flag_modified

from models.records import ConflictRecord
from models.store import SyncConflict
from models.store.tracking import FROM_CRM
from models.sync.fieldmap import model_of


def open_conflicts(sessions: sessionmaker[Session]) -> list[ConflictRecord]:
    with sessions() as session:
        return [ConflictRecord(c.id, c.table, c.record_id, c.field, c.base, c.mine, c.theirs)
                for c in session.scalars(select(SyncConflict).where(
                    SyncConflict.resolved_at.is_(None)).order_by(SyncConflict.id))]


def resolve(sessions: sessionmaker[Session], conflict_id: int, choice: str, now: datetime,
            edited: Any = None) -> None:
    """"mine" pushes the rep's value over theirs at the next sync; "theirs" takes the CRM's;
    "edited" pushes a new value. Either way the CRM's value becomes the base."""
    with sessions.begin() as session:
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            raise ValueError("This conflict is already settled.")
        value = {"mine": conflict.mine, "theirs": conflict.theirs, "edited": edited}[choice]
        row = session.get(model_of(conflict.table), conflict.record_id)
        conflict.resolved_at, conflict.resolution = now, choice
        if row is None:
            return
        row.base = {**(row.base or {}), conflict.field: conflict.theirs}
    # Theirs is the CRM's already: stored as pulled. Anything else is an edit for the outbox,
    # whose base is now theirs, so the next push sends it.
    with sessions.begin() as session:
        if choice == "theirs":
            session.info[FROM_CRM] = True
        row = session.get(model_of(conflict.table), conflict.record_id)
        if row is not None:
            setattr(row, conflict.field, value)
            if choice != "theirs":
                # Even when the stored value is already the rep's, the outbox must carry it.
                flag_modified(row, conflict.field)
