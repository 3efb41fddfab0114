"""One sync run: push first (so nothing local is overwritten by a stale pull), then pull.

Only the removals of the pull come before the push: what the CRM deleted or merged away is
known before anything is sent, so an edit of a merged-away record goes to its survivor and
an edit of a deleted one is not sent to a record that is gone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from models.crm.adapter import CrmAdapter, take_refused
from models.funnel_backfill import backfill_in_steps, record_crm_moves
from models.store import SyncState
from models.sync.crm_switch import follow_crm
from models.sync.fieldmap import FieldMap, field_map
from models.sync.lock import WAIT_AT_MOST_S, lock_file, one_sync_at_a_time
from models.sync.picklists import PicklistReport, refresh_reason_codes
from models.sync.pull import PullReport, pull
from models.sync.push import PushReport, push
from models.sync.refusals import record_refusals
from models.sync.removals import pull_removals


@dataclass(frozen=True)
class SyncReport:
    push: PushReport
    pull: PullReport
    reason_codes: PicklistReport = field(default_factory=PicklistReport)


def sync_once(sessions: sessionmaker[Session], adapter: CrmAdapter,
              now: Callable[[], datetime], fields: FieldMap | None = None,
              waiting: Callable[[], None] | None = None,
              waited: Callable[[], None] | None = None,
              wait_at_most: float = WAIT_AT_MOST_S) -> SyncReport:
    """One sync of the store, never two at once (``waiting`` is told when it has to wait
    for another to end, ``waited`` when that one has ended).

    Raises:
        SyncBusy: the other sync still ran after ``wait_at_most`` seconds; nothing was sent.
    """
    with one_sync_at_a_time(lock_file(sessions), waiting, waited, wait_at_most):
        return _sync_once(sessions, adapter, now, fields or field_map())


def _sync_once(sessions: sessionmaker[Session], adapter: CrmAdapter,
               now: Callable[[], datetime], fields: FieldMap) -> SyncReport:
    follow_crm(sessions, adapter.org)  # another CRM than last time: read it in full
    removed = PullReport()
    pull_removals(sessions, adapter, fields, now, removed)
    pushed = push(sessions, adapter, fields, now)
    with sessions.begin() as session:
        for spec in fields.objects:
            state = session.get(SyncState, spec.object) or SyncState(object=spec.object)
            state.last_push_at = now()
            session.merge(state)
    with sessions() as session:
        leads_since = getattr(session.get(SyncState, "Lead"), "watermark", None)
    pulled = pull(sessions, adapter, fields, now, removals=removed)
    # A lead new to this store arrives with a status: its history from birth (in batches:
    # a first pull brings them all); one whose status changed in the CRM moves in its
    # history too.
    backfill_in_steps(sessions, origin="crm")
    with sessions.begin() as session:
        record_crm_moves(session.connection(), leads_since)
    reasons = refresh_reason_codes(sessions, adapter, fields)
    # Records refused outside the pull's own pages (looked up for removals or the push).
    refused = take_refused(adapter)
    pulled.refused += len(refused)
    with sessions.begin() as session:
        record_refusals(session, refused)
    return SyncReport(pushed, pulled, reasons)
