"""Settling a conflict the rep was shown: keep mine, take theirs, or an edited value.

Besides fields edited on both sides, a record the CRM deleted while the rep had unsent edits on
it is a conflict too (field ``RECORD_DELETED``): the row and the edits stay until the rep
decides; keep mine creates the record in the CRM again, take theirs lets it go here too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import flag_modified

from models.records import ConflictRecord
from models.store import OutboxEntry, SyncConflict
from models.store.tracking import FROM_CRM, data_columns
from models.sync import slots
from models.sync.fieldmap import model_of

RECORD_DELETED = "(deleted in the CRM)"
# The error left on the outbox entries of such a record: they are not sent.
DELETED_IN_CRM = "deleted in the CRM"


def open_conflicts(sessions: sessionmaker[Session]) -> list[ConflictRecord]:
    with sessions() as session:
        return [ConflictRecord(c.id, c.table, c.record_id, c.field, c.base, c.mine, c.theirs)
                for c in session.scalars(select(SyncConflict).where(
                    SyncConflict.resolved_at.is_(None)).order_by(SyncConflict.id))]


def deleted_while_edited(session: Session, table: str, record_id: str, now: datetime) -> bool:
    """The CRM deleted a record that has the rep's unsent work: its pending edits (and fields
    already in conflict) become one conflict for the rep, and are not sent. True when the
    conflict is new."""
    mine: dict[str, Any] = {}
    for entry in session.scalars(select(OutboxEntry).where(
            OutboxEntry.record_id == record_id, OutboxEntry.state == "pending")
            .order_by(OutboxEntry.seq)):
        mine.update(entry.fields)
        entry.state, entry.error = "failed", DELETED_IN_CRM
    existing = None
    for conflict in session.scalars(select(SyncConflict).where(
            SyncConflict.record_id == record_id, SyncConflict.resolved_at.is_(None))):
        if conflict.field == RECORD_DELETED:
            existing = conflict
            continue
        mine[conflict.field] = conflict.mine
        conflict.resolved_at, conflict.resolution = now, "deleted"
    if existing is not None:
        existing.mine = {**(existing.mine or {}), **mine}
        return False
    session.add(SyncConflict(table=table, record_id=record_id, field=RECORD_DELETED,
                             base=None, mine=mine, theirs=None, found_at=now))
    return True


def resolve(sessions: sessionmaker[Session], conflict_id: int, choice: str, now: datetime,
            edited: Any = None) -> None:
    """"mine" pushes the rep's value over theirs at the next sync; "theirs" takes the CRM's;
    "edited" pushes a new value. Either way the CRM's value becomes the base.

    For a record deleted in the CRM, "mine" (or "edited") creates it there again with
    everything it holds here, and "theirs" removes it here as well."""
    with sessions() as session:
        found = session.get(SyncConflict, conflict_id)
        if found is not None and found.field == RECORD_DELETED:
            _resolve_deletion(sessions, conflict_id, choice, now)
            return
    if found is not None and found.field == slots.SLOT_TAKEN:
        slots.settle(sessions, found, choice, now)
        return
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


def _resolve_deletion(sessions: sessionmaker[Session], conflict_id: int, choice: str,
                      now: datetime) -> None:
    with sessions.begin() as session:
        session.info[FROM_CRM] = True
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            raise ValueError("This conflict is already settled.")
        conflict.resolved_at, conflict.resolution = now, choice
        table, record_id = conflict.table, conflict.record_id
        for entry in session.scalars(select(OutboxEntry).where(
                OutboxEntry.record_id == record_id, OutboxEntry.state == "failed",
                OutboxEntry.error == DELETED_IN_CRM)):
            entry.state = "done"  # settled by the rep's choice: no longer shown as refused
        row = session.get(model_of(table), record_id)
        if row is None:
            return
        if choice == "theirs":
            try:
                with session.begin_nested():
                    session.delete(row)
            except IntegrityError:
                pass  # other local rows still point at it, as after any deletion in the CRM
            return
        row.crm_id, row.crm_modstamp, row.base = None, None, None
    # An edit of every field: the push finds no CRM id and sends the whole row as a create
    # (an upsert on our id, which the deleted record no longer holds).
    with sessions.begin() as session:
        row = session.get(model_of(table), record_id)
        if row is None:
            return
        for column in data_columns(row):
            if getattr(row, column) is not None:
                flag_modified(row, column)
