"""Tasks that can never reach the CRM: logged on a record the CRM deleted, which the rep then
chose to leave deleted (Take theirs). They are listed with what they hold, so the rep reads
them before letting them go; dropping them lets the record go here too, as Take theirs said.
Nothing is dropped without the rep asking, and nothing that could still go is dropped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models.changes import Changed, Changes, Kind
from models.outbox_reasons import describe, left_deleted
from models.store import Account, Activity, Contact, Lead, Opportunity, OutboxEntry
from models.store.tracking import FROM_CRM

# What an activity may be logged on, and what the rep's other screens call it.
_PARENTS = (("lead_id", Lead, Kind.LEAD), ("contact_id", Contact, Kind.LEAD),
            ("account_id", Account, Kind.ACCOUNT),
            ("opportunity_id", Opportunity, Kind.OPPORTUNITY))
DROPPED = "dropped by the rep: logged on a record the CRM deleted"


@dataclass(frozen=True)
class StrandedTask:
    """A task that cannot go, with everything the rep wrote in it."""

    activity_id: str
    logged_on: str  # "the lead Yuki Sato (Orion Labs)"
    kind: str
    subject: str
    occurred_at: datetime
    outcome: str | None
    notes: str | None


@dataclass(frozen=True)
class DroppedTasks:
    dropped: tuple[StrandedTask, ...]
    removed: tuple[str, ...]  # the records left deleted that are now gone here too
    kept: tuple[str, ...]  # those that other records here still point at


def _stranded(session: Session, left: set[str]) -> list[tuple[Activity, list[str]]]:
    """Unsent activities logged on a record in ``left``, with the ids of those records."""
    if not left:
        return []
    unsent = select(OutboxEntry.record_id).where(OutboxEntry.object == Activity.crm_object,
                                                 OutboxEntry.state == "pending")
    rows = session.scalars(select(Activity).where(
        Activity.crm_id.is_(None), Activity.id.in_(unsent),
        or_(*(getattr(Activity, column).in_(left) for column, _model, _kind in _PARENTS)))
        .order_by(Activity.occurred_at, Activity.id))
    return [(row, [value for column, _model, _kind in _PARENTS
                   if (value := getattr(row, column)) in left]) for row in rows]


def _told(session: Session, activity: Activity, parents: list[str]) -> StrandedTask:
    names = []
    for column, model, _kind in _PARENTS:
        record_id = getattr(activity, column)
        if record_id in parents and (row := session.get(model, record_id)) is not None:
            names.append(describe(row))
    return StrandedTask(activity.id, ", ".join(names), activity.kind, activity.subject,
                        activity.occurred_at, activity.outcome, activity.body)


def stranded_tasks(sessions: sessionmaker[Session]) -> list[StrandedTask]:
    """Every task that cannot go because its record was left deleted, oldest first."""
    with sessions() as session:
        return [_told(session, activity, parents)
                for activity, parents in _stranded(session, left_deleted(session))]


def drop_stranded(sessions: sessionmaker[Session],
                  activity_ids: Sequence[str]) -> Changed[DroppedTasks]:
    """Drop these tasks here (they never reached the CRM and never can), then remove the
    records they were logged on if nothing else holds them, all in one transaction.

    Raises:
        ValueError: one of them can go after all, or is gone already: nothing is dropped.
    """
    wanted = set(activity_ids)
    with sessions.begin() as session:
        # Neither the tasks nor the deleted record exist in the CRM: nothing to send.
        session.info[FROM_CRM] = True
        left = left_deleted(session)
        found = [(a, p) for a, p in _stranded(session, left) if a.id in wanted]
        if not wanted or len(found) != len(wanted):
            raise ValueError("These tasks changed since the list was shown (one can go to "
                             "the CRM, or is gone already): nothing was dropped.")
        told = tuple(_told(session, activity, parents) for activity, parents in found)
        parents = list(dict.fromkeys(p for _a, found_parents in found for p in found_parents))
        for entry in session.scalars(select(OutboxEntry).where(
                OutboxEntry.record_id.in_(wanted), OutboxEntry.state == "pending")):
            entry.state, entry.error = "done", DROPPED
        for activity, _parents in found:
            session.delete(activity)
        session.flush()
        removed, kept, kinds = _remove(session, parents)
    return Changed(DroppedTasks(told, removed, kept),
                   Changes.of(Kind.TOUCH, Kind.OUTBOX, Kind.CADENCE, *kinds,
                              records=[*wanted, *parents]))


def _remove(session: Session, parents: list[str]
            ) -> tuple[tuple[str, ...], tuple[str, ...], set[Kind]]:
    removed: list[str] = []
    kept: list[str] = []
    kinds: set[Kind] = set()
    for record_id in parents:
        for _column, model, kind in _PARENTS:
            row = session.get(model, record_id)
            if row is None:
                continue
            name = describe(row)
            try:
                with session.begin_nested():
                    session.delete(row)
            except IntegrityError:
                kept.append(name)  # a qualification, a deal… still points at it
            else:
                removed.append(name)
                kinds.add(kind)
            break
    return tuple(removed), tuple(kept), kinds
