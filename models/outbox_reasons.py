"""Why each change on the Sync screen waits, said in the rep's words.

The push writes its reasons for the record it was sending ("waiting for leads 01a2… to reach
the CRM", "deleted in the CRM"). Read alone they mislead: a lead the CRM deleted after a create
whose answer was lost has not been refused, it waits for the rep's decision under Conflicts; the
tasks logged on it do not wait for a send, they wait for that decision too; and once the rep
chose to leave it deleted, they can never go. This module reads the records behind the lines
and says what is true.
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

# What the rep's two choices do to a record the CRM deleted; with records that point at it,
# leaving it deleted cannot remove it here (they still point at it) and they are never sent.
KEEP = "create it again (Keep mine)"
LEAVE = "or to remove it here (Take theirs)"
LEAVE_WITH = "or to leave it deleted (Take theirs: {they} then never go)"


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


def _deletions(session: Session) -> tuple[dict[str, str], set[str]]:
    """Records the CRM deleted: those the rep has not decided on (id → table), and those the
    rep chose to leave deleted that are still here (records still point at them)."""
    undecided: dict[str, str] = {}
    left: set[str] = set()
    for conflict in session.scalars(select(SyncConflict).where(
            SyncConflict.field == RECORD_DELETED)):
        if conflict.resolved_at is None:
            undecided[conflict.record_id] = conflict.table
        elif conflict.resolution == "theirs":
            row = session.get(model_of(conflict.table), conflict.record_id)
            if row is not None and row.crm_id is None:
                left.add(conflict.record_id)
    return undecided, left


def left_deleted(session: Session) -> set[str]:
    """Records the CRM deleted that the rep chose to leave deleted, still here because
    records that can never go still point at them."""
    return _deletions(session)[1]


def _parents(session: Session, line: OutboxLine, of: set[str]) -> list[str]:
    """The ids among ``of`` that ``line``'s record points at."""
    model = _model(line.object)
    row = session.get(model, line.record_id) if model is not None else None
    if row is None:
        return []
    return list(dict.fromkeys(value for column in REFERENCES
                              if (value := getattr(row, column, None)) is not None
                              and value in of))


def _label(session: Session, table: str, record_id: str) -> str:
    try:
        row = session.get(model_of(table), record_id)
    except LookupError:
        row = None
    return describe(row) if row is not None else f"a {table} record"


def explain(sessions: sessionmaker[Session], lines: list[OutboxLine]) -> list[OutboxLine]:
    """``lines`` with the reasons of records that wait on a deletion in the CRM."""
    with sessions() as session:
        undecided, left = _deletions(session)
        if not undecided and not left:
            return lines
        deleted = set(undecided) | left
        parents = {index: found for index, line in enumerate(lines)
                   if line.state == "pending" and line.error
                   and (found := _parents(session, line, deleted))}
        labels = {record_id: describe(row) for record_id in deleted
                  if (row := _row(session, record_id, undecided)) is not None}
    dependants = Counter((parent, lines[index].object)
                         for index, found in parents.items() for parent in found)
    return [_told(index, line, parents, labels, undecided, dependants)
            for index, line in enumerate(lines)]


def _row(session: Session, record_id: str, undecided: dict[str, str]) -> Any:
    table = undecided.get(record_id)
    if table is not None:
        return session.get(model_of(table), record_id)
    for model in (Lead, Account, Contact, Opportunity):
        if (row := session.get(model, record_id)) is not None:
            return row
    return None


def _told(index: int, line: OutboxLine, parents: dict[int, list[str]], labels: dict[str, str],
          undecided: dict[str, str], dependants: Counter[tuple[str, str]]) -> OutboxLine:
    if index in parents:
        waiting = [p for p in parents[index] if p in undecided]
        names = ", ".join(labels.get(p, "a record") for p in (waiting or parents[index]))
        if waiting:
            return replace(line, error=f"waits for your decision on {names}, deleted in the "
                                       "CRM (see Conflicts)")
        return replace(line, error=f"cannot go: {names} was deleted in the CRM and you "
                                   "chose to leave it deleted")
    if line.record_id in undecided and line.error == DELETED_IN_CRM:
        they = [_plural(n, obj.lower()) for (parent, obj), n in dependants.items()
                if parent == line.record_id]
        both = " and ".join(they)
        leave = LEAVE_WITH.format(they=f"the {both}") if they else LEAVE
        also = f"; {both} wait for it" if they else ""
        return replace(line, error=f"Deleted in the CRM: decide under Conflicts whether to "
                                   f"{KEEP} {leave}{also}.", waits_for_rep=True)
    return line


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
