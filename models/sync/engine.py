"""One sync run: push first (so nothing local is overwritten by a stale pull), then pull."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from models.crm.adapter import CrmAdapter
from models.store import SyncState
from models.sync.fieldmap import FieldMap, field_map
from models.sync.pull import PullReport, pull
from models.sync.push import PushReport, push


@dataclass(frozen=True)
class SyncReport:
    push: PushReport
    pull: PullReport


def sync_once(sessions: sessionmaker[Session], adapter: CrmAdapter,
              now: Callable[[], datetime], fields: FieldMap | None = None) -> SyncReport:
    fields = fields or field_map()
    pushed = push(sessions, adapter, fields, now)
    with sessions.begin() as session:
        for spec in fields.objects:
            state = session.get(SyncState, spec.object) or SyncState(object=spec.object)
            state.last_push_at = now()
            session.merge(state)
    pulled = pull(sessions, adapter, fields, now)
    return SyncReport(pushed, pulled)
