"""Why each change on the Sync screen waits, said in the rep's words.

The push writes its reasons for the record it was sending ("waiting for leads 01a2… to reach
the CRM", "deleted in the CRM"). Read alone they mislead: a lead the CRM deleted after a create
whose answer was lost has not been refused, it waits for the rep's decision under Conflicts; the
tasks logged on it do not wait for a send, they wait for that decision too. This module reads
the records behind the lines and says what is true.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.records import ConflictRecord, OutboxLine
from models.store import Account, Base, Contact, Lead, Opportunity, SyncConflict
from models.store.base import Synced
from models.sync.conflicts import DELETED_IN_CRM, RECORD_DELETED, open_conflicts
from models.sync.fieldmap import REFERENCES, model_of
from models.sync.status import outbox_lines

DECIDE = ("decide under Conflicts whether to create it again (Keep mine) or to remove it here "
          "(Take theirs)")


def _model(crm_object: str) -> type[Synced] | None:
    for mapper in Base.registry.mappers:
        found = mapper.class_
        if issubclass(found, Synced) and getattr(found, "crm_object", None) == crm_object:
            return found
    return None


def describe(row: Any) -> str:
    """A record as the rep knows it: "the lead Yuki Sato (Orion Labs)"."""
    if isinstance(row, Lead):
        name = " ".join(p for p in (row.first_name, row.last_name) if p)
        return f"the lead {name} ({row.company})" if row.company else f"the lead {name}"
    if isinstance(row, Contact):
        return "the contact " + " ".join(p for p in (row.first_name, row.last_name) if p)
    if isinstance(row, Account):
        return f"the account {row.name}"
    if isinstance(row, Opportunity):
        return f"the deal {row.name}"
    return f"a {type(row).crm_object} record"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _undecided_deletions(session: Session) -> dict[str, str]:
    """Record id → its table, for records the CRM deleted that the rep has not decided on."""
    return {c.record_id: c.table for c in session.scalars(select(SyncConflict).where(
        SyncConflict.field == RECORD_DELETED, SyncConflict.resolved_at.is_(None)))}


def _waiting_parents(session: Session, line: OutboxLine,
                     undecided: dict[str, str]) -> list[str]:
    """The ids of the undecided deleted records ``line``'s record points at."""
    model = _model(line.object)
    row = session.get(model, line.record_id) if model is not None else None
    if row is None:
        return []
    return [value for column in REFERENCES
            if (value := getattr(row, column, None)) is not None and value in undecided]


def _label(session: Session, table: str, record_id: str) -> str:
    try:
        row = session.get(model_of(table), record_id)
    except LookupError:
        row = None
    return describe(row) if row is not None else f"a {table} record"


def explain(sessions: sessionmaker[Session], lines: list[OutboxLine]) -> list[OutboxLine]:
    """``lines`` with the reasons of records waiting on a deletion the rep has to decide."""
    with sessions() as session:
        undecided = _undecided_deletions(session)
        if not undecided:
            return lines
        labels = {record_id: _label(session, table, record_id)
                  for record_id, table in undecided.items()}
        parents = {index: found for index, line in enumerate(lines)
                   if line.state == "pending" and line.error
                   and (found := _waiting_parents(session, line, undecided))}
    dependants = Counter((parent, lines[index].object)
                         for index, found in parents.items() for parent in set(found))
    told: list[OutboxLine] = []
    for index, line in enumerate(lines):
        if index in parents:
            names = ", ".join(labels[parent] for parent in dict.fromkeys(parents[index]))
            told.append(replace(line, error=f"waits for your decision on {names}, deleted in "
                                            "the CRM (see Conflicts)"))
        elif line.record_id in undecided and line.error == DELETED_IN_CRM:
            waiting = [_plural(n, obj.lower()) for (parent, obj), n in dependants.items()
                       if parent == line.record_id]
            also = f"; {' and '.join(waiting)} wait for it" if waiting else ""
            told.append(replace(line, error=f"Deleted in the CRM: {DECIDE}{also}.",
                                waits_for_rep=True))
        else:
            told.append(line)
    return told


def outbox_for_screen(sessions: sessionmaker[Session], limit: int = 500) -> list[OutboxLine]:
    """The Sync screen's list of changes, each with a reason that says what is true."""
    return explain(sessions, outbox_lines(sessions, limit))


def conflicts_for_screen(sessions: sessionmaker[Session]) -> list[ConflictRecord]:
    """Open conflicts; a record deleted in the CRM is named, and what is kept here said,
    instead of the raw values of every field."""
    conflicts = open_conflicts(sessions)
    deleted = [c for c in conflicts if c.field == RECORD_DELETED]
    if not deleted:
        return conflicts
    with sessions() as session:
        labels = {c.record_id: _label(session, c.table, c.record_id) for c in deleted}
    return [replace(c, base="", mine=f"{labels[c.record_id]}, kept here until you decide",
                    theirs=str(c.theirs)) if c.field == RECORD_DELETED else c
            for c in conflicts]
