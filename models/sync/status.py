"""What the window tells the rep about the CRM connection and unsent work."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.records import OutboxLine, SyncStatus
from models.store import OutboxEntry, Setting, SyncState
from models.sync.refusals import RECEIVE

CRM_URL_SETTING = "crm_url"


def sync_status(sessions: sessionmaker[Session], online: bool | None = False) -> SyncStatus:
    with sessions() as session:
        # Records RepDesk did not take in from the CRM are listed on the Sync screen, but are
        # not changes of the rep's that the CRM refused.
        rows = session.execute(
            select(OutboxEntry.state, func.count())
            .where(OutboxEntry.state.in_(("pending", "failed")), OutboxEntry.op != RECEIVE)
            .group_by(OutboxEntry.state)
        ).tuples()
        counts = {state: count for state, count in rows}
        # A pending entry carrying a message could not go (its parent is not in the CRM…).
        blocked = session.scalar(select(func.count()).where(
            OutboxEntry.state == "pending", OutboxEntry.error.is_not(None))) or 0
        last = session.scalar(
            select(func.max(func.coalesce(SyncState.last_push_at, SyncState.last_pull_at)))
        )
        crm = session.get(Setting, CRM_URL_SETTING)
    return SyncStatus(
        crm_url=crm.value if crm else None,
        online=online,
        pending_changes=counts.get("pending", 0) - blocked,
        failed_changes=counts.get("failed", 0),
        last_sync_at=last,
        blocked_changes=blocked,
    )


def remember_crm(sessions: sessionmaker[Session], url: str) -> None:
    with sessions.begin() as session:
        session.merge(Setting(key=CRM_URL_SETTING, value=url))


def outbox_lines(sessions: sessionmaker[Session], limit: int = 500) -> list[OutboxLine]:
    """Changes waiting to be sent, those the CRM refused (with its message), and records from
    the CRM that RepDesk did not take in (op "receive"), newest first."""
    with sessions() as session:
        return [OutboxLine(e.object, e.record_id, e.op, tuple(sorted(e.fields)), e.state,
                           e.error, e.created_at)
                for e in session.scalars(select(OutboxEntry).where(
                    OutboxEntry.state.in_(("pending", "failed")))
                    .order_by(OutboxEntry.seq.desc()).limit(limit))]
