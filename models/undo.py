"""Taking back the last logged outcome or snooze (Ctrl+Z in the queue).

A touch taken back is deleted like any synced row: if it never reached the CRM, its create
and the delete cancel out at the next push; if it did, the push deletes the CRM's task (the
compensating change). The lead's touch dates and snooze come back to what they were, and its
place in the cadence is worked out again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from models.store import Activity, Lead
from models.touches import refresh_cadence


@dataclass(frozen=True)
class TouchState:
    """What a touch or a snooze changes on a lead, as it was before."""

    lead_id: str
    name: str
    first_touch_at: datetime | None
    last_touch_at: datetime | None
    snoozed_until: datetime | None


@dataclass(frozen=True)
class Undoable:
    """One action that Ctrl+Z can take back."""

    what: str  # "the no answer call to Sarah Allen", for the message
    before: TouchState
    activity_id: str | None = None  # the touch to delete; None for a snooze


def touch_state(session: Session, lead_id: str) -> TouchState:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise LookupError("That lead no longer exists.")
    name = f"{lead.first_name or ''} {lead.last_name}".strip()
    return TouchState(lead.id, name, lead.first_touch_at, lead.last_touch_at,
                      lead.snoozed_until)


def before_touch(sessions: sessionmaker[Session], lead_id: str) -> TouchState:
    with sessions() as session:
        return touch_state(session, lead_id)


def take_back(sessions: sessionmaker[Session], undoable: Undoable) -> str:
    """Undo ``undoable`` in one transaction; returns what was taken back, in words.

    Raises:
        LookupError: the lead was merged away or deleted since.
    """
    before = undoable.before
    with sessions.begin() as session:
        lead = session.get(Lead, before.lead_id)
        if lead is None:
            raise LookupError(f"{before.name} no longer exists: nothing to take back.")
        if undoable.activity_id is not None:
            activity = session.get(Activity, undoable.activity_id)
            if activity is not None:
                session.delete(activity)
        lead.first_touch_at = before.first_touch_at
        lead.last_touch_at = before.last_touch_at
        lead.snoozed_until = before.snoozed_until
        session.flush()
        refresh_cadence(session, lead)
    return undoable.what
